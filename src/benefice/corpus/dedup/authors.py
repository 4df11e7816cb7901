"""Authors: names parsed from any common layout, and how far two author lists agree."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, NamedTuple

from rapidfuzz import fuzz

from benefice.corpus.dedup.normalise import _clean, fold_ascii
from benefice.corpus.dedup.rules import RULES

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
    s = fold_ascii(text).lower()
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
        initials = "".join(w[0] for w in re.findall(r"[^\W\d_]+", fold_ascii(given))).lower()
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
