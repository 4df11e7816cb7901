"""The other bibliographic fields: venue (journal names and their agreement), pages in the notations databases
write, volume, issue, year and DOI."""

from __future__ import annotations

import html
import re
from functools import lru_cache
from typing import Any, NamedTuple

from rapidfuzz import fuzz

from benefice.corpus.dedup.normalise import _clean, fold_ascii
from benefice.corpus.dedup.rules import RULES
from benefice.corpus.identifiers import normalise_doi

_JOURNAL_STOP = frozenset("of the and for in on de la le des du et i d l fur und der die to at".split())


# What databases add to a journal's name (issue 20): a translation or note in brackets (Embase "Gan to Kagaku
# Ryoho [Japanese Journal of Cancer & Chemotherapy]", Ovid "[Electronic Resource]"), a society statement after
# a colon (NLM "Journal of Thoracic Oncology: Official Publication of …"; a subtitle of the journal's own, as in
# "Clinical Medicine Insights: Circulatory…", stays), the supplement series ("European
# Respiratory Journal. Supplement": the supplement belongs to the journal; others give it in the issue).
_JOURNAL_NOTE_RE = re.compile(r"\[[^\]]*\]?")
_JOURNAL_STATEMENT_RE = re.compile(r"\s*[:/]\s*(?:the\s+)?official\s+(?:journal|publication|organ)\b.*$")
_JOURNAL_SUPPLEMENT_RE = re.compile(r"[\s.,]+(?:supplement(?:um)?|suppl?)\b\.?\s*\d*\s*$")


@lru_cache(maxsize=50_000)
def journal_tokens(value: str) -> tuple[str, ...]:
    """Words of a journal name, without the notes databases add ("&" and "and" are the same word)."""
    if RULES["journal_notation"]:
        value = _JOURNAL_NOTE_RE.sub(" ", html.unescape(value))
    text = fold_ascii(value).lower()
    text = re.sub(r"\(.*?\)", " ", text)  # "(London, England)", "(Print)"
    if RULES["journal_notation"]:
        text = _JOURNAL_SUPPLEMENT_RE.sub("", _JOURNAL_STATEMENT_RE.sub("", text))
    text = re.split(r"\s[:=]\s|\s-\s|\.\s+\d|\[electronic resource\]|\.\s*conference\b", text)[0]
    tokens = [t for t in re.findall(r"[a-z0-9]+", text) if t not in _JOURNAL_STOP]
    # "U S A" / "U.S.A." → "usa": a run of single letters is one abbreviation
    merged: list[str] = []
    in_run = False
    for t in tokens:
        single = len(t) == 1 and t.isalpha()
        if single and in_run:
            merged[-1] += t
        else:
            merged.append(t)
        in_run = single
    return tuple(merged)


def _abbrev_of(short: str, full: str) -> bool:
    """ISO-4 style: "natl" abbreviates "national", "hemost" → "hemostasis" (same first letter, subsequence)."""
    if short == full:
        return True
    if not short or not full or short[0] != full[0] or len(short) > len(full):
        return False
    if full.startswith(short):
        return True
    it = iter(full)
    return all(c in it for c in short)


def journal_agreement(a: tuple[str, ...], b: tuple[str, ...]) -> float:
    """1.0 same venue, ~0.9 abbreviation of the other, lower when they differ; -1 when unknown."""
    if not a or not b:
        return -1.0
    if a == b:
        return 1.0
    ja, jb = " ".join(a), " ".join(b)
    if ja.replace(" ", "") == jb.replace(" ", ""):
        return 1.0
    short, long_ = (a, b) if len("".join(a)) <= len("".join(b)) else (b, a)
    # initialism: JAMA, BMJ, PLoS
    if len(short) == 1 and len(long_) >= 2 and short[0] == "".join(t[0] for t in long_):
        return 0.9
    # ordered abbreviation alignment
    i = 0
    matched = 0
    for tok in short:
        while i < len(long_) and not _abbrev_of(tok, long_[i]):
            i += 1
        if i == len(long_):
            break
        matched += 1
        i += 1
    if matched == len(short):
        return 0.9 if len(short) >= max(1, len(long_) - 2) or len(short) >= 3 else 0.75
    return fuzz.ratio(ja, jb) / 100 * 0.9


_EXCEL_DATE_RE = re.compile(r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b", re.IGNORECASE)


class Pages(NamedTuple):
    """Where a record says the work sits in its issue, as read from the pages field."""

    first: str  # digits of the first page or of the article number, "" when unknown
    last: str  # digits of the last page, "" when unknown or a single page
    article: bool = False  # ``first`` is an electronic article number (e-locator), not a printed page


# "pp. 12-15", "p 12", "Pages 12-15": a label in front of the pages
_PAGE_LABEL_RE = re.compile(r"^(?:pp?\.?|pages?|pgs?\.?)\s*(?=\S)", re.IGNORECASE)
# "ARTN 1234" (Web of Science), "Art. no. 1234" (Scopus), "Article 1234", "Article number 1234", "e-locator"
_ARTICLE_LABEL_RE = re.compile(
    r"^(?:artn|art\.?\s*(?:no|nr|n[o\u00b0\u00ba])\.?|article(?:\s*(?:no|nr|number|id))?\.?|e-?locator)\s*[:#.]?\s*(?=\w)",
    re.IGNORECASE,
)
# one page or one range: an optional letter prefix (S12 supplement, A12 abstract, iii12 supplement iii, e12
# electronic) and suffix (12A, 12S), a dash of any kind or "to", an optional trailing "+" (WoS "12-+")
_ONE_SPAN_RE = re.compile(
    r"([A-Za-z]{0,4})0*(\d+)[A-Za-z]{0,2}(?:\s*(?:-+|\u2010|\u2011|\u2012|\u2013|\u2014|to)\s*([A-Za-z]{0,4})0*(\d+)[A-Za-z]{0,2})?(?:\s*-*\s*\+)?"
)
# Elsevier's electronic sub-pages of an article printed at page 12: "12.e1-12.e7"
_E_SUBPAGES_RE = re.compile(r"0*(\d+)\.e\d+(?:\s*-+\s*\d+\.e\d+)?", re.IGNORECASE)
# no printed journal volume reaches page 100,000: a longer number is an article number
_MAX_PRINTED_PAGE = 99_999


def read_pages(value: Any) -> Pages:
    """The pages field in the notations databases write, or unknown when it is in none of them.

    Notations read (MEDLINE/PubMed, Embase, Web of Science, Scopus, CINAHL and PsycINFO exports):
    ranges with the last page abbreviated (``1324-7``, MEDLINE's style) or in full, any dash or "to";
    supplement and abstract pages with a letter prefix or suffix (``S12-4``, ``S12-S14``, ``iii45``, ``123A``;
    the letter is dropped, so a database that omits it still agrees); a "pp."/"Pages" label; a trailing
    "+" (Web of Science's "continued elsewhere"); Elsevier's ``12.e1-12.e7`` (page 12); and electronic
    article numbers, which replace pages in online journals: ``e1234`` / ``e0123456`` (PLoS, BMJ, JAMA),
    ``CD006828`` (Cochrane), "ARTN 1234" (Web of Science), "Art. no. 1234" (Scopus), or a number too long to
    be a printed page. Only the first part of a field counts ("943-5; author reply 945-6", "532, 534-6").

    Anything else is *unknown*, not a page: roman front matter ("iii-iv"), a page count ("12 pp"), "N.PAG"
    or "var.pagings", a spreadsheet's date ("01-Jun" for 1-6), "12/15", "A-F99_9", a whole citation
    ("2004;19(8):943-5"). A field that cannot be
    read can neither support nor contradict a match.
    """
    text = _clean(value).strip().strip("\"'").strip()
    if text.startswith("[") and text.endswith("]"):  # "[E1234]"
        text = text[1:-1].strip()
    if re.search(r"\d\s*[;(].*:", text):
        return Pages("", "")  # a whole citation ("2004;19(8):943-5"), not a pages field
    text = re.split(r"\s*[,;\[(]\s*", text, maxsplit=1)[0].strip()
    if not text or _EXCEL_DATE_RE.search(text):
        return Pages("", "")
    label = _ARTICLE_LABEL_RE.match(text)
    if label:
        m = re.fullmatch(r"[A-Za-z]{0,4}0*(\d+)", text[label.end() :].strip())
        return Pages(m.group(1), "", True) if m else Pages("", "")
    text = _PAGE_LABEL_RE.sub("", text)
    m = _E_SUBPAGES_RE.fullmatch(text)
    if m:
        return Pages(m.group(1), "")
    m = _ONE_SPAN_RE.fullmatch(text)
    if not m and not RULES["pages_notation"]:  # before issue 20: the first number of whatever the field holds
        m = _ONE_SPAN_RE.match(text, n.start()) if (n := re.search(r"[A-Za-z]{0,4}\d", text)) else None
    if not m:
        return Pages("", "")
    prefix, first, last = m.group(1).lower(), m.group(2), m.group(4) or ""
    article = prefix in {"e", "cd"} or int(first) > _MAX_PRINTED_PAGE
    if last:
        if len(last) < len(first):
            last = first[: len(first) - len(last)] + last
        if last == first:
            last = ""
        elif int(last) < int(first):
            return Pages("", last)  # an impossible range ("2297-2108"): the first page is a typo
    return Pages(first, last, article)


def parse_pages(value: str) -> tuple[str, str]:
    """(first, last) page as digit strings; "1324-7" → ("1324", "1327"), "e1234" → ("1234", "").

    See :func:`read_pages`, which also tells whether the first is an electronic article number.
    """
    pages = read_pages(value)
    return pages.first, pages.last


def _first_int(value: Any) -> str:
    m = re.search(r"\d+", _clean(value))
    return m.group(0).lstrip("0") or "0" if m else ""


_SUPPLEMENT_ISSUE_RE = re.compile(r"sup|^\s*s\d+\s*$", re.IGNORECASE)


def read_issue(value: Any) -> str:
    """The issue number as digits, or "" (unknown) when the field names a supplement.

    Databases write a supplement in the issue field in several ways: as the issue ("Suppl 2", "S2"), as
    issue and supplement ("5 Suppl 1"), or leave it in the volume ("10 Suppl 2") and give the issue
    alone; so the numbers of a supplement issue are not comparable with another record's issue number.
    """
    text = _clean(value)
    if RULES["issue_supplement"] and _SUPPLEMENT_ISSUE_RE.search(text):
        return ""
    return _first_int(text)


def _year(value: Any) -> int | None:
    m = re.search(r"(1[5-9]\d\d|20\d\d|21\d\d)", _clean(value))
    return int(m.group(1)) if m else None


_DOI_TAIL_RE = re.compile(r"(?:/(?:abstract|full|pdf|epdf|epub|suppinfo|html|meta)|\.(?:pdf|html?))+$")


def canonical_doi(value: Any) -> str:
    """Normalised DOI with the resolver/viewer tails some exports keep (``/abstract``, ``/full``…) removed."""
    doi = normalise_doi(_clean(value))
    return _DOI_TAIL_RE.sub("", doi)
