"""Context and role rules: the sentence around a mention, the cues nearest it, and from them whether the
publication uses the source or only mentions it; the genres (reviews, guidance, inventories) that discuss
sources without analysing them."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from benefice.sources.detect.cues import (
    _GUIDANCE,
    _INVENTORY_EVAL,
    _INVENTORY_SOURCES,
    _PART_OF,
    _REVIEW,
    _TITLE_CUE_GAP,
    DIRECTED_COMPARISON,
    FIRST_PERSON_CUES,
    MENTIONED_BEFORE_CUES,
    MENTIONED_CUES,
    TITLE_USED_CUES,
    USED_CUES,
)
from benefice.sources.detect.folding import FoldedText, _raw_folded, field_text
from benefice.sources.detect.mentions import Mention
from benefice.sources.registry import fold_chars

_CLAUSE_BREAK = re.compile(r"[,;:()\[\]]")
SEPARATORS = (". ", "? ", "! ", "; ", ": ", ".\n", "\n\n", " – ", " — ", ".\t")
_SENTENCE_END = re.compile("|".join(re.escape(sep) for sep in SEPARATORS))
_SENTENCE_START_REVERSED = re.compile("|".join(re.escape(sep[::-1]) for sep in SEPARATORS))


def _nearest(
    cues: list[tuple[int, int, str]], offset: int, length: int, before_only: bool = False
) -> tuple[int, str] | None:
    """Distance (in characters) from the mention to the nearest cue in its sentence, and the cue."""
    best: tuple[int, str] | None = None
    for start, end, cue in cues:
        if end <= offset:
            distance = offset - end
        elif start >= offset + length and not before_only:
            distance = start - (offset + length)
        else:
            continue  # the cue is inside the mention itself ("Permanent Sample ...")
        if best is None or distance < best[0]:
            best = (distance, cue)
    return best


def sentence_span(text: str, start: int, end: int, reversed_text: str | None = None) -> tuple[int, int]:
    """The sentence around [start, end): bounded by sentence punctuation followed by a space, a blank
    line or a dash between spaces. Two regex searches that stop at the nearest separator on each side:
    forwards in ``text``, and backwards as a forward search in ``reversed_text`` (``text[::-1]``, which a
    caller with several mentions in one text reverses once)."""
    if reversed_text is None:
        reversed_text = text[::-1]
    before = _SENTENCE_START_REVERSED.search(reversed_text, len(text) - start)
    after = _SENTENCE_END.search(text, end)
    # a separator ending at i in the text starts at len(text) - i in the reversed text
    return (len(text) - before.start() if before else 0), (after.start() + 1 if after else len(text))


def assign_roles(
    mentions: list[Mention], folded: FoldedText, ancestors: Mapping[str, frozenset[str]]
) -> None:
    """Set each mention's role (used or mentioned), cue and confidence from the cues of its sentence; a
    parent named as what a named component is part of is mentioned. ``ancestors`` maps a source to its
    ancestors in the registry."""
    text = folded.original
    sentence_of: dict[int, int] = {}
    cache: dict[tuple[int, int], tuple] = {}
    reversed_text = text[::-1]
    for mention in mentions:
        s_start, s_end = sentence_span(text, mention.start, mention.end, reversed_text)
        sentence_of[id(mention)] = s_start
        if (s_start, s_end) not in cache:
            sentence = " " + folded.fold_slice(s_start, s_end) + " "
            cache[(s_start, s_end)] = (
                USED_CUES.matches(sentence),
                MENTIONED_CUES.matches(sentence),
                MENTIONED_BEFORE_CUES.matches(sentence) + DIRECTED_COMPARISON.matches(sentence),
            )
        used_cues, mentioned_cues, before_cues = cache[(s_start, s_end)]
        offset = mention.start - s_start + 1
        length = mention.end - mention.start
        used = _nearest(used_cues, offset, length)
        used_before = _nearest(used_cues, offset, length, before_only=True)
        mentioned = _nearest(mentioned_cues, offset, length)
        before = _nearest(before_cues, offset, length, before_only=True)
        # A comparison cue in the same clause, right before the mention, wins over any use cue:
        # "Unlike the SNDS, we used the PMSI" mentions the SNDS.
        same_clause = (
            before is not None
            and not _CLAUSE_BREAK.search(text, mention.start - before[0], mention.start)
            and (used_before is None or used_before[0] > before[0])  # "compared with … using data from X"
        )
        if before is not None and (mentioned is None or before[0] < mentioned[0]):
            mentioned = before
        if mention.field == "title" and (used is None or used[0] > _TITLE_CUE_GAP):
            # A title names its study population with a preposition: "… in the CONSTANCES cohort",
            # "… among participants of the E3N study", "… dans la cohorte Elfe". Right before the
            # source, that is a cue of use nearer than any topic word ("Future trajectories of …").
            head = " " + folded.fold_slice(max(0, mention.start - _TITLE_CUE_GAP - 16), mention.start) + " "
            near_cue = TITLE_USED_CUES.matches(head)
            if near_cue:
                _start, cue_end, cue = near_cue[-1]
                gap = len(head) - 1 - cue_end
                if gap <= _TITLE_CUE_GAP:
                    used = (gap, cue)
        mention.role = "used"
        if mentioned is not None and (same_clause or used is None or mentioned[0] < used[0]):
            mention.role, mention.cue = "mentioned", mentioned[1]
            mention.confidence *= 0.85
        elif used is not None:
            mention.cue = used[1]
        else:
            mention.confidence *= 0.9
    # "the Permanent Sample of Beneficiaries, a sample of the SNIIRAM": the parent only describes
    # the component the study used, so it is mentioned, not used.
    for parent in mentions:
        for child in mentions:
            if (
                child.start < parent.start
                and sentence_of[id(child)] == sentence_of[id(parent)]
                and parent.source in ancestors.get(child.source, ())
                and _PART_OF.search(" " + folded.fold_slice(child.end, parent.start) + " ")
            ):
                parent.role, parent.cue = "mentioned", "describes a component"
                break


def _genre(
    record: Mapping[str, Any],
    mentions: list[Mention],
    folded_fields: Mapping[str, FoldedText] | None = None,
) -> str:
    """ "review", "guidance" or "inventory" when the publication discusses sources rather than
    analysing them; "" otherwise."""
    folded_fields = folded_fields or {}
    title = _raw_folded(record, "title", folded_fields)
    head = " " + title[:4000] + " " + _raw_folded(record, "abstract", folded_fields, 4000) + " "
    if _REVIEW.search(head):
        return "review"
    title = " " + title + " "
    if _GUIDANCE.search(title):
        return "guidance"
    if (
        len({m.source for m in mentions}) >= 2
        and _INVENTORY_SOURCES.search(head)
        and _INVENTORY_EVAL.search(head)
    ):
        return "inventory"
    return ""


def _first_person(record: Mapping[str, Any], mention: Mention) -> bool:
    text = field_text(record, mention.field)
    window = text[max(0, mention.start - 200) : mention.end + 50]
    return bool(FIRST_PERSON_CUES.search(" " + fold_chars(window) + " "))
