"""Find the health data sources a publication names, and whether it uses them or only mentions them.

Pure and fast (no Django, no model): every alias of the registry is folded (lower case, no accents, every
non-alphanumeric character a space) into one Aho–Corasick automaton, which also holds the slot words of the
description grammar (:mod:`benefice.sources.grammar`), so one pass over a text finds both; each text field
is folded the same way after markup is stripped, with an offset map so every mention's span points into the
*original* text (``text[start:end] == mention["text"]``). Word boundaries come for free because keys and
text are padded with spaces.

Rules, in the order they apply (each is general, none is about a particular publication):

* **Ambiguous forms** (CONSTANCES/"constances", ELFE, 3C, CANTO, REIN/"rein"…) are accepted only as
  written in the registry (case-sensitive) and when a context word of that source is near, or when the
  same record names the source unambiguously elsewhere. Lower-case ordinary words never count.
* **Descriptions** ("French hospital discharge database") count only with one of their ``requires`` cue
  words near or in the title, and are dropped when they merely introduce another source written right
  after them in parentheses ("the French national database (PMSI)").
* **Nesting**: the longest alias wins; an alias nested inside a longer one is kept only when it is the
  acronym of an ancestor (``PMSI-MCO`` names the PMSI and its MCO component).
* **Components and parents are independent**: a named component never adds its parent, nor a parent
  its components.
* **Role**: a mention is *used* unless the sentence around it carries a cue of background, comparison,
  future work or literature (nearer than any cue of use), or the publication is a literature review
  and the sentence has no first-person cue of analysis. A source is used when any of its mentions is.
* **Actors** (EPI-PHARE) are reported like sources, as the gold standard does; no source is inferred
  from them.

Layout: :mod:`.folding` (text preparation: fields, markup, folding and offset maps), :mod:`.cues` (the phrase
rules), :mod:`.mentions` (a mention, the registry entries behind it, its surroundings), :mod:`.roles` (context
and role rules: sentences, nearest cues, genres) and :mod:`.detector` (the :class:`Detector` and the entry
points). Every name below is importable from ``benefice.sources.detect`` as before; names with a leading
underscore are shared between the modules of this package only.
"""

from __future__ import annotations

from benefice.sources.detect.cues import (
    DIRECTED_COMPARISON,
    FIRST_PERSON_CUES,
    MENTIONED_BEFORE_CUES,
    MENTIONED_CUES,
    TITLE_USED_CUES,
    USED_CUES,
)
from benefice.sources.detect.detector import Detector, default_detector, detect, detect_jsonl, detect_records
from benefice.sources.detect.folding import (
    FIELDS,
    LIST_FIELDS,
    URL_RE,
    FoldedText,
    OffsetMap,
    field_text,
    fold_text,
)
from benefice.sources.detect.mentions import Mention

__all__ = [
    "DIRECTED_COMPARISON",
    "Detector",
    "FIELDS",
    "FIRST_PERSON_CUES",
    "FoldedText",
    "LIST_FIELDS",
    "MENTIONED_BEFORE_CUES",
    "MENTIONED_CUES",
    "Mention",
    "OffsetMap",
    "TITLE_USED_CUES",
    "URL_RE",
    "USED_CUES",
    "default_detector",
    "detect",
    "detect_jsonl",
    "detect_records",
    "field_text",
    "fold_text",
]
