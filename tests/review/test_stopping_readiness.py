"""The stopping aid waits for enough decisions before estimating recall (issue 19), and the recall curve
and its chart (ASReview LAB's "relevant found against screened", with the random diagonal)."""

from __future__ import annotations

import re

import numpy as np

from benefice.review import charts
from benefice.review.stopping import (
    MIN_IRRELEVANT,
    MIN_RELEVANT,
    MIN_SINCE_RELEVANT,
    readiness,
    recall_curve,
)


def test_four_decisions_are_not_enough_and_the_aid_says_what_is_missing() -> None:
    state = readiness([1, 0, 1, 0], 1000)
    assert not state.ready
    assert state.screened == 4 and state.relevant == 2 and state.irrelevant == 2 and state.since_relevant == 1
    assert state.more_decisions == MIN_IRRELEVANT - 2
    assert state.more_relevant == MIN_RELEVANT - 2


def test_each_minimum_holds_back_the_estimate_on_its_own() -> None:
    enough = [1] * MIN_RELEVANT + [0] * max(MIN_IRRELEVANT, MIN_SINCE_RELEVANT)
    assert readiness(enough, 10_000).ready
    assert not readiness(enough[1:], 10_000).ready or MIN_RELEVANT == 0  # one relevant record too few
    too_few_irrelevant = [1] * MIN_RELEVANT + [0] * (MIN_IRRELEVANT - 1)
    assert not readiness(too_few_irrelevant, 10_000).ready
    assert readiness(too_few_irrelevant, 10_000).more_decisions == 1
    # plenty of irrelevant records, but a relevant one just found: the run since it is too short
    recent_find = [0] * MIN_IRRELEVANT + [1] * MIN_RELEVANT + [0] * (MIN_SINCE_RELEVANT - 1)
    state = readiness(recent_find, 10_000)
    assert not state.ready and state.more_decisions == 1 and state.more_relevant == 0


def test_once_ready_a_later_relevant_record_does_not_hide_the_estimate() -> None:
    history = [1] * MIN_RELEVANT + [0] * MIN_IRRELEVANT + [1]
    assert readiness(history, 10_000).ready


def test_a_fully_screened_review_is_ready_whatever_its_size() -> None:
    assert readiness([1, 0, 0], 3).ready
    state = readiness([1, 0], 5)
    assert not state.ready and state.more_decisions == 3  # no more than the records left


def test_recall_curve_counts_relevant_found_against_screened() -> None:
    curve = recall_curve([1, 0, 1, 0, 0], 10)
    assert curve.points == ((0, 0), (1, 1), (2, 1), (3, 2), (4, 2), (5, 2))
    assert curve.found == 2 and curve.screened == 5 and curve.random_found == 1.0
    assert curve.random_at(10) == 2.0


def test_a_long_history_keeps_a_bounded_curve_ending_at_the_current_state() -> None:
    labels = (np.random.default_rng(1).random(50_000) < 0.02).astype(int)
    curve = recall_curve(labels, 80_000, max_points=200)
    assert len(curve.points) <= 200
    assert curve.points[0] == (0, 0) and curve.points[-1] == (50_000, int(labels.sum()))
    assert all(a[0] < b[0] and a[1] <= b[1] for a, b in zip(curve.points, curve.points[1:], strict=False))


def test_integer_ticks_never_give_fractional_counts() -> None:
    for maximum in (0, 1, 2, 3, 7, 10, 33, 999, 12_345):
        ticks = charts.integer_ticks(maximum)
        assert ticks[0] == 0 and ticks[-1] >= max(maximum, 1)
        assert all(isinstance(t, int) for t in ticks) and len(ticks) <= 7
    assert charts.integer_ticks(2) == [0, 1, 2]


def test_the_chart_is_an_image_with_a_text_alternative_and_escapes_its_words() -> None:
    curve = recall_curve([1, 0, 1, 0, 0], 10)
    words = {"title": "Found <b>", "desc": "2 found & more", "x": "screened", "y": "found", "model": "m", "random": "r"}
    svg = charts.recall_svg(curve, words)
    assert 'role="img"' in svg and 'aria-labelledby="recall-chart-title recall-chart-desc"' in svg
    assert "<title id=\"recall-chart-title\">Found &lt;b&gt;</title>" in svg and "2 found &amp; more" in svg
    points = re.search(r'class="found" points="([^"]+)"', svg).group(1).split()
    assert len(points) == 6  # one per point of the curve
    assert 'class="random"' in svg
