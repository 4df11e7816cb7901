"""Code colours: each new code takes the next colour of a fixed palette nobody in the project uses yet.

Why a fixed palette: code colours are the background of highlighted passages in the coding screen, whose
text keeps the page's ink colour, so every colour must keep that text readable (WCAG contrast of at least
4.5:1, checked by :func:`contrast` in the tests) and the colours must be told apart from each other; a
colour picked at random or the same default for every code (what the codebook form used to send) gives
neither. The colour stays editable on the code. No Django here.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

#: the ink of the page's text (``--ink`` in benefice.css), drawn on top of the code colours
TEXT_COLOUR = "#1b1f24"

#: light tones of distinct hues, in the order new codes take them
PALETTE: tuple[str, ...] = (
    "#ffd966",  # yellow
    "#9fc5e8",  # light blue
    "#b6d7a8",  # light green
    "#f4cccc",  # light pink
    "#d9d2e9",  # lavender
    "#fdb462",  # orange
    "#8dd3c7",  # teal
    "#fb8072",  # salmon
    "#c5e17a",  # yellow-green
    "#80b1d3",  # mid blue
    "#d9d9d9",  # grey
    "#ea9999",  # rose
)


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4


def luminance(colour: str) -> float:
    """WCAG relative luminance of ``#rrggbb`` (or ``#rgb``)."""
    hex_part = colour.lstrip("#")
    if len(hex_part) == 3:
        hex_part = "".join(c * 2 for c in hex_part)
    r, g, b = (int(hex_part[i : i + 2], 16) for i in (0, 2, 4))
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast(first: str, second: str) -> float:
    """WCAG contrast ratio of two colours (1 to 21)."""
    a, b = sorted((luminance(first), luminance(second)), reverse=True)
    return (a + 0.05) / (b + 0.05)


def next_colour(used: Iterable[str]) -> str:
    """The first palette colour no code uses; once all are taken, the least used one (palette order
    breaking ties), so that colours stay as spread out as they can."""
    counts = Counter(colour.lower() for colour in used)
    return min(PALETTE, key=lambda colour: (counts[colour], PALETTE.index(colour)))
