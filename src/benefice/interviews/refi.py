"""REFI-QDA exchange: projects (``.qdpx``) and codebooks (``.qdc``) shared with NVivo, ATLAS.ti, MAXQDA,
QualCoder and Taguette.

What we support (and so keep through import → export → import): users; the code hierarchy with colours,
descriptions and note references; sets of codes and sources; text sources with their plain text (inline
or in ``sources/``) and their plain-text selections; codings (code and coder) on selections and on whole
sources; notes (memos) with their text. Picture, PDF, audio and video sources are kept with their
selections (positions as given) and codings, without their media files, and so are the text sources
nested in them (a PDF's ``Representation`` and a PDF selection's, a picture's ``TextDescription``, the
``Transcript`` of an audio or video source with its sync points and ``TranscriptSelection``), with
their own selections and codings: a round trip through another tool must not lose a coding because we
cannot display its medium (issue 17). Variables, cases, links and graphs are counted in
``Project.ignored`` and not written back.

Reading is defensive because a ``.qdpx`` comes from anyone: the zip is checked for path traversal and
zip bombs before anything is read (``benefice.safezip``), members are read with a size cap, the XML parser
resolves no entity, loads no DTD and touches no network, and a document with a DOCTYPE (the vehicle of
"billion laughs" and external-entity attacks) is refused. Structural errors (missing required attribute,
bad GUID, position not an integer, selection outside its text, coding to an unknown code) raise
``BeneficeError`` with the XML line. ``read_qdpx(path, schema=...)`` also validates against the REFI XSD.
"""

from __future__ import annotations

import re
import uuid
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from lxml import etree

from benefice.errors import BeneficeError, FormatError
from benefice.safezip import MAX_MEMBER_BYTES, Budget, open_checked_zip, read_member

PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
MAX_SOURCE_BYTES = 8 * 1024 * 1024  # one transcript's text (issue 17: a 49 MB one took 50 s to review)
MAX_QDPX_TOTAL_BYTES = 96 * 1024 * 1024  # all a .qdpx may produce, counted while inflating (issue 17)
GUID_RE = re.compile(
    r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
    r"|\{[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\}"
)
RGB_RE = re.compile(r"#(?:[A-Fa-f0-9]{6}|[A-Fa-f0-9]{3})")

# Source kinds and the element names of their selections; positions attributes per selection kind.
SOURCE_KINDS = {
    "TextSource": "PlainTextSelection",
    "PDFSource": "PDFSelection",
    "PictureSource": "PictureSelection",
    "AudioSource": "AudioSelection",
    "VideoSource": "VideoSelection",
}
# Text sources nested in another source (their element name → the selections they hold).
NESTED_KINDS = {
    "Representation": "PlainTextSelection",  # of a PDF source, or of a PDF selection (its text)
    "TextDescription": "PlainTextSelection",  # of a picture source
    "Transcript": "TranscriptSelection",  # of an audio or video source, selections between sync points
}
TEXT_KINDS = ("TextSource", "Representation", "TextDescription", "Transcript")  # hold a plain text
POSITION_ATTRIBUTES = {
    "PlainTextSelection": ("startPosition", "endPosition"),
    "PDFSelection": ("page", "firstX", "firstY", "secondX", "secondY"),
    "PictureSelection": ("firstX", "firstY", "secondX", "secondY"),
    "AudioSelection": ("begin", "end"),
    "VideoSelection": ("begin", "end"),
    "TranscriptSelection": ("fromSyncPoint", "toSyncPoint"),  # GUIDs of the transcript's sync points
}
GUID_POSITIONS = ("fromSyncPoint", "toSyncPoint")
# Optional attributes we carry through untouched (audit data of the exporting tool).
AUDIT_ATTRIBUTES = ("creatingUser", "creationDateTime", "modifyingUser", "modifiedDateTime")
SOURCE_PATH_ATTRIBUTES = {
    "TextSource": ("richTextPath", "plainTextPath"),
    "PDFSource": ("path", "currentPath"),
    "PictureSource": ("path", "currentPath"),
    "AudioSource": ("path", "currentPath"),
    "VideoSource": ("path", "currentPath"),
    "Representation": ("richTextPath", "plainTextPath"),
    "TextDescription": ("richTextPath", "plainTextPath"),
    "Transcript": ("richTextPath", "plainTextPath"),
}


def new_guid() -> str:
    """A fresh GUID in the form REFI-QDA expects."""
    return str(uuid.uuid4()).upper()


@dataclass
class User:
    guid: str
    name: str | None = None
    id: str | None = None


@dataclass
class Code:
    """A code of the codebook; ``children`` make the hierarchy; ``note_refs`` point to memos."""

    guid: str
    name: str
    is_codable: bool = True
    color: str | None = None
    description: str | None = None
    children: list[Code] = field(default_factory=list)
    note_refs: list[str] = field(default_factory=list)


@dataclass
class Coding:
    """A code applied (by ``creating_user``, the coder) to a selection or a whole source."""

    guid: str
    code_guid: str
    creating_user: str | None = None
    creation_datetime: str | None = None
    note_refs: list[str] = field(default_factory=list)


@dataclass
class Selection:
    """A selection of a source; for text, characters ``start`` to ``end`` (end exclusive)."""

    guid: str
    start: int | None = None
    end: int | None = None
    kind: str = "PlainTextSelection"
    name: str | None = None
    description: str | None = None
    positions: dict[str, str] = field(default_factory=dict)  # non-text selections: page, firstX, begin...
    codings: list[Coding] = field(default_factory=list)
    note_refs: list[str] = field(default_factory=list)
    audit: dict[str, str] = field(default_factory=dict)
    representation: Source | None = None  # a PDF selection's text, as the exporting tool extracted it

    @property
    def text_range(self) -> tuple[int, int] | None:
        return (self.start, self.end) if self.kind == "PlainTextSelection" else None


@dataclass
class Source:
    """A source document; text sources carry ``text`` when the file holds it."""

    guid: str
    name: str | None = None
    kind: str = "TextSource"
    text: str | None = None
    description: str | None = None
    paths: dict[str, str] = field(default_factory=dict)  # richTextPath/plainTextPath or path/currentPath
    selections: list[Selection] = field(default_factory=list)
    codings: list[Coding] = field(default_factory=list)
    note_refs: list[str] = field(default_factory=list)
    audit: dict[str, str] = field(default_factory=dict)
    representation: Source | None = None  # PDF: Representation; picture: TextDescription
    transcripts: list[Source] = field(default_factory=list)  # audio, video: kind "Transcript"
    sync_points: list[dict[str, str]] = field(default_factory=list)  # transcripts: guid, timeStamp, position

    def walk(self):
        """This source and every text source nested in it (representations, descriptions, transcripts)."""
        yield self
        if self.representation is not None:
            yield from self.representation.walk()
        for transcript in self.transcripts:
            yield from transcript.walk()
        for selection in self.selections:
            if selection.representation is not None:
                yield from selection.representation.walk()

    def all_selections(self) -> list[Selection]:
        """Every selection of the source, nested ones included: what a round trip must keep."""
        return [selection for part in self.walk() for selection in part.selections]

    def all_codings(self) -> list[Coding]:
        """Every coding of the source: on the whole (or a nested) source and on every selection."""
        return [
            c for part in self.walk() for c in part.codings + [c for s in part.selections for c in s.codings]
        ]


@dataclass
class Note:
    """A memo: REFI notes are text sources of their own, referred to by ``NoteRef`` elsewhere."""

    guid: str
    name: str | None = None
    text: str | None = None
    description: str | None = None
    audit: dict[str, str] = field(default_factory=dict)


@dataclass
class CodeSet:
    """A named group of codes (and, in projects, sources and notes): themes, families, code groups."""

    guid: str
    name: str
    description: str | None = None
    member_codes: list[str] = field(default_factory=list)
    member_sources: list[str] = field(default_factory=list)
    member_notes: list[str] = field(default_factory=list)


@dataclass
class Project:
    name: str
    origin: str | None = None
    users: list[User] = field(default_factory=list)
    codes: list[Code] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    sets: list[CodeSet] = field(default_factory=list)
    description: str | None = None
    note_refs: list[str] = field(default_factory=list)
    attributes: dict[str, str] = field(
        default_factory=dict
    )  # creatingUserGUID, creationDateTime, basePath...
    ignored: Counter = field(default_factory=Counter)  # elements read but not supported (not written back)

    def all_codes(self) -> list[Code]:
        return list(_walk(self.codes))

    def counts(self) -> dict[str, int]:
        """What an import reports: users, codes, sources, selections, codings (and notes, sets)."""
        selections = [s for source in self.sources for s in source.all_selections()]
        codings = sum(len(source.all_codings()) for source in self.sources)
        return {
            "users": len(self.users),
            "codes": len(self.all_codes()),
            "sources": len(self.sources),
            "selections": len(selections),
            "codings": codings,
            "notes": len(self.notes),
            "sets": len(self.sets),
        }


@dataclass
class Codebook:
    codes: list[Code] = field(default_factory=list)
    sets: list[CodeSet] = field(default_factory=list)
    origin: str | None = None


def _walk(codes: list[Code]):
    for code in codes:
        yield code
        yield from _walk(code.children)


# ----------------------------------------------------------------------------------------------- reading


def _parse_xml(data: bytes, path: str) -> etree._Element:
    """Parse untrusted XML: no entities, no DTD, no network; a DOCTYPE is refused outright."""
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, dtd_validation=False
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise FormatError(f"invalid XML: {exc}", path=path, line=exc.lineno) from None
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        raise FormatError(
            "XML with a DOCTYPE/entity declarations is refused (possible XML bomb or XXE)", path=path
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
            f"does not validate against the REFI-QDA schema: {error.message}", path=path, line=error.line
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
                f"<{self.local(element)}> lacks the required attribute {attribute!r}",
                path=self.path,
                line=element.sourceline,
                field=attribute,
            )
        return value

    def guid(self, element: etree._Element, attribute: str = "guid") -> str:
        value = self.required(element, attribute).strip()
        if not GUID_RE.fullmatch(value):
            raise FormatError(
                f"<{self.local(element)}> {attribute}={value!r} is not a GUID",
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
                f"<{self.local(element)}> {attribute}={value!r} is not an integer",
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
                f"isCodable={codable!r} is not a boolean", path=self.path, line=element.sourceline
            )
        color = element.get("color")
        if color is not None and not RGB_RE.fullmatch(color.strip()):
            raise FormatError(f"color={color!r} is not #RRGGBB", path=self.path, line=element.sourceline)
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
            raise FormatError("<Coding> without <CodeRef>", path=self.path, line=element.sourceline)
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

    def source(self, element: etree._Element, kind: str) -> Source:
        """A source (or a text source nested in one) with its selections, codings and nested texts."""
        q = self.q
        selection_kind = SOURCE_KINDS.get(kind) or NESTED_KINDS[kind]
        source = Source(
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
                            f"<TranscriptSelection> {selection.guid} {attribute}={point!r} names no "
                            f"<SyncPoint> of transcript {source.name!r}",
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
            f"root element is {root.tag!r}, expected a REFI-QDA Project ({PROJECT_NS})",
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
        raise FormatError(f"source text {reference!r} is not UTF-8", path=path) from None


def _check_selections(source: Source, path: str) -> None:
    for selection in source.selections:
        start, end = selection.start, selection.end
        if start < 0 or end < start:
            raise FormatError(
                f"selection {selection.guid} of source {source.name!r} has positions {start}-{end}", path=path
            )
        if source.text is not None and end > len(source.text):
            raise FormatError(
                f"selection {selection.guid} of source {source.name!r} ends at {end}, beyond the "
                f"{len(source.text)} characters of its text",
                path=path,
            )


def _check_references(project: Project, path: str) -> None:
    known = {code.guid.strip("{}").upper() for code in project.all_codes()}
    for source in project.sources:
        for coding in source.all_codings():
            if coding.code_guid.strip("{}").upper() not in known:
                raise FormatError(
                    f"coding {coding.guid} in source {source.name!r} refers to unknown code "
                    f"{coding.code_guid}",
                    path=path,
                )


def read_qdpx(path: Path | str, schema=None) -> Project:
    """Import a ``.qdpx`` project (safely); ``schema``: optional path to ``Project.xsd`` to validate against."""
    path_text = str(path)
    with open_checked_zip(path, "qdpx") as archive:
        names = {info.filename.lower(): info.filename for info in archive.infolist() if not info.is_dir()}
        qde = [original for lower, original in names.items() if lower.endswith(".qde") and "/" not in lower]
        if len(qde) != 1:
            raise FormatError(f"a .qdpx holds one project.qde at its root; found {len(qde)}", path=path_text)
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
            f"root element is {root.tag!r}, expected a REFI-QDA CodeBook ({CODEBOOK_NS})",
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
        raise FormatError(f"cannot read codebook: {exc.strerror}", path=str(path)) from None
    if len(data) > MAX_MEMBER_BYTES:
        raise FormatError(f"codebook larger than {MAX_MEMBER_BYTES} bytes", path=str(path))
    return parse_codebook(data, str(path), schema=schema)


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


def _source_element(parent: etree._Element, source: Source, files: dict[str, str], top: bool = False) -> None:
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
        raise BeneficeError("a REFI-QDA codebook needs at least one code")
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
