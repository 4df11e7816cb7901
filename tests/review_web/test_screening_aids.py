"""The screening page's counts, recall chart and stopping aid (issue 19): every count comes from one read
of the decisions, so after N decisions each one shown says N; the aid waits before estimating and says
for how many more decisions; the chart is server-drawn SVG with a text alternative, refreshed by htmx."""

from __future__ import annotations

import re

from django.urls import reverse

from benefice.review.models import Review, ScreeningRanking
from benefice.review.stopping import MIN_IRRELEVANT

from .conftest import client_for


def _counts(html: str, name: str) -> list[str]:
    return re.findall(rf'data-count="{name}">([^<]*)<', html)


def _decide(client, review, n: int) -> None:
    url = reverse("review:screen", args=[review.pk, "ta"])
    for i in range(n):
        record = client.get(url).context["record"]
        client.post(url, {"record": record.pk, "value": "include" if i == 0 else "exclude"})


def test_after_four_decisions_every_count_says_four_and_no_recall_is_estimated(review, people) -> None:
    alice = client_for(people["alice"], "fr")
    _decide(alice, review, 4)
    # the ranking's stored statistics lag behind (written when the worker last retrained): never shown
    ScreeningRanking.objects.filter(review=review).update(stats={"screened": 3, "total": 32, "run": 0})
    for url in (
        reverse("review:screen", args=[review.pk, "ta"]),
        reverse("review:screen_aids", args=[review.pk, "ta"]),
        reverse("review:detail", args=[review.pk]),
    ):
        html = alice.get(url).content.decode()
        assert _counts(html, "screened") == ["4", "4"], url  # the progress list and the stopping aid
        assert _counts(html, "pending") == ["28"] and _counts(html, "total") == ["32"]
        assert _counts(html, "found") == ["1"] and _counts(html, "run") == ["3"]
        assert "3 références examinées" not in html
        assert "Rappel estimé" not in html, url
        flat = " ".join(re.sub(r"<[^>]+>", "", html).split())
        assert "Encore au moins" in flat and "décisions avant une estimation du rappel" in flat
        assert _counts(html, "more") == ["28"]  # fewer records are left than the minimum asks: all of them
        assert "1 jugée pertinente ou incertaine" in flat  # singular
        assert "3 références non pertinentes d’affilée" in flat


def test_the_recall_chart_is_drawn_on_the_server_with_a_text_alternative(review, people) -> None:
    alice = client_for(people["alice"], "fr")
    _decide(alice, review, 4)
    html = alice.get(reverse("review:screen", args=[review.pk, "ta"])).content.decode()
    svg = re.search(r"<svg[^>]*class=\"recall-chart\".*?</svg>", html, re.S).group(0)
    assert 'role="img"' in svg and "<title" in svg and "<desc" in svg
    points = re.search(r'class="found" points="([^"]+)"', svg).group(1).split()
    assert len(points) == 5  # (0, 0) then one point per decision
    assert 'class="random"' in svg
    text = re.search(r'<p id="recall-text">([^<]*)</p>', html).group(1)
    assert text.startswith("1 référence pertinente trouvée parmi les 4 premières examinées")
    assert 'hx-get="/review/' in html and 'hx-trigger="every 20s"' in html  # the panel refreshes itself
    # the partial is the same panel, after one more decision by someone else
    _decide(client_for(people["bob"], "fr"), review, 1)
    partial = alice.get(reverse("review:screen_aids", args=[review.pk, "ta"])).content.decode()
    assert partial.lstrip().startswith("<section") and _counts(partial, "screened") == ["5", "5"]


def test_a_fully_screened_review_shows_its_recall(review, people) -> None:
    alice = client_for(people["alice"])
    total = review.records.count()
    assert total < MIN_IRRELEVANT  # the minimums cannot be met: only the end of screening allows an estimate
    _decide(alice, review, total)
    html = alice.get(reverse("review:detail", args=[review.pk])).content.decode()
    assert "Estimated recall 1" in html and _counts(html, "screened") == [str(total)] * 2
    assert Review.objects.get(pk=review.pk).records.filter(ta_status="pending").count() == 0


def test_a_large_review_shows_the_workers_estimate_and_says_when_it_is_older(review, people, monkeypatch) -> None:
    """Above INLINE_ESTIMATE_TOTAL records the page does not compute the estimate (a second on 100,000
    records): it shows the one the worker made for this history, else the one kept with the ranking, saying
    for how many records screened it was made; the counts stay live."""
    from django.core.cache import cache

    from benefice.review.services import reporting

    alice = client_for(people["alice"])
    total = review.records.count()
    _decide(alice, review, total - 1)  # not every record yet: the minimums are not met on 32 records
    monkeypatch.setattr(reporting, "INLINE_ESTIMATE_TOTAL", 0)
    _decide(alice, review, 1)  # now all are screened: ready, and the worker has computed the estimate
    detail = reverse("review:detail", args=[review.pk])
    html = alice.get(detail).content.decode()
    assert "Estimated recall 1" in html and 'id="aid-stale"' not in html  # the worker's, for this history
    cache.clear()  # the worker's estimate is gone: the one stored with the ranking is shown, if as old
    ScreeningRanking.objects.filter(review=review).update(
        stats={"screened": 20, "recall": 0.5, "recall_low": 0.4, "recall_high": 0.6, "missing_estimate": 3,
               "missing_max": 5, "confidence": 0.95}
    )
    html = alice.get(detail).content.decode()
    assert "Estimated recall 0.5" in html and 'id="aid-stale"' in html and "after 20 records screened" in html
    assert _counts(html, "screened") == [str(total)] * 2  # the counts are the live ones
    ScreeningRanking.objects.filter(review=review).update(stats={})
    assert 'id="aid-computing"' in alice.get(detail).content.decode()
