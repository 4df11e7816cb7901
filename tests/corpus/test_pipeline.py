"""The import's preparation pipeline: the child process gives exactly what in-process preparation gives,
and an error met while reading in the child is raised in the caller, naming the file, record and line."""

from __future__ import annotations

import pytest

from benefice.corpus import pipeline
from benefice.errors import FormatError


def ris(n: int) -> str:
    return "".join(
        f"TY  - JOUR\nTI  - Study number {i} of the SNDS\nAU  - Martin, Anne\nPY  - {2000 + i % 20}\n"
        f"DO  - 10.1234/pipe.{i}\nER  - \n\n"
        for i in range(n)
    )


def flatten(chunks):
    return [
        (r.title, r.doi, h, str(parsed), sorted(prep.keys))
        for chunk in chunks
        for item in chunk
        for r, h, parsed, prep in [(item.record(), item.content_hash, item.parsed, item.prepared)]
    ]


def test_child_process_gives_the_same_items_in_the_same_chunks(tmp_path):
    path = tmp_path / "many.ris"
    path.write_text(ris(25), encoding="utf-8")
    serial = list(pipeline.prepared_chunks(path, "ris", parallel=False, chunk=10))
    forked = list(pipeline.prepared_chunks(path, "ris", parallel=True, chunk=10))
    assert [len(c) for c in forked] == [10, 10, 5] == [len(c) for c in serial]
    assert flatten(forked) == flatten(serial)


def test_error_in_the_child_is_raised_with_file_record_and_line(tmp_path):
    path = tmp_path / "cut.ris"
    path.write_text(ris(3) + "TY  - JOUR\nTI  - Cut short\nAU  - Martin", encoding="utf-8")
    chunks = pipeline.prepared_chunks(path, "ris", parallel=True, chunk=2)
    with pytest.raises(FormatError, match="truncated") as info:
        list(chunks)
    assert info.value.record == 4 and "cut.ris" in str(info.value) and info.value.line is not None


def test_a_child_only_for_large_files_with_a_free_core_from_the_main_thread(tmp_path, monkeypatch):
    import threading

    path = tmp_path / "one.ris"
    path.write_text(ris(1), encoding="utf-8")
    started = []
    real = pipeline.mp.get_context

    def spy(method):
        started.append(method)
        return real(method)

    monkeypatch.setattr(pipeline.mp, "get_context", spy)
    monkeypatch.setattr(pipeline, "_idle_cores", lambda: 0.5)  # the other core is busy: stay in-process
    list(pipeline.prepared_chunks(path, "ris", total_hint=pipeline.PARALLEL_FROM))
    assert started == []
    monkeypatch.setattr(pipeline, "_idle_cores", lambda: 1.0)  # the other core is idle
    list(pipeline.prepared_chunks(path, "ris", total_hint=pipeline.PARALLEL_FROM - 1))  # small file
    assert started == []
    list(pipeline.prepared_chunks(path, "ris", total_hint=pipeline.PARALLEL_FROM))
    assert started == ["fork"]
    started.clear()
    worker = threading.Thread(
        target=lambda: list(pipeline.prepared_chunks(path, "ris", total_hint=pipeline.PARALLEL_FROM))
    )
    worker.start()
    worker.join()
    assert started == []


@pytest.mark.parametrize(("idle_jiffies", "spare"), [(200, 1.0), (100, 0.0)])
def test_spare_cores_are_read_from_the_cpu_counters(monkeypatch, idle_jiffies, spare):
    readings = iter([(1000, 500), (1200, 500 + idle_jiffies)])  # 200 jiffies over 2 cores
    monkeypatch.setattr(pipeline, "_cpu_times", lambda: next(readings))
    monkeypatch.setattr(pipeline.time, "sleep", lambda s: None)
    monkeypatch.setattr(pipeline.os, "cpu_count", lambda: 2)
    assert pipeline._idle_cores() == pytest.approx(spare)


def test_without_cpu_counters_the_load_average_decides(monkeypatch):
    def missing():
        raise OSError("no /proc")

    monkeypatch.setattr(pipeline, "_cpu_times", missing)
    monkeypatch.setattr(pipeline.os, "cpu_count", lambda: 4)
    monkeypatch.setattr(pipeline.os, "getloadavg", lambda: (1.5, 1.0, 1.0))
    assert pipeline._idle_cores() == pytest.approx(1.5)
