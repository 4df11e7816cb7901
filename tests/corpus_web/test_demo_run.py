"""The demo run (``benefice demo``, ``benefice.demo.load_demo``) end to end, but for the barometer build (its
own test, tests/barometer_web/test_demo_year.py and test_views.py): what a newcomer opens first must not be
empty — the corpus scanned (sources and kinds of use), a review in progress, the interview project."""

from __future__ import annotations

import pytest

from benefice import demo
from benefice.corpus.models import Publication
from benefice.interviews.models import Coding, InterviewProject
from benefice.review.models import Review, ScreeningDecision
from benefice.sources.models import PublicationDetection
from benefice.uses.models import PublicationUses


@pytest.fixture
def loaded(db, monkeypatch) -> list[str]:
    assert demo.APP_DEMOS[-1] == "benefice.barometer.demo"  # last: an edition of everything above
    monkeypatch.setattr(demo, "APP_DEMOS", demo.APP_DEMOS[:-1])
    said: list[str] = []
    demo.load_demo(said.append)
    return said


def test_the_demo_shows_the_product_at_work_and_runs_again_unchanged(loaded) -> None:
    # 173 RIS records; the 12 PubMed records are the same works, merged
    assert Publication.objects.count() == 173
    nbib = "demo corpus_pubmed.nbib: records read: 12; new publications: 0; duplicates merged: 12"
    assert any(line.startswith(nbib) for line in loaded)
    used = [d for d in PublicationDetection.objects.values_list("sources_used", flat=True) if d]
    assert len(used) >= 70  # the scan read our KW indexing: sources appear on records without abstracts
    assert sum(1 for c in PublicationUses.objects.values_list("categories", flat=True) if c) >= 40
    review = Review.objects.get()
    decided = ScreeningDecision.objects.filter(record__review=review).count()
    assert 0 < decided < review.records.count()  # in progress
    project = InterviewProject.objects.get(name="demo")
    assert project.transcripts.exists() and Coding.objects.filter(code__project=project).exists()
    assert project.memberships.filter(user__username="demo").exists()  # in the demo user's workspace
    assert any(line.startswith("interview project 'demo'") for line in loaded)
    # and running the demo again changes nothing (one run of the demo serves both checks: it is slow)
    counts = (Publication.objects.count(), ScreeningDecision.objects.count(), Coding.objects.count())
    again: list[str] = []
    demo.load_demo(again.append)
    assert (Publication.objects.count(), ScreeningDecision.objects.count(), Coding.objects.count()) == counts
    assert "review demo: already loaded" in again
