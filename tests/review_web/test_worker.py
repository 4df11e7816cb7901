"""The real retraining path: a decision is committed, then on_commit puts a retraining in the database
queue, and a worker writes a ranking without the request waiting for it; a crash there loses no decision."""

from __future__ import annotations

import pytest
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from benefice.review import services, worker
from benefice.review.models import Review, ScreeningDecision
from benefice.review.services import decisions, records


@pytest.fixture
def committed(transactional_db, monkeypatch, database_queue):
    for module in (records, decisions):  # where the services that schedule a retraining look it up
        monkeypatch.setattr(module, "_schedule", _real_schedule)
    from benefice.core.roles import EDITOR
    from benefice.core.users import ensure_user

    from .conftest import PASSWORD, make_publications

    lead = ensure_user("lead", PASSWORD, EDITOR)
    make_publications()
    review = services.create_review("Queue", lead)
    services.add_from_corpus(review, lead, database="Corpus", year_from=2020)
    assert Review.objects.get(pk=review.pk).current_ranking_id is None  # queued, not run by the request
    database_queue.run()
    assert Review.objects.get(pk=review.pk).current_ranking_id is not None
    return review, lead, database_queue


_real_schedule = decisions._schedule


def test_decisions_are_committed_then_retrained_by_the_worker(committed) -> None:
    review, lead, queue = committed
    relevant = review.records.filter(title__startswith="Nationwide").first()
    irrelevant = review.records.filter(title__startswith="Laboratory").first()
    services.decide(relevant, lead, "ta", "include")
    services.decide(irrelevant, lead, "ta", "exclude")
    waiting = DBTaskResult.objects.filter(status=TaskResultStatus.READY, task_path=worker.retrain_review.module_path)
    assert waiting.count() == 1  # two decisions, one retraining waiting: they are coalesced
    queue.run()
    review.refresh_from_db()
    assert review.current_ranking.trained_on == 2
    assert services.next_record(review, lead).title.startswith("Nationwide")
    assert review.rankings.count() == 1  # older rankings are dropped once the new one is installed


def test_a_crash_in_the_worker_keeps_decisions_and_the_previous_ranking(committed, monkeypatch) -> None:
    review, lead, queue = committed
    before = Review.objects.get(pk=review.pk).current_ranking_id

    def broken(self):
        raise RuntimeError("worker crashed")

    monkeypatch.setattr(worker.Screener, "retrain", broken)
    record = services.next_record(review, lead)
    services.decide(record, lead, "ta", "exclude")  # returns at once; the worker fails later
    queue.run()
    assert "worker crashed" in Review.objects.get(pk=review.pk).ranking_error
    assert DBTaskResult.objects.filter(status=TaskResultStatus.FAILED).count() == 1
    assert ScreeningDecision.objects.filter(record=record, value="exclude").exists()
    assert Review.objects.get(pk=review.pk).current_ranking_id == before
