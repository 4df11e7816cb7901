"""The real retraining path: a decision is committed, then on_commit wakes the background thread, which
writes a ranking without the request waiting for it; a crash in that thread loses no decision."""

from __future__ import annotations

import time

import pytest

from benefice.review import services, worker
from benefice.review.models import Decision, Review


@pytest.fixture
def committed(transactional_db, monkeypatch):
    monkeypatch.setattr(worker, "SYNCHRONOUS", False)
    monkeypatch.setattr(worker, "IDLE_SECONDS", 0.2)
    monkeypatch.setattr(services, "_schedule", _real_schedule)
    from benefice.core.roles import EDITOR
    from benefice.core.users import ensure_user

    from .conftest import PASSWORD, make_publications

    lead = ensure_user("lead", PASSWORD, EDITOR)
    make_publications()
    review = services.create_review("Thread", lead)
    services.add_from_corpus(review, lead, database="Corpus", year_from=2020)
    _wait(lambda: Review.objects.get(pk=review.pk).current_ranking_id is not None)
    yield review, lead
    # let the thread finish and close its connection before the database is flushed or dropped
    _wait(lambda: worker._thread is None or not worker._thread.is_alive())


_real_schedule = services._schedule


def _wait(condition, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError("timed out waiting for the background worker")


def test_decisions_are_committed_then_retrained_in_the_background(committed) -> None:
    review, lead = committed
    relevant = review.records.filter(title__startswith="Nationwide").first()
    irrelevant = review.records.filter(title__startswith="Laboratory").first()
    services.decide(relevant, lead, "ta", "include")
    services.decide(irrelevant, lead, "ta", "exclude")
    _wait(lambda: (r := Review.objects.get(pk=review.pk).current_ranking) is not None and r.trained_on == 2)
    review.refresh_from_db()
    assert services.next_record(review, lead).title.startswith("Nationwide")
    # older rankings are dropped just after the new one is installed (the thread may still be at it)
    _wait(lambda: review.rankings.count() == 1)


def test_a_crash_in_the_thread_keeps_decisions_and_the_previous_ranking(committed, monkeypatch) -> None:
    review, lead = committed
    before = Review.objects.get(pk=review.pk).current_ranking_id

    def broken(self):
        raise RuntimeError("worker crashed")

    monkeypatch.setattr(worker.Screener, "retrain", broken)
    record = services.next_record(review, lead)
    services.decide(record, lead, "ta", "exclude")  # returns at once; the thread fails later
    _wait(lambda: "worker crashed" in Review.objects.get(pk=review.pk).ranking_error)
    assert Decision.objects.filter(record=record, value="exclude").exists()
    assert Review.objects.get(pk=review.pk).current_ranking_id == before
