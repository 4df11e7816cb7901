"""Child processes die with their parent; batches left running by a killed process are marked interrupted
at the next start (issue 17, failure 6: kill -9 of a CLI import left the parser alive and the batch running)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from benefice.core.jobs import owner_state
from benefice.corpus import jobs
from benefice.corpus.models import ImportBatch

RECORD = "TY  - JOUR\nTI  - Cohort study number {i} of the SNDS\nAU  - Martin, Anne\nPY  - 2020\nER  - \n\n"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie (dead, not yet reaped by init) counts as gone
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="fork and /proc")
def test_the_parser_child_dies_when_its_parent_is_killed(tmp_path) -> None:
    path = tmp_path / "big.ris"
    path.write_text("".join(RECORD.format(i=i) for i in range(3000)), encoding="utf-8")
    script = textwrap.dedent(
        f"""
        import multiprocessing, sys, time
        from pathlib import Path
        from benefice.corpus import pipeline
        chunks = pipeline.prepared_chunks(Path({str(path)!r}), "ris", parallel=True, chunk=5)
        next(chunks)  # the child is reading; it soon blocks on the full queue
        print(multiprocessing.active_children()[0].pid, flush=True)
        time.sleep(60)
        """
    )
    parent = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    child_pid = int(parent.stdout.readline())
    assert _alive(child_pid)
    parent.send_signal(signal.SIGKILL)
    parent.wait(10)
    deadline = time.monotonic() + 10
    while _alive(child_pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _alive(child_pid), "the parser outlived its killed parent"


@pytest.mark.django_db
def test_batches_left_running_by_a_dead_process_are_marked_interrupted_at_start() -> None:
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    here = owner_state()
    stale = ImportBatch.objects.create(origin="a.ris", state={**here, "pid": dead.pid})
    live = ImportBatch.objects.create(origin="b.ris", state=here)
    unknown = ImportBatch.objects.create(origin="c.ris")  # no owner recorded (older batch): left alone
    assert jobs.mark_stale_batches() == 1
    stale.refresh_from_db()
    assert stale.status == ImportBatch.Status.INTERRUPTED and stale.finished_at
    assert "importing the same file again resumes it" in stale.errors[-1]
    for batch in (live, unknown):
        batch.refresh_from_db()
        assert batch.status == ImportBatch.Status.RUNNING
    assert jobs.mark_stale_batches() == 0


@pytest.mark.django_db
def test_an_import_records_its_process_on_the_batch(tmp_path) -> None:
    from benefice.corpus.services import import_file

    path = tmp_path / "one.ris"
    path.write_text(RECORD.format(i=1), encoding="utf-8")
    batch = import_file(path)
    assert batch.state["pid"] == os.getpid() and batch.state["host"]
