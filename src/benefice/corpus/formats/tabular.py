"""Spreadsheets: generic CSV/TSV, Scopus CSV and Excel ``.xlsx``, mapped through column-name synonyms.

Columns are matched after folding case and dropping non-alphanumerics, so "Source title", "source_title"
and "SOURCE TITLE" are one name. The stdlib ``csv`` reader streams rows from a line iterator we wrap, so
every row keeps its verbatim text (``raw``) and its line number even when quoted fields span lines.
Excel goes through openpyxl in read-only mode (rows streamed; openpyxl parses the XML with defusedxml
when installed, which it is here); ``raw`` is then the row as JSON since a cell grid has no source text.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from collections.abc import Iterable, Iterator
from typing import Any

from benefice import safezip
from benefice.corpus.formats._common import (
    EMPTY_FILE,
    InputFile,
    author_from_string,
    join_pages,
    parse_date,
    parse_language,
    parse_year,
    split_author_list,
)
from benefice.corpus.identifiers import (
    normalise_doi,
    normalise_issn,
    normalise_openalex,
    normalise_pmcid,
    normalise_pmid,
)
from benefice.corpus.record import Record
from benefice.i18n import gettext_noop

SYNONYMS: dict[str, tuple[str, ...]] = {
    "title": ("title", "primarytitle", "ti", "t1", "articletitle", "documenttitle", "papertitle", "displayname"),
    "abstract": ("abstract", "ab", "n2", "abstractnote", "summary", "description"),
    "authors": (
        "authorfullnames", "authors", "author", "au", "a1", "authornames", "firstauthors", "af", "creator",
        "creators", "authorlist",
    ),
    "year": ("year", "py", "publicationyear", "pubyear", "yr", "y1"),
    "date": ("date", "publicationdate", "pubdate", "da", "datepublished", "dateofpublication"),
    "doi": ("doi", "di", "do", "digitalobjectidentifier"),
    "journal": (
        "journal", "sourcetitle", "journaltitle", "publicationtitle", "journalbook", "t2", "jo", "jf", "so",
        "secondarytitle", "venue", "container", "containertitle", "source", "journalname",
    ),
    "pmid": ("pmid", "pubmedid", "pubmed"),
    "pmcid": ("pmcid", "pmc"),
    "openalex_id": ("openalexid", "openalex"),
    "keywords": ("keywords", "authorkeywords", "kw", "de", "manualtags", "keyword", "tags"),
    "index_keywords": ("indexkeywords", "id", "automatictags"),
    "mesh": ("meshterms", "mesh", "mh", "meshheadings"),
    "volume": ("volume", "vl", "vol"),
    "issue": ("issue", "is", "number", "no"),
    "pages": ("pages", "page", "pg", "pagination"),
    "page_start": ("pagestart", "startpage", "sp", "bp", "firstpage"),
    "page_end": ("pageend", "endpage", "ep", "lastpage"),
    "article_number": ("artno", "articlenumber", "ar"),
    "issn": ("issn", "sn", "eissn", "isbnissn"),
    "publisher": ("publisher", "pb", "pu"),
    "url": ("url", "link", "ur", "links"),
    "language": ("language", "la", "languageoforiginaldocument"),
    "doc_type": ("documenttype", "type", "typeofreference", "ty", "itemtype", "pt", "dt", "publicationtype"),
    "cited_by": ("citedby", "timescited", "tc", "citations", "citedbycount"),
    "funders": ("fundingdetails", "funders", "funding", "fu"),
    "eid": ("eid",),
}  # fmt: skip
_FIELD_OF: dict[str, str] = {syn: field for field, syns in SYNONYMS.items() for syn in syns}
_KEY_RE = re.compile(r"[^0-9a-z]+")
_SOURCE_RE = re.compile(
    r"^(?P<journal>.+?)\s*\((?P<year>\d{4})\)\s*(?P<vol>[^:\s(]+)?(?::(?P<iss>[^\s(]+))?\s*(?:\((?P<pages>[^)]*)\))?"
)
_SCOPUS_ID_RE = re.compile(r"\s*\(\d+\)\s*$")

TYPE_WORDS = (
    ("review", "review"), ("preprint", "preprint"), ("chapter", "chapter"), ("book", "book"),
    ("conference", "conference"), ("proceeding", "conference"), ("thesis", "thesis"),
    ("dissertation", "thesis"), ("report", "report"), ("article", "article"), ("jour", "article"),
)  # fmt: skip


_QUOTED_RE = re.compile(r"'((?:[^'\\]|\\.)*)'|\"((?:[^\"\\]|\\.)*)\"")


def list_cell(text: str) -> list[str] | None:
    """Items of a cell holding a Python/JSON list literal (ASReview exports "['Marx, Karl', 'Lindgren, A']")."""
    if not (text.startswith("[") and text.endswith("]")):
        return None
    return [(a or b).strip() for a, b in _QUOTED_RE.findall(text) if (a or b).strip()]


def split_keywords(text: str) -> list[str]:
    """Keywords separated by ';' or '|', else by commas outside parentheses (Embase: 'cyst (diagnosis, surgery), …')."""
    items = list_cell(text)
    if items is not None:
        return items
    if ";" in text or "|" in text:
        return [k.strip() for k in re.split(r";|\|", text) if k.strip()]
    out, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth = max(depth - 1, 0)
        elif ch == "," and depth == 0:
            out.append(text[start:i])
            start = i + 1
    out.append(text[start:])
    return [k.strip() for k in out if k.strip()]


def column_key(name: str) -> str:
    return _KEY_RE.sub("", str(name).lower())


def map_columns(header: list[str]) -> dict[str, int]:
    """field → column index, first matching synonym wins (in SYNONYMS order, so full names beat short)."""
    keys = [column_key(h) for h in header]
    mapping: dict[str, int] = {}
    for field, syns in SYNONYMS.items():
        for syn in syns:
            if syn in keys:
                mapping[field] = keys.index(syn)
                break
    return mapping


def sniff_delimited(text: str) -> str:
    """'scopus_csv' or 'csv' if the first line is a header we can map, else ''."""
    first = text.lstrip("\ufeff").split("\n", 1)[0].strip("\r")
    if not first:
        return ""
    delimiter = _delimiter(first)
    try:
        header = next(csv.reader([first], delimiter=delimiter), [])
    except csv.Error:
        return ""
    keys = {column_key(h) for h in header}
    if "eid" in keys and ({"sourcetitle", "authorsid", "link"} & keys):
        return "scopus_csv"
    mapping = map_columns(header)
    if len(header) >= 2 and ({"title", "doi", "pmid", "abstract"} & mapping.keys()):
        return "csv"
    if len(header) == 1 and mapping.keys() & {"title", "doi"}:
        return "csv"
    return ""


def _delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in ("\t", ";", ",", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def read_csv(source: InputFile) -> Iterator[Record]:
    yield from _read_delimited(source, "csv")


def read_scopus_csv(source: InputFile) -> Iterator[Record]:
    yield from _read_delimited(source, "scopus_csv")


def _read_delimited(source: InputFile, fmt: str) -> Iterator[Record]:
    limit = source.max_field_chars
    if csv.field_size_limit() < limit + 1:
        csv.field_size_limit(limit + 1)  # process-wide, only ever raised; we enforce our own limit below
    with source.open_text() as stream:
        lines = source.iter_lines(stream)
        current: list[str] = []
        state = {"line": 0}

        def feed() -> Iterator[str]:
            for number, line in lines:
                state["line"] = number
                current.append(line)
                yield line

        try:
            first_line = next(lines)
        except StopIteration:
            raise source.error(EMPTY_FILE) from None
        state["line"] = first_line[0]
        header_text = first_line[1].lstrip("\ufeff")
        delimiter = _delimiter(header_text.rstrip("\r\n"))
        try:
            header = next(csv.reader([header_text.rstrip("\r\n")], delimiter=delimiter), [])
        except csv.Error as exc:
            raise source.error(
                gettext_noop("malformed CSV header: %(reason)s"), params={"reason": str(exc)}, line=1
            ) from exc
        columns = map_columns(header)
        if not columns.keys() & {"title", "doi", "pmid", "abstract", "openalex_id"}:
            raise source.error(
                gettext_noop("no title, abstract, DOI or PMID column in the header (columns: %(columns)s)"),
                params={"columns": ", ".join(header[:12])},
                line=1,
            )
        reader = csv.reader(feed(), delimiter=delimiter, strict=True)
        position = 0
        while True:
            current.clear()
            start = state["line"] + 1
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                raise source.error(
                    gettext_noop("malformed CSV: %(reason)s"),
                    params={"reason": str(exc)},
                    line=state["line"],
                    record=position + 1,
                ) from exc
            if not any(cell.strip() for cell in row):
                continue
            position += 1
            if len(row) > len(header) and any(c.strip() for c in row[len(header) :]):
                raise source.error(
                    gettext_noop("row has %(cells)s cells but the header has %(columns)s"),
                    params={"cells": len(row), "columns": len(header)},
                    line=start,
                    record=position,
                )
            for i, cell in enumerate(row):
                if len(cell) > limit:
                    name = header[i] if i < len(header) else str(i + 1)
                    source.check_field(cell, line=start, record=position, field=name)
            yield _to_record(source, fmt, header, columns, row, "".join(current), position, start)


def _cell(row: list[Any], columns: dict[str, int], field: str) -> str:
    i = columns.get(field)
    if i is None or i >= len(row):
        return ""
    value = row[i]
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()[:10]
    text = str(value).strip()
    return "" if text.lower() in ("nan", "none", "null", "n/a", "[no abstract available]") else text


def _to_record(
    source: InputFile,
    fmt: str,
    header: list[str],
    columns: dict[str, int],
    row: list[Any],
    raw: str,
    position: int,
    line: int,
) -> Record:
    def cell(field: str) -> str:
        return _cell(row, columns, field)

    journal = cell("journal")
    year = parse_year(cell("year"))
    volume, issue, pages = cell("volume"), cell("issue"), cell("pages")
    m = _SOURCE_RE.match(journal) if journal and ("(" in journal) else None
    if m and column_key(header[columns["journal"]]) == "source":
        # Embase "Source": "Endoscopic Ultrasound (2014) 3:3 (152-160). Date of Publication: 2014"
        journal = m.group("journal")
        year = year or int(m.group("year"))
        volume = volume or (m.group("vol") or "")
        issue = issue or (m.group("iss") or "")
        pages = pages or (m.group("pages") or "")
    date_text = cell("date")
    year = year or parse_year(date_text)
    pages = pages or join_pages(cell("page_start"), cell("page_end")) or cell("article_number")
    authors_text = cell("authors")
    author_items = list_cell(authors_text)
    full_names = "authors" in columns and column_key(header[columns["authors"]]) == "authorfullnames"
    if author_items is not None:
        authors = [a for a in (author_from_string(x) for x in author_items) if a is not None]
    elif fmt == "scopus_csv" and not full_names and ";" not in authors_text:
        authors = split_author_list(authors_text)  # old Scopus exports: "Labanski A., Langhorst J."
    elif fmt == "scopus_csv" or full_names:
        authors = [
            a
            for a in (author_from_string(_SCOPUS_ID_RE.sub("", p)) for p in authors_text.split(";"))
            if a is not None
        ]
    else:
        authors = split_author_list(authors_text)
    keywords = split_keywords(cell("keywords"))
    doc_type_text = cell("doc_type").lower()
    doc_type = next((t for w, t in TYPE_WORDS if w in doc_type_text), "other" if doc_type_text else "")
    cited = cell("cited_by")
    issn = [n for n in (normalise_issn(p) for p in re.split(r"[,;\s]+", cell("issn"))) if n]
    extra: dict = {}
    mapped = set(columns.values())
    unmapped = {
        header[i]: _cell(row, {"x": i}, "x")
        for i in range(min(len(header), len(row)))
        if i not in mapped and _cell(row, {"x": i}, "x")
    }
    if unmapped:
        extra["columns"] = unmapped
    if cell("eid"):
        extra["scopus_eid"] = cell("eid")
    index_kw = [k.strip() for k in cell("index_keywords").split(";") if k.strip()]
    if index_kw:
        extra["index_keywords"] = index_kw
    funders = [f.strip() for f in cell("funders").split(";") if f.strip()] if fmt == "scopus_csv" else []
    return Record(
        source_format=fmt,
        position=position,
        line=line,
        raw=raw,
        title=cell("title"),
        abstract=cell("abstract"),
        year=year,
        date=parse_date(date_text, year)
        if date_text and parse_year(date_text) == year
        else parse_date(None, year),
        authors=authors,
        journal=journal,
        issn=list(dict.fromkeys(issn)),
        publisher=cell("publisher"),
        volume=volume,
        issue=issue,
        pages=pages,
        doc_type=doc_type,
        language=parse_language(cell("language")),
        doi=normalise_doi(cell("doi")),
        pmid=normalise_pmid(cell("pmid")),
        pmcid=normalise_pmcid(cell("pmcid")),
        openalex_id=normalise_openalex(cell("openalex_id")),
        keywords=keywords,
        mesh=[k.strip() for k in cell("mesh").split(";") if k.strip()],
        funders=funders,
        cited_by_count=int(cited) if cited.isdecimal() else None,
        url=cell("url").split(";")[0].strip(),
        extra=extra,
    )


# ---------------------------------------------------------------------------------------------------- xlsx


#: What one member of a workbook (a sheet, the shared strings) may inflate to. openpyxl streams the sheet
#: in read-only mode but loads the shared strings whole, so this bounds memory; a 100,000-row Scopus
#: export with abstracts has about 200 MB of shared strings.
XLSX_MAX_MEMBER_BYTES = 512 * 1024**2
#: What the whole workbook may inflate to (and never more than the file limit).
XLSX_MAX_TOTAL_BYTES = 1024**3


def _check_zip(source: InputFile) -> None:
    """Inflate the workbook once, counting, before openpyxl opens it (issue 17, item 5).

    openpyxl opens the zip itself, so its reads cannot be counted; :func:`benefice.safezip.verify_zip`
    counts the real inflated size of every member first (declared sizes are not trusted), and since
    Python's zipfile never yields more than a member's declared size, openpyxl is then bounded too.
    """
    total = min(XLSX_MAX_TOTAL_BYTES, source.max_file_bytes)
    safezip.verify_zip(source.path, ".xlsx", max_member=min(XLSX_MAX_MEMBER_BYTES, total), max_total=total)


def _open_workbook(source: InputFile):  # noqa: ANN202 - openpyxl type
    import openpyxl

    _check_zip(source)
    try:
        return openpyxl.load_workbook(source.path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises KeyError/ValueError/XML errors on bad files
        raise source.error(
            gettext_noop("cannot open workbook: %(reason)s"),
            params={"reason": f"{type(exc).__name__}: {exc}"},
        ) from exc


def read_xlsx(source: InputFile) -> Iterator[Record]:
    wb = _open_workbook(source)
    try:
        ws = wb.worksheets[0] if wb.worksheets else None
        if ws is None:
            raise source.error(gettext_noop("workbook has no sheet"))
        rows: Iterable[tuple[Any, ...]] = ws.iter_rows(values_only=True)
        header: list[str] | None = None
        columns: dict[str, int] = {}
        position = 0
        for number, row in enumerate(rows, start=1):
            values = list(row)
            if not any(v not in (None, "") for v in values):
                continue
            if header is None:
                header = ["" if v is None else str(v).strip() for v in values]
                columns = map_columns(header)
                if not columns.keys() & {"title", "doi", "pmid", "abstract", "openalex_id"}:
                    raise source.error(
                        gettext_noop("no title, abstract, DOI or PMID column in the first row"), line=number
                    )
                continue
            position += 1
            for i, v in enumerate(values):
                if isinstance(v, str) and len(v) > source.max_field_chars:
                    name = header[i] if i < len(header) else str(i + 1)
                    source.check_field(v, line=number, record=position, field=name)
            raw = json.dumps(
                {
                    header[i] if i < len(header) and header[i] else f"column {i + 1}": _jsonable(v)
                    for i, v in enumerate(values)
                    if v is not None
                },
                ensure_ascii=False,
            )
            yield _to_record(source, "xlsx", header, columns, values, raw, position, number)
        if header is None:
            raise source.error(gettext_noop("empty workbook"))
    finally:
        wb.close()


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


def xlsx_row_count(source: InputFile) -> int | None:
    try:
        wb = _open_workbook(source)
    except Exception:  # noqa: BLE001 - a hint only
        return None
    try:
        ws = wb.worksheets[0]
        return max((ws.max_row or 1) - 1, 0) if ws.max_row else None
    finally:
        wb.close()


__all__ = ["SYNONYMS", "map_columns", "read_csv", "read_scopus_csv", "read_xlsx", "sniff_delimited"]
