"""The task queue as deployed: jobs kept in the database queue, run by `benefice worker` processes.

The rest of the suite runs tasks where they are queued; here the real database backend is used, in this
process (`database_queue`) and in separate worker processes started with the real command, against a
database of their own (a SQLite file, or a PostgreSQL database made for the test when DATABASE_URL names a
server), since a worker process cannot see the test database's uncommitted transaction.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from benefice.core import jobs

RIS = "".join(
    f"TY  - JOUR\nTI  - Study {i} of the SNDS claims\nPY  - 2021\nDO  - 10.1000/worker{i}\nER  - \n\n"
    for i in range(1, 4)
)


def _dead_pid() -> int:
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    return int(done.stdout)


@pytest.mark.django_db(transaction=True)
def test_a_task_left_running_by_a_killed_worker_is_queued_again_once(database_queue, settings, tmp_path):
    settings.HOME = tmp_path
    job = jobs.create_job("retrain_uses", corrections=0)
    row = DBTaskResult.objects.get()
    dead = f"{jobs.worker_id().split(':')[0]}:{_dead_pid()}:x"
    row.status, row.worker_ids = TaskResultStatus.RUNNING, [dead]
    row.save()
    assert jobs.recover() == (1, 0)
    assert DBTaskResult.objects.get().status == TaskResultStatus.READY
    # killed a second time: failed, and the job says so instead of being retried for ever
    row = DBTaskResult.objects.get()
    row.status, row.worker_ids = TaskResultStatus.RUNNING, [dead, dead]
    row.save()
    assert jobs.recover() == (0, 1)
    assert DBTaskResult.objects.get().status == TaskResultStatus.FAILED
    assert jobs.read_job(job["id"])["status"] == jobs.FAILED
    assert "stopped 2 times" in jobs.read_job(job["id"])["error"]
    # a task run by a live worker (this process) is left alone
    other = jobs.create_job("retrain_uses", corrections=0)
    row = DBTaskResult.objects.exclude(pk=row.pk).get()
    row.status, row.worker_ids = TaskResultStatus.RUNNING, [jobs.worker_id()]
    row.save()
    assert jobs.recover() == (0, 0)
    assert jobs.read_job(other["id"])["status"] == jobs.QUEUED


def test_unknown_kinds_of_job_are_refused(settings, tmp_path):
    settings.HOME = tmp_path
    with pytest.raises(ValueError, match="unknown kind of job 'nope'; known: barometer, import, project_import, "):
        jobs.create_job("nope")


def test_every_kind_names_a_runner_that_exists():
    from django.utils.module_loading import import_string

    for name, kind in jobs.KINDS.items():
        assert callable(import_string(kind.run)), name
        if kind.interrupted:
            assert callable(import_string(kind.interrupted)), name


def test_the_lock_is_held_across_processes(settings, tmp_path):
    settings.HOME = tmp_path
    script = (
        "import fcntl, sys; f = open(sys.argv[1], 'w')\n"
        "try:\n    fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB); print('free')\n"
        "except BlockingIOError:\n    print('held')\n"
    )
    with jobs.exclusive("retrain_uses"):
        path = tmp_path / "jobs" / ".retrain_uses.lock"
        inside = subprocess.run([sys.executable, "-c", script, str(path)], capture_output=True, text=True)
    after = subprocess.run([sys.executable, "-c", script, str(path)], capture_output=True, text=True)
    assert (inside.stdout.strip(), after.stdout.strip()) == ("held", "free")


# --- real worker processes ---------------------------------------------------------------------------------


@pytest.fixture
def worker_env(tmp_path):
    """The environment of a deployment of its own: a data directory, and a database (a PostgreSQL one made
    for this test when the suite runs on PostgreSQL)."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env["BENEFICE_HOME"] = str(tmp_path / "home")
    url = os.environ.get("DATABASE_URL", "")
    made = None
    if url.startswith(("postgres://", "postgresql://")):
        import psycopg

        made = f"benefice_worker_{uuid.uuid4().hex[:8]}"
        admin = urlunsplit(urlsplit(url)._replace(path="/postgres"))  # the named database may not exist
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{made}"')
        env["DATABASE_URL"] = urlunsplit(urlsplit(url)._replace(path=f"/{made}"))
    done = subprocess.run(
        [sys.executable, "-m", "benefice", "init"], env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    yield env
    if made:
        import psycopg

        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{made}" WITH (FORCE)')


QUEUE_IMPORT = """
import django, os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benefice.settings")
django.setup()
from benefice.core import jobs
for path in sys.argv[1:]:
    job = jobs.create_job("import", filename=os.path.basename(path), path=path, format="ris", batch_id=None,
                          counts={}, phase="import")
    print(job["id"])
"""

COUNT = """
import django, os, json
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benefice.settings")
django.setup()
from benefice.corpus.models import ImportBatch, Publication
from django_tasks_db.models import DBTaskResult
print(json.dumps({"batches": ImportBatch.objects.count(), "publications": Publication.objects.count(),
                  "tasks": sorted(DBTaskResult.objects.values_list("status", flat=True))}))
"""


def _python(env: dict, code: str, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code, *args], env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def _job(env: dict, job_id: str) -> dict:
    path = Path(env["BENEFICE_HOME"]) / "jobs" / f"{job_id}.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def test_two_worker_processes_run_each_queued_job_once(worker_env, tmp_path):
    files = []
    for n in range(3):
        path = tmp_path / f"batch{n}.ris"
        path.write_text(RIS.replace("worker", f"w{n}-"), encoding="utf-8")
        files.append(str(path))
    ids = _python(worker_env, QUEUE_IMPORT, *files).split()
    assert all(_job(worker_env, i)["status"] == jobs.QUEUED for i in ids)  # queued, nothing ran yet
    workers = [
        subprocess.Popen(
            [sys.executable, "-m", "benefice", "worker", "--interval", "0.1"],
            env=worker_env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    try:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            states = [_job(worker_env, i).get("status") for i in ids]
            if all(s in (jobs.DONE, jobs.FAILED) for s in states):
                break
            assert all(w.poll() is None for w in workers), "a worker exited"
            time.sleep(0.2)
        finished = [_job(worker_env, i) for i in ids]
        assert [j["status"] for j in finished] == [jobs.DONE] * 3, finished
        assert all(j["attempts"] == 1 for j in finished)  # each ran once
        assert {j["counts"]["new_publications"] for j in finished} == {3}
    finally:
        for w in workers:
            w.terminate()
        errors = [w.communicate(timeout=60)[1] for w in workers]
    assert all(w.returncode == 0 for w in workers), errors  # SIGTERM: a clean stop
    counts = json.loads(_python(worker_env, COUNT))
    assert counts == {"batches": 3, "publications": 9, "tasks": ["SUCCESSFUL"] * 3}


def test_a_runner_s_end_is_recorded_whatever_happens(settings, tmp_path):
    from benefice.errors import BeneficeError

    settings.HOME = tmp_path
    outcomes = {}
    for name, body in {
        "done": lambda job: None,
        "refused": lambda job: (_ for _ in ()).throw(BeneficeError(f"no record in {job['path']}")),
        "bug": lambda job: 1 / 0,
    }.items():
        job = jobs.create_job("retrain_uses", start=False, path="/srv/uploads/x/a.ris", filename="a.ris")
        with jobs.recorded(job, "test"):
            body(job)
        outcomes[name] = jobs.read_job(job["id"])
    assert outcomes["done"]["status"] == jobs.DONE and outcomes["done"]["finished_at"]
    assert outcomes["refused"]["status"] == jobs.FAILED
    assert outcomes["refused"]["error"] == "no record in a.ris"  # the user's file name, not our storage path
    assert outcomes["bug"]["status"] == jobs.FAILED and "ZeroDivisionError" in outcomes["bug"]["error"]


def test_a_failed_job_s_error_is_said_in_its_readers_language(settings, tmp_path):
    """Issue 19: the error of a job is kept as its parts, so the person reading the page gets it in their
    language, naming the uploaded file, whoever ran the job."""
    from django.utils import translation

    from benefice.errors import BeneficeError
    from benefice.i18n import gettext_noop

    settings.HOME = tmp_path
    job = jobs.create_job("retrain_uses", start=False, path="/srv/uploads/x/a.ris", filename="a.ris")
    with jobs.recorded(job, "test"):
        raise BeneficeError(gettext_noop("empty file"), path="/srv/uploads/x/a.ris", line=3)
    stored = jobs.read_job(job["id"])
    assert stored["error_data"]["path"] == "a.ris"  # never our storage path
    with translation.override("fr"):
        french = jobs.for_reader(stored)["error"]
    with translation.override("en"):
        english = jobs.for_reader(stored)["error"]
    assert "a.ris" in french and "/srv" not in french and "a.ris" in english
    assert french != english and "empty file" in english
    legacy = {k: v for k, v in stored.items() if k != "error_data"}  # a job file written before
    assert jobs.for_reader(legacy)["error"] == stored["error"]
