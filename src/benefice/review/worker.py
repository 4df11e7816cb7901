"""Retraining of a review's screening model, as a task of the queue: rankings written to the database.

``schedule(review_id)`` is called after a title/abstract decision has been committed; it never blocks: it
puts a :func:`retrain_review` task in the queue (:mod:`benefice.core.jobs` says how the queue works), unless
one for the same review already waits there. The worker retrains the review's model (the same
:class:`~benefice.review.active_learning.Screener` as ``benefice review simulate``) once ``retrain_every``
new decisions exist, and writes the order of the records still awaiting screening as a new :class:`ScreeningRanking`,
in chunks of short transactions, before making it current. Readers keep using the previous ranking
meanwhile; a failure is stored on the review (``ranking_error``) and the previous ranking stays; no decision
can be lost because decisions were committed before the task was even queued.

TF-IDF features are computed once per set of records and kept in the worker's memory (keyed by the review
and its record ids), since they are unsupervised and do not change with decisions. Each review's classifier
is kept with them, so the SVM starts from its previous solution (:mod:`benefice.review.dcd`); after a
restart it starts from zero and reaches the same optimum, within the solver's tolerance. A worker is one
long-lived process, so the cache lasts; it is never in a web process.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from dataclasses import dataclass

import numpy as np
from django_tasks import TaskResultStatus, task

from benefice.review.active_learning import Screener, make_model, record_text

log = logging.getLogger(__name__)
CHUNK = 5000
# Positions written per ranking: a reviewer cannot screen more records than this between two retrainings,
# and writing (then deleting) 100,000 rows on every retraining would cost seconds of database writes. Records
# beyond the limit are still reachable (``next_record`` falls back to every pending record).
RANK_LIMIT = 10_000

_features: dict[int, tuple[str, object]] = {}
# The classifier of each review, kept with its features so that the SVM warm-starts from its previous
# solution (``benefice.review.dcd``); ``_fit_lock`` keeps two threads of a process off the same state.
_classifiers: dict[int, tuple[str, object]] = {}
_fit_lock = threading.Lock()


def schedule(review_id: int) -> None:
    """Ask for a retraining of the review (coalesced with one already waiting in the queue); returns at once."""
    if not _already_queued(review_id):
        retrain_review.enqueue(review_id)


def _already_queued(review_id: int) -> bool:
    """A retraining of this review waits in the database queue (not yet taken by a worker): a second would
    find nothing new to learn. Only the database backend has rows to look at."""
    from django_tasks_db import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    if not isinstance(retrain_review.get_backend(), DatabaseBackend):
        return False
    return DBTaskResult.objects.filter(
        status=TaskResultStatus.READY, task_path=retrain_review.module_path, args_kwargs__args__0=review_id
    ).exists()


@task(queue_name="default")
def retrain_review(review_id: int) -> dict:
    """The queue's task: retrain when enough new decisions exist (see :func:`retrain`)."""
    try:
        outcome = retrain(review_id)
    except Exception:  # noqa: BLE001 - recorded on the review by retrain(); the task is marked failed too
        log.exception("retraining review %s failed", review_id)
        raise
    return {"ranking_id": outcome.ranking_id, "skipped": outcome.skipped, "seconds": round(outcome.seconds, 3)}


@dataclass
class Outcome:
    ranking_id: int | None
    seconds: float
    trained_on: int
    size: int
    skipped: bool = False


def _features_for(review_id: int, ids: list[int], model_name: str) -> tuple[str, object]:
    """(key, features) of the review's records in ``ids`` order, computed once per set of records."""
    from benefice.review.models import ReviewRecord

    key = hashlib.sha1(np.asarray(ids, dtype=np.int64).tobytes() + model_name.encode()).hexdigest()
    cached = _features.get(review_id)
    if cached and cached[0] == key:
        return cached
    _classifiers.pop(review_id, None)  # new features: the old solution belongs to other rows
    texts = dict(
        (pk, record_text(t, a))
        for pk, t, a in ReviewRecord.objects.filter(review_id=review_id).values_list(
            "pk", "title", "abstract"
        )
    )
    model = make_model(model_name)
    features = model.feature_extractor.fit_transform([texts.get(pk, "") for pk in ids])
    _features[review_id] = (key, features)
    return key, features


def training_labels(review_id: int) -> dict[int, int]:
    """0/1 per title/abstract record that has a label: resolution first, then any include, else exclude.

    "maybe" alone gives no label (the model learns only from clear decisions).
    """
    from benefice.review.models import EXCLUDE, INCLUDE, TITLE_ABSTRACT, Resolution, ScreeningDecision

    labels: dict[int, int] = {}
    for record_id, value in ScreeningDecision.objects.filter(
        record__review_id=review_id, stage=TITLE_ABSTRACT
    ).values_list("record_id", "value"):
        if value == INCLUDE:
            labels[record_id] = 1
        elif value == EXCLUDE:
            labels.setdefault(record_id, 0)
    for record_id, value in Resolution.objects.filter(
        record__review_id=review_id, stage=TITLE_ABSTRACT
    ).values_list("record_id", "value"):
        labels[record_id] = int(value == INCLUDE)
    return labels


def retrain(review_id: int, *, force: bool = False) -> Outcome:
    """Retrain and write a new current ranking of the records awaiting title/abstract screening."""
    from django.db import transaction
    from django.db.models import Q

    from benefice.review.models import (
        TITLE_ABSTRACT,
        RankingEntry,
        Review,
        ReviewRecord,
        ScreeningDecision,
        ScreeningRanking,
        Status,
    )

    review = Review.objects.get(pk=review_id)
    decisions = ScreeningDecision.objects.filter(record__review_id=review_id, stage=TITLE_ABSTRACT).count()
    current = review.current_ranking
    if (
        not force
        and current is not None
        and decisions - current.decisions < max(1, review.retrain_every)
        and current.size
    ):
        return Outcome(current.pk, 0.0, current.trained_on, current.size, skipped=True)
    started = time.perf_counter()
    try:
        rows = list(
            ReviewRecord.objects.filter(review_id=review_id).order_by("pk").values_list("pk", "ta_status")
        )
        ids = [pk for pk, _ in rows]
        pending = np.asarray([i for i, (_, s) in enumerate(rows) if s == Status.PENDING], dtype=np.int64)
        labels = training_labels(review_id)
        key, features = _features_for(review_id, ids, review.model_name)
        model = make_model(review.model_name)
        with _fit_lock:
            cached = _classifiers.get(review_id)
            if cached is not None and cached[0] == key:
                model.classifier = cached[1]
            screener = Screener(features, model, seed=review_id)
            position = {pk: i for i, pk in enumerate(ids)}
            for pk, label in labels.items():
                if pk in position:
                    screener.record(position[pk], label)
            ranking = screener.retrain()
            _classifiers[review_id] = (key, model.classifier)
        rng = np.random.default_rng(review_id + decisions)
        if ranking.scores is not None and pending.size:
            order = pending[model.querier.order(ranking.scores[pending], model.classifier.centre, rng)]
            scores = ranking.scores
        else:
            order = pending[rng.permutation(pending.size)]
            scores = None
        n_labelled = int(ranking.trained_on) if ranking.scores is not None else 0
        from benefice.review.services import stopping_aid

        stats = stopping_aid(review)
        new = ScreeningRanking.objects.create(
            review_id=review_id,
            model_name=model.name,
            decisions=decisions,
            trained_on=n_labelled,
            size=int(order.size),
            stats=stats,
        )
        order = order[:RANK_LIMIT]
        for start in range(0, order.size, CHUNK):
            chunk = order[start : start + CHUNK]
            with transaction.atomic():
                RankingEntry.objects.bulk_create(
                    [
                        RankingEntry(
                            ranking=new,
                            position=start + j,
                            record_id=ids[i],
                            score=None if scores is None else float(scores[i]),
                        )
                        for j, i in enumerate(chunk.tolist())
                    ],
                    batch_size=CHUNK,
                )
        seconds = time.perf_counter() - started
        with transaction.atomic():
            ScreeningRanking.objects.filter(pk=new.pk).update(seconds=seconds)
            # Two processes may retrain the same review at once: a ranking never replaces a newer one.
            Review.objects.filter(pk=review_id).filter(
                Q(current_ranking__isnull=True) | Q(current_ranking_id__lt=new.pk)
            ).update(current_ranking=new, ranking_error="")
        _drop_old(review_id, Review.objects.get(pk=review_id).current_ranking_id or new.pk)
        return Outcome(new.pk, seconds, n_labelled, int(order.size))
    except Exception as exc:
        Review.objects.filter(pk=review_id).update(ranking_error=f"{type(exc).__name__}: {exc}"[:2000])
        raise


def _drop_old(review_id: int, keep: int) -> None:
    """Delete rankings older than ``keep`` a chunk at a time (short write transactions); newer ones may still
    be being written by another process."""
    from benefice.review.models import RankingEntry, ScreeningRanking

    for old in ScreeningRanking.objects.filter(review_id=review_id, pk__lt=keep).values_list("pk", flat=True):
        while True:
            ids = list(RankingEntry.objects.filter(ranking_id=old).values_list("pk", flat=True)[:CHUNK])
            if not ids:
                break
            RankingEntry.objects.filter(pk__in=ids).delete()
        ScreeningRanking.objects.filter(pk=old).delete()
