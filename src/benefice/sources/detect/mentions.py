"""Mentions: one occurrence of a source in one field, the registry entry behind it, and the tests on its
surroundings (a description's cue near it, an acronym the text defines as something else)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz

from benefice.sources.registry import fold

_CONFIDENCE = {
    "acronym": 0.95,
    "official_name": 0.97,
    "translation": 0.92,
    "former_name": 0.9,
    "description": 0.8,
}
_CONTEXT_WINDOW = 90  # characters either side of an ambiguous form where a context word must be
_REQUIRES_WINDOW = 200  # characters either side of a description where a `requires` cue must be


@dataclass(frozen=True)
class _Entry:
    source: str
    form: str
    requires: tuple[str, ...]  # folded cue prefixes (descriptions)
    surfaces: Mapping[str, bool] | None  # ambiguous key: allowed exact surfaces -> needs context
    length: int  # folded key length, for longest-match resolution


@dataclass
class Mention:
    """One occurrence of a source in one field."""

    source: str
    field: str
    start: int
    end: int
    text: str
    form: str
    role: str = "used"
    confidence: float = 0.0
    needs_context: bool = False
    cue: str = ""
    strong: bool = True  # an unambiguous form, able to confirm the source's ambiguous mentions elsewhere
    defined_as_other: bool = False  # "Ramipril Efficacy In Nephropathy (REIN)": another thing's acronym
    alternatives: tuple[str, ...] = ()  # a described source that another name of it in the text settles

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "field": self.field,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "form": self.form,
            "role": self.role,
            "confidence": round(self.confidence, 3),
        }


def _by_source(mentions: list[Mention]) -> dict[str, list[Mention]]:
    by_source: dict[str, list[Mention]] = {}
    for mention in mentions:
        by_source.setdefault(mention.source, []).append(mention)
    return by_source


def _near(norm: str, start: int, end: int, cues: tuple[str, ...], window: int, title_folded: str) -> bool:
    left = norm[max(0, start - window) : start]
    right = norm[end : end + window]
    for cue in cues:
        needle = " " + cue
        if needle in left or needle in " " + right or (title_folded and needle in title_folded):
            return True
    return False


_STOPWORDS = frozenset("of and the in on for to a an de des du la le les et en d l au aux".split())
_WORD = re.compile(r"[^\W_]+")


def _defined_as_other(
    text: str, mention: Mention, mentions: list[Mention], own_names: tuple[str, ...] = ()
) -> bool:
    """True for "Ramipril Efficacy In Nephropathy (REIN)": the acronym, in parentheses, follows words
    whose initials spell it, and neither a name of the same source nor a near spelling of one precedes it."""
    before = text[max(0, mention.start - 160) : mention.start].rstrip()
    if not before.endswith("("):
        return False
    head = before[:-1].rstrip()
    cut = mention.start - (len(before) - len(head))
    if any(m.source == mention.source and m is not mention and abs(m.end - cut) <= 2 for m in mentions):
        return False  # "Renal Epidemiology and Information Network (REIN)": its own name
    letters = [c.lower() for c in mention.text if c.isalnum()]
    words = _WORD.findall(head)[-(len(letters) + 4) :]
    if len(letters) < 2 or len(words) < len(letters):
        return False
    index = len(letters) - 1
    consumed = 0
    for word in reversed(words):
        if index < 0:
            break
        consumed += 1
        if word[0].lower() == letters[index]:
            index -= 1
        elif word.lower() not in _STOPWORDS:
            return False
    if index >= 0:
        return False
    expansion = fold(" ".join(words[-consumed:]))
    # An unlisted spelling of the source's own name ("Système National De Données De Santé") is not
    # "something else".
    return not any(fuzz.ratio(expansion, name) >= 80 for name in own_names)
