"""Reading is defensive because a ``.qdpx`` comes from anyone: the zip is checked for path traversal and
zip bombs before anything is read (``benefice.safezip``), members are read with a size cap, the XML parser
resolves no entity, loads no DTD and touches no network, and a document with a DOCTYPE (the vehicle of
"billion laughs" and external-entity attacks) is refused.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from lxml import etree

from benefice.errors import FormatError
from benefice.i18n import gettext_noop
from benefice.interviews.refi.model import (
    AUDIT_ATTRIBUTES,
    CODEBOOK_NS,
    GUID_POSITIONS,
    GUID_RE,
    MAX_QDPX_TOTAL_BYTES,
    MAX_SOURCE_BYTES,
    NESTED_KINDS,
    POSITION_ATTRIBUTES,
    PROJECT_NS,
    RGB_RE,
    SOURCE_KINDS,
    SOURCE_PATH_ATTRIBUTES,
    TEXT_KINDS,
    Code,
    Codebook,
    CodeSet,
    Coding,
    Note,
    Project,
    QdaSource,
    Selection,
    User,
)
from benefice.safezip import MAX_MEMBER_BYTES, Budget, open_checked_zip, read_member

# ----------------------------------------------------------------------------------------------- reading


def _parse_xml(data: bytes, path: str) -> etree._Element:
    """Parse untrusted XML: no entities, no DTD, no network; a DOCTYPE is refused outright."""
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, dtd_validation=False
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise FormatError(
            gettext_noop("invalid XML: %(reason)s"), params={"reason": str(exc)}, path=path, line=exc.lineno
        ) from None
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        raise FormatError(
            gettext_noop("XML with a DOCTYPE/entity declarations is refused (possible XML bomb or XXE)"),
            path=path,
        )
    return root


def _validate(root: etree._Element, schema, path: str) -> None:
    if schema is None:
        return
    if not isinstance(schema, etree.XMLSchema):
        schema = etree.XMLSchema(etree.parse(str(schema)))
    if not schema.validate(root):
        error = schema.error_log.last_error
        raise FormatError(
            gettext_noop("does not validate against the REFI-QDA schema: %(reason)s"),
            params={"reason": str(error.message)},
            path=path,
            line=error.line,
        )


class _Reader:
    """Turns a REFI XML tree into dataclasses, checking what the schema requires as it goes."""

    def __init__(self, path: str, ns: str, source_files: dict[str, bytes] | None = None) -> None:
        self.path = path
        self.ns = ns
        self.source_files = source_files
        self.ignored: Counter = Counter()

    def q(self, name: str) -> str:
        return f"{{{self.ns}}}{name}"

    def local(self, element: etree._Element) -> str:
        return etree.QName(element).localname if isinstance(element.tag, str) else ""

    def required(self, element: etree._Element, attribute: str) -> str:
        value = element.get(attribute)
        if value is None:
            raise FormatError(
                gettext_noop("<%(element)s> lacks the required attribute %(attribute)r"),
                params={"element": self.local(element), "attribute": attribute},
                path=self.path,
                line=element.sourceline,
                field=attribute,
            )
        return value

    def guid(self, element: etree._Element, attribute: str = "guid") -> str:
        value = self.required(element, attribute).strip()
        if not GUID_RE.fullmatch(value):
            raise FormatError(
                gettext_noop("<%(element)s> %(attribute)s=%(value)r is not a GUID"),
                params={"element": self.local(element), "attribute": attribute, "value": value},
                path=self.path,
                line=element.sourceline,
                field=attribute,
            )
        return value

    def integer(self, element: etree._Element, attribute: str) -> int:
        value = self.required(element, attribute)
        try:
            return int(value)
        except ValueError:
            raise FormatError(
                gettext_noop("<%(element)s> %(attribute)s=%(value)r is not an integer"),
                params={"element": self.local(element), "attribute": attribute, "value": value},
                path=self.path,
                line=element.sourceline,
                field=attribute,
            ) from None

    def child_text(self, element: etree._Element, name: str) -> str | None:
        child = element.find(self.q(name))
        return None if child is None else (child.text or "")

    def note_refs(self, element: etree._Element) -> list[str]:
        return [self.guid(ref, "targetGUID") for ref in element.findall(self.q("NoteRef"))]

    def audit(self, element: etree._Element) -> dict[str, str]:
        return {name: element.get(name) for name in AUDIT_ATTRIBUTES if element.get(name) is not None}

    def code(self, element: etree._Element) -> Code:
        codable = self.required(element, "isCodable").strip()
        if codable not in ("true", "false", "1", "0"):
            raise FormatError(
                gettext_noop("isCodable=%(value)r is not a boolean"),
                params={"value": codable},
                path=self.path,
                line=element.sourceline,
            )
        color = element.get("color")
        if color is not None and not RGB_RE.fullmatch(color.strip()):
            raise FormatError(
                gettext_noop("color=%(value)r is not #RRGGBB"),
                params={"value": color},
                path=self.path,
                line=element.sourceline,
            )
        return Code(
            guid=self.guid(element),
            name=self.required(element, "name"),
            is_codable=codable in ("true", "1"),
            color=color.strip() if color else None,
            description=self.child_text(element, "Description"),
            children=[self.code(child) for child in element.findall(self.q("Code"))],
            note_refs=self.note_refs(element) if self.ns == PROJECT_NS else [],
        )

    def code_set(self, element: etree._Element) -> CodeSet:
        return CodeSet(
            guid=self.guid(element),
            name=self.required(element, "name"),
            description=self.child_text(element, "Description"),
            member_codes=[
                self.guid(m, "targetGUID" if self.ns == PROJECT_NS else "guid")
                for m in element.findall(self.q("MemberCode"))
            ],
            member_sources=[self.guid(m, "targetGUID") for m in element.findall(self.q("MemberSource"))],
            member_notes=[self.guid(m, "targetGUID") for m in element.findall(self.q("MemberNote"))],
        )

    def coding(self, element: etree._Element) -> Coding:
        ref = element.find(self.q("CodeRef"))
        if ref is None:
            raise FormatError(
                gettext_noop("<Coding> without <CodeRef>"), path=self.path, line=element.sourceline
            )
        return Coding(
            guid=self.guid(element),
            code_guid=self.guid(ref, "targetGUID"),
            creating_user=element.get("creatingUser"),
            creation_datetime=element.get("creationDateTime"),
            note_refs=self.note_refs(element),
        )

    def selection(self, element: etree._Element, kind: str) -> Selection:
        selection = Selection(
            guid=self.guid(element),
            kind=kind,
            name=element.get("name"),
            description=self.child_text(element, "Description"),
            codings=[self.coding(c) for c in element.findall(self.q("Coding"))],
            note_refs=self.note_refs(element),
            audit=self.audit(element),
        )
        if kind == "PlainTextSelection":
            selection.start = self.integer(element, "startPosition")
            selection.end = self.integer(element, "endPosition")
        else:
            for attribute in POSITION_ATTRIBUTES[kind]:
                if element.get(attribute) is not None:
                    if attribute in GUID_POSITIONS:
                        selection.positions[attribute] = self.guid(element, attribute)
                    else:
                        self.integer(element, attribute)
                        selection.positions[attribute] = element.get(attribute).strip()
        if kind == "PDFSelection":
            nested = element.find(self.q("Representation"))
            if nested is not None:
                selection.representation = self.source(nested, "Representation")
        return selection

    def source(self, element: etree._Element, kind: str) -> QdaSource:
        """A source (or a text source nested in one) with its selections, codings and nested texts."""
        q = self.q
        selection_kind = SOURCE_KINDS.get(kind) or NESTED_KINDS[kind]
        source = QdaSource(
            guid=self.guid(element),
            name=element.get("name"),
            kind=kind,
            description=self.child_text(element, "Description"),
            paths={k: element.get(k) for k in SOURCE_PATH_ATTRIBUTES[kind] if element.get(k)},
            selections=[self.selection(s, selection_kind) for s in element.findall(q(selection_kind))],
            codings=[self.coding(c) for c in element.findall(q("Coding"))],
            note_refs=self.note_refs(element),
            audit=self.audit(element),
        )
        if kind in TEXT_KINDS:
            source.text = self.child_text(element, "PlainTextContent")
            reference = source.paths.get("plainTextPath")
            if source.text is None and reference and self.source_files is not None:
                content = self.source_files.get(reference)
                if content is not None:
                    source.text = _decode_source(content, self.path, reference)
        if kind == "PDFSource":
            nested = element.find(q("Representation"))
            source.representation = None if nested is None else self.source(nested, "Representation")
        elif kind == "PictureSource":
            nested = element.find(q("TextDescription"))
            source.representation = None if nested is None else self.source(nested, "TextDescription")
        elif kind in ("AudioSource", "VideoSource"):
            source.transcripts = [self.source(t, "Transcript") for t in element.findall(q("Transcript"))]
        elif kind == "Transcript":
            for point in element.findall(q("SyncPoint")):
                item = {"guid": self.guid(point)}
                for attribute in ("timeStamp", "position"):
                    if point.get(attribute) is not None:
                        item[attribute] = str(self.integer(point, attribute))
                source.sync_points.append(item)
            known = {p["guid"] for p in source.sync_points}
            for selection in source.selections:
                for attribute in GUID_POSITIONS:
                    point = selection.positions.get(attribute)
                    if point is not None and point not in known:
                        raise FormatError(
                            gettext_noop(
                                "<TranscriptSelection> %(guid)s %(attribute)s=%(value)r names no "
                                "<SyncPoint> of transcript %(source)r"
                            ),
                            params={
                                "guid": selection.guid,
                                "attribute": attribute,
                                "value": point,
                                "source": source.name,
                            },
                            path=self.path,
                            field=attribute,
                        )
        if selection_kind == "PlainTextSelection":
            _check_selections(source, self.path)
        count = len(element.findall(q("VariableValue")))
        if count:
            self.ignored["VariableValue"] += count
        return source


def _internal_member(archive_names: dict[str, str], reference: str) -> str | None:
    """Zip member for ``internal://name`` (REFI keeps such files in ``sources/``, case varies by tool)."""
    if not reference.startswith("internal://"):
        return None
    name = reference[len("internal://") :]
    if not name or "/" in name or "\\" in name or name in (".", ".."):
        return None
    return archive_names.get(f"sources/{name}".lower())


def parse_project(
    data: bytes, path: str = "<project.qde>", schema=None, source_files: dict[str, bytes] | None = None
) -> Project:
    """A ``Project`` from the bytes of a ``project.qde``; ``source_files`` maps internal names to contents."""
    root = _parse_xml(data, path)
    if root.tag != f"{{{PROJECT_NS}}}Project":
        raise FormatError(
            gettext_noop("root element is %(tag)r, expected a REFI-QDA Project (%(namespace)s)"),
            params={"tag": root.tag, "namespace": PROJECT_NS},
            path=path,
            line=root.sourceline,
        )
    _validate(root, schema, path)
    reader = _Reader(path, PROJECT_NS, source_files)
    q = reader.q
    project = Project(
        name=reader.required(root, "name"),
        origin=root.get("origin"),
        attributes={
            k: v
            for k, v in root.attrib.items()
            if k
            in ("creatingUserGUID", "creationDateTime", "modifyingUserGUID", "modifiedDateTime", "basePath")
        },
        description=reader.child_text(root, "Description"),
        note_refs=reader.note_refs(root),
    )
    users = root.find(q("Users"))
    if users is not None:
        project.users = [User(reader.guid(u), u.get("name"), u.get("id")) for u in users.findall(q("User"))]
    codebook = root.find(q("CodeBook"))
    if codebook is not None:
        codes = codebook.find(q("Codes"))
        project.codes = [reader.code(c) for c in codes.findall(q("Code"))] if codes is not None else []
    sources = root.find(q("Sources"))
    for element in sources if sources is not None else []:
        kind = reader.local(element)
        if kind not in SOURCE_KINDS:
            continue
        project.sources.append(reader.source(element, kind))
    project.ignored.update(reader.ignored)
    notes = root.find(q("Notes"))
    for element in notes.findall(q("Note")) if notes is not None else []:
        project.notes.append(
            Note(
                guid=reader.guid(element),
                name=element.get("name"),
                text=reader.child_text(element, "PlainTextContent"),
                description=reader.child_text(element, "Description"),
                audit=reader.audit(element),
            )
        )
    sets = root.find(q("Sets"))
    project.sets = [reader.code_set(s) for s in sets.findall(q("Set"))] if sets is not None else []
    for unsupported in ("Variables", "Cases", "Links", "Graphs"):
        container = root.find(q(unsupported))
        if container is not None and len(container):
            project.ignored[unsupported] += len(container)
    _check_references(project, path)
    return project


def _decode_source(content: bytes, path: str, reference: str) -> str:
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FormatError(
            gettext_noop("source text %(reference)r is not UTF-8"), params={"reference": reference}, path=path
        ) from None


def _check_selections(source: QdaSource, path: str) -> None:
    for selection in source.selections:
        start, end = selection.start, selection.end
        if start < 0 or end < start:
            raise FormatError(
                gettext_noop("selection %(guid)s of source %(source)r has positions %(start)s-%(end)s"),
                params={"guid": selection.guid, "source": source.name, "start": start, "end": end},
                path=path,
            )
        if source.text is not None and end > len(source.text):
            raise FormatError(
                gettext_noop(
                    "selection %(guid)s of source %(source)r ends at %(end)s, beyond the "
                    "%(length)s characters of its text"
                ),
                params={
                    "guid": selection.guid,
                    "source": source.name,
                    "end": end,
                    "length": len(source.text),
                },
                path=path,
            )


def _check_references(project: Project, path: str) -> None:
    known = {code.guid.strip("{}").upper() for code in project.all_codes()}
    for source in project.sources:
        for coding in source.all_codings():
            if coding.code_guid.strip("{}").upper() not in known:
                raise FormatError(
                    gettext_noop("coding %(guid)s in source %(source)r refers to unknown code %(code)s"),
                    params={"guid": coding.guid, "source": source.name, "code": coding.code_guid},
                    path=path,
                )


def read_qdpx(path: Path | str, schema=None) -> Project:
    """Import a ``.qdpx`` project (safely); ``schema``: optional path to ``Project.xsd`` to validate against."""
    path_text = str(path)
    with open_checked_zip(path, "qdpx") as archive:
        names = {info.filename.lower(): info.filename for info in archive.infolist() if not info.is_dir()}
        qde = [original for lower, original in names.items() if lower.endswith(".qde") and "/" not in lower]
        if len(qde) != 1:
            raise FormatError(
                gettext_noop("a .qdpx holds one project.qde at its root; found %(count)s"),
                params={"count": len(qde)},
                path=path_text,
            )
        budget = Budget(MAX_QDPX_TOTAL_BYTES)
        data = read_member(archive, qde[0], path_text, budget=budget)
        references = set(re.findall(rb'plainTextPath="(internal://[^"]+)"', data))
        files: dict[str, bytes] = {}
        for reference in references:
            text_reference = reference.decode("utf-8", errors="replace")
            member = _internal_member(names, text_reference)
            if member is not None:
                files[text_reference] = read_member(archive, member, path_text, MAX_SOURCE_BYTES, budget)
    return parse_project(data, f"{path_text}:{qde[0]}", schema=schema, source_files=files)


def parse_codebook(data: bytes, path: str = "<codebook.qdc>", schema=None) -> Codebook:
    root = _parse_xml(data, path)
    if root.tag != f"{{{CODEBOOK_NS}}}CodeBook":
        raise FormatError(
            gettext_noop("root element is %(tag)r, expected a REFI-QDA CodeBook (%(namespace)s)"),
            params={"tag": root.tag, "namespace": CODEBOOK_NS},
            path=path,
            line=root.sourceline,
        )
    _validate(root, schema, path)
    reader = _Reader(path, CODEBOOK_NS)
    codes = root.find(reader.q("Codes"))
    sets = root.find(reader.q("Sets"))
    return Codebook(
        codes=[reader.code(c) for c in codes.findall(reader.q("Code"))] if codes is not None else [],
        sets=[reader.code_set(s) for s in sets.findall(reader.q("Set"))] if sets is not None else [],
        origin=root.get("origin"),
    )


def read_qdc(path: Path | str, schema=None) -> Codebook:
    """Import a ``.qdc`` codebook (XML, size-capped, no entities)."""
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_MEMBER_BYTES + 1)
    except OSError as exc:
        raise FormatError(
            gettext_noop("cannot read codebook: %(reason)s"),
            params={"reason": str(exc.strerror)},
            path=str(path),
        ) from None
    if len(data) > MAX_MEMBER_BYTES:
        raise FormatError(
            gettext_noop("codebook larger than %(limit)s bytes"),
            params={"limit": MAX_MEMBER_BYTES},
            path=str(path),
        )
    return parse_codebook(data, str(path), schema=schema)
