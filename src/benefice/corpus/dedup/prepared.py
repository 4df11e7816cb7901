"""Prepared records: a record reduced once to the normalised features compared pairwise, its stored form
(``dump_prepared`` / ``load_prepared``), and the switch of the notation rules, which forgets cached forms."""

from __future__ import annotations

import hashlib
import html
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from benefice.corpus.dedup.authors import AuthorName, parse_author, parse_authors
from benefice.corpus.dedup.blocking import _block_keys
from benefice.corpus.dedup.fields import (
    _first_int,
    _year,
    canonical_doi,
    journal_tokens,
    parse_pages,
    read_issue,
    read_pages,
)
from benefice.corpus.dedup.normalise import _STOPWORDS, _clean, fold_ascii, title_tokens
from benefice.corpus.dedup.records import DedupRecord, from_record
from benefice.corpus.dedup.rules import RULES
from benefice.corpus.dedup.titles import NoticeKind, clean_title
from benefice.corpus.identifiers import normalise_openalex, normalise_pmcid, normalise_pmid

if TYPE_CHECKING:  # pragma: no cover
    from benefice.corpus.record import Record


def set_rules(**flags: bool) -> None:
    """Switch rules of :data:`RULES` on or off (for measuring them) and forget the cached normal forms."""
    unknown = set(flags) - set(RULES)
    if unknown:
        raise KeyError(f"unknown rules {sorted(unknown)}")
    RULES.update(flags)
    parse_author.cache_clear()
    journal_tokens.cache_clear()


@dataclass
class Prepared:
    """A record reduced to the normalised features compared pairwise (computed once per record)."""

    id: str
    title: str  # cleaned, human-readable
    kind: NoticeKind
    tokens: tuple[str, ...]
    tcomp: str  # tokens joined without spaces: hyphen/space variants compare equal
    tmain: str  # tcomp of the title before its subtitle ("X: a randomised trial" → "x"), "" if none
    year: int | None
    authors: tuple[AuthorName, ...]
    journal: tuple[str, ...]
    volume: str
    number: str
    page_first: str
    page_last: str
    page_starts: frozenset[str]  # first page of every range in "233-8, 230-5, 246-51" (order varies)
    doi: str
    pmid: str
    pmcid: str
    openalex: str
    entry_type: str = ""
    keys: list[str] = field(default_factory=list)
    text: str = ""  # fingerprint of a long abstract ("" when short or absent), see ``_same_text``
    meeting: bool = False  # a conference abstract: its lone page is often an abstract number
    article: bool = False  # page_first is an electronic article number, not a printed page (see read_pages)


# Stored prepared forms: ``prepare`` costs about 0.4 ms a record (title cleaning, tokens, authors); a
# large import compares each new record with stored candidates, so it reads their forms back instead of
# preparing them again. The version changes whenever ``prepare`` or ``_block_keys`` would give another
# result; a form of another version is ignored and the record prepared afresh.
PREPARED_FORM_VERSION = 4


def dump_prepared(p: Prepared) -> str:
    """The prepared form as compact JSON text (everything but the id, which the storage knows)."""
    return json.dumps(
        [
            PREPARED_FORM_VERSION,
            p.title,
            p.kind,
            p.tokens,
            p.tcomp,
            p.tmain,
            p.year,
            [[a.family, a.core, a.initials, a.given, a.group] for a in p.authors],
            p.journal,
            p.volume,
            p.number,
            p.page_first,
            p.page_last,
            sorted(p.page_starts),
            p.doi,
            p.pmid,
            p.pmcid,
            p.openalex,
            p.entry_type,
            p.keys,
            p.text,
            p.meeting,
            p.article,
        ],
        ensure_ascii=False,
        separators=(",", ":"),
    )


def load_prepared(text: str, id: str) -> Prepared | None:
    """A form written by :func:`dump_prepared`, or None when it is of another version or unreadable."""
    try:
        v = json.loads(text)
        if not isinstance(v, list) or len(v) != 23 or v[0] != PREPARED_FORM_VERSION:
            return None
        return Prepared(
            id=id,
            title=v[1],
            kind=v[2],
            tokens=tuple(v[3]),
            tcomp=v[4],
            tmain=v[5],
            year=v[6],
            authors=tuple(AuthorName(*a) for a in v[7]),
            journal=tuple(v[8]),
            volume=v[9],
            number=v[10],
            page_first=v[11],
            page_last=v[12],
            page_starts=frozenset(v[13]),
            doi=v[14],
            pmid=v[15],
            pmcid=v[16],
            openalex=v[17],
            entry_type=v[18],
            keys=list(v[19]),
            text=v[20],
            meeting=bool(v[21]),
            article=bool(v[22]),
        )
    except (ValueError, TypeError):
        return None


_SUBTITLE_RE = re.compile(r"\s*(?::|\?|\.\s|\s-+\s|--|\s–\s)\s*")


def _get(rec: Mapping[str, Any], *names: str) -> Any:
    for n in names:
        v = rec.get(n)
        if v is not None and _present(v):
            return v
    return None


def _present(value: Any) -> bool:
    """``_clean(value) != ""`` without building the cleaned text (an author list would be joined)."""
    if isinstance(value, list | tuple):
        return any(_present(v) for v in value)
    return _clean(value) != ""


def prepare(record: Mapping[str, Any] | DedupRecord | Record, id: str | None = None) -> Prepared:
    """Normalise one record (a :class:`DedupRecord`, a dict with its keys, a CSV row, or a Record)."""
    if isinstance(record, DedupRecord):
        record = record.to_dict()
    elif not isinstance(record, Mapping):
        record = from_record(record, id=id)
    rid = id if id is not None else _clean(_get(record, "id", "ID"))
    title, kind = clean_title(_clean(_get(record, "title")))
    tokens = tuple(title_tokens(title))
    main = _SUBTITLE_RE.split(title, maxsplit=1)[0]
    main_tokens = title_tokens(main) if main != title else []
    tmain = "".join(main_tokens) if len([t for t in main_tokens if t not in _STOPWORDS]) >= 2 else ""
    journal = _clean(_get(record, "journal", "container_title", "booktitle", "secondary_title", "source"))
    pages_text = _clean(_get(record, "pages"))
    first, last, article = read_pages(pages_text)
    starts = frozenset(parse_pages(part)[0] for part in re.split(r"[,;+]", pages_text)) - {""}
    year = _year(_get(record, "year", "date"))
    volume = _first_int(_get(record, "volume"))
    if year and volume == str(year):  # magazines without volumes: the year was copied into the field
        volume = ""
    number = read_issue(_get(record, "number", "issue"))
    if first and year and first == str(year):  # year typed into the pages column
        first, last, article = "", "", False
    prep = Prepared(
        id=rid,
        title=title,
        kind=kind,
        tokens=tokens,
        tcomp="".join(tokens),
        tmain=tmain if len(tmain) >= 12 else "",
        year=year,
        authors=parse_authors(_get(record, "author", "authors")),
        journal=journal_tokens(journal),
        volume=volume,
        number=number,
        page_first=first,
        page_last=last,
        page_starts=starts if len(starts) > 1 else frozenset(),
        article=article,
        doi=canonical_doi(_get(record, "doi")),
        pmid=normalise_pmid(_clean(_get(record, "pmid"))),
        pmcid=normalise_pmcid(_clean(_get(record, "pmcid"))),
        openalex=normalise_openalex(_clean(_get(record, "openalex_id", "openalex"))),
        entry_type=_clean(_get(record, "ENTRYTYPE", "doc_type", "entry_type")).lower(),
    )
    prep.text = _text_fingerprint(_clean(_get(record, "abstract")))
    prep.meeting = bool(_MEETING_RE.search(f"{journal} {_clean(_get(record, 'number', 'issue'))}"))
    prep.keys = _block_keys(prep)
    return prep


_MEETING_RE = re.compile(r"\b(?:conference|congress|meeting|symposium|abstracts)\b|\bsuppl", re.IGNORECASE)
_MIN_TEXT = 300  # characters of folded abstract: below this, boilerplate ("No abstract available") meets


_NOT_ALNUM_RE = re.compile(r"[^a-z0-9]+")


def _text_fingerprint(abstract: str) -> str:
    """Short hash of a long abstract's folded words, or "" when too short to identify a text."""
    # the letters and digits of the text, in order: title_tokens joined, without its number-word folding, in
    # one pass (this runs on every imported abstract)
    folded = _NOT_ALNUM_RE.sub("", fold_ascii(html.unescape(abstract)).lower())
    if len(folded) < _MIN_TEXT:
        return ""
    return hashlib.blake2b(folded.encode(), digest_size=8).hexdigest()
