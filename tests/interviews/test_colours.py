"""Code colours: a fixed palette whose every colour keeps the page's text readable, taken in turn."""

from __future__ import annotations

import re
from pathlib import Path

from benefice.interviews.colours import PALETTE, TEXT_COLOUR, contrast, next_colour

CSS = (
    Path(__file__).resolve().parents[2] / "src" / "benefice" / "static" / "benefice" / "css" / "benefice.css"
)


def test_contrast_matches_wcag_reference_values():
    assert round(contrast("#000000", "#ffffff"), 1) == 21.0
    assert round(contrast("#777777", "#ffffff"), 2) == 4.48
    assert contrast("#fff", "#ffffff") == 1.0


def test_every_palette_colour_keeps_the_text_readable_and_is_distinct():
    ink = re.search(r"--ink:\s*(#[0-9a-fA-F]{6})", CSS.read_text(encoding="utf-8")).group(1)
    assert ink.lower() == TEXT_COLOUR  # the colour the highlighted text is drawn in
    assert len(PALETTE) >= 10 and len(set(PALETTE)) == len(PALETTE)
    for colour in PALETTE:
        assert contrast(colour, TEXT_COLOUR) >= 4.5, colour


def test_next_colour_is_the_first_unused_then_the_least_used():
    assert next_colour([]) == PALETTE[0]
    assert next_colour([PALETTE[0], PALETTE[2].upper()]) == PALETTE[1]
    assert next_colour(["#123456"]) == PALETTE[0]  # a colour chosen by hand takes no palette slot
    every = list(PALETTE) + [PALETTE[0], PALETTE[1]]
    assert next_colour(every) == PALETTE[2]
