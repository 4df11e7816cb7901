"""The REFI-QDA project as plain dataclasses, with the format's names and attribute lists: reading and
writing share them, so what is read is exactly what can be written back.
"""

from __future__ import annotations

import re
import uuid
from collections import Counter
from dataclasses import dataclass, field

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
    representation: QdaSource | None = None  # a PDF selection's text, as the exporting tool extracted it

    @property
    def text_range(self) -> tuple[int, int] | None:
        return (self.start, self.end) if self.kind == "PlainTextSelection" else None


@dataclass
class QdaSource:
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
    representation: QdaSource | None = None  # PDF: Representation; picture: TextDescription
    transcripts: list[QdaSource] = field(default_factory=list)  # audio, video: kind "Transcript"
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
    sources: list[QdaSource] = field(default_factory=list)
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
