"""Editions in the web app: where they live, registering them, reading them, building one in the background.

Editions are directories under ``$BENEFICE_HOME/barometer/`` (the CLI's default target) or anywhere else
when registered explicitly. The database row is only an index: the directory is the truth, so every page
checks that the manifest still has the hash it had when registered, and says so when it does not.

Building from the web page runs in a thread of the server process, like imports, and writes its progress
to a small JSON file (``$BENEFICE_HOME/jobs/barometer/<id>.json``, replaced atomically) that the progress page
polls; a file because the request that polls may be served by another process.
"""

from __future__ import annotations

import datetime as _dt
import functools
import hashlib
import json
import logging
import os
import re
import socket
import threading
import uuid
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import close_old_connections, connection
from django.utils import timezone

from benefice.barometer.freeze import MANIFEST, RESULTS, build, check_target, read_manifest
from benefice.barometer.inputs import EditionInputs, inputs_from_bytes
from benefice.barometer.models import Edition
from benefice.errors import BeneficeError

log = logging.getLogger(__name__)

OK, MISSING, CHANGED = "ok", "missing", "changed"
_JOB_ID = re.compile(r"^[0-9a-f]{32}$")
#: Only these parts of an edition are served to browsers (inputs/ too: they are what a reader re-computes from).
SERVED = ("site/", "report/", "data/", "inputs/", MANIFEST, RESULTS)


def editions_root() -> Path:
    return Path(settings.HOME) / "barometer"


def _manifest_hash(directory: Path) -> str:
    return hashlib.sha256((directory / MANIFEST).read_bytes()).hexdigest()


def register_edition(directory: str | Path, user=None) -> Edition:
    """Record (or refresh) an edition directory; a BeneficeError when it is not an edition."""
    directory = Path(directory).resolve()
    manifest = read_manifest(directory)
    edition = manifest["edition"]
    built = _dt.datetime.fromtimestamp((directory / MANIFEST).stat().st_mtime, tz=_dt.UTC)
    row, _created = Edition.objects.update_or_create(
        directory=str(directory),
        defaults={
            "year": int(edition["year"]),
            "observed_at": str(edition["observed_at"]),
            "built_at": built,
            "code_version": str(manifest.get("code_version", ""))[:120],
            "content_hash": _manifest_hash(directory),
            "publications": int(manifest.get("publications", {}).get("in_perimeter", 0)),
            "with_pdf": bool(manifest.get("with_pdf", True)),
        },
    )
    if user is not None and row.built_by_id is None:
        row.built_by = user
        row.save(update_fields=["built_by"])
    return row


def discover_editions() -> list[Edition]:
    """Register every edition directory under :func:`editions_root` not yet known; return all editions."""
    root = editions_root()
    known = set(Edition.objects.values_list("directory", flat=True))
    if root.is_dir():
        for child in sorted(root.iterdir()):
            if child.name.startswith(".") or not (child / MANIFEST).is_file():
                continue  # a build in progress writes into a hidden staging directory
            if str(child.resolve()) in known:
                continue
            try:
                register_edition(child)
            except BeneficeError as exc:
                log.warning("not an edition: %s", exc)
    return list(Edition.objects.all())


def status(edition: Edition) -> str:
    """``ok``, ``missing`` (directory gone) or ``changed`` (manifest differs from the registered one)."""
    path = edition.path / MANIFEST
    if not path.is_file():
        return MISSING
    return OK if _manifest_hash(edition.path) == edition.content_hash else CHANGED


def require_ok(edition: Edition) -> None:
    state = status(edition)
    if state == MISSING:
        raise BeneficeError("this edition's directory is gone", path=edition.directory)
    if state == CHANGED:
        raise BeneficeError(
            "this edition's manifest changed since it was registered: run `benefice barometer verify` on it",
            path=edition.directory,
        )


@functools.lru_cache(maxsize=8)
def _results(directory: str, content_hash: str) -> dict[str, Any]:
    return json.loads((Path(directory) / RESULTS).read_text(encoding="utf-8"))


@functools.lru_cache(maxsize=4)
def _inputs(directory: str, content_hash: str) -> EditionInputs:
    manifest = read_manifest(directory)
    folder = Path(directory) / "inputs"
    files = {name: (folder / name).read_bytes() for name in manifest["inputs"] if (folder / name).is_file()}
    return inputs_from_bytes(files, str(folder))


def results(edition: Edition) -> dict[str, Any]:
    """The edition's figures (results.json), read once per content hash."""
    require_ok(edition)
    return _results(edition.directory, edition.content_hash)


def inputs(edition: Edition) -> EditionInputs:
    """The edition's frozen inputs, parsed once per content hash (the drill-down reads publications here)."""
    require_ok(edition)
    return _inputs(edition.directory, edition.content_hash)


def served_file(edition: Edition, relative: str) -> Path:
    """The file of an edition a URL names, refusing anything outside the served parts of its directory."""
    require_ok(edition)
    root = edition.path.resolve()
    target = (root / relative).resolve()
    rel = target.relative_to(root).as_posix() if target.is_relative_to(root) else ""
    if not rel or not any(rel == p or (p.endswith("/") and rel.startswith(p)) for p in SERVED):
        raise FileNotFoundError(relative)
    if target.is_dir():
        target = target / "index.html"
    if not target.is_file():
        raise FileNotFoundError(relative)
    return target


def corpus_ids(ids: list[str]) -> set[str]:
    """Which publication ids of an edition are still publications of the corpus (to link to them)."""
    from benefice.corpus.models import Publication  # noqa: PLC0415

    numeric = [int(i) for i in ids if i.isdecimal()]
    return {str(pk) for pk in Publication.objects.filter(pk__in=numeric).values_list("pk", flat=True)}


def build_from_database(
    year: int, observed_at: str | None = None, *, user=None, with_pdf: bool = True, progress=None
) -> Edition:
    """Build the edition of ``year`` from the database into ``$BENEFICE_HOME/barometer/YEAR`` and register it.

    Refused (nothing written) when that directory or another edition of the year already exists there.

    The database is only read (in chunks, in autocommit: under WAL no lock is kept) and then written once,
    the edition's row, in its own short transaction; so a build never holds the write lock while it
    computes and is not batched (issue 17: measured with 120,819 publications, a 55 s build and not one
    refused ``BEGIN IMMEDIATE`` from another connection; see tests/barometer_web/test_build_writes.py).
    """
    from benefice.barometer.db import inputs_from_database  # noqa: PLC0415

    observed = observed_at or timezone.localdate().isoformat()
    target = editions_root() / str(year)
    check_target(target, year)
    say = progress or (lambda _m: None)
    say("reading the corpus")
    data = inputs_from_database(year, observed)
    out = build(data, year, target, observed, with_pdf=with_pdf, progress=say)
    return register_edition(out, user=user)


# ----------------------------------------------------------------------------------------------------------
# Background builds from the web page
# ----------------------------------------------------------------------------------------------------------
def jobs_dir() -> Path:
    return Path(settings.HOME) / "jobs" / "barometer"


def _job_path(job_id: str) -> Path:
    if not _JOB_ID.match(job_id or ""):
        raise FileNotFoundError(job_id)
    return jobs_dir() / f"{job_id}.json"


def write_job(job: dict[str, Any]) -> None:
    path = _job_path(job["id"])
    path.parent.mkdir(parents=True, exist_ok=True)
    job["updated_at"] = timezone.now().isoformat()
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    tmp.write_text(json.dumps(job, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, path)


def read_job(job_id: str) -> dict[str, Any] | None:
    """A job's last state; a running job whose process is gone is reported as interrupted."""
    try:
        job = json.loads(_job_path(job_id).read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return None
    if job.get("status") == "running" and job.get("host") == socket.gethostname():
        try:
            os.kill(int(job.get("pid", 0)), 0)
        except ProcessLookupError:
            job.update(status="interrupted", error="the server stopped before the build finished")
            write_job(job)
        except PermissionError:
            pass
    return job


STEPS = ("reading the corpus", "computing figures", "writing open data", "writing the static site",
         "writing the PDF reports")  # fmt: skip


def start_build(year: int, user, observed_at: str | None = None, *, with_pdf: bool = True) -> dict[str, Any]:
    """Check the target at once (a clear refusal in the page), then build in a daemon thread."""
    check_target(editions_root() / str(year), year)
    job = {
        "id": uuid.uuid4().hex,
        "year": year,
        "status": "running",
        "step": "",
        "done": 0,
        "total": len(STEPS) if with_pdf else len(STEPS) - 1,
        "user_id": getattr(user, "pk", None),
        "host": socket.gethostname(),
        "pid": os.getpid(),
        "edition_id": None,
        "error": "",
    }
    write_job(job)
    thread = threading.Thread(
        target=_run_build, args=(job, observed_at, with_pdf), name=f"barometer-{job['id'][:8]}", daemon=True
    )
    thread.start()
    job["thread"] = thread
    return job


def _run_build(job: dict[str, Any], observed_at: str | None, with_pdf: bool) -> None:
    from django.contrib.auth import get_user_model  # noqa: PLC0415

    close_old_connections()
    job = {k: v for k, v in job.items() if k != "thread"}

    def progress(step: str) -> None:
        job["step"] = step
        job["done"] = STEPS.index(step) + 1 if step in STEPS else job["done"]
        write_job(job)

    try:
        user = get_user_model().objects.filter(pk=job["user_id"]).first()
        edition = build_from_database(
            job["year"], observed_at, user=user, with_pdf=with_pdf, progress=progress
        )
        job.update(status="done", edition_id=edition.pk, done=job["total"], step="")
    except BeneficeError as exc:
        job.update(status="failed", error=str(exc))
    except Exception as exc:  # recorded for the page; the traceback goes to the log
        log.exception("barometer build %s failed", job["id"])
        job.update(status="failed", error=f"{type(exc).__name__}: {exc}")
    finally:
        connection.close()  # before the last write: whoever waits for "done" may tear the database down
        write_job(job)
