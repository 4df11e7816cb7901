"""Pages of a long transcript for the review and coding screens (issue 17: a 49 MB review page took 50 s).

A transcript may hold up to 8 MB of text; sent whole, the coding screen is one page the browser cannot
handle. A page is about ``PAGE_CHARACTERS`` characters, cut after a paragraph break when there is one in
the second half of the window, else after a line break, else after a space, so that no page ends in the
middle of a word. Positions stay absolute: a page is a ``(start, end)`` range of the whole text, the
screen adds ``start`` to what the coder selects, and codings that cross a cut are shown on both pages.
Pure functions of the text, so the bounds are the same on every request without storing them.
"""

from __future__ import annotations

from dataclasses import dataclass

PAGE_CHARACTERS = 50_000
_SEPARATORS = ("\n\n", "\n", " ")


def page_bounds(text: str, budget: int = PAGE_CHARACTERS) -> list[tuple[int, int]]:
    """Consecutive ``(start, end)`` ranges covering ``text``, each at most ``budget`` characters long."""
    if budget < 2:
        raise ValueError("a page holds at least two characters")
    bounds: list[tuple[int, int]] = []
    start, length = 0, len(text)
    while start < length or not bounds:
        end = min(start + budget, length)
        if end < length:
            floor = start + budget // 2  # a cut in the first half would make pages too short
            for separator in _SEPARATORS:
                found = text.rfind(separator, floor, end)
                if found != -1:
                    end = found + len(separator)
                    break
        bounds.append((start, end))
        start = end
    return bounds


@dataclass(frozen=True)
class Page:
    """One page of a transcript: its number (from 1), how many there are, and its absolute range."""

    number: int
    count: int
    start: int
    end: int

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.count

    @property
    def previous_number(self) -> int:
        return self.number - 1

    @property
    def next_number(self) -> int:
        return self.number + 1


def page_for(text: str, number=None, at=None, budget: int = PAGE_CHARACTERS) -> Page:
    """The page numbered ``number`` (a query value; out of range or not a number: the nearest page), or
    the page holding character ``at`` when given (to come back to a passage just coded)."""
    bounds = page_bounds(text, budget)
    index = 0
    if at is not None and str(at).strip().isdecimal():
        offset = int(str(at).strip())
        index = next((i for i, (_, end) in enumerate(bounds) if offset < end), len(bounds) - 1)
    elif number is not None and str(number).strip().isdecimal():
        index = min(max(int(str(number).strip()), 1), len(bounds)) - 1
    start, end = bounds[index]
    return Page(index + 1, len(bounds), start, end)
