"""Write records back out as CSV, RIS or JSON Lines, streaming to any text stream.

RIS output is written so that our own RIS reader (and Zotero/EndNote) read back the same title, authors,
year, DOI, journal and abstract: values are put on one line (RIS continuation lines are joined with a
space on reading, so whitespace is normalised here to make the round trip exact). Accepts Records or
plain dicts (as produced by ``Record.to_dict`` or by the web layer).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import fields
from typing import IO, Any

from benefice import csvout
from benefice.corpus.record import Author, Record

_RECORD_FIELDS = {f.name for f in fields(Record)}

CSV_COLUMNS = (
    "title", "abstract", "authors", "year", "date", "journal", "volume", "issue", "pages", "doi", "pmid",
    "pmcid", "openalex_id", "hal_id", "issn", "publisher", "doc_type", "language", "keywords", "mesh",
    "funders", "oa_status", "cited_by_count", "url", "source_format", "position",
)  # fmt: skip

RIS_TYPES = {
    "article": "JOUR", "review": "JOUR", "book": "BOOK", "chapter": "CHAP", "conference": "CPAPER",
    "thesis": "THES", "report": "RPRT", "preprint": "UNPB", "dataset": "DATA",
}  # fmt: skip


def as_record(item: Record | dict[str, Any]) -> Record:
    """A Record from a Record or a dict; unknown keys go to ``extra``, author strings become Authors."""
    if isinstance(item, Record):
        return item
    data = {k: v for k, v in item.items() if k in _RECORD_FIELDS}
    extra = dict(data.get("extra") or {})
    extra.update({k: v for k, v in item.items() if k not in _RECORD_FIELDS})
    data["extra"] = extra
    data.setdefault("source_format", "")
    authors = []
    for a in data.get("authors") or []:
        if isinstance(a, Author):
            authors.append(a)
        elif isinstance(a, dict):
            authors.append(Author(**{k: v for k, v in a.items() if k in Author.__dataclass_fields__}))
        else:
            authors.append(Author(name=str(a)))
    data["authors"] = authors
    return Record(**data)


def _one_line(value: Any) -> str:
    return " ".join(str(value).split())


def write_csv(records: Iterable[Record | dict[str, Any]], stream: IO[str], *, delimiter: str = ",") -> int:
    """One row per record with CSV_COLUMNS; lists joined with '; '. Returns the number of rows written."""
    writer = csvout.writer(stream, delimiter=delimiter)
    writer.writerow(CSV_COLUMNS)
    n = 0
    for item in records:
        r = as_record(item)
        row = []
        for col in CSV_COLUMNS:
            value = getattr(r, col)
            if col == "authors":
                value = "; ".join(a.name for a in value)
            elif isinstance(value, list):
                value = "; ".join(str(v) for v in value)
            elif value is None:
                value = ""
            row.append(value)
        writer.writerow(row)
        n += 1
    return n


def write_ris(records: Iterable[Record | dict[str, Any]], stream: IO[str]) -> int:
    """RIS with one tag per line (TY first, ER last); returns the number of records written."""
    n = 0
    for item in records:
        r = as_record(item)
        lines = [f"TY  - {RIS_TYPES.get(r.doc_type, 'GEN')}"]

        def tag(name: str, value: Any, lines: list[str] = lines) -> None:
            text = _one_line(value) if value not in (None, "") else ""
            if text:
                lines.append(f"{name}  - {text}")

        tag("TI", r.title)
        for author in r.authors:
            tag("AU", author.name)
        tag("PY", r.year)
        if r.date and len(r.date) > 4:
            tag("DA", r.date.replace("-", "/"))
        tag("T2", r.journal)
        tag("AB", r.abstract)
        tag("VL", r.volume)
        tag("IS", r.issue)
        start, _, end = r.pages.partition("-")
        tag("SP", start)
        tag("EP", end)
        for issn in r.issn:
            tag("SN", issn)
        tag("PB", r.publisher)
        tag("LA", r.language)
        tag("DO", r.doi)
        if r.pmid:
            tag("AN", r.pmid)
            tag("DB", "PubMed")
        if r.pmcid:
            tag("C2", r.pmcid)
        if r.doc_type == "review":
            tag("M3", "Review")
        for kw in r.keywords:
            tag("KW", kw)
        tag("UR", r.url)
        lines.append("ER  - ")
        stream.write("\n".join(lines) + "\n\n")
        n += 1
    return n


def write_jsonl(
    records: Iterable[Record | dict[str, Any]], stream: IO[str], *, include_raw: bool = False
) -> int:
    """One JSON object per line (``Record.to_dict``); ``raw`` left out unless asked, it can be large."""
    n = 0
    for item in records:
        data = as_record(item).to_dict()
        if not include_raw:
            data.pop("raw", None)
        stream.write(json.dumps(data, ensure_ascii=False, default=str) + "\n")
        n += 1
    return n
