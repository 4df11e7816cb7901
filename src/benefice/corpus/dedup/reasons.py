"""Why two records were judged one work, kept as messages so each reader gets them in their language.

A reason used to be an English sentence ("same PMID 123", "title 0.95, same authors, year, venue"); the
corpus pages are read in French too (issue 19), so a reason is now a list of parts, each a template marked
for the catalogues and its parameters (:class:`benefice.i18n.Message`), joined with commas when shown.
The English sentence is still what :attr:`Match.reason` and ``MergeEvent.reason`` hold (logs, the admin,
the benchmark); the parts go to ``MergeEvent.reason_data`` and the pages say them in the reader's language.
:func:`parse` turns the English sentences stored before into parts, for the migration of existing rows.
Pure Python, no Django.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from benefice.i18n import Message, gettext_noop

SAME_ID = {
    "DOI": gettext_noop("same DOI %(id)s"),
    "PMID": gettext_noop("same PMID %(id)s"),
    "PMCID": gettext_noop("same PMCID %(id)s"),
    "OpenAlex id": gettext_noop("same OpenAlex id %(id)s"),
    "hal_id": gettext_noop("same HAL id %(id)s"),
}
SAME_ABSTRACT = gettext_noop("same abstract, title %(score)s and authors")
COORDINATES = gettext_noop("same authors, venue, year, volume and page range; title differs")
TITLE = gettext_noop("title %(score)s")
TITLE_NOTE = {
    "subtitle": gettext_noop("title %(score)s (subtitle)"),
    "prefix": gettext_noop("title %(score)s (prefix)"),
}
AUTHORS_SHARED = gettext_noop("authors %(share)s%% shared")
#: the words of a fuzzy match's evidence, each a part of its own
EVIDENCE = {
    "same authors": gettext_noop("same authors"),
    "same first author": gettext_noop("same first author"),
    "year": gettext_noop("year"),
    "year ±1": gettext_noop("year ±1"),
    "venue": gettext_noop("venue"),
    "venue≈": gettext_noop("venue≈"),
    "other venue": gettext_noop("other venue"),
    "volume": gettext_noop("volume"),
    "pages": gettext_noop("pages"),
}
CORPUS_DEDUPLICATION = gettext_noop("corpus deduplication")

Reason = tuple[Message, ...]


def same_identifier(kind: str, value: str) -> Reason:
    return (Message(SAME_ID[kind], {"id": value}),)


def score_text(score: float) -> str:
    return f"{score:.2f}"


def title(score: float, note: str = "") -> Message:
    return Message(TITLE_NOTE.get(note, TITLE), {"score": score_text(score)})


def authors_shared(share: float) -> Message:
    return Message(AUTHORS_SHARED, {"share": round(share * 100)})


def evidence(word: str) -> Message:
    return Message(EVIDENCE[word])


def text(parts: Iterable[Message], lang: str | None = "en") -> str:
    """The reason as one sentence in ``lang`` (English by default: the text stored beside the parts)."""
    return ", ".join(part.localized(lang) for part in parts)


def to_data(parts: Iterable[Message]) -> list[dict[str, Any]]:
    return [part.to_data() for part in parts]


def from_data(data: Sequence[Mapping[str, Any]]) -> Reason:
    return tuple(Message.from_data(item) for item in data if isinstance(item, Mapping))


def localized(data: Sequence[Mapping[str, Any]] | None, stored: str, lang: str | None) -> str:
    """What a page shows for a stored reason: its parts in ``lang``, or, for a reason kept only as text
    (one :func:`parse` could not read, or a manual merge's note), that text translated if the catalogue
    knows it and as written otherwise."""
    if data:
        return text(from_data(data), lang)
    return Message(stored).localized(lang) if stored else ""


_SAME_ID_RE = re.compile(r"^same (DOI|PMID|PMCID|OpenAlex id|hal_id) (\S.*)$")
_SAME_ABSTRACT_RE = re.compile(r"^same abstract, title (\d\.\d\d) and authors$")
_TITLE_RE = re.compile(r"^title (\d\.\d\d)(?: \((subtitle|prefix)\))?$")
_SHARED_RE = re.compile(r"^authors (\d+)% shared$")


def parse(stored: str) -> Reason | None:
    """The parts of an English reason written before reasons were messages; None if it is not one (it is
    then kept, and shown, as written)."""
    stored = stored.strip()
    if not stored:
        return None
    if found := _SAME_ID_RE.match(stored):
        return same_identifier(found.group(1), found.group(2))
    if found := _SAME_ABSTRACT_RE.match(stored):
        return (Message(SAME_ABSTRACT, {"score": found.group(1)}),)
    if stored == COORDINATES:
        return (Message(COORDINATES),)
    if stored == CORPUS_DEDUPLICATION:
        return (Message(CORPUS_DEDUPLICATION),)
    words = stored.split(", ")
    first = _TITLE_RE.match(words[0])
    if not first:
        return None
    parts = [Message(TITLE_NOTE.get(first.group(2) or "", TITLE), {"score": first.group(1)})]
    for word in words[1:]:
        if word in EVIDENCE:
            parts.append(evidence(word))
        elif found := _SHARED_RE.match(word):
            parts.append(Message(AUTHORS_SHARED, {"share": int(found.group(1))}))
        else:
            return None
    return tuple(parts)
