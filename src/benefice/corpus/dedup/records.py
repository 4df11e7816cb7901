"""The engine's public data types: the record it reads and the match it returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from benefice.i18n import Message

if TYPE_CHECKING:  # pragma: no cover
    from benefice.corpus.record import Record


@dataclass(frozen=True)
class Match:
    """Why a record is considered a duplicate of an indexed one."""

    id: str
    score: float  # 1.0 for identifiers; for fuzzy matches a weighted agreement in (0, 1]
    method: Literal["identifier", "fuzzy"]
    reason: str  # short English sentence, e.g. "same DOI 10.1/x"
    #: the same reason as messages, to say it in the reader's language (:mod:`.reasons`)
    parts: tuple[Message, ...] = field(default=(), compare=False)

    @classmethod
    def of(
        cls, id: str, score: float, method: Literal["identifier", "fuzzy"], parts: tuple[Message, ...]
    ) -> Match:
        from benefice.corpus.dedup import reasons

        return cls(id, score, method, reasons.text(parts), parts)


@dataclass
class DedupRecord:
    """The fields the engine looks at; plain dicts with the same keys are accepted everywhere."""

    id: str
    title: str = ""
    year: int | str | None = None
    author: str | list[str] = ""
    journal: str = ""
    volume: str = ""
    number: str = ""
    pages: str = ""
    doi: str = ""
    pmid: str = ""
    pmcid: str = ""
    openalex_id: str = ""
    abstract: str = ""

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def from_record(rec: Record, id: str | None = None) -> dict[str, Any]:
    """Convert a parsed :class:`~benefice.corpus.record.Record` to the dict layout the engine reads."""
    authors = [a.name or ", ".join(p for p in (a.family, a.given) if p) for a in rec.authors]
    return {
        "id": id if id is not None else str(rec.position),
        "title": rec.title,
        "year": rec.year,
        "author": [a for a in authors if a],
        "journal": rec.journal,
        "volume": rec.volume,
        "number": rec.issue,
        "pages": rec.pages,
        "doi": rec.doi,
        "pmid": rec.pmid,
        "pmcid": rec.pmcid,
        "openalex_id": rec.openalex_id,
        "abstract": rec.abstract,
        "doc_type": rec.doc_type,
    }
