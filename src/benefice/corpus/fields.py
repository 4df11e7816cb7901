"""What a publication takes from a record, and its folded search text: pure Python, no Django.

Why a module of its own: a large import prepares records in a child process that must not need Django
(see :mod:`benefice.corpus.pipeline`). The values a *new* publication takes from its first record, its search
text and the JSON text of its list fields are computed there, beside the parsing, so the process writing to
the database only stores them. :func:`benefice.corpus.services.apply_record` uses the same functions, so a
publication built either way is the same.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable, Mapping
from typing import Any

from benefice.corpus.record import Record
from benefice.i18n import Message, gettext_noop
from benefice.weblinks import problem_message, url_problem

# Publication fields filled from records; first non-empty value wins and is attributed to its RawRecord.
MERGEABLE_FIELDS = (
    "doi",
    "pmid",
    "pmcid",
    "openalex_id",
    "hal_id",
    "title",
    "abstract",
    "year",
    "date",
    "journal",
    "issn",
    "publisher",
    "volume",
    "issue",
    "pages",
    "doc_type",
    "language",
    "authors",
    "keywords",
    "mesh",
    "funders",
    "oa_status",
    "cited_by_count",
    "referenced_works",
    "url",
)
# the mergeable fields stored as JSON columns
JSON_FIELDS = frozenset({"issn", "authors", "keywords", "mesh", "funders", "referenced_works"})
TITLE_LIMIT = 100_000  # characters of a title kept on the publication (the raw record keeps all of it)

_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)
# combining marks left by NFKD decomposition (diacritics of Latin, Greek, Cyrillic…); removed before \W runs,
# which would otherwise split "e\u0301" words in two
_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]+")


def fold(text: str) -> str:
    """Accents removed, lower case, every run of punctuation or spaces made one space: the same tokens for
    SQLite FTS5 and PostgreSQL.

    Why fold here rather than in the database: PostgreSQL's ``unaccent`` needs an extension (and superuser
    rights) that a custodian's managed server may refuse; folding once when the row is written costs nothing.
    Regular expressions rather than a loop over characters: this runs on every field of every imported record.
    """
    text = text or ""
    if not text.isascii():
        text = _COMBINING.sub("", unicodedata.normalize("NFKD", text))
    return _NON_WORD.sub(" ", text.casefold()).strip()


def record_value(record: Record, field: str) -> Any:
    """The value a record offers for a publication field (authors as plain dicts, as the JSON column holds)."""
    if field == "authors":
        return [
            {
                "name": a.name,
                "family": a.family,
                "given": a.given,
                "orcid": a.orcid,
                "affiliations": a.affiliations,
            }
            for a in record.authors
        ]
    if field == "title":
        return record.title[:TITLE_LIMIT]
    return getattr(record, field)


def is_empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def acceptable(field: str, value: Any) -> bool:
    """Whether a non-empty value may be stored: a year must fit the column (a small positive integer), a URL
    must be http(s) or a DOI (issue 17: ``Publication.url``'s validator; :func:`refuse_url` says why)."""
    if field == "url":
        return url_problem(str(value), doi=True) is None
    return field != "year" or 0 < int(value) < 32767


def refuse_url(record: Record) -> dict[str, Any] | None:
    """Empty a record's URL that a publication may not hold (``javascript:``, ``ftp://``, relative…) and say
    why, naming the record: the import goes on, the publication gets no URL, the raw record keeps the text
    verbatim and its parsed form carries the note under ``extra["warnings"]`` (as RIS's year warnings, in
    English, as the parsers write them). The import report gets the note as a message's parts, said in the
    language of whoever reads the batch page (issue 19)."""
    problem = problem_message(record.url, doi=True) if record.url else None
    if problem is None:
        return None
    params: dict[str, Any] = {"record": record.position, "problem": problem}
    if record.line:
        params["line"] = record.line
        note = Message(gettext_noop("record %(record)s (line %(line)s): URL not kept. %(problem)s"), params)
    else:
        note = Message(gettext_noop("record %(record)s: URL not kept. %(problem)s"), params)
    english = note.localized("en")
    record.extra = {**record.extra, "warnings": [*record.extra.get("warnings", []), english]}
    record.url = ""
    return {"kind": "message", **note.to_data()}


def search_text(get: Callable[[str], Any]) -> str:
    """The folded search text of a publication whose fields ``get`` returns."""
    parts = [
        get("title"),
        " ".join(a.get("name", "") for a in get("authors")),
        get("abstract"),
        " ".join(get("keywords")),
        " ".join(get("mesh")),
        get("journal"),
        get("doi"),
        get("pmid"),
    ]
    # one folded line per field, the title first: PostgreSQL's ranking reads the title back as line 1
    return "\n".join(fold(p) for p in parts if p)


def new_publication(record: Record) -> tuple[dict[str, Any], str]:
    """The fields a new publication takes from its first record (list fields as JSON text) and its search
    text. JSON text is written as Django writes JSON columns (ASCII escapes)."""
    values: dict[str, Any] = {}
    for field in MERGEABLE_FIELDS:
        value = record_value(record, field)
        if is_empty(value) or not acceptable(field, value):
            continue
        values[field] = value
    defaults: Mapping[str, Any] = {"authors": [], "keywords": [], "mesh": []}
    text = search_text(lambda f: values.get(f, defaults.get(f, "")))
    for field in JSON_FIELDS & values.keys():
        values[field] = json.dumps(values[field])
    return values, text
