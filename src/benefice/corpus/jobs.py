"""Background import jobs started from the web page, with progress any process can read.

An upload can hold hundreds of thousands of records, far longer than an HTTP request should last, so the
import page saves the file, starts a thread that calls ``services.import_file`` and answers at once. The
thread writes its progress to a small JSON file per job under ``settings.HOME / "jobs"``; the progress
page reads that file. A file rather than memory or the database because:

* the web server may run several processes (waitress threads today, gunicorn workers tomorrow), and the
  request that polls may not land in the process that runs the job;
* progress is written several times a second, far more often than the import commits its batches of
  records (each its own short transaction, issue 17); writing it to the database would compete with the
  web app's writes for SQLite's single write lock.

Each write replaces the file atomically (write a temporary file, then ``os.replace``), so a reader never
sees half a JSON document. A job whose process died (server restart) is reported as interrupted: the file
names the host and process id that ran it.

A job has two phases, both in the same thread and the same progress file: ``import`` (records read) and,
once the import has committed, ``detect`` (the sources of the publications it created or changed,
``services.scan_batch``). A failure or an interruption of the second phase leaves the import done and says
so (``scan_error``, with the command that finishes the scan).

Other background work uses the same files and the same thread runner (:func:`create_job`, :func:`start_job`):
the retraining of the kinds-of-use model after people's corrections (``uses.services``) is a job of kind
``retrain_uses``. The import page lists only import jobs.
"""

from __future__ import annotations

import json
import logging
import os
import re
import socket
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypedDict

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import close_old_connections, connection
from django.utils import timezone
from django.utils.text import get_valid_filename

from benefice.corpus.formats._common import InvalidUTF8Error
from benefice.errors import BeneficeError

log = logging.getLogger(__name__)

_JOB_ID = re.compile(r"^[0-9a-f]{32}$")
#: Minimum seconds between two progress writes: the importer may report every 1,000 records.
WRITE_INTERVAL = 0.25

QUEUED, RUNNING, DONE, FAILED, INTERRUPTED = "queued", "running", "done", "failed", "interrupted"
ACTIVE = (QUEUED, RUNNING)
IMPORTING, DETECTING = "import", "detect"  # the phases of a running job


class Job(TypedDict, total=False):
    id: str
    kind: str
    status: str
    filename: str
    path: str
    format: str
    user_id: int | None
    username: str
    host: str
    pid: int
    created_at: str
    updated_at: str
    finished_at: str | None
    done: int
    total: int | None
    batch_id: int | None
    counts: dict[str, int]
    error: str
    error_data: dict[str, Any]  # a structured error (invalid UTF-8), rendered in the reader's language
    encoding: str  # text encoding the file was read in ("" for workbooks and zips)
    phase: str  # IMPORTING or DETECTING
    scan: dict[str, int]  # publications, scanned, with_sources, classified, with_uses (once detection ended)
    scan_error: str  # why detection stopped; the import itself is done
    corrections: int  # retrain_uses: the corrections the model was retrained with
    result: dict[str, Any]  # retrain_uses: what the job did (model path, version, publications reclassified)


def jobs_dir() -> Path:
    return Path(settings.HOME) / "jobs"


def uploads_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / "imports"


def valid_job_id(job_id: str) -> bool:
    """Job ids become file names: accept only what ``new_job_id`` makes, so no path can be smuggled in."""
    return bool(_JOB_ID.match(job_id or ""))


def job_path(job_id: str) -> Path:
    if not valid_job_id(job_id):
        raise ValueError(f"invalid job id {job_id!r}")
    return jobs_dir() / f"{job_id}.json"


def _now() -> str:
    return timezone.now().isoformat()


def write_job(job: Job) -> None:
    """Replace the job's file atomically (readers see the old or the new state, never a mix)."""
    path = job_path(job["id"])
    path.parent.mkdir(parents=True, exist_ok=True)
    job["updated_at"] = _now()
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    tmp.write_text(json.dumps(job, ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(tmp, path)


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


def read_job(job_id: str) -> Job | None:
    """The job's last written state, or None when there is no such job.

    A job still marked active whose process no longer exists on this host was cut short (the server
    stopped): it is reported, and recorded, as interrupted, and so is its import batch.
    """
    try:
        job: Job = json.loads(job_path(job_id).read_text(encoding="utf-8"))
    except (ValueError, FileNotFoundError):
        return None
    if (
        job.get("status") in ACTIVE
        and job.get("host") == socket.gethostname()
        and not _process_alive(int(job.get("pid", 0)))
    ):
        if job.get("phase") == DETECTING:  # the import had committed: only the scan was cut short
            from benefice.corpus.services import SCAN_HINT

            job["status"] = DONE
            job["scan_error"] = job.get("scan_error") or (
                f"the server stopped while sources were being detected; the import is kept: {SCAN_HINT}"
            )
        else:
            job["status"] = INTERRUPTED
            what = "the import" if job.get("kind", "import") == "import" else "the job"
            job["error"] = job.get("error") or f"the server stopped before {what} finished"
            _mark_batch_interrupted(job.get("batch_id"))
        write_job(job)
    return job


def mark_stale_batches() -> int:
    """At start-up: import batches still "running" whose process is gone are marked interrupted (issue 17).

    A batch records the host and process id that run it (``state["host"]``, ``state["pid"]``); one whose
    process no longer exists on this host was killed (``kill -9``, a crash, a reboot) and would otherwise
    stay running for ever. Returns how many were marked. A database not created yet is left alone.
    """
    from django.db import DatabaseError

    from benefice.corpus.models import ImportBatch

    host, marked = socket.gethostname(), 0
    try:
        running = list(
            ImportBatch.objects.filter(status=ImportBatch.Status.RUNNING).only("pk", "state", "errors")
        )
        for batch in running:
            state = batch.state or {}
            pid = state.get("pid")
            if not pid or state.get("host") != host or _process_alive(int(pid)):
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


def owner_state() -> dict[str, Any]:
    """What a running batch records so a later start can tell its process has died."""
    return {"host": socket.gethostname(), "pid": os.getpid()}


def _mark_batch_interrupted(batch_id: int | None) -> None:
    from benefice.corpus.models import ImportBatch

    if batch_id:
        ImportBatch.objects.filter(pk=batch_id, status=ImportBatch.Status.RUNNING).update(
            status=ImportBatch.Status.INTERRUPTED, finished_at=timezone.now()
        )


def recent_jobs(limit: int = 10, *, user_id: int | None = None, kind: str = "import") -> list[Job]:
    """The newest jobs of one kind first (optionally only one user's); import jobs for the import page."""
    directory = jobs_dir()
    if not directory.is_dir():
        return []
    files = sorted(directory.glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
    jobs: list[Job] = []
    for path in files:
        job = read_job(path.stem) if valid_job_id(path.stem) else None
        if job is None or (user_id is not None and job.get("user_id") != user_id):
            continue
        if job.get("kind", "import") != kind:
            continue
        jobs.append(job)
        if len(jobs) >= limit:
            break
    return jobs


def create_import_job(upload: UploadedFile, fmt: str, user) -> Job:
    """Save the uploaded file (kept: it is the provenance of the batch) and record a queued job."""
    job_id = uuid.uuid4().hex
    name = get_valid_filename(Path(upload.name or "upload").name)[-150:] or "upload"
    directory = uploads_dir() / job_id
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    with path.open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    job: Job = {
        "id": job_id,
        "kind": "import",
        "status": QUEUED,
        "filename": name,
        "path": str(path),
        "format": fmt,
        "user_id": getattr(user, "pk", None),
        "username": getattr(user, "username", ""),
        "host": socket.gethostname(),
        "pid": os.getpid(),
        "created_at": _now(),
        "finished_at": None,
        "done": 0,
        "total": None,
        "batch_id": None,
        "counts": {},
        "error": "",
        "phase": IMPORTING,
    }
    write_job(job)
    return job


def start_import_job(job: Job) -> threading.Thread:
    """Run the job in a daemon thread of this process and return at once."""
    thread = threading.Thread(
        target=_run_in_thread, args=(job["id"],), name=f"import-{job['id'][:8]}", daemon=True
    )
    thread.start()
    return thread


def create_job(kind: str, user=None, **fields: Any) -> Job:
    """Record a queued job of another kind than an import (same file, same progress fields)."""
    job: Job = {
        "id": uuid.uuid4().hex,
        "kind": kind,
        "status": QUEUED,
        "user_id": getattr(user, "pk", None),
        "username": getattr(user, "username", ""),
        "host": socket.gethostname(),
        "pid": os.getpid(),
        "created_at": _now(),
        "finished_at": None,
        "done": 0,
        "total": None,
        "error": "",
        **fields,
    }
    write_job(job)
    return job


def start_job(job: Job, run: Callable[[str], Any]) -> threading.Thread:
    """Run ``run(job_id)`` in a daemon thread of this process, as an import runs, and return at once."""

    def body() -> None:
        close_old_connections()
        try:
            run(job["id"])
        except Exception:  # the runner records its own failures; this only guards a vanished job file
            log.exception("%s job %s could not run", job.get("kind"), job["id"])
        finally:
            connection.close()

    thread = threading.Thread(target=body, name=f"{job.get('kind', 'job')}-{job['id'][:8]}", daemon=True)
    thread.start()
    return thread


def _run_in_thread(job_id: str) -> None:
    """Thread body: a thread gets its own database connection, which must be closed when it ends."""
    close_old_connections()
    try:
        run_import_job(job_id)
    except Exception:  # run_import_job records its own failures; this only guards a vanished job file
        log.exception("import job %s could not run", job_id)
    finally:
        connection.close()


def _progress_writer(job: Job) -> Callable[[int, int | None], None]:
    last = 0.0

    def progress(done: int, total: int | None) -> None:
        nonlocal last
        job["done"] = done
        job["total"] = total
        now = time.monotonic()
        if now - last >= WRITE_INTERVAL:
            last = now
            write_job(job)

    return progress


def run_import_job(job_id: str) -> Job:
    """Import the job's file now, in this thread, recording progress and the outcome in the job file."""
    from django.contrib.auth import get_user_model

    from benefice.corpus import services
    from benefice.corpus.models import ImportBatch

    job = read_job(job_id)
    if job is None:
        raise ValueError(f"no job {job_id}")
    batch = None
    try:
        user = get_user_model().objects.filter(pk=job.get("user_id")).first()
        batch = ImportBatch.objects.create(user=user, kind="file", origin=job["path"], format=job["format"])
        job.update(status=RUNNING, batch_id=batch.pk, pid=os.getpid(), host=socket.gethostname())
        job["encoding"] = file_encoding(job["path"], job["format"])
        write_job(job)
        batch = services.import_file(
            job["path"], job["format"], user=user, progress=_progress_writer(job), batch=batch
        )
        job["format"] = batch.format
        job["counts"] = _counts(batch)
        # the import has committed: from here on the job is about detection and cannot lose the import
        job.update(phase=DETECTING, done=0, total=None)
        write_job(job)
        outcome = services.scan_batch(batch, progress=_progress_writer(job))
        job["scan"] = {
            "publications": outcome.publications,
            "scanned": outcome.scanned,
            "with_sources": outcome.with_sources,
            "classified": outcome.classified,
            "with_uses": outcome.with_uses,
        }
        if outcome.failed:
            job["scan_error"] = outcome.error
        job["status"] = DONE
        job["done"] = job["total"] = outcome.publications
    except BeneficeError as exc:
        job["status"] = FAILED
        job["error"] = _user_message(exc, job)
        if isinstance(exc, InvalidUTF8Error):
            job["error_data"] = exc.to_data()
    except Exception as exc:  # a bug: keep the job and batch truthful, log the traceback for us
        log.exception("import job %s failed", job_id)
        job["status"] = FAILED
        job["error"] = f"unexpected error ({type(exc).__name__}: {exc}); see the server log"
        if batch is not None and batch.pk:
            ImportBatch.objects.filter(pk=batch.pk).update(
                status=ImportBatch.Status.FAILED, finished_at=timezone.now(), errors=[job["error"]]
            )
    finally:
        job["finished_at"] = _now()
        write_job(job)
    return job


def _user_message(exc: BeneficeError, job: Job) -> str:
    """The error as users should read it: name the file they uploaded, not our storage path."""
    return str(exc).replace(job.get("path", "\0"), job.get("filename", ""))


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
    """The job's error in the active language: a structured error (invalid UTF-8 with its positions) is
    rendered now, when the page is read, so each reader gets it in French or English; others as stored."""
    from django.utils.translation import gettext

    from benefice.corpus.formats import describe_invalid_utf8

    data = job.get("error_data")
    if not data or data.get("kind") != "invalid_utf8":
        return job.get("error", "")
    name = job.get("filename") or Path(job.get("path", "")).name
    return f"{name}: {describe_invalid_utf8(data, gettext)}"


def _counts(batch: Any) -> dict[str, int]:
    return {
        "records_read": batch.records_read,
        "new_publications": batch.new_publications,
        "duplicates_merged": batch.duplicates_merged,
        "already_known": batch.already_known,
    }
