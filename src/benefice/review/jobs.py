"""A search export added to a review from the web: a job of the task queue, not work done in the request.

A PubMed or Embase export can hold thousands of records; importing them into the corpus, detecting their
data sources and adding them to the review takes longer than a request should. The page saves the file
(kept under ``MEDIA_ROOT/review-imports/<job id>/``: it is the provenance of the search) and queues a job of
kind ``review_import`` (:mod:`benefice.core.jobs`); the worker runs the same service as before,
``services.import_for_review``, and the job's page says what was added, or why nothing was.
"""

from __future__ import annotations

import datetime as _dt
import logging
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import UploadedFile
from django.utils.text import get_valid_filename

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
    name = get_valid_filename(Path(upload.name or "upload").name)[-150:] or "upload"
    directory = uploads_dir() / job_id
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    with path.open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
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


def run_review_import(job_id: str) -> jobs.Job:
    """Import the job's file into its review now, in this process; the outcome goes to the job file."""
    job = jobs.read_job(job_id)
    if job is None:
        raise ValueError(f"no job {job_id}")
    try:
        review = Review.objects.get(pk=job["review_id"])
        user = get_user_model().objects.filter(pk=job.get("user_id")).first()
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
        job["result"] = {
            "identified": added.identified,
            "added": added.added,
            "already_in_review": added.already_in_review,
            "scan_error": added.scan.error if added.scan is not None and added.scan.failed else "",
        }
        job["status"] = jobs.DONE
    except BeneficeError as exc:
        job["status"] = jobs.FAILED
        job["error"] = str(exc).replace(job.get("path", "\0"), job.get("filename", ""))
    except Review.DoesNotExist:
        job["status"] = jobs.FAILED
        job["error"] = "the review was deleted before its records were added"
    except Exception as exc:  # a bug: keep the job truthful, the traceback in the log
        log.exception("review import %s failed", job_id)
        job["status"] = jobs.FAILED
        job["error"] = f"unexpected error ({type(exc).__name__}: {exc}); see the server log"
    finally:
        job["finished_at"] = jobs.now()
        jobs.write_job(job)
    return job
