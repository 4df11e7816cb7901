"""The one mechanism for long work: a task in the queue, and a progress file any process can read.

Imports of hundreds of thousands of records, the retraining of the kinds-of-use model and barometer builds
last far longer than an HTTP request should, and must not die with the web process that asked for them. So a
page (or a command) records a *job* and puts one task in the queue of django-tasks, whose database backend
(``django_tasks_db``) keeps the queue in the project's own database — the embedded SQLite default or
PostgreSQL, nothing else to install. A worker process runs the tasks: ``benefice serve`` starts one beside
the web server in the single-machine default; a team deployment runs ``benefice worker`` as its own service
(``docs/deploy.md``). Because the queue is in the database:

* a job survives a restart of the web server: it waits in the queue until a worker takes it;
* it runs once however many web processes serve: a worker claims a task in a transaction (an exclusive one
  on SQLite, a locked row on PostgreSQL) before running it;
* a worker that was killed in the middle of a task is noticed by the next worker that starts on the same
  machine (:func:`recover`): the task is queued again once — every job here can be run again safely
  (an import resumes its file, the records already stored are recognised; a retraining or a build starts
  over) —, and a task that killed its worker twice is marked failed rather than retried for ever.

Progress is not written to the queue's rows but to one small JSON file per job under
``$BENEFICE_HOME/jobs`` (replaced atomically, so a reader never sees half a document): progress is written
several times a second, far more often than an import commits its batches, and writing it to the database
would compete with the web app's writes for SQLite's single write lock. Every progress page reads the same
file format (:class:`Job`), whatever the kind of job.

The kinds of job and the function that runs each are listed in one place, :data:`KINDS`. Adding a kind of
long work means writing its runner (``run(job_id)``, which updates the job as it goes) and adding one line
there.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import re
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypedDict

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks import task

__all__ = [
    "ACTIVE",
    "DONE",
    "FAILED",
    "INTERRUPTED",
    "KINDS",
    "QUEUED",
    "RUNNING",
    "Job",
    "JobKind",
    "create_job",
    "exclusive",
    "job_to_run",
    "job_user",
    "jobs_dir",
    "new_job_id",
    "now",
    "enqueue",
    "owner_state",
    "process_alive",
    "progress_writer",
    "read_job",
    "recent_jobs",
    "recorded",
    "recover",
    "run_job",
    "run_worker",
    "save_upload",
    "user_message",
    "valid_job_id",
    "waiting_for_worker",
    "worker_id",
    "write_job",
]

log = logging.getLogger(__name__)

_JOB_ID = re.compile(r"^[0-9a-f]{32}$")
#: Minimum seconds between two progress writes: an importer may report every 1,000 records.
WRITE_INTERVAL = 0.25
#: A task that was running when its worker died is queued again this many times at most.
MAX_ATTEMPTS = 2

QUEUED, RUNNING, DONE, FAILED, INTERRUPTED = "queued", "running", "done", "failed", "interrupted"
ACTIVE = (QUEUED, RUNNING)


class Job(TypedDict, total=False):
    """What a progress page reads. The first fields are common to every kind; the rest belong to one."""

    id: str
    kind: str
    status: str
    user_id: int | None
    username: str
    host: str  # the machine and process running the job (or that queued it, until a worker takes it)
    pid: int
    task_id: str  # the queue's id of the task that runs the job
    attempts: int  # how many times a worker started it (more than one after a worker was killed)
    created_at: str
    updated_at: str
    started_at: str | None
    finished_at: str | None
    done: int
    total: int | None
    step: str  # a named step of the work, when it goes by steps rather than by records
    error: str
    result: dict[str, Any]  # what the job did, for the page that reports it
    # import
    filename: str
    path: str
    format: str
    batch_id: int | None
    counts: dict[str, int]
    error_data: dict[str, Any]  # a structured error (invalid UTF-8), rendered in the reader's language
    encoding: str
    phase: str
    scan: dict[str, int]
    scan_error: str
    # retrain_uses
    corrections: int
    # review_import (and path, filename above)
    review_id: int
    database: str
    query: str
    searched_on: str
    date_from: str
    date_to: str
    notes: str
    selection: dict[str, str]  # a review made from a corpus search: the search's parameters, instead of a file
    land: bool  # when done, the progress page opens what the job made (the new review)
    # barometer
    year: int
    with_pdf: bool
    observed_at: str | None
    edition_id: int | None
    # project_import (custodians: the Health Data Hub's project directory; filename, path and counts above)
    custodian: str
    # qda_import, transcript_import (interviews; filename and path above)
    project_id: int
    pseudonymised: bool
    title: str
    participant_id: int | None


@dataclass(frozen=True)
class JobKind:
    """A kind of long work: the dotted path of its runner and, optionally, of what to do when it was cut
    short (an import's batch is marked interrupted too). Dotted paths, so this module imports no app."""

    run: str
    interrupted: str = ""


#: Every kind of long work, in one place.
KINDS: dict[str, JobKind] = {
    "import": JobKind("benefice.corpus.jobs.run_import_job", "benefice.corpus.jobs.import_interrupted"),
    "retrain_uses": JobKind("benefice.uses.retraining.run_retrain_job"),
    "barometer": JobKind("benefice.barometer.services.run_build_job"),
    "review_import": JobKind("benefice.review.jobs.run_review_import"),
    "project_import": JobKind("benefice.custodians.jobs.run_project_import"),
    "qda_import": JobKind("benefice.interviews.jobs.run_qda_import"),
    "transcript_import": JobKind("benefice.interviews.jobs.run_transcript_import"),
}


def jobs_dir() -> Path:
    return Path(settings.HOME) / "jobs"


def valid_job_id(job_id: str) -> bool:
    """Job ids become file names: accept only what :func:`create_job` makes, so no path can be smuggled in."""
    return bool(_JOB_ID.match(job_id or ""))


def new_job_id() -> str:
    return uuid.uuid4().hex


def job_path(job_id: str) -> Path:
    if not valid_job_id(job_id):
        raise ValueError(f"invalid job id {job_id!r}")
    return jobs_dir() / f"{job_id}.json"


def now() -> str:
    return timezone.now().isoformat()


def owner_state() -> dict[str, Any]:
    """The machine and process doing the work, so a later reader can tell when that process has died."""
    return {"host": socket.gethostname(), "pid": os.getpid()}


def process_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


def write_job(job: Job) -> None:
    """Replace the job's file atomically (readers see the old or the new state, never a mix)."""
    path = job_path(job["id"])
    path.parent.mkdir(parents=True, exist_ok=True)
    job["updated_at"] = now()
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    tmp.write_text(json.dumps(job, ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(tmp, path)


def read_job(job_id: str) -> Job | None:
    """The job's last written state, or None when there is no such job.

    A job marked running whose process no longer exists on this machine was cut short (the worker was
    stopped or killed): it is reported, and recorded, as interrupted — until a worker that starts again
    takes it back (:func:`recover`). A queued job is left alone: it waits in the queue, which survives
    restarts.
    """
    try:
        job: Job = json.loads(job_path(job_id).read_text(encoding="utf-8"))
    except (ValueError, FileNotFoundError):
        return None
    if (
        job.get("status") == RUNNING
        and job.get("host") == socket.gethostname()
        and not process_alive(int(job.get("pid", 0)))
    ):
        kind = KINDS.get(job.get("kind", ""))
        job["status"] = INTERRUPTED
        job["error"] = job.get("error") or "the worker stopped before the job finished"
        if kind is not None and kind.interrupted:
            import_string(kind.interrupted)(job)  # may say more, or find the work done after all
        write_job(job)
    return job


def job_to_run(job_id: str) -> Job:
    """The job a runner was handed: its task exists only because the job was recorded, so a missing file
    is a bug (a job directory wiped under a queued task), raised rather than reported."""
    job = read_job(job_id)
    if job is None:
        raise ValueError(f"no job {job_id}")
    return job


def job_user(job: Job):
    """The person who queued the job (None for a command-line job, or once that account is deleted): the
    work is recorded in their name, as it would have been had it run in their request."""
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(pk=job.get("user_id")).first()


def recent_jobs(limit: int = 10, *, kind: str, user_id: int | None = None) -> list[Job]:
    """The newest jobs of one kind first (optionally only one user's)."""
    directory = jobs_dir()
    if not directory.is_dir():
        return []
    files = sorted(directory.glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
    found: list[Job] = []
    for path in files:
        job = read_job(path.stem) if valid_job_id(path.stem) else None
        if job is None or (user_id is not None and job.get("user_id") != user_id):
            continue
        if job.get("kind") != kind:
            continue
        found.append(job)
        if len(found) >= limit:
            break
    return found


def create_job(kind: str, user=None, *, job_id: str | None = None, start: bool = True, **fields: Any) -> Job:
    """Record a queued job of a kind listed in :data:`KINDS` and put its task in the queue.

    ``start=False`` records it only (the caller enqueues it with :func:`enqueue` once it has finished
    preparing it, e.g. saved an uploaded file under the job's id).
    """
    if kind not in KINDS:
        raise ValueError(f"unknown kind of job {kind!r}; known: {', '.join(sorted(KINDS))}")
    job: Job = {
        "id": job_id or new_job_id(),
        "kind": kind,
        "status": QUEUED,
        "user_id": getattr(user, "pk", None),
        "username": getattr(user, "username", ""),
        **owner_state(),  # type: ignore[typeddict-item]
        "attempts": 0,
        "created_at": now(),
        "started_at": None,
        "finished_at": None,
        "done": 0,
        "total": None,
        "error": "",
        **fields,  # type: ignore[typeddict-item]
    }
    write_job(job)
    if start:
        enqueue(job)
    return job


def enqueue(job: Job) -> Job:
    """Put the job's task in the queue (inside a transaction, the worker sees it once that commits)."""
    result = run_job.enqueue(job["id"])
    job = read_job(job["id"]) or job  # the immediate backend of the tests has already run it
    if not job.get("task_id"):
        job["task_id"] = str(result.id)
        write_job(job)
    return job


@task(queue_name="default")
def run_job(job_id: str) -> str:
    """The queue's one task for progress jobs: mark the job started by this process, then run its kind's
    runner, which records progress and outcome in the job file. Returns the job's final status."""
    job = read_job(job_id)
    if job is None:  # the file was deleted (the data directory cleaned): nothing to run
        log.warning("job %s has no file under %s; skipped", job_id, jobs_dir())
        return "missing"
    kind = KINDS.get(job.get("kind", ""))
    if kind is None:
        job.update(status=FAILED, error=f"unknown kind of job {job.get('kind')!r}", finished_at=now())
        write_job(job)
        return FAILED
    job.update(owner_state())  # type: ignore[typeddict-item]
    job.update(status=RUNNING, attempts=int(job.get("attempts", 0)) + 1, started_at=now(), error="")
    write_job(job)
    runner: Callable[[str], Any] = import_string(kind.run)
    runner(job_id)
    final = read_job(job_id) or job
    return str(final.get("status", ""))


#: A job queued longer than this with no worker taking it: its page says how to start one.
WAITING_SECONDS = 10.0


def waiting_for_worker(job: Job) -> bool:
    """Queued for more than WAITING_SECONDS: most likely no worker runs (``benefice worker``)."""
    if job.get("status") != QUEUED or not job.get("created_at"):
        return False
    import datetime as _dt

    created = _dt.datetime.fromisoformat(str(job["created_at"]))
    return (timezone.now() - created).total_seconds() > WAITING_SECONDS


def save_upload(upload: Any, root: Path, job_id: str) -> tuple[str, Path]:
    """Keep an uploaded file under ``root/<job id>/`` for the worker (and as the provenance of what it
    brought), under a safe name; returns (name, path). Written in chunks: an upload may not fit in memory."""
    from django.utils.text import get_valid_filename

    name = get_valid_filename(Path(upload.name or "upload").name)[-150:] or "upload"
    directory = root / job_id
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    with path.open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    return name, path


def user_message(exc: Exception, job: Job) -> str:
    """An error as its reader should see it: naming the file they uploaded, not where we stored it."""
    return str(exc).replace(job.get("path") or "\0", job.get("filename", ""))


def error_data(exc: Exception, job: Job) -> dict[str, Any]:
    """A BeneficeError's template and parameters as the job keeps them, naming the uploaded file rather than
    where we stored it: the person who reads the job page may not read the language of the one who ran it."""
    data = exc.to_data()  # type: ignore[attr-defined]
    if job.get("path") and data.get("path") == job.get("path"):
        data["path"] = job.get("filename", "")
    return data


def for_reader(job: Job) -> Job:
    """The job as its page shows it: its error said in the active language (the request's) when the job kept
    the error's parts, else as stored (a job file written before errors kept them)."""
    data = job.get("error_data")
    if not data:
        return job
    from django.utils.translation import get_language

    from benefice.errors import localized_error

    return {**job, "error": localized_error(data, get_language(), name_only=True)}


@contextlib.contextmanager
def recorded(job: Job, what: str = "job") -> Iterator[Job]:
    """Run a runner's body and record how it ended in the job's file, whatever happens.

    The body sets ``status`` to DONE (or leaves it running: then DONE is set for it). A BeneficeError fails
    the job with its message, written for the person who started it; any other exception is a bug: the job
    says so and the traceback goes to the log. The end is written in every case, so a page never waits for
    a job that is over.
    """
    from benefice.errors import BeneficeError

    try:
        yield job
        if job.get("status") in ACTIVE:
            job["status"] = DONE
    except BeneficeError as exc:
        job["status"] = FAILED
        job["error"] = user_message(exc, job)
        job["error_data"] = error_data(exc, job)  # said in each reader's language (for_reader)
    except Exception as exc:
        log.exception("%s %s failed", what, job.get("id"))
        job["status"] = FAILED
        job["error"] = f"unexpected error ({type(exc).__name__}: {exc}); see the server log"
    finally:
        job["finished_at"] = now()
        write_job(job)


def progress_writer(job: Job) -> Callable[[int, int | None], None]:
    """A ``progress(done, total)`` callback that writes the job's file at most every WRITE_INTERVAL."""
    last = 0.0

    def progress(done: int, total: int | None) -> None:
        nonlocal last
        job["done"] = done
        job["total"] = total
        moment = time.monotonic()
        if moment - last >= WRITE_INTERVAL:
            last = moment
            write_job(job)

    return progress


@contextlib.contextmanager
def exclusive(name: str) -> Iterator[None]:
    """Hold a lock named ``name`` across every process of this data directory (web workers, the worker).

    For a check-then-start that must not run twice at once (two web processes both deciding that the model
    needs retraining): a file lock under ``$BENEFICE_HOME/jobs``, released when the block ends or the
    process dies.
    """
    directory = jobs_dir()
    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / f".{re.sub(r'[^a-z0-9_-]', '_', name.lower())}.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


# --- workers -------------------------------------------------------------------------------------------------


def worker_id() -> str:
    """How a worker names itself in the queue's rows: the machine and process id (what :func:`recover`
    needs to tell a dead worker), at most 64 characters."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def _dead_here(worker: str) -> bool:
    host, _, rest = worker.partition(":")
    pid = rest.partition(":")[0]
    return host == socket.gethostname()[:40] and pid.isdigit() and not process_alive(int(pid))


def recover() -> tuple[int, int]:
    """Tasks left running by a worker of this machine that no longer exists: queued again, or marked failed
    after MAX_ATTEMPTS starts. Called when a worker starts. Returns (queued again, failed)."""
    from django.db import DatabaseError, transaction
    from django_tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    again = failed = 0
    try:
        with transaction.atomic():
            for row in DBTaskResult.objects.select_for_update().filter(status=TaskResultStatus.RUNNING):
                workers = list(row.worker_ids or [])
                if not workers or not _dead_here(str(workers[-1])):
                    continue
                if len(workers) >= MAX_ATTEMPTS:
                    row.status = TaskResultStatus.FAILED
                    row.finished_at = timezone.now()
                    row.exception_class_path = "benefice.core.jobs.WorkerStopped"
                    row.traceback = f"the worker stopped {len(workers)} times while running this task"
                    row.save(update_fields=["status", "finished_at", "exception_class_path", "traceback"])
                    _job_failed_twice(row)
                    failed += 1
                else:
                    row.status = TaskResultStatus.READY
                    row.save(update_fields=["status"])
                    again += 1
    except DatabaseError:  # no queue table yet (before benefice init): nothing to recover
        return 0, 0
    if again or failed:
        log.warning("tasks left running by a stopped worker: %d queued again, %d failed", again, failed)
    return again, failed


def _job_failed_twice(row: Any) -> None:
    args = (row.args_kwargs or {}).get("args") or []
    if row.task_path.endswith(".run_job") and args and valid_job_id(str(args[0])):
        job = read_job(str(args[0]))
        if job is not None:
            job.update(status=FAILED, finished_at=now())
            job["error"] = (
                f"the worker stopped {MAX_ATTEMPTS} times while running this job (out of memory?); "
                "see the worker's log"
            )
            write_job(job)


def run_worker(*, batch: bool = False, interval: float = 1.0, max_tasks: int | None = None) -> str:
    """Run the queue's tasks in this process until stopped (or, with ``batch``, until none is left).

    What ``benefice worker`` runs, and what ``benefice serve`` starts beside the web app. The worker first
    takes back the tasks a killed worker of this machine left running (:func:`recover`). Returns its id.
    """
    from django_tasks_db.management.commands.db_worker import Worker

    recover()
    name = worker_id()
    worker = Worker(
        queue_names=["*"],
        interval=interval,
        batch=batch,
        backend_name="default",
        startup_delay=False,
        max_tasks=max_tasks,
        worker_id=name,
        excluded_queue_names=[],
    )
    if not batch:
        worker.configure_signals()  # SIGTERM ends the task in hand first, then the worker
    worker.run()
    return name
