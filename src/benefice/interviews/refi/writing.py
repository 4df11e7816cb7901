"""Writing emits only what reading accepts, so a project exported here reads back the same.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path, PurePosixPath

from lxml import etree

from benefice.errors import BeneficeError
from benefice.i18n import gettext_noop
from benefice.interviews.refi.model import (
    CODEBOOK_NS,
    PROJECT_NS,
    TEXT_KINDS,
    Code,
    Codebook,
    CodeSet,
    Coding,
    Project,
    QdaSource,
)

# ----------------------------------------------------------------------------------------------- writing


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def xml_safe(value: str) -> str:
    """Drop the characters XML 1.0 cannot carry (control characters from pasted text), rather than fail."""
    return _NOT_XML.sub("", value)


def _set_optional(element: etree._Element, attributes: dict[str, str | None]) -> None:
    for name, value in attributes.items():
        if value is not None:
            element.set(name, xml_safe(value))


def _sub(
    parent: etree._Element, ns: str, tag: str, content: str | None = None, /, **attributes
) -> etree._Element:
    element = etree.SubElement(parent, f"{{{ns}}}{tag}")
    _set_optional(element, attributes)
    if content is not None:
        element.text = xml_safe(content)
    return element


def _code_element(parent: etree._Element, code: Code, ns: str) -> None:
    element = _sub(
        parent,
        ns,
        "Code",
        guid=code.guid,
        name=code.name,
        isCodable="true" if code.is_codable else "false",
        color=code.color,
    )
    if code.description is not None:
        _sub(element, ns, "Description", code.description)
    if ns == PROJECT_NS:
        for ref in code.note_refs:
            _sub(element, ns, "NoteRef", targetGUID=ref)
    for child in code.children:
        _code_element(element, child, ns)


def _coding_element(parent: etree._Element, coding: Coding) -> None:
    element = _sub(
        parent,
        PROJECT_NS,
        "Coding",
        guid=coding.guid,
        creatingUser=coding.creating_user,
        creationDateTime=coding.creation_datetime,
    )
    _sub(element, PROJECT_NS, "CodeRef", targetGUID=coding.code_guid)
    for ref in coding.note_refs:
        _sub(element, PROJECT_NS, "NoteRef", targetGUID=ref)


def _set_element(parent: etree._Element, code_set: CodeSet, ns: str) -> None:
    element = _sub(parent, ns, "Set", guid=code_set.guid, name=code_set.name)
    if code_set.description is not None:
        _sub(element, ns, "Description", code_set.description)
    member_attribute = "targetGUID" if ns == PROJECT_NS else "guid"
    for guid in code_set.member_codes:
        _sub(element, ns, "MemberCode", **{member_attribute: guid})
    if ns == PROJECT_NS:
        for guid in code_set.member_sources:
            _sub(element, ns, "MemberSource", targetGUID=guid)
        for guid in code_set.member_notes:
            _sub(element, ns, "MemberNote", targetGUID=guid)


def _source_element(parent: etree._Element, source: QdaSource, files: dict[str, str], top: bool = False) -> None:
    """One source, or a text source nested in one, in the element order the REFI-QDA schema requires.

    A top-level text source's text goes to ``sources/<guid>.txt`` (as the other tools write it); a nested
    one keeps the form it was read in: inline ``PlainTextContent`` stays inline, a file stays a file.
    """
    ns = PROJECT_NS
    element = _sub(parent, ns, source.kind, guid=source.guid, name=source.name)
    paths = dict(source.paths)
    inline = None
    if source.kind in TEXT_KINDS:
        if source.text is not None and (top or "plainTextPath" in paths):
            file_name = f"{source.guid.strip('{}')}.txt"
            files[file_name] = source.text
            paths["plainTextPath"] = f"internal://{file_name}"
            paths.pop("richTextPath", None)  # the rich text file is not carried
        elif source.text is not None:
            inline = source.text
        elif "plainTextPath" not in paths:
            paths.pop("richTextPath", None)
            inline = ""  # the schema wants content or a path
    _set_optional(element, paths)
    _set_optional(element, source.audit)
    if source.description is not None:
        _sub(element, ns, "Description", source.description)
    if inline is not None:
        _sub(element, ns, "PlainTextContent", inline)
    if source.kind == "PictureSource" and source.representation is not None:
        _source_element(element, source.representation, files)
    for transcript in source.transcripts:
        _source_element(element, transcript, files)
    for point in source.sync_points:
        _sub(element, ns, "SyncPoint", **point)
    for selection in source.selections:
        attributes = {"guid": selection.guid, "name": selection.name}
        if selection.kind == "PlainTextSelection":
            attributes.update(startPosition=str(selection.start), endPosition=str(selection.end))
        else:
            attributes.update(selection.positions)
        sel = _sub(element, ns, selection.kind, **attributes)
        _set_optional(sel, selection.audit)
        if selection.description is not None:
            _sub(sel, ns, "Description", selection.description)
        if selection.representation is not None:
            _source_element(sel, selection.representation, files)
        for coding in selection.codings:
            _coding_element(sel, coding)
        for ref in selection.note_refs:
            _sub(sel, ns, "NoteRef", targetGUID=ref)
    if source.kind == "PDFSource" and source.representation is not None:
        _source_element(element, source.representation, files)
    if source.kind != "Transcript":  # a transcript's codings are on its selections only
        for coding in source.codings:
            _coding_element(element, coding)
    for ref in source.note_refs:
        _sub(element, ns, "NoteRef", targetGUID=ref)


def project_xml(project: Project) -> tuple[bytes, dict[str, str]]:
    """The ``project.qde`` bytes and the source texts to store as ``sources/<name>`` (name → text)."""
    ns = PROJECT_NS
    root = etree.Element(f"{{{ns}}}Project", nsmap={None: ns})
    root.set("name", xml_safe(project.name))
    _set_optional(root, {"origin": project.origin or "benefice"})
    _set_optional(root, {k: v for k, v in project.attributes.items()})
    if project.users:
        users = _sub(root, ns, "Users")
        for user in project.users:
            _sub(users, ns, "User", guid=user.guid, name=user.name, id=user.id)
    if project.codes:
        codes = _sub(_sub(root, ns, "CodeBook"), ns, "Codes")
        for code in project.codes:
            _code_element(codes, code, ns)
    files: dict[str, str] = {}
    if project.sources:
        sources = _sub(root, ns, "Sources")
        for source in project.sources:
            _source_element(sources, source, files, top=True)
    if project.notes:
        notes = _sub(root, ns, "Notes")
        for note in project.notes:
            element = _sub(notes, ns, "Note", guid=note.guid, name=note.name)
            _set_optional(element, note.audit)
            if note.description is not None:
                _sub(element, ns, "Description", note.description)
            _sub(element, ns, "PlainTextContent", note.text or "")
    if project.sets:
        sets = _sub(root, ns, "Sets")
        for code_set in project.sets:
            _set_element(sets, code_set, ns)
    if project.description is not None:
        _sub(root, ns, "Description", project.description)
    for ref in project.note_refs:
        _sub(root, ns, "NoteRef", targetGUID=ref)
    return etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True), files


def write_qdpx(project: Project, path: Path | str) -> None:
    """Export ``project`` as a ``.qdpx``: ``project.qde`` plus one UTF-8 text file per text source."""
    data, files = project_xml(project)
    target = Path(path)
    temporary = target.with_name(target.name + ".part")
    with zipfile.ZipFile(temporary, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("project.qde", data)
        for name, text in files.items():
            archive.writestr(str(PurePosixPath("sources") / name), text.encode("utf-8"))
    temporary.replace(target)


def codebook_xml(codebook: Codebook) -> bytes:
    if not codebook.codes:
        raise BeneficeError(gettext_noop("a REFI-QDA codebook needs at least one code"))
    ns = CODEBOOK_NS
    root = etree.Element(f"{{{ns}}}CodeBook", nsmap={None: ns})
    root.set("origin", codebook.origin or "benefice")
    codes = _sub(root, ns, "Codes")
    for code in codebook.codes:
        _code_element(codes, code, ns)
    if codebook.sets:
        sets = _sub(root, ns, "Sets")
        for code_set in codebook.sets:
            _set_element(sets, code_set, ns)
    return etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)


def write_qdc(codebook: Codebook | Project, path: Path | str) -> None:
    """Export a codebook (or a project's codebook and code sets) as ``.qdc``."""
    if isinstance(codebook, Project):
        codebook = Codebook(
            codes=codebook.codes, sets=[s for s in codebook.sets if s.member_codes], origin=codebook.origin
        )
    Path(path).write_bytes(codebook_xml(codebook))
