"""Find bibliographic records that describe the same work, without ever merging two different works.

Why this shape
--------------
A corpus built from several databases holds the same article many times, each copy spelled a little
differently (abbreviated journal, initials instead of given names, a translated title in brackets,
``1324-7`` for ``1324-1327``…). A wrong merge silently loses a work, which is worse than a missed
duplicate that a person can still spot, so the engine is built for *zero false positives first*:

1. **Identifiers decide when they can.** Equal DOI / PMID / PMCID / OpenAlex id → same work; two
   different DOIs or PMIDs → different works, whatever the titles say (a DOI identifies one object).
2. **Notices are never the article.** Errata, retraction notices, replies and comments usually repeat
   the article's title; a record's *notice kind* is detected from its title and two records of different
   kinds never match, not even through a chain of other matches. The one exception: a record that
   carries the work's own long abstract, title and authors (see :func:`_same_text`) is a copy of the work
   whatever its title prefix or DOI says.
3. **Fuzzy evidence is cumulative.** A similar title alone proves nothing (short titles, series
   "Part 1/Part 2"); it must be backed by agreeing authors, year, venue, volume, pages, and contradicted
   by none of them. The stronger the title agreement, the less extra evidence is required.
4. **Blocking keeps it linear.** Records are only compared when they share a key (identifier, title
   prefix or suffix skeleton, first author + year + page, year + volume + page, …), so 200k records
   cost 200k small look-ups rather than 20 billion comparisons. Keys are computed on *skeletons*
   (vowels dropped, British/American spellings collapsed) so spelling variants still meet.

The same :class:`DuplicateIndex` serves batch deduplication (:func:`duplicate_groups`) and incremental
imports into an existing corpus (``add`` / ``find`` / ``remove``). Pure Python + rapidfuzz, no Django.
"""

from __future__ import annotations

import hashlib
import html
import json
import math
import re
import sys
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

from rapidfuzz import fuzz

from benefice.corpus.identifiers import normalise_doi, normalise_openalex, normalise_pmcid, normalise_pmid

if TYPE_CHECKING:  # pragma: no cover
    from benefice.corpus.record import Record

__all__ = [
    "DedupRecord",
    "DuplicateIndex",
    "Match",
    "compare",
    "duplicate_groups",
    "from_record",
    "prepare",
]

# The rules of issue 20 (notations of pages, issues, journal titles, title annotations and group authors),
# each switchable so that ``benchmarks/dedup.py`` can measure its effect on every set; always on otherwise.
RULES: dict[str, bool] = {
    "pages_notation": True,  # unreadable pages are unknown; article numbers vs printed pages do not contradict
    "issue_supplement": True,  # an issue field naming a supplement is not an issue number
    "journal_notation": True,  # entities, "Title: subtitle" without a space, "[...]" notes, supplement suffixes
    "title_annotations": True,  # MEDLINE/Ovid/Embase notes about other records and language tags
    "group_authors": True,  # a group author in place of persons is unknown authorship, not other authors
}


def set_rules(**flags: bool) -> None:
    """Switch rules of :data:`RULES` on or off (for measuring them) and forget the cached normal forms."""
    unknown = set(flags) - set(RULES)
    if unknown:
        raise KeyError(f"unknown rules {sorted(unknown)}")
    RULES.update(flags)
    parse_author.cache_clear()
    journal_tokens.cache_clear()


# --------------------------------------------------------------------------------------------------
# Public data types
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Match:
    """Why a record is considered a duplicate of an indexed one."""

    id: str
    score: float  # 1.0 for identifiers; for fuzzy matches a weighted agreement in (0, 1]
    method: Literal["identifier", "fuzzy"]
    reason: str  # short human sentence, e.g. "same DOI 10.1/x"


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


# --------------------------------------------------------------------------------------------------
# Text normalisation
# --------------------------------------------------------------------------------------------------

_SPECIAL_LETTERS = str.maketrans(
    {
        "ß": "ss",
        "æ": "ae",
        "Æ": "AE",
        "ø": "o",
        "Ø": "O",
        "œ": "oe",
        "Œ": "OE",
        "ł": "l",
        "Ł": "L",
        "đ": "d",
        "Đ": "D",
        "ı": "i",
        "þ": "th",
        "ð": "d",
        "α": " alpha ",
        "β": " beta ",
        "γ": " gamma ",
        "δ": " delta ",
        "ε": " epsilon ",
        "κ": " kappa ",
        "λ": " lambda ",
        "μ": " mu ",
        "π": " pi ",
        "σ": " sigma ",
        "τ": " tau ",
        "ω": " omega ",
        "‐": "-",
        "‑": "-",
        "‒": "-",
        "–": "-",
        "—": "-",
        "’": "'",
        "‘": "'",
        "“": '"',
        "”": '"',
        "&": " and ",
        "+": " plus ",
    }
)


def _ascii(text: str) -> str:
    """Strip accents and fold special letters: databases disagree on diacritics far more than authors do."""
    if text.isascii():
        return text.replace("&", " and ").replace("+", " plus ")
    # a regular expression over the few special letters: str.translate looks every character up
    text = unicodedata.normalize("NFKD", _SPECIAL_RE.sub(_special, text))
    return text if text.isascii() else _combining_marks().sub("", text)


_SPECIAL_RE = re.compile("[" + "".join(re.escape(chr(c)) for c in _SPECIAL_LETTERS) + "]")


def _special(m: re.Match[str]) -> str:
    return _SPECIAL_LETTERS[ord(m.group())]


@lru_cache(maxsize=1)
def _combining_marks() -> re.Pattern[str]:
    """Every character with a combining class, as one character set (built once, in about 0.1 s).

    The same characters ``unicodedata.combining`` reports, removed by one regular expression rather than a
    Python test per character: abstracts are folded too, and the per-character loop was most of ``prepare``.
    """
    marks = [c for c in range(sys.maxunicode + 1) if unicodedata.combining(chr(c))]
    ranges: list[tuple[int, int]] = []
    for c in marks:
        if ranges and ranges[-1][1] == c - 1:
            ranges[-1] = (ranges[-1][0], c)
        else:
            ranges.append((c, c))
    return re.compile("[" + "".join(f"{re.escape(chr(a))}-{re.escape(chr(b))}" for a, b in ranges) + "]")


def _clean(value: Any) -> str:
    """Any cell (None, NaN, number, list) → stripped string; spreadsheets give floats for empty cells."""
    if value is None:
        return ""
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        if value.is_integer():
            return str(int(value))
    if isinstance(value, list | tuple):
        return " and ".join(c for c in map(_clean, value) if c)
    text = str(value).strip()
    if text.lower() in {"nan", "none", "null", "n/a", "na", "unknown", "#name?"}:
        return ""
    return text


_NUMBER_WORDS = {
    "one": "1",
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
    "six": "6",
    "seven": "7",
    "eight": "8",
    "nine": "9",
    "ten": "10",
    "first": "1st",
    "second": "2nd",
    "third": "3rd",
    "ii": "2",
    "iii": "3",
    "iv": "4",
    "vi": "6",
    "vii": "7",
    "viii": "8",
    "ix": "9",
}
_STOPWORDS = frozenset(
    "a an the of in on for and with to by at from or as is are its their de la le les des du et en der die "
    "das und el los las".split()
)
_LANGUAGES = (
    "afrikaans|arabic|bulgarian|catalan|chinese|croatian|czech|danish|dutch|english|estonian|finnish|french|"
    "german|greek|hebrew|hungarian|icelandic|italian|japanese|korean|latvian|lithuanian|norwegian|persian|"
    "polish|portuguese|romanian|russian|serbian|slovak|slovenian|spanish|swedish|thai|turkish|ukrainian|"
    "vietnamese|chi|eng|fre|ger|spa|ita|jpn|rus|por|pol|dut|cze|hun|ara|kor|tur|swe|dan|nor|fin"
)

# Medline/Ovid annotations appended to titles: they describe *other* records, not this one.
_ANNOTATION_RE = re.compile(
    r"\s*(?:\[\s*(?:erratum|errata|comment|corrected|retracted|republished|update|summary for patients)\b"
    r"|\.?\s*\b(?:erratum|errata|comment|correction)\s+appears\s+in\b"
    r"|\.{2,}\s+[A-Z][\w ]*\.?\s+(?:19|20)\d\d\b).*$",  # "... N Engl J Med. 2009 Jan 29;360(5):544-6"
    re.IGNORECASE | re.DOTALL,
)
# Web of Science "(vol 360, pg 542, 2009)" and Embase "(New England Journal of Medicine (2009) 360 (542-544))"
# tails cite the corrected article: the record is a correction notice.
_CORRECTION_CITE_RE = re.compile(
    r"\s*\((?:vol\.?\s*\d+[^()]*\bpg\.?\s*\w+[^()]*|[^()]*\(\s*(?:19|20)\d\d\s*\)\s*\d+\s*\(\s*\d+[^()]*\))(?:\)|$)\s*\.?\s*$",
    re.IGNORECASE,
)
_TAIL_NOISE_RE = re.compile(
    r"(?:\s*\[review\]|\s*\[\d+\s*refs?\]|\s*\[abstract(?: no)?[^\]]*\]|\s*\(multiple letters\)"
    r"|\s*\[\d{1,2}\]|\s*\(review\)|\s*\[(?:editorial|letter|comment)\])+\s*\.?\s*$",
    re.IGNORECASE,
)
_LANG_TAIL_RE = re.compile(
    rf"(?:\s*\.?\s*(?:\[\s*(?:in\s+)?(?:{_LANGUAGES})(?:\s*,\s*(?:{_LANGUAGES}))*\s*\]|\bLA:\s*\w+)\s*\.?\s*)+$",
    re.IGNORECASE,
)
# More of what databases write after a title (issue 20), each a note about the record or about another one:
# PubMed's comments-and-corrections labels ("Erratum in: …", "Comment in: …", "Update of: …", MEDLINE's
# CommentsCorrections list) and old MEDLINE's "[published erratum appears in …]", "[see comments]" and
# "[In Process Citation]"; Ovid/Embase/CINAHL publication-type and count notes ("[Review article]",
# "(12 refs)", "[Review; 12 refs]", "[Meeting Abstract]", "[English Abstract]"); PubMed's language note
# "[Article in French]" (also "; Abstract available in …" after it). None is part of the work's title.
_LINKED_RECORD_RE = re.compile(
    r"(?:(?<=[.\]])|\s)\s*\[?\s*(?:(erratum|errata|corrigendum|correction)|(comments?)|(retraction|partial retraction)"
    r"|update|updated|republished|corrected and republished|reprint|expression of concern|summary for patients"
    r"|original report)\s+(in|of|for|on|from)\s*:.*$",
    re.IGNORECASE | re.DOTALL,
)
_MORE_TAIL_RE = re.compile(
    r"(?:\s*\[\s*(?:published\s+)?(?:erratum|errata|correction)s?\s+appears?\s+in\b[^\]]*\]?"
    r"|\s*\[\s*see\s+(?:comments?|editorial|letters?)\b[^\]]*\]|\s*\[in process citation\]"
    r"|\s*[\[(]\s*review(?:\s+article)?\s*(?:[;,]\s*\d+\s*refs?\.?)?\s*[\])]"
    r"|\s*[\[(]\s*\d+\s*ref(?:s|erences)?\.?\s*[\])]"
    r"|\s*[\[(]\s*(?:meeting\s+)?abstract\s*[\])]|\s*[\[(]\s*(?:english|french|german|spanish)\s+abstract\s*[\])]"
    rf"|\s*[\[(]\s*article\s+in\s+(?:{_LANGUAGES})\b[^\])]*[\])]"
    rf"|\s*[\[(]\s*abstract\s+(?:available\s+)?in\s+(?:{_LANGUAGES})\b[^\])]*[\])])+\s*\.?\s*$",
    re.IGNORECASE,
)
_ORIGINAL_RE = re.compile(r"<\s*original\s*>.*$", re.IGNORECASE | re.DOTALL)
_TAG_RE = re.compile(r"<[^>]{1,40}>")
_WHOLE_BRACKET_RE = re.compile(r"^\s*\[(.+)\]\s*\.?\s*$", re.DOTALL)
# "[English translation] TO: Original title" (Ovid) → the translation
_BRACKET_THEN_ORIGINAL_RE = re.compile(
    r"^\s*\[([^\]]{20,})\]\.?\s*(?:TO|OT|original title)\s*:.*$", re.DOTALL
)
_TRANSLATION_TAIL_RE = re.compile(r"^(.{20,}?)\s*[\[(][^\[\]()]{12,}[\])]\s*\.?\s*$", re.DOTALL)
_ARTICLE_PREFIX_RE = re.compile(
    r"^\s*(?:retracted(?:\s+article)?|withdrawn|reprint(?:ed)?|proceedings)\s*[:.\-]\s*", re.IGNORECASE
)

NoticeKind = Literal["", "erratum", "retraction", "reply", "comment"]
_SEP = r"[\s:.\-,;]"
_NOTICE_PREFIX: list[tuple[NoticeKind, re.Pattern[str]]] = [
    (
        "erratum",
        re.compile(
            rf"^\s*(?:erratum|errata|corrigendum|corrigenda|correction|corrections|addendum|"
            rf"publisher(?:'s)? (?:erratum|correction|note)|author correction)\b(?:{_SEP}*(?:to|for|on|in|of)\b)?{_SEP}*",
            re.IGNORECASE,
        ),
    ),
    (
        "retraction",
        re.compile(
            rf"^\s*(?:retraction(?: notice| note)?|notice of retraction|retraction statement|"
            rf"expression of concern)\b(?:{_SEP}*(?:to|for|on|of)\b)?{_SEP}*",
            re.IGNORECASE,
        ),
    ),
    (
        "reply",
        re.compile(
            rf"^\s*(?:in reply|reply|the authors? reply|authors?'? reply|author(?:s|s')? response|"
            rf"response to (?:the |a )?(?:letters?|comments?|commentary|editorial|correspondence|critique|criticism))"
            rf"\b(?:{_SEP}*(?:to|from)\b)?{_SEP}*",
            re.IGNORECASE,
        ),
    ),
    (
        "comment",
        re.compile(
            rf"^\s*(?:(?:a )?(?:comments?|commentary) (?:on|to|about|regarding)\b|(?:re|comments?|letter)\s*:)"
            rf"{_SEP}*",
            re.IGNORECASE,
        ),
    ),
]
_NOTICE_SUFFIX: list[tuple[NoticeKind, re.Pattern[str]]] = [
    ("erratum", re.compile(r"[\s:.\-,;(\[]+(?:erratum|corrigendum|correction|addendum)[\s.)\]]*$", re.I)),
    ("retraction", re.compile(r"[\s:.\-,;(\[]+(?:retraction(?: notice)?)[\s.)\]]*$", re.I)),
    (
        "reply",
        re.compile(r"[\s:.\-,;(\[]+(?:the authors? reply|authors?'? reply|reply|in reply)[\s.)\]]*$", re.I),
    ),
]
_ONLY_NOTICE_RE = re.compile(r"^\s*(erratum|errata|corrigendum|correction|retraction|reply)\s*\.?\s*$", re.I)


def _strip_tails(title: str) -> str:
    """Database notes ("[Review]", "[12 refs]") and language tags ("[in French]", "LA: fre") cut off the end.

    Both kinds end in a bracket (or "LA: xx"): the end-anchored searches, costly on every title, are skipped
    when the end shows neither.
    """
    for _ in range(2):
        if title.rstrip().rstrip(".").rstrip().endswith(("]", ")")):
            title = _TAIL_NOISE_RE.sub("", title)
            if RULES["title_annotations"]:
                title = _MORE_TAIL_RE.sub("", title)
        if title.rstrip().rstrip(".").rstrip().endswith("]") or "la:" in title.lower():
            title = _LANG_TAIL_RE.sub("", title)
    return title


def clean_title(raw: str) -> tuple[str, NoticeKind]:
    """Remove what databases add around a title and tell whether the record is a notice about a work.

    Returns the cleaned (still human-readable) title and the notice kind ("" for an ordinary work).
    """
    title = html.unescape(raw)
    title = _ORIGINAL_RE.sub("", title)
    title = _TAG_RE.sub(" ", title)
    kind: NoticeKind = ""
    linked_kind: NoticeKind = ""
    if RULES["title_annotations"] and ":" in title:
        m = _LINKED_RECORD_RE.search(title)
        if m and m.start() > 0:
            # "Erratum for:", "Retraction of:", "Comment on:" stand on the notice itself and name the article
            # it is about; "… in:" names another record about this one
            linked_to = m.group(4).lower() in {"of", "for", "on"}
            if linked_to and m.group(1):
                linked_kind = "erratum"
            elif linked_to and m.group(3):
                linked_kind = "retraction"
            elif linked_to and m.group(2):
                linked_kind = "comment"
            title = title[: m.start()]
    if RULES["title_annotations"] and "appear" in title.lower():
        # "[published erratum appears in …" is cut whole, before the older rule leaves "[published" behind
        title = _MORE_TAIL_RE.sub("", title)
    title = _ANNOTATION_RE.sub("", title)
    title = _strip_tails(title)
    title = title.strip().strip('"').strip()
    m = _CORRECTION_CITE_RE.search(title)
    if m and m.start() > 0:
        title, kind = title[: m.start()], "erratum"
    m = _WHOLE_BRACKET_RE.match(title) or _BRACKET_THEN_ORIGINAL_RE.match(title)
    if m and "[" not in m.group(1):
        title = m.group(1)
    m = _TRANSLATION_TAIL_RE.match(title)
    if m and len(m.group(1).split()) >= 3:
        title = m.group(1)
    title = _ARTICLE_PREFIX_RE.sub("", title)
    only = _ONLY_NOTICE_RE.match(title)
    if only:
        word = only.group(1).lower()
        kind = "retraction" if word == "retraction" else "reply" if word == "reply" else "erratum"
        return "", kind
    for k, pattern in [] if kind else _NOTICE_PREFIX:
        m = pattern.match(title)
        if m and m.end() < len(title):
            kind, title = k, title[m.end() :]
            break
    else:
        for k, pattern in [] if kind else _NOTICE_SUFFIX:
            m = pattern.search(title)
            if m and m.start() > 0:
                kind, title = k, title[: m.start()]
                break
    title = title.strip().strip("\"'[]").strip().rstrip(" .;,")
    return _strip_footnote(title), kind or linked_kind


# "…employee representation 1", "…Arbeitsorganisationen **": footnote markers, unlike "Part 1", "phase 1"
_FOOTNOTE_RE = re.compile(r"(?:\s*[*†‡]+|\s1|(?<=[a-z]{5})1)$")
_NUMBERED_WORDS = frozenset(
    "part type phase stage grade class study trial volume vol no number step level wave hiv covid".split()
)


def _strip_footnote(title: str) -> str:
    m = _FOOTNOTE_RE.search(title)
    if not m:
        return title
    before = title[: m.start()].rstrip()
    last_word = before.rsplit(None, 1)[-1].lower().strip("-") if before else ""
    if not before or last_word in _NUMBERED_WORDS:
        return title
    return before


_TOKEN_RE = re.compile(r"[a-z0-9]+")


def title_tokens(title: str) -> list[str]:
    """Lower-case ascii word tokens with number words folded (``three``→``3``, ``II``→``2``)."""
    text = _ascii(title).lower().replace("'", "")
    return [_NUMBER_WORDS.get(t, t) for t in _TOKEN_RE.findall(text)]


_VOWELS_RE = re.compile(r"[aeiouy]")


@lru_cache(maxsize=200_000)
def skeleton(token: str) -> str:
    """Spelling-insensitive form for blocking: haemolytic/hemolytic, tumour/tumor, -ise/-ize meet."""
    if token.isdigit():
        return token
    s = _VOWELS_RE.sub("", token.replace("z", "s"))
    return (token[0] + s) if s and token[0] in "aeiouy" else (s or token)


# --------------------------------------------------------------------------------------------------
# Authors
# --------------------------------------------------------------------------------------------------

_PARTICLES = frozenset("van von der den de del della di da du le la dos das ter ten vom zu st saint".split())
_INITIALS_RE = re.compile(r"^(?:[A-Z]\.?-?){1,4}$")
_ORG_RE = re.compile(
    r"\b(group|consortium|committee|collaborat\w*|investigators|society|association|council|"
    r"agency|network|study|trial|organi[sz]ation|institute|working|task force|panel|board|"
    r"inc|ltd|llc|gmbh|pharmaceuticals?|corporation|foundation|ministry|department|programme|program|"
    r"initiative|alliance|federation|academy|registry|writing|on behalf)\b",
    re.IGNORECASE,
)


class AuthorName(NamedTuple):
    """A parsed author name. A named tuple, not a frozen dataclass: a large import rebuilds tens of thousands
    of stored forms a minute, and a frozen dataclass's constructor was most of that cost."""

    family: str  # ascii lower, letters only, particles kept glued ("vanheck")
    core: str  # family without leading particles ("heck"), to meet "van Heck" / "Heck"
    initials: str  # lower-case first letters of given names ("pf")
    given: str = ""  # folded given names when spelt out, to spot family/given swaps ("Xiaoguang, Wang")
    group: bool = False  # a group author (study group, consortium, committee, company), not a person


def _split_authors(text: str) -> list[str]:
    """Split an author field on ``and`` / ``;`` / newlines, then Vancouver comma lists inside each part."""
    text = re.sub(r"\bet al\.?", "", text, flags=re.IGNORECASE)
    text = re.sub(r"\s*\[[^\]]*\]\s*", " ", text)  # "[Corrected]" annotations
    parts = [p for p in re.split(r"\s*;\s*|\s+and\s+|\n", text, flags=re.IGNORECASE) if p.strip()]
    out: list[str] = []
    for part in parts:
        out.extend(_split_comma_list(part) if "," in part else [part.strip()])
    return out


def _split_comma_list(text: str) -> list[str]:
    """ "Smith J, Jones KL, Brown L" (Vancouver) vs "Smith, John" (one author): initials decide."""
    parts = [p.strip() for p in text.split(",") if p.strip()]
    if len(parts) <= 1:
        return parts
    vancouver = sum(1 for p in parts if len(p.split()) >= 2 and _INITIALS_RE.match(p.split()[-1]))
    if vancouver >= max(2, len(parts) - 1):
        return parts
    if len(parts) == 2:
        return [f"{parts[0]}, {parts[1]}"]
    # "Smith, J., Jones, K." → pair them up
    return [
        f"{parts[i]}, {parts[i + 1]}" if i + 1 < len(parts) else parts[i] for i in range(0, len(parts), 2)
    ]


def _fold_name(text: str) -> str:
    s = _ascii(text).lower()
    s = s.replace("ue", "u").replace("oe", "o").replace("ae", "a")  # Müller/Mueller/Muller
    return re.sub(r"[^a-z]", "", s)


@lru_cache(maxsize=200_000)
def parse_author(text: str) -> AuthorName | None:
    """One author string in any common layout → family name and initials, or None when empty."""
    text = text.strip().strip(".").strip()
    if not text or text.lower() in {"anonymous", "anon", "et al"}:
        return None
    if _ORG_RE.search(text):
        fam = _fold_name(text)
        return AuthorName(fam, fam, "", "", RULES["group_authors"]) if fam else None
    if "," in text:
        family, given = text.split(",", 1)
    else:
        words = text.split()
        if len(words) >= 2 and _INITIALS_RE.match(words[-1]):
            family, given = " ".join(words[:-1]), words[-1]
        elif len(words) >= 2 and words[0].isupper() and len(words[0]) > 3 and not words[-1].isupper():
            family, given = words[0], " ".join(words[1:])  # "SMITH John"
        elif len(words) >= 2:
            idx = len(words) - 1
            while idx > 1 and words[idx - 1].lower() in _PARTICLES:
                idx -= 1
            family, given = " ".join(words[idx:]), " ".join(words[:idx])
        else:
            family, given = text, ""
    given = given.strip()
    family_words = family.split()
    core_words = [w for w in family_words if w.lower() not in _PARTICLES] or family_words
    fam = _fold_name(family)
    core = _fold_name(" ".join(core_words[-1:])) or fam
    fam = re.sub(r"(jr|sr|iii|ii)$", "", fam) or fam
    given_fold = ""
    if re.fullmatch(r"[A-Z]{1,4}", given.replace(".", "").replace(" ", "").replace("-", "")):
        initials = given.replace(".", "").replace(" ", "").replace("-", "").lower()
    else:
        initials = "".join(w[0] for w in re.findall(r"[^\W\d_]+", _ascii(given))).lower()
        given_fold = _fold_name(given)
    return AuthorName(fam, core, initials, given_fold) if fam else None


def parse_authors(value: Any) -> tuple[AuthorName, ...]:
    """Author field (``"A, B and C, D"``, Vancouver list, or a list of names) → parsed names."""
    if isinstance(value, list | tuple):
        items = [_clean(v) for v in value]
    else:
        text = _clean(value)
        items = _split_authors(text) if text else []
    out = [a for a in (parse_author(i) for i in items if i) if a is not None]
    return tuple(out[:50])


def _same_name(a: AuthorName, b: AuthorName) -> bool:
    if a.family == b.family or a.core == b.core:
        return True
    if len(a.core) >= 5 and len(b.core) >= 5 and fuzz.ratio(a.core, b.core) >= 85:
        return True
    return _swapped(a, b) or _swapped(b, a)


def _swapped(a: AuthorName, b: AuthorName) -> bool:
    """ "Carignani, Andrea" written "Andrea, C." (given name taken for the family name)."""
    return bool(a.given) and a.given == b.family and bool(b.initials) and a.family[:1] == b.initials[:1]


def author_evidence(a: tuple[AuthorName, ...], b: tuple[AuthorName, ...]) -> tuple[bool, float, bool]:
    """(first authors agree, share of authors agreeing, whether both records name comparable authors).

    Group authors (a study group, consortium, committee or company) are set aside when both lists name
    persons: MEDLINE keeps a collective name apart from the persons (its CN field), while Embase, Web of
    Science and Scopus put it among or in place of them, or drop it. When one record names only groups and
    the other persons, authorship is unknown, not different; two lists of groups only are compared as names.
    """
    pa = tuple(x for x in a if not x.group)
    pb = tuple(x for x in b if not x.group)
    if pa and pb:
        return (*author_agreement(pa, pb), True)
    if not pa and not pb and a and b:
        return (*author_agreement(a, b), True)
    return False, 0.0, False


def author_agreement(a: tuple[AuthorName, ...], b: tuple[AuthorName, ...]) -> tuple[bool, float]:
    """(first authors agree, share of the shorter list found in the longer one)."""
    if not a or not b:
        return False, 0.0
    first = _same_name(a[0], b[0]) and (
        not a[0].initials
        or not b[0].initials
        or a[0].initials[0] == b[0].initials[0]
        or _swapped(a[0], b[0])
        or _swapped(b[0], a[0])
    )

    def share(short: tuple[AuthorName, ...], long_: tuple[AuthorName, ...]) -> float:
        short = short[:12]
        return sum(1 for x in short if any(_same_name(x, y) for y in long_[:60])) / len(short)

    if len(a) == len(b):
        # neither list is the shorter: the lower share of the two, so the order never matters
        return first, min(share(a, b), share(b, a))
    return first, share(a, b) if len(a) < len(b) else share(b, a)


# --------------------------------------------------------------------------------------------------
# Venue, pages, volume
# --------------------------------------------------------------------------------------------------

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
    text = _ascii(value).lower()
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


# --------------------------------------------------------------------------------------------------
# Prepared records
# --------------------------------------------------------------------------------------------------


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
    folded = _NOT_ALNUM_RE.sub("", _ascii(html.unescape(abstract)).lower())
    if len(folded) < _MIN_TEXT:
        return ""
    return hashlib.blake2b(folded.encode(), digest_size=8).hexdigest()


# Prefixes of the keys made of an identifier (DOI, PMID, PMCID, OpenAlex id): a match found through them may
# join records of any years. Through any other key, ``compare`` never matches records more than
# MAX_YEAR_GAP years apart, so a store of keys can skip such candidates before reading their forms.
IDENTIFIER_KEYS = frozenset("dpco")
MAX_YEAR_GAP = 1


def years_compatible(a: int | None, b: int | None) -> bool:
    """Whether two records' years allow a match other than by a shared identifier (unknown allows it)."""
    return not a or not b or abs(a - b) <= MAX_YEAR_GAP


def _block_keys(p: Prepared) -> list[str]:
    """Keys under which a record is filed; two records are compared only if they share one."""
    keys: list[str] = []
    if p.doi:
        keys.append("d" + p.doi)
    if p.pmid:
        keys.append("p" + p.pmid)
    if p.pmcid:
        keys.append("c" + p.pmcid)
    if p.openalex:
        keys.append("o" + p.openalex)
    sig = [skeleton(t) for t in p.tokens if t not in _STOPWORDS]
    persons = [x for x in p.authors if not x.group] or p.authors
    fam = persons[0].core[:8] if persons else ""
    if len(sig) >= 3:
        keys.append("h" + " ".join(sig[:4]))  # survives dropped subtitles and tails
        if len(sig) >= 5:
            keys.append("t" + " ".join(sig[-4:]))  # survives prefixes ("Review:", translations first)
        if len(sig) >= 8:
            keys.append("m" + " ".join(sig[2:6]))  # survives a typo at both ends
    elif sig:
        keys.append("s" + " ".join(sig) + f"|{p.year or ''}")
    if fam and p.year and p.page_first:
        keys.append(f"a{fam}|{p.year}|{p.page_first}")
    if p.year and p.volume and p.page_first:
        keys.append(f"v{p.year}|{p.volume}|{p.page_first}")
    if fam and sig:
        keys.append(f"f{fam}|{' '.join(sig[:2])}")
    return keys


# --------------------------------------------------------------------------------------------------
# Pairwise decision
# --------------------------------------------------------------------------------------------------


def title_similarity(a: Prepared, b: Prepared) -> tuple[float, str]:
    """Similarity of cleaned titles in [0, 1] and a note when a subtitle or tail was ignored."""
    if not a.tcomp or not b.tcomp:
        return 0.0, ""
    if a.tcomp == b.tcomp:
        return 1.0, ""
    ratio = fuzz.ratio(a.tcomp, b.tcomp) / 100
    short, long_ = (a, b) if len(a.tcomp) <= len(b.tcomp) else (b, a)
    if len(short.tokens) >= 5 and len(short.tcomp) >= 30 and len(short.tcomp) < 0.85 * len(long_.tcomp):
        # one title lacks a subtitle (or carries a translation): compare the shared part
        prefix = fuzz.ratio(short.tcomp, long_.tcomp[: len(short.tcomp)]) / 100
        if prefix >= 0.95 and prefix * 0.95 > ratio:
            return prefix * 0.95, "subtitle"
        suffix = fuzz.ratio(short.tcomp, long_.tcomp[-len(short.tcomp) :]) / 100
        if suffix >= 0.95 and suffix * 0.93 > ratio:
            return suffix * 0.93, "prefix"
    if ratio < 0.9:
        # one record dropped the subtitle after the colon: compare its title with the other's main title
        for x, y in ((a, b), (b, a)):
            if x.tmain and not y.tmain and fuzz.ratio(x.tmain, y.tcomp) >= 97:
                return 0.9, "subtitle"
    return ratio, ""


def compare(a: Prepared, b: Prepared) -> Match | None:
    """Decide whether two prepared records are the same work; returns the match seen from ``a`` to ``b``.

    Symmetric: ``compare(a, b)`` and ``compare(b, a)`` agree on whether, how and how strongly.
    """
    # 1. notices never match the work they are about (unless the record carries the work's own text)
    if a.kind != b.kind:
        return _same_text(a, b)
    # 2. identifiers
    if a.doi and b.doi:
        if a.doi == b.doi:
            return Match(b.id, 1.0, "identifier", f"same DOI {a.doi}")
    if a.pmid and b.pmid:
        if a.pmid == b.pmid:
            return Match(b.id, 1.0, "identifier", f"same PMID {a.pmid}")
        return None
    if a.pmcid and b.pmcid:
        if a.pmcid == b.pmcid:
            return Match(b.id, 1.0, "identifier", f"same PMCID {a.pmcid}")
        return None
    if a.doi and b.doi:
        return _same_text(a, b)  # two different DOIs are two different objects, unless one text is twice
    if a.openalex and b.openalex and a.openalex == b.openalex:
        return Match(b.id, 1.0, "identifier", f"same OpenAlex id {a.openalex}")
    return _fuzzy(a, b)


def _same_text(a: Prepared, b: Prepared) -> Match | None:
    """The same long abstract under the same title and authors is one text, whatever else differs.

    Overrides a notice prefix and a second DOI: a publisher that prints an article twice, or a database
    that files the article's abstract under its erratum, gives two records of one text, and the gold
    sets pair them; errata without the article's abstract stay apart. Two PMIDs still part them.
    """
    if not a.text or a.text != b.text:
        return None
    if (a.pmid and b.pmid and a.pmid != b.pmid) or (a.pmcid and b.pmcid and a.pmcid != b.pmcid):
        return None
    if not years_compatible(a.year, b.year):
        return None
    ts, _ = title_similarity(a, b)
    if ts < 0.9 or _DIGITS_RE.findall(a.tcomp) != _DIGITS_RE.findall(b.tcomp):
        return None
    first_au, au_share, both = author_evidence(a.authors, b.authors)
    if not both or not first_au or au_share < 0.8:
        return None
    return Match(b.id, round(0.5 + 0.5 * ts, 4), "fuzzy", f"same abstract, title {ts:.2f} and authors")


def _unexplained_tokens(a: Prepared, b: Prepared) -> list[str]:
    """Content words of ``a`` that ``b`` does not contain, even misspelt or glued to a neighbour."""
    other = set(b.tokens)
    out = []
    for t in a.tokens:
        if t in other or t in _STOPWORDS or len(t) < 3 or t in b.tcomp:
            continue
        if any(len(u) >= 3 and fuzz.ratio(t, u) >= 80 for u in other):
            continue
        out.append(t)
    return out


def _coordinates_agree(a: Prepared, b: Prepared, jo: float) -> bool:
    """Same venue, year, volume and a multi-page range: two works cannot occupy the same pages.

    Catches translated titles ("[Arbeiten in der Crowd]" / "Crowdwork") that no title measure can.
    """
    return bool(
        a.year
        and a.year == b.year
        and a.volume
        and a.volume == b.volume
        and a.page_first
        and a.page_first == b.page_first
        and a.page_last
        and a.page_last == b.page_last
        and jo >= 0.7
    )


def _realigned(x: Prepared, y: Prepared) -> Prepared:
    """``x`` with volume, issue and page moved back one column when an export shifted them.

    A record without a volume whose issue and lone page are the other record's volume and issue lost
    its volume column (issue 26, page 9 for volume 26, issue 9): read it as volume 26, issue 9.
    """
    if (
        not x.volume
        and x.number
        and x.page_first
        and not x.page_last
        and y.volume
        and x.number == y.volume
        and x.page_first == y.number
    ):
        return replace(x, volume=x.number, number=x.page_first, page_first="", page_starts=frozenset())
    return x


def _lone_meeting_pages(a: Prepared, b: Prepared) -> bool:
    """Two different lone pages of a conference abstract in one volume and year: page vs abstract number.

    Meeting supplements are paged differently by different databases (page, abstract number), so a lone
    page there does not contradict; the caller still demands the same title, authors and venue.
    """
    return bool(
        (a.meeting or b.meeting)
        and not a.page_last
        and not b.page_last
        and a.year
        and a.year == b.year
        and a.volume
        and a.volume == b.volume
    )


def _fuzzy(a: Prepared, b: Prepared) -> Match | None:
    if not a.tcomp or not b.tcomp:
        return None  # without both titles there is too little to tell works apart
    a, b = _realigned(a, b), _realigned(b, a)
    # hard contradictions first: they are cheap and reject most blocked candidates
    year_gap = abs(a.year - b.year) if a.year and b.year else None
    if year_gap is not None and year_gap > MAX_YEAR_GAP:
        return None
    if a.volume and b.volume and a.volume != b.volume:
        return None
    if a.article != b.article and a.page_first != b.page_first and RULES["pages_notation"]:
        # an electronic article number and printed pages are two notations, not two locations
        a = replace(a, page_first="", page_last="", page_starts=frozenset())
        b = replace(b, page_first="", page_last="", page_starts=frozenset())
    same_last = bool(a.page_last) and a.page_last == b.page_last
    if a.page_starts and b.page_starts and a.page_starts == b.page_starts:
        same_last = True  # the same multi-part page list written in another order
    lone_pages = False
    if a.page_first and b.page_first and a.page_first != b.page_first and not same_last:
        if not _lone_meeting_pages(a, b):
            return None
        lone_pages = True
    ts, note = title_similarity(a, b)
    number_ne = bool(a.number and b.number and a.number != b.number)
    # an issue number above ~60 is an accession/sequence number in disguise, not an issue
    issue_conflict = number_ne and int(a.number) <= 60 and int(b.number) <= 60
    first_au, au_share, both_authors = author_evidence(a.authors, b.authors)
    if both_authors and not first_au and au_share < 0.5:
        return None
    jo = journal_agreement(a.journal, b.journal)
    if lone_pages and not (
        ts >= 0.97
        and first_au
        and au_share >= 0.8
        and jo >= 0.85
        and not (_unexplained_tokens(a, b) and _unexplained_tokens(b, a))
    ):
        return None
    if ts < 0.80:
        if first_au and au_share >= 0.8 and not issue_conflict and _coordinates_agree(a, b, jo):
            return Match(
                b.id, 0.9, "fuzzy", "same authors, venue, year, volume and page range; title differs"
            )
        return None
    # series and numbered parts: "Part 1" vs "Part 2", "(I)" vs "(II)", trial names with numbers
    if ts < 1.0 and _DIGITS_RE.findall(a.tcomp) != _DIGITS_RE.findall(b.tcomp):
        return None
    pages_eq = (bool(a.page_first) and a.page_first == b.page_first) or same_last
    range_eq = pages_eq and same_last
    if issue_conflict and not pages_eq:
        return None  # same title in another issue: a recurring column ("Editor's comments"), not a copy
    support = 0.0
    why: list[str] = []
    if first_au and au_share >= 0.8:
        support += 2.0
        why.append("same authors")
    elif first_au:
        support += 1.0
        why.append("same first author")
    elif both_authors:
        support += 0.5 if au_share >= 0.8 else 0.0
        why.append(f"authors {au_share:.0%} shared")
    if year_gap == 0:
        support += 1.0
        why.append("year")
    elif year_gap == 1:
        support -= 0.5
        why.append("year ±1")
    if jo >= 0.85:
        support += 1.0
        why.append("venue")
    elif jo >= 0.7:
        support += 0.5
        why.append("venue≈")
    elif jo >= 0:
        issue_eq = bool(a.number) and a.number == b.number and int(a.number) <= 60
        many_authors = first_au and au_share >= 0.8 and min(len(a.authors), len(b.authors)) >= 3
        pinned_issue = bool(a.volume) and a.volume == b.volume and (issue_eq or (many_authors and ts >= 0.97))
        if not (pages_eq or pinned_issue):
            # another venue (or a translated venue name) with nothing pinning the issue or pages
            return None
        support -= 1.0
        why.append("other venue")
    if a.volume and a.volume == b.volume:
        support += 1.0
        why.append("volume")
    if pages_eq:
        support += 1.5 if range_eq else 1.0
        why.append("pages")
    if a.number and a.number == b.number:
        support += 0.5
    if number_ne:
        support -= 0.5  # issue numbers are often wrong (supplements, database accession numbers)

    if ts < 0.97:
        # a word substituted rather than misspelt ("Pediatric" vs "Adult" patients) is a different work
        # unless the bibliographic coordinates pin the record down
        subst = _unexplained_tokens(a, b) and _unexplained_tokens(b, a)
        pinned = pages_eq and (
            (a.volume and a.volume == b.volume)
            or (range_eq and first_au and au_share >= 0.8 and year_gap == 0)
        )
        if subst and not pinned:
            return None
    if ts >= 0.97:
        needed = 2.0
    elif ts >= 0.92:
        needed = 3.0
    elif ts >= 0.87:
        needed = 4.0
    else:
        needed = 5.0
    if not both_authors:
        needed += 1.0  # without authors a title family (editorials, guidelines) is too easy to confuse
    if support < needed:
        return None
    score = round(min(1.0, 0.5 * ts + 0.5 * min(1.0, support / 6.0)), 4)
    label = f"title {ts:.2f}" + (f" ({note})" if note else "")
    return Match(b.id, score, "fuzzy", ", ".join([label, *why]))


_DIGITS_RE = re.compile(r"\d+")


# --------------------------------------------------------------------------------------------------
# Index and grouping
# --------------------------------------------------------------------------------------------------

_MAX_BUCKET = 200  # fuzzy keys shared by more records than this stop discriminating (e.g. "editorial")


class DuplicateIndex:
    """Records already in a corpus, filed by blocking keys, to test new records against them.

    ``find`` returns the best match; ``find_all`` every match (used for grouping). Identifier buckets
    are never capped; a fuzzy bucket only keeps its most recent ``_MAX_BUCKET`` members so one generic
    title cannot make look-ups quadratic.
    """

    def __init__(self) -> None:
        self._records: dict[str, Prepared] = {}
        self._buckets: dict[str, dict[str, None]] = {}

    def __len__(self) -> int:
        return len(self._records)

    def __contains__(self, id: object) -> bool:
        return id in self._records

    def add(self, id: str, record: Mapping[str, Any] | DedupRecord | Record | Prepared) -> None:
        """File a record under ``id`` (replacing any record already filed under that id)."""
        prep = record if isinstance(record, Prepared) else prepare(record, id=id)
        if prep.id != id:
            prep.id = id
        if id in self._records:
            self.remove(id)
        self._records[id] = prep
        for key in prep.keys:
            bucket = self._buckets.setdefault(key, {})
            bucket[id] = None
            if len(bucket) > _MAX_BUCKET and key[0] not in "dpco":
                del bucket[next(iter(bucket))]

    def remove(self, id: str) -> None:
        """Forget a record (no error if it was never added)."""
        prep = self._records.pop(id, None)
        if prep is None:
            return
        for key in prep.keys:
            bucket = self._buckets.get(key)
            if bucket is not None:
                bucket.pop(id, None)
                if not bucket:
                    del self._buckets[key]

    def get(self, id: str) -> Prepared | None:
        return self._records.get(id)

    def candidates(self, prep: Prepared) -> Iterator[Prepared]:
        seen: set[str] = {prep.id} if prep.id else set()
        for key in prep.keys:
            bucket = self._buckets.get(key)
            if not bucket:
                continue
            for cid in bucket:
                if cid not in seen:
                    seen.add(cid)
                    yield self._records[cid]

    def find_all(self, record: Mapping[str, Any] | DedupRecord | Record | Prepared) -> list[Match]:
        """Every indexed record that duplicates ``record``, best first."""
        prep = record if isinstance(record, Prepared) else prepare(record)
        found = [m for c in self.candidates(prep) if (m := compare(prep, c)) is not None]
        found.sort(key=lambda m: (-m.score, m.method != "identifier", m.id))
        return found

    def find(self, record: Mapping[str, Any] | DedupRecord | Record | Prepared) -> Match | None:
        """The indexed record that ``record`` most likely duplicates, or None."""
        found = self.find_all(record)
        return found[0] if found else None


class _Clusters:
    """Union-find that refuses unions joining contradictory records (cannot-link constraints).

    Pairwise matching is not transitive: A~B and B~C may chain two different works. A union is
    refused when the groups have no DOI, PMID or notice kind in common where both have one; the DOI and
    kind checks are waived when the two records matched carry the same long abstract (:func:`_same_text`).
    """

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}
        self.dois: dict[str, set[str]] = {}
        self.pmids: dict[str, set[str]] = {}
        self.kinds: dict[str, set[str]] = {}

    def add(self, p: Prepared) -> None:
        self.parent[p.id] = p.id
        self.dois[p.id] = {p.doi} if p.doi else set()
        self.pmids[p.id] = {p.pmid} if p.pmid else set()
        self.kinds[p.id] = {p.kind}

    def root(self, x: str) -> str:
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, x: str, y: str, same_text: bool = False) -> bool:
        rx, ry = self.root(x), self.root(y)
        if rx == ry:
            return True
        for attr in (self.pmids,) if same_text else (self.dois, self.pmids, self.kinds):
            if attr[rx] and attr[ry] and not (attr[rx] & attr[ry]):
                return False
        self.parent[ry] = rx
        for attr in (self.dois, self.pmids, self.kinds):
            attr[rx] |= attr.pop(ry)
        return True

    def groups(self, order: list[str]) -> list[list[str]]:
        by_root: dict[str, list[str]] = {}
        for x in order:
            by_root.setdefault(self.root(x), []).append(x)
        return [g for g in by_root.values() if len(g) > 1]


def duplicate_groups(
    records: Iterable[Mapping[str, Any] | DedupRecord | Record], *, progress: Any = None
) -> list[list[str]]:
    """Groups (size ≥ 2) of ids of records describing the same work, in input order.

    ``progress``, when given, is called with the number of records processed so far (every 1,000).
    Records without an id get their 1-based position as id; duplicate ids raise ``ValueError``.
    """
    index = DuplicateIndex()
    clusters = _Clusters()
    order: list[str] = []
    for n, rec in enumerate(records, start=1):
        prep = prepare(rec)
        if not prep.id:
            prep.id = str(n)
        if prep.id in index:
            raise ValueError(f"duplicate record id {prep.id!r}")
        clusters.add(prep)
        matches = index.find_all(prep)
        # identifiers first, then the strongest fuzzy evidence: decides which union wins a conflict
        for m in matches:
            other = index.get(m.id)
            clusters.union(
                m.id, prep.id, same_text=bool(prep.text) and other is not None and other.text == prep.text
            )
        index.add(prep.id, prep)
        order.append(prep.id)
        if progress is not None and n % 1000 == 0:
            progress(n)
    return clusters.groups(order)
