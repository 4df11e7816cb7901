"""A search export added to a review from the web: a job of the task queue, not work done in the request.

A PubMed or Embase export can hold thousands of records; importing them into the corpus, detecting their
data sources and adding them to the review takes longer than a request should. The page saves the file
(kept under ``MEDIA_ROOT/review-imports/<job id>/``: it is the provenance of the search) and queues a job of
kind ``review_import`` (:mod:`benefice.core.jobs`); the worker runs the same service as before,
``services.import_for_review``, and the job's page says what was added, or why nothing was.

A review made from a corpus search (the corpus list's "create a review from these results") is a job of the
same kind: every publication of the search, on all its pages, may be tens of thousands of records. Its job
holds the search's parameters (``selection``) instead of a file, and its page leads to the review once the
records are in (``land``).
"""

from __future__ import annotations

import datetime as _dt
import logging
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_noop

from benefice.core import jobs
from benefice.errors import BeneficeError
from benefice.review import services
from benefice.review.models import Review

log = logging.getLogger(__name__)

KIND = "review_import"


def uploads_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / "review-imports"


def create_review_import(review: Review, user, upload: UploadedFile, fields: dict[str, Any]) -> jobs.Job:
    """Save the uploaded export and queue its import into ``review`` (``fields``: the search's database,
    query, dates and notes, as the form cleaned them)."""
    job_id = jobs.new_job_id()
    name, path = jobs.save_upload(upload, uploads_dir(), job_id)
    searched_on = fields.get("searched_on")
    return jobs.create_job(
        KIND,
        user,
        job_id=job_id,
        review_id=review.pk,
        filename=name,
        path=str(path),
        database=fields.get("database") or "",
        query=fields.get("query") or "",
        searched_on=searched_on.isoformat() if isinstance(searched_on, _dt.date) else "",
        date_from=fields.get("date_from") or "",
        date_to=fields.get("date_to") or "",
        notes=fields.get("notes") or "",
    )


def create_search_review(review: Review, user, selection: dict[str, str], fields: dict[str, Any]) -> jobs.Job:
    """Queue the addition of every publication of a corpus search (``selection``: its parameters, as
    :func:`benefice.review.services.search_params` reads them) to ``review``, a review just created."""
    searched_on = fields.get("searched_on")
    return jobs.create_job(
        KIND,
        user,
        review_id=review.pk,
        selection=dict(selection),
        land=True,
        database=fields.get("database") or "",
        query=fields.get("query") or "",
        searched_on=searched_on.isoformat() if isinstance(searched_on, _dt.date) else "",
        notes=fields.get("notes") or "",
    )


def _add_search(review: Review, user, job: jobs.Job) -> services.Added:
    searched_on = job.get("searched_on") or ""
    _search, added = services.add_from_search(
        review,
        user,
        params=job["selection"],
        database=job.get("database", ""),
        query=job.get("query", ""),
        searched_on=_dt.date.fromisoformat(searched_on) if searched_on else None,
        notes=job.get("notes", ""),
    )
    return added


def run_review_import(job_id: str) -> jobs.Job:
    """Add the job's records (its file, or its corpus search) to its review now, in this process; the outcome
    goes to the job file."""
    job = jobs.job_to_run(job_id)
    with jobs.recorded(job, "review import"):
        review = Review.objects.filter(pk=job["review_id"]).first()
        if review is None:
            raise BeneficeError(gettext_noop("the review was deleted before its records were added"))
        user = jobs.job_user(job)
        if job.get("selection") is not None:
            added = _add_search(review, user, job)
        else:
            added = _import_file(review, user, job)
        job["result"] = {
            "identified": added.identified,
            "added": added.added,
            "already_in_review": added.already_in_review,
            "scan_error": added.scan.error if added.scan is not None and added.scan.failed else "",
        }
    return job


def _import_file(review: Review, user, job: jobs.Job) -> services.Added:
    searched_on = job.get("searched_on") or ""
    _search, added = services.import_for_review(
        review,
        user,
        filename=job["filename"],
        content=Path(job["path"]).read_bytes(),
        database=job.get("database", ""),
        query=job.get("query", ""),
        searched_on=_dt.date.fromisoformat(searched_on) if searched_on else None,
        date_from=job.get("date_from", ""),
        date_to=job.get("date_to", ""),
        notes=job.get("notes", ""),
    )
    return added
