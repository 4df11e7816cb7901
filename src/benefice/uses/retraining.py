"""Retraining the kinds-of-use model after people's corrections, as a job of the task queue.

Every ``USES_RETRAIN_EVERY`` corrections (``services.record_use_correction`` asks :func:`maybe_retrain`),
a job of kind ``retrain_uses`` (:mod:`benefice.core.jobs`) retrains the model from every correction and
reclassifies what the new model changes; people's choices are kept.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings

from benefice.core import jobs
from benefice.uses.models import UseCorrection
from benefice.uses.services import (
    DEFAULT_RETRAIN_EVERY,
    RETRAIN_KIND,
    classify_publications,
    use_correction_examples,
)

log = logging.getLogger(__name__)


def retrain_every() -> int:
    return max(1, int(getattr(settings, "USES_RETRAIN_EVERY", DEFAULT_RETRAIN_EVERY)))


def _retrain_jobs() -> list[jobs.Job]:
    return list(jobs.recent_jobs(50, kind=RETRAIN_KIND))


def corrections_since_retraining() -> tuple[int, jobs.Job | None]:
    """How many corrections were recorded since the last retraining job started (whatever its outcome: a
    failed one waits for as many new corrections before trying again), and that job (or None)."""
    total = UseCorrection.objects.count()
    recent = _retrain_jobs()
    last = recent[0] if recent else None
    base = int(last.get("corrections", 0)) if last else 0
    return (total - base if base <= total else total), last  # fewer than then: another database


def maybe_retrain(*, user=None) -> str | None:
    """Queue a retraining job when ``USES_RETRAIN_EVERY`` corrections were recorded since the last one (and
    none is queued or running). Never trains in the caller's request: returns the job id, or None.

    The check and the creation hold a lock shared by every process of the data directory, so two web
    processes recording corrections at the same moment cannot both queue a retraining."""
    with jobs.exclusive(RETRAIN_KIND):
        pending, last = corrections_since_retraining()
        if last is not None and last.get("status") in jobs.ACTIVE:
            return None
        if pending < retrain_every():
            return None
        job = jobs.create_job(RETRAIN_KIND, user, start=False, corrections=UseCorrection.objects.count())
    return jobs.enqueue(job)["id"]


def _retrain(examples: list[tuple[dict[str, Any], list[str], list[str]]]):
    """The model trainer of ``uses.learn`` (writes ``$BENEFICE_HOME/models/use_model.json``)."""
    from benefice.uses import learn

    return learn.retrain(examples)


def run_retrain_job(job_id: str) -> dict[str, Any]:
    """Retrain the kinds-of-use model from every correction, then reclassify what the new model changes
    (a new classifier version; people's choices are kept). Records the outcome in the job file."""

    job = jobs.job_to_run(job_id)
    with jobs.recorded(job, "kinds-of-use retraining"):
        examples = list(use_correction_examples())
        job["total"] = len(examples)
        jobs.write_job(job)
        path = _retrain(examples)
        report = classify_publications(progress=lambda done, total: None)
        job["result"] = {
            "model": str(path),
            "examples": len(examples),
            "version": report.version,
            "reclassified": report.classified,
        }
        job["status"] = jobs.DONE
        job["done"] = len(examples)
    return job
