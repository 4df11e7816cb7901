"""Pages of long transcripts (issue 17): bounded, contiguous, cut at paragraph or line breaks."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from benefice.interviews.paging import PAGE_CHARACTERS, page_bounds, page_for


def test_pages_cover_the_text_and_cut_after_paragraphs() -> None:
    paragraph = "Une phrase de l'entretien, assez longue pour compter. " * 5 + "\n\n"
    text = paragraph * 2000  # about 550,000 characters
    bounds = page_bounds(text)
    assert bounds[0][0] == 0 and bounds[-1][1] == len(text)
    assert all(a == previous_end for (a, _), (_, previous_end) in zip(bounds[1:], bounds, strict=False))
    assert all(0 < b - a <= PAGE_CHARACTERS for a, b in bounds)
    assert all(text[:b].endswith("\n\n") for _, b in bounds)  # never inside a paragraph
    assert len(bounds) <= len(text) // (PAGE_CHARACTERS // 2) + 1


def test_line_then_space_then_hard_cut() -> None:
    assert page_bounds("aaaa\nbbbb cccc", 8) == [(0, 5), (5, 10), (10, 14)]
    assert page_bounds("x" * 10, 4) == [(0, 4), (4, 8), (8, 10)]
    assert page_bounds("", 10) == [(0, 0)]


def test_page_for_a_number_or_an_offset() -> None:
    text = "abc\n" * 10  # 40 characters, pages of 8
    assert page_for(text, "2", budget=8).start == 8
    assert page_for(text, "99", budget=8).number == 5  # out of range: the last page
    assert page_for(text, "x", budget=8).number == 1  # not a number: the first
    page = page_for(text, None, at="17", budget=8)
    assert (page.number, page.start, page.end) == (3, 16, 24)
    assert page_for(text, None, at="40", budget=8).number == 5


@settings(max_examples=200, deadline=None)
@given(st.text(st.sampled_from("ab \n"), max_size=400), st.integers(2, 60))
def test_any_text_is_paged_exactly(text: str, budget: int) -> None:
    bounds = page_bounds(text, budget)
    assert "".join(text[a:b] for a, b in bounds) == text
    assert all(b - a <= budget for a, b in bounds)
    assert all(b > a for a, b in bounds) or text == ""
