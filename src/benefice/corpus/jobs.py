"""Imports started from the web page: the import kind of job of :mod:`benefice.core.jobs`.

An upload can hold hundreds of thousands of records, far longer than an HTTP request should last, so the
import page saves the file, records a job and answers at once; a worker runs ``services.import_file`` and
writes its progress to the job's file, which the progress page reads (``core.jobs`` says why a file and how
the queue works).

A job has two phases, both in the same task and the same progress file: ``import`` (records read) and,
once the import has committed, ``detect`` (the sources of the publications it created or changed,
``services.scan_batch``). A failure or an interruption of the second phase leaves the import done and says
so (``scan_error``, with the command that finishes the scan). A job cut short in its first phase is safe to
run again: importing the same file resumes its batch (the records already stored are recognised).
"""

from __future__ import annotations

import logging
import socket
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import DatabaseError
from django.utils import timezone

from benefice.core import jobs
from benefice.core.jobs import DONE, FAILED, Job, process_alive, progress_writer, write_job
from benefice.errors import WHERE, BeneficeError, localized_error
from benefice.i18n import gettext_noop, render

log = logging.getLogger(__name__)

IMPORTING, DETECTING = "import", "detect"  # the phases of a running import
SERVER_STOPPED = gettext_noop("the server stopped before the import finished")


def uploads_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / "imports"


def recent_imports(limit: int = 10, *, user_id: int | None = None) -> list[Job]:
    """The newest import jobs first, for the import page."""
    return jobs.recent_jobs(limit, kind="import", user_id=user_id)


def import_interrupted(job: Job) -> None:
    """An import whose worker stopped: if the import had committed, only detection was cut short and the
    job is done (saying how to finish the scan); otherwise its batch is marked interrupted too."""
    if job.get("phase") == DETECTING:
        from benefice.corpus.services.scan import SCAN_STOPPED  # services imports this module

        job["status"] = DONE
        job["error"] = ""
        if not job.get("scan_error"):
            job["scan_error"] = SCAN_STOPPED
            job["scan_error_data"] = {"kind": "message", "template": SCAN_STOPPED}
    else:
        job["error"] = SERVER_STOPPED
        job["error_data"] = {"kind": "message", "template": SERVER_STOPPED}
        _mark_batch_interrupted(job.get("batch_id"))


def mark_stale_batches() -> int:
    """At start-up: import batches still "running" whose process is gone are marked interrupted (issue 17).

    A batch records the host and process id that run it (``state["host"]``, ``state["pid"]``); one whose
    process no longer exists on this host was killed (``kill -9``, a crash, a reboot) and would otherwise
    stay running for ever. Returns how many were marked. A database not created yet is left alone.
    """
    from benefice.corpus.models import ImportBatch

    host, marked = socket.gethostname(), 0
    try:
        running = list(
            ImportBatch.objects.filter(status=ImportBatch.Status.RUNNING).only("pk", "state", "errors")
        )
        for batch in running:
            state = batch.state or {}
            pid = state.get("pid")
            if not pid or state.get("host") != host or process_alive(int(pid)):
                continue
            marked += ImportBatch.objects.filter(pk=batch.pk, status=ImportBatch.Status.RUNNING).update(
                status=ImportBatch.Status.INTERRUPTED,
                finished_at=timezone.now(),
                errors=[
                    *batch.errors,
                    f"interrupted: process {pid} stopped before the batch finished; importing the same file "
                    "again resumes it (the records already stored are recognised)",
                ],
            )
    except DatabaseError:  # no tables yet (before benefice init) or no database: nothing to mark
        return 0
    if marked:
        log.warning("%d import batch(es) left running by a stopped process marked interrupted", marked)
    return marked


def _mark_batch_interrupted(batch_id: int | None) -> None:
    from benefice.corpus.models import ImportBatch

    if batch_id:
        ImportBatch.objects.filter(pk=batch_id, status=ImportBatch.Status.RUNNING).update(
            status=ImportBatch.Status.INTERRUPTED, finished_at=timezone.now()
        )


def create_import_job(upload: UploadedFile, fmt: str, user) -> Job:
    """Save the uploaded file (kept: it is the provenance of the batch), record the job and queue it."""
    job_id = jobs.new_job_id()
    name, path = jobs.save_upload(upload, uploads_dir(), job_id)
    return jobs.create_job(
        "import",
        user,
        job_id=job_id,
        filename=name,
        path=str(path),
        format=fmt,
        batch_id=None,
        counts={},
        phase=IMPORTING,
    )


def run_import_job(job_id: str) -> Job:
    """Import the job's file now, in this process, recording progress and the outcome in the job file."""

    from benefice.corpus import services
    from benefice.corpus.models import ImportBatch

    job = jobs.job_to_run(job_id)
    batch = None
    try:
        user = jobs.job_user(job)
        batch = ImportBatch.objects.create(user=user, kind="file", origin=job["path"], format=job["format"])
        job.update(batch_id=batch.pk, phase=IMPORTING, done=0, total=None)
        job["encoding"] = file_encoding(job["path"], job["format"])
        write_job(job)
        batch = services.import_file(
            job["path"], job["format"], user=user, progress=progress_writer(job), batch=batch
        )
        job["format"] = batch.format
        job["counts"] = _counts(batch)
        # the import has committed: from here on the job is about detection and cannot lose the import
        job.update(phase=DETECTING, done=0, total=None)
        write_job(job)
        outcome = services.scan_batch(batch, progress=progress_writer(job))
        job["scan"] = {
            "publications": outcome.publications,
            "scanned": outcome.scanned,
            "with_sources": outcome.with_sources,
            "classified": outcome.classified,
            "with_uses": outcome.with_uses,
        }
        if outcome.failed:
            job["scan_error"] = outcome.error
            job["scan_error_data"] = outcome.error_data
        job["status"] = DONE
        job["done"] = job["total"] = outcome.publications
    except BeneficeError as exc:
        job["status"] = FAILED
        job["error"] = jobs.user_message(exc, job)
        job["error_data"] = exc.to_data()  # said in the reader's language when the page is read (issue 19)
    except Exception as exc:  # a bug: keep the job and batch truthful, log the traceback for us
        log.exception("import job %s failed", job_id)
        job["status"] = FAILED
        job["error"] = f"unexpected error ({type(exc).__name__}: {exc}); see the server log"
        if batch is not None and batch.pk:
            ImportBatch.objects.filter(pk=batch.pk).update(
                status=ImportBatch.Status.FAILED, finished_at=timezone.now(), errors=[job["error"]]
            )
    finally:
        job["finished_at"] = jobs.now()
        write_job(job)
    return job


def file_encoding(path: str | Path, fmt: str = "auto") -> str:
    """The text encoding an import of ``path`` reads it in when it is not UTF-8 (cp1252, latin-1, utf-16),
    for the import report; "" for UTF-8, for workbooks and zips, and when it cannot tell (the import itself
    then reports the problem, on its batch)."""
    from benefice.corpus import formats

    try:
        encoding = formats.detect(path, fmt).encoding
    except BeneficeError:
        return ""
    return "" if encoding in ("utf-8", "utf-8-sig") else encoding


def job_error(job: Job) -> str:
    """The job's error in the active language: the error's template and parameters (or the structured
    invalid UTF-8 report) are rendered now, when the page is read, so each reader gets it in French or
    English, naming the uploaded file and never the server's path; an error kept as text only (a job file
    written before) as stored."""
    from django.utils.translation import get_language

    import benefice.corpus.formats  # noqa: F401 - registers the invalid UTF-8 renderer

    data = job.get("error_data")
    if not data:
        return job.get("error", "")
    lang = get_language()
    text = localized_error(data, lang, name_only=True)
    if data.get("kind") == "invalid_utf8" and not data.get("path"):  # a job file written before it had one
        name = job.get("filename") or Path(job.get("path", "")).name
        text = render(WHERE, {"where": name, "message": text}, lang)
    return text


def scan_error(job: Job) -> str:
    """Why detecting the sources after the import did not finish, in the active language."""
    from django.utils.translation import get_language

    data = job.get("scan_error_data")
    return localized_error(data, get_language()) if data else job.get("scan_error", "")


def _counts(batch: Any) -> dict[str, int]:
    return {
        "records_read": batch.records_read,
        "new_publications": batch.new_publications,
        "duplicates_merged": batch.duplicates_merged,
        "already_known": batch.already_known,
    }
