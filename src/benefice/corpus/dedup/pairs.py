"""The pairwise decision: whether two prepared records are the same work, and why."""

from __future__ import annotations

import re
from dataclasses import replace

from rapidfuzz import fuzz

from benefice.corpus.dedup import reasons
from benefice.corpus.dedup.authors import author_evidence
from benefice.corpus.dedup.blocking import MAX_YEAR_GAP, years_compatible
from benefice.corpus.dedup.fields import journal_agreement
from benefice.corpus.dedup.normalise import _STOPWORDS
from benefice.corpus.dedup.prepared import Prepared
from benefice.corpus.dedup.records import Match
from benefice.corpus.dedup.rules import RULES
from benefice.i18n import Message


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
            return Match.of(b.id, 1.0, "identifier", reasons.same_identifier("DOI", a.doi))
    if a.pmid and b.pmid:
        if a.pmid == b.pmid:
            return Match.of(b.id, 1.0, "identifier", reasons.same_identifier("PMID", a.pmid))
        return None
    if a.pmcid and b.pmcid:
        if a.pmcid == b.pmcid:
            return Match.of(b.id, 1.0, "identifier", reasons.same_identifier("PMCID", a.pmcid))
        return None
    if a.doi and b.doi:
        return _same_text(a, b)  # two different DOIs are two different objects, unless one text is twice
    if a.openalex and b.openalex and a.openalex == b.openalex:
        return Match.of(b.id, 1.0, "identifier", reasons.same_identifier("OpenAlex id", a.openalex))
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
    same = Message(reasons.SAME_ABSTRACT, {"score": reasons.score_text(ts)})
    return Match.of(b.id, round(0.5 + 0.5 * ts, 4), "fuzzy", (same,))


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
            return Match.of(b.id, 0.9, "fuzzy", (Message(reasons.COORDINATES),))
        return None
    # series and numbered parts: "Part 1" vs "Part 2", "(I)" vs "(II)", trial names with numbers
    if ts < 1.0 and _DIGITS_RE.findall(a.tcomp) != _DIGITS_RE.findall(b.tcomp):
        return None
    pages_eq = (bool(a.page_first) and a.page_first == b.page_first) or same_last
    range_eq = pages_eq and same_last
    if issue_conflict and not pages_eq:
        return None  # same title in another issue: a recurring column ("Editor's comments"), not a copy
    support = 0.0
    why: list[Message] = []
    if first_au and au_share >= 0.8:
        support += 2.0
        why.append(reasons.evidence("same authors"))
    elif first_au:
        support += 1.0
        why.append(reasons.evidence("same first author"))
    elif both_authors:
        support += 0.5 if au_share >= 0.8 else 0.0
        why.append(reasons.authors_shared(au_share))
    if year_gap == 0:
        support += 1.0
        why.append(reasons.evidence("year"))
    elif year_gap == 1:
        support -= 0.5
        why.append(reasons.evidence("year ±1"))
    if jo >= 0.85:
        support += 1.0
        why.append(reasons.evidence("venue"))
    elif jo >= 0.7:
        support += 0.5
        why.append(reasons.evidence("venue≈"))
    elif jo >= 0:
        issue_eq = bool(a.number) and a.number == b.number and int(a.number) <= 60
        many_authors = first_au and au_share >= 0.8 and min(len(a.authors), len(b.authors)) >= 3
        pinned_issue = bool(a.volume) and a.volume == b.volume and (issue_eq or (many_authors and ts >= 0.97))
        if not (pages_eq or pinned_issue):
            # another venue (or a translated venue name) with nothing pinning the issue or pages
            return None
        support -= 1.0
        why.append(reasons.evidence("other venue"))
    if a.volume and a.volume == b.volume:
        support += 1.0
        why.append(reasons.evidence("volume"))
    if pages_eq:
        support += 1.5 if range_eq else 1.0
        why.append(reasons.evidence("pages"))
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
    return Match.of(b.id, score, "fuzzy", (reasons.title(ts, note), *why))


_DIGITS_RE = re.compile(r"\d+")
