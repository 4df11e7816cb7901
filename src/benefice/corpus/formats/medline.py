"""MEDLINE / PubMed "nbib" text: ``TAG - value`` with 4-character tags, 6-space continuation lines.

Hand-written: no maintained Python library reads this format in a streaming way (Bio.Medline would add
Biopython for 100 lines and gives no line numbers). Records start with ``PMID-`` and are separated by
blank lines; there is no end marker, so truncation can only be seen as a malformed line.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from benefice.corpus.formats._common import (
    InputFile,
    author_from_string,
    parse_date,
    parse_language,
    parse_year,
)
from benefice.corpus.identifiers import (
    normalise_doi,
    normalise_issn,
    normalise_orcid,
    normalise_pmcid,
    normalise_pmid,
)
from benefice.corpus.record import Author, Record
from benefice.i18n import gettext_noop

NAME = "medline"
_TAG_RE = re.compile(r"([A-Z][A-Z0-9]{0,3}) *- ?(.*)$", re.DOTALL)
_JOINED = frozenset({"TI", "AB", "AD", "OAB", "BTI", "CTI", "VTI", "TT", "SO", "CN", "PS"})

TYPE_MAP = {
    "review": "review", "systematic review": "review", "meta-analysis": "review", "preprint": "preprint",
    "journal article": "article", "comparative study": "article", "clinical trial": "article",
    "randomized controlled trial": "article", "letter": "other", "editorial": "other", "comment": "other",
    "congress": "conference", "book": "book",
}  # fmt: skip


def read(source: InputFile) -> Iterator[Record]:
    with source.open_text() as stream:
        position = 0
        items: list[tuple[str, str]] = []
        raw: list[str] = []
        start = 0
        size = 0
        for number, line in source.iter_lines(stream):
            text = line.rstrip("\r\n").lstrip("\ufeff")
            if not text.strip():
                if items:
                    yield _to_record(source, items, "".join(raw).rstrip("\r\n") + "\n", position, start)
                    items, raw = [], []
                continue
            if text.startswith("      ") or text.startswith("\t"):
                if not items:
                    raise source.error(gettext_noop("continuation line outside a record"), line=number)
                tag, value = items[-1]
                value = f"{value} {text.strip()}"
                source.check_field(value, line=number, record=position, field=tag)
                items[-1] = (tag, value)
            else:
                m = _TAG_RE.match(text)
                if not m or text[4:6] not in ("- ", "-"):
                    raise source.error(
                        gettext_noop("not a MEDLINE line (expected 'TAG - value'): %(text)r"),
                        params={"text": text[:30]},
                        line=number,
                        record=position or None,
                    )
                tag, value = m.group(1), m.group(2).strip()
                if not items:
                    if tag != "PMID":
                        raise source.error(
                            gettext_noop("record starts with %(tag)r, expected 'PMID-'"),
                            params={"tag": tag},
                            line=number,
                        )
                    position += 1
                    start, size = number, 0
                items.append((tag, value))
            raw.append(line)
            size += len(line)
            if size > source.max_record_chars:
                raise source.error(gettext_noop("record too long"), line=start, record=position)
        if items:
            yield _to_record(source, items, "".join(raw).rstrip("\r\n") + "\n", position, start)


def _to_record(source: InputFile, items: list[tuple[str, str]], raw: str, position: int, line: int) -> Record:
    tags: dict[str, list[str]] = {}
    authors: list[Author] = []
    current: Author | None = None
    has_full = any(tag == "FAU" for tag, _ in items)
    for tag, value in items:
        tags.setdefault(tag, []).append(value)
        if tag == "FAU":
            current = author_from_string(value)
            if current is not None:
                authors.append(current)
        elif tag == "AU" and not has_full:
            current = author_from_string(value)
            if current is not None:
                authors.append(current)
        elif tag == "AD" and current is not None:
            current.affiliations.append(value)
        elif tag == "AUID" and current is not None and "ORCID" in value.upper():
            current.orcid = normalise_orcid(value)

    def first(*names: str) -> str:
        for name in names:
            for value in tags.get(name, ()):
                if value:
                    return value
        return ""

    doi = ""
    for value in tags.get("LID", []) + tags.get("AID", []):
        if value.endswith("[doi]"):
            doi = normalise_doi(value[:-5])
            if doi:
                break
    dp = first("DP")
    year = parse_year(dp) or parse_year(first("DEP", "EDAT"))
    issn = []
    for value in tags.get("IS", []):
        norm = normalise_issn(value)
        if norm and norm not in issn:
            issn.append(norm)
    pts = [p.lower() for p in tags.get("PT", [])]
    doc_type = "article"
    for pt in pts:
        if TYPE_MAP.get(pt) == "review":
            doc_type = "review"
            break
        if pt in TYPE_MAP and TYPE_MAP[pt] != "article" and doc_type == "article":
            doc_type = TYPE_MAP[pt]
    mesh = [m.split("/")[0].lstrip("*") for m in tags.get("MH", [])]
    funders = list(dict.fromkeys(g.split("/")[-2].strip() for g in tags.get("GR", []) if g.count("/") >= 2))
    extra: dict = {}
    if tags.get("PT"):
        extra["publication_types"] = tags["PT"]
    return Record(
        source_format=NAME,
        position=position,
        line=line,
        raw=raw,
        title=first("TI", "BTI", "TT"),
        abstract=first("AB"),
        year=year,
        date=parse_date(dp, year),
        authors=authors,
        journal=first("JT", "TA"),
        issn=issn,
        publisher=first("PB"),
        volume=first("VI"),
        issue=first("IP"),
        pages=first("PG"),
        doc_type=doc_type,
        language=parse_language(first("LA")),
        doi=doi,
        pmid=normalise_pmid(first("PMID")),
        pmcid=normalise_pmcid(first("PMC")),
        keywords=tags.get("OT", []),
        mesh=mesh,
        funders=funders,
        extra=extra,
    )
