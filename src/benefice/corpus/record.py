"""The parsed bibliographic record every format and connector produces.

Pure Python (no Django) so parsers run anywhere. A ``Record`` is what one source said about one work;
it keeps its verbatim text in ``raw`` so the database can store it untouched (RawRecord), and the
position where it was found so errors and provenance can point back to it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any


@dataclass
class Author:
    name: str  # display form, "Family, Given" when known
    family: str = ""
    given: str = ""
    orcid: str = ""
    affiliations: list[str] = field(default_factory=list)


@dataclass
class Record:
    """One work as described by one source record. Empty string / empty list / None mean unknown."""

    source_format: str  # ris, bibtex, pubmed_xml, medline, openalex, wos, scopus_csv, csv, hal, crossref…
    position: int = 0  # 1-based index of the record in its file or API response stream
    line: int | None = None  # 1-based line where the record starts, when the format has lines
    raw: str = ""  # verbatim text of the record as found (a JSON dump for API/JSON sources)
    title: str = ""
    abstract: str = ""
    year: int | None = None
    date: str = ""  # ISO 8601, as precise as known (YYYY, YYYY-MM or YYYY-MM-DD)
    authors: list[Author] = field(default_factory=list)
    journal: str = ""
    issn: list[str] = field(default_factory=list)
    publisher: str = ""
    volume: str = ""
    issue: str = ""
    pages: str = ""
    doc_type: str = ""  # article, review, book, chapter, preprint, thesis, conference, other…
    language: str = ""  # ISO 639-1 when known (en, fr…)
    doi: str = ""  # normalised (lowercase, no resolver prefix)
    pmid: str = ""
    pmcid: str = ""  # "PMC123456"
    openalex_id: str = ""  # "W123456789"
    hal_id: str = ""  # "hal-01234567"
    keywords: list[str] = field(default_factory=list)
    mesh: list[str] = field(default_factory=list)
    funders: list[str] = field(default_factory=list)
    oa_status: str = ""  # gold, green, hybrid, bronze, diamond, closed
    cited_by_count: int | None = None
    referenced_works: list[str] = field(default_factory=list)
    url: str = ""
    extra: dict[str, Any] = field(default_factory=dict)  # anything else worth keeping, format-specific

    def to_dict(self) -> dict[str, Any]:
        """Plain data (JSON-ready). Hand-written: ``dataclasses.asdict`` deep-copies and was an import hot spot."""
        data = {name: getattr(self, name) for name in _FIELD_NAMES}
        data["authors"] = [
            {
                "name": a.name,
                "family": a.family,
                "given": a.given,
                "orcid": a.orcid,
                "affiliations": list(a.affiliations),
            }
            for a in self.authors
        ]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Record:
        data = dict(data)
        data["authors"] = [a if isinstance(a, Author) else Author(**a) for a in data.get("authors", [])]
        return cls(**data)

    def first_author_family(self) -> str:
        if not self.authors:
            return ""
        a = self.authors[0]
        return a.family or a.name.split(",")[0].strip()


_FIELD_NAMES = tuple(f.name for f in fields(Record))
