"""BibTeX through bibtexparser 2, fed in batches so memory stays flat on large files.

bibtexparser parses a whole string at once, so we cut the file ourselves at lines that open a new
``@entry`` while braces are balanced, parse ~200 entries at a time, and prepend the ``@string`` macros
seen so far so cross-batch references still resolve. LaTeX accents are decoded (pylatexenc, through
bibtexparser's middleware) after the author list is split, so ``{World Health Organization}`` stays one
corporate author.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator

import bibtexparser
from bibtexparser import middlewares as mw
from bibtexparser.model import Entry, ParsingFailedBlock, String
from pylatexenc.latex2text import LatexNodes2Text

from benefice.corpus.formats._common import (
    InputFile,
    author_from_string,
    join_pages,
    parse_date,
    parse_language,
    parse_year,
)
from benefice.corpus.identifiers import normalise_doi, normalise_issn, normalise_pmcid, normalise_pmid
from benefice.corpus.record import Author, Record
from benefice.i18n import gettext_noop

NAME = "bibtex"
BATCH = 200
_ENTRY_START = re.compile(r"^\s*@")
_AND_RE = re.compile(r"\s+and\s+", re.IGNORECASE)
_latex = LatexNodes2Text(math_mode="text", keep_braced_groups=False)

TYPE_MAP = {
    "article": "article", "book": "book", "inbook": "chapter", "incollection": "chapter",
    "inproceedings": "conference", "conference": "conference", "proceedings": "conference",
    "phdthesis": "thesis", "mastersthesis": "thesis", "thesis": "thesis", "techreport": "report",
    "report": "report", "unpublished": "preprint", "online": "other", "misc": "other", "dataset": "dataset",
}  # fmt: skip


def read(source: InputFile) -> Iterator[Record]:
    # bibtexparser logs every failed block; we raise instead, so keep its log quiet
    logging.getLogger("bibtexparser").setLevel(logging.ERROR)
    with source.open_text() as stream:
        position = 0
        strings: list[str] = []
        batch: list[str] = []
        batch_start = 1
        entries = 0
        depth = 0
        size = 0
        for number, line in source.iter_lines(stream):
            if depth <= 0 and _ENTRY_START.match(line):
                if entries >= BATCH:
                    for record in _parse_batch(source, batch, batch_start, strings, position):
                        position = record.position
                        yield record
                    batch, batch_start, entries, size = [], number, 0, 0
                entries += 1
                depth = 0
            if not batch:
                batch_start = number
            batch.append(line)
            size += len(line)
            if size > source.max_record_chars * 4:
                raise source.error(gettext_noop("entry too long (unbalanced braces?)"), line=batch_start)
            depth += line.count("{") - line.count("}")
        if batch:
            yield from _parse_batch(source, batch, batch_start, strings, position)


def _parse_batch(
    source: InputFile, lines: list[str], first_line: int, strings: list[str], position: int
) -> Iterator[Record]:
    prefix = "".join(s + "\n" for s in strings)
    offset = prefix.count("\n")
    text = prefix + "".join(lines)
    library = bibtexparser.parse_string(
        text,
        parse_stack=[mw.ResolveStringReferencesMiddleware(True), mw.RemoveEnclosingMiddleware(True)],
    )
    for block in library.blocks:
        line = first_line + block.start_line - offset
        if block.start_line < offset:
            continue  # a macro we prepended
        if isinstance(block, ParsingFailedBlock):
            lines_ = str(block.error or "").strip().splitlines()
            reason = lines_[0] if lines_ else "syntax error (unbalanced braces or truncated entry?)"
            raise source.error(
                gettext_noop("BibTeX entry cannot be parsed: %(reason)s"),
                params={"reason": reason},
                line=line,
                record=position + 1,
            )
        if isinstance(block, String):
            strings.append(block.raw)
        elif isinstance(block, Entry):
            position += 1
            yield _to_record(source, block, position, line)


def _decode(value: object) -> str:
    text = str(value)
    if "\\" in text or "{" in text or "$" in text:
        try:
            text = _latex.latex_to_text(text)
        except Exception:  # noqa: BLE001 - pylatexenc raises varied errors on odd input; keep the text
            text = text.replace("{", "").replace("}", "")
    return " ".join(text.split())


def _authors(value: str) -> list[Author]:
    authors = []
    for piece in _AND_RE.split(value.strip()):
        piece = piece.strip()
        if not piece or piece.lower() == "others":
            continue
        if piece.startswith("{") and piece.endswith("}") and piece.count("{") == 1:
            name = _decode(piece[1:-1])
            authors.append(Author(name=name, family=name))
            continue
        author = author_from_string(_decode(piece))
        if author is not None:
            authors.append(author)
    return authors


def _to_record(source: InputFile, entry: Entry, position: int, line: int) -> Record:
    fields: dict[str, str] = {}
    for f in entry.fields:
        key = f.key.lower()
        value = str(f.value)
        source.check_field(value, line=line, record=position, field=key)
        fields.setdefault(key, value)

    def get(*names: str) -> str:
        for name in names:
            if fields.get(name):
                return _decode(fields[name])
        return ""

    year = parse_year(get("year", "date"))
    month = get("month")
    date = parse_date(get("date") or (f"{year} {month}" if year and month else ""), year)
    keywords = [k.strip() for k in re.split(r"[;,]", get("keywords")) if k.strip()]
    issn = [n for n in (normalise_issn(p) for p in re.split(r"[,;\s]+", get("issn"))) if n]
    extra = {"bibtex_key": entry.key, "bibtex_type": entry.entry_type.lower()}
    return Record(
        source_format=NAME,
        position=position,
        line=line,
        raw=entry.raw,
        title=get("title"),
        abstract=get("abstract"),
        year=year,
        date=date,
        authors=_authors(fields.get("author", "")),
        journal=get("journal", "journaltitle", "booktitle", "series"),
        issn=list(dict.fromkeys(issn)),
        publisher=get("publisher", "institution", "school", "organization"),
        volume=get("volume"),
        issue=get("number", "issue"),
        pages=join_pages(*(get("pages").replace("--", "-").partition("-")[::2])),
        doc_type=TYPE_MAP.get(entry.entry_type.lower(), "other"),
        language=parse_language(get("language", "langid")),
        doi=normalise_doi(get("doi")),
        pmid=normalise_pmid(get("pmid")),
        pmcid=normalise_pmcid(get("pmcid")),
        keywords=keywords,
        url=get("url"),
        extra=extra,
    )
