"""`benefice detect`, `benefice sources export` and `benefice scan` from the outside (CliRunner)."""

from __future__ import annotations

import gzip
import json
import os
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from benefice.cli import main
from benefice.errors import BeneficeError
from benefice.sources.scan import (
    abstract_from_inverted_index,
    output_for,
    partitions,
    run_scan,
    scan_partition,
)


def _invoke(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


# ------------------------------------------------------------------------------------------- detect
def test_detect_writes_one_line_per_input(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    lines = [
        {
            "id": "a",
            "title": "Asthma in the CONSTANCES cohort",
            "abstract": "Data from the SNDS were linked.",
        },
        {"id": "b", "title": "Nothing here", "abstract": "", "language": "en"},
        {"id": 3, "title": "PMSI", "abstract": None, "full_text": "Unlike the SNDS, we used the PMSI."},
    ]
    source.write_text("\n".join(json.dumps(x) for x in lines) + "\n\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = _invoke("detect", "--input", str(source), "--output", str(out))
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in rows] == ["a", "b", 3]
    assert rows[0]["sources_used"] == ["CONSTANCES", "SNDS"] and rows[0]["sources_mentioned"] == []
    assert rows[1] == {
        "id": "b",
        "sources_used": [],
        "sources_mentioned": [],
        "review": [],
        "decisions": [],
        "mentions": [],
    }
    # the SNDS is not used: mentioned, or sent to review when the learned stage is unsure
    assert rows[2]["sources_used"] == ["PMSI"]
    assert rows[2]["sources_mentioned"] + rows[2]["review"] == ["SNDS"]
    assert {d["source"]: d["role"] for d in rows[2]["decisions"]} == {"PMSI": "used", "SNDS": "mentioned"}
    mention = rows[0]["mentions"][0]
    assert set(mention) >= {"source", "field", "start", "end", "text", "role", "confidence"}
    assert lines[0][mention["field"]][mention["start"] : mention["end"]] == mention["text"]


def test_detect_bad_line_is_named_and_leaves_no_output(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text('{"id": "a", "title": "SNDS"}\n{"id": "b", "title": \n', encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(main, ["detect", "--input", str(source), "--output", str(out)])
    assert result.exit_code == 2
    assert "line 2" in result.output and str(source) in result.output
    assert not out.exists() and not list(tmp_path.glob(".out.jsonl*"))


def test_detect_skip_bad_keeps_the_place_of_bad_lines(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text(
        '{"id": "a", "title": "SNDS"}\n[1, 2]\n{"title": "no id"}\n{"id": "d"}\n', encoding="utf-8"
    )
    out = tmp_path / "out.jsonl"
    result = _invoke("detect", "--input", str(source), "--output", str(out), "--skip-bad")
    assert result.exit_code == 0
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r.get("id", r.get("line")) for r in rows] == ["a", 2, 3, "d"]
    assert "error" in rows[1] and "error" in rows[2]


def test_detect_invalid_utf8_is_read_with_replacement(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_bytes(b'{"id": "a", "title": "Donn\xe9es du PMSI"}\n')
    out = tmp_path / "out.jsonl"
    result = _invoke("detect", "--input", str(source), "--output", str(out))
    assert result.exit_code == 0 and "invalid UTF-8" in result.output
    row = json.loads(out.read_text(encoding="utf-8"))
    assert row["sources_used"] == ["PMSI"] and row["mentions"][0]["text"] == "PMSI"


def test_detect_ten_megabyte_text(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    text = "Sed ut perspiciatis unde omnis iste natus error. " * 210_000 + "We used the PMSI."
    source.write_text(json.dumps({"id": "big", "title": "", "full_text": text}) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    assert _invoke("detect", "--input", str(source), "--output", str(out)).exit_code == 0
    row = json.loads(out.read_text(encoding="utf-8"))
    assert row["sources_used"] == ["PMSI"] and row["mentions"][0]["start"] > 10_000_000


def test_detect_missing_input(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["detect", "--input", str(tmp_path / "nope"), "--output", "x"])
    assert result.exit_code == 2 and "not found" in result.output


# ------------------------------------------------------------------------------------------- export
@pytest.mark.parametrize("fmt", ["json", "yaml", "csv"])
def test_sources_export(tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"sources.{fmt}"
    result = _invoke("sources", "export", "--format", fmt, "--output", str(out))
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert "SNDS" in text and "CONSTANCES" in text
    if fmt == "json":
        records = json.loads(text)
        snds = next(r for r in records if r["id"] == "SNDS")
        assert snds["country"] == "FR" and snds["parent"] is None and "SNDS" in snds["acronyms"]
        assert {"id", "names", "acronyms", "country", "parent", "kind"} <= set(records[0])


# ------------------------------------------------------------------------------------------- scan
def _inverted(text: str) -> dict[str, list[int]]:
    index: dict[str, list[int]] = {}
    for position, word in enumerate(text.split()):
        index.setdefault(word, []).append(position)
    return index


def _write_partition(path: Path, works: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        for work in works:
            handle.write(json.dumps(work) + "\n")


def _snapshot(root: Path) -> list[Path]:
    abstract = "We used data from the French National Health Data System (SNDS) ."
    paths = []
    for day in range(3):
        path = root / f"updated_date=2024-01-0{day + 1}" / "part_000.gz"
        works = [
            {
                "id": f"https://openalex.org/W{day}{i}",
                "title": "Asthma in the CONSTANCES cohort" if i % 2 else "An unrelated title",
                "publication_year": 2020 + day,
                "language": "en",
                "abstract_inverted_index": _inverted(abstract) if i % 3 == 0 else None,
            }
            for i in range(12)
        ]
        _write_partition(path, works)
        paths.append(path)
    return paths


def test_abstract_from_inverted_index() -> None:
    assert (
        abstract_from_inverted_index({"world": [1], "Hello": [0], "again": [2, 3]})
        == "Hello world again again"
    )
    assert abstract_from_inverted_index(None) == "" and abstract_from_inverted_index({"x": "bad"}) == ""


def test_scan_partition_is_atomic_and_idempotent(tmp_path: Path) -> None:
    (partition,) = _snapshot(tmp_path / "in")[:1]
    output = output_for(partition, tmp_path / "in", tmp_path / "out")
    assert output == tmp_path / "out" / "updated_date=2024-01-01" / "part_000.parquet"
    stats = scan_partition(partition, output)
    assert stats["status"] == "done" and stats["works"] == 12
    table = pq.read_table(output).to_pylist()
    assert [row["work_id"] for row in table] == [f"https://openalex.org/W0{i}" for i in range(12)]
    assert table[0]["sources_used"] == ["SNDS"] and table[1]["sources_used"] == ["CONSTANCES"]
    assert table[3]["sources_used"] == ["CONSTANCES", "SNDS"] and table[2]["sources_used"] == []
    assert table[0]["year"] == 2020 and table[0]["registry_version"]
    assert scan_partition(partition, output)["status"] == "skipped"
    assert [p.name for p in output.parent.iterdir()] == ["part_000.parquet"]


def test_scan_partition_failure_leaves_nothing(tmp_path: Path) -> None:
    partition = tmp_path / "in" / "bad.gz"
    partition.parent.mkdir()
    with gzip.open(partition, "wt") as handle:
        handle.write('{"id": "W1", "title": "SNDS"}\nnot json\n')
    output = tmp_path / "out" / "bad.parquet"
    with pytest.raises(Exception, match="line 2"):
        scan_partition(partition, output)
    assert not output.exists() and not list(output.parent.iterdir())
    partition.write_bytes(b"not gzip at all")
    with pytest.raises(Exception, match="gzip"):
        scan_partition(partition, output)


def test_scan_partition_refuses_an_endless_line_before_filling_the_memory(tmp_path: Path, monkeypatch) -> None:
    """A few kilobytes of gzip inflating to one line without end (a gzip bomb) stop at MAX_WORK_BYTES."""
    from benefice.sources import scan

    monkeypatch.setattr(scan, "MAX_WORK_BYTES", 1 << 20)
    partition = tmp_path / "in" / "bomb.gz"
    partition.parent.mkdir()
    with gzip.open(partition, "wb") as handle:
        handle.write(b'{"id": "W1", "title": "SNDS"}\n')
        for _ in range(64):
            handle.write(b" " * (1 << 16))  # 4 MB of one line, a few kB compressed
    assert partition.stat().st_size < 64 * 1024
    output = tmp_path / "out" / "bomb.parquet"
    with pytest.raises(BeneficeError, match="line 2.*longer than 1 MB|longer than 1 MB.*line 2"):
        scan_partition(partition, output)
    assert not output.exists()


def test_scan_with_local_cluster_resumes(tmp_path: Path) -> None:
    pytest.importorskip("dask.distributed")
    paths = _snapshot(tmp_path / "in")
    out = tmp_path / "out"
    # Simulate an interrupted run: one partition done, a stale temporary file left behind.
    scan_partition(paths[0], output_for(paths[0], tmp_path / "in", out))
    stale = output_for(paths[1], tmp_path / "in", out).with_name(".part_000.parquet.999.tmp")
    stale.parent.mkdir(parents=True, exist_ok=True)
    stale.write_bytes(b"half")
    calls = []
    report = run_scan(
        tmp_path / "in", out, workers=2, processes=False, progress=lambda d, t: calls.append((d, t))
    )
    assert len(report.done) == 2 and report.skipped == [str(paths[0])] and not report.failed
    assert report.works == 24 and calls[-1] == (2, 2)
    for path in paths:
        assert pq.read_table(output_for(path, tmp_path / "in", out)).num_rows == 12
    again = run_scan(tmp_path / "in", out, workers=1, processes=False)
    assert not again.done and len(again.skipped) == 3


def test_scan_command_reports_failed_partitions(tmp_path: Path) -> None:
    pytest.importorskip("dask.distributed")
    paths = _snapshot(tmp_path / "in")
    with gzip.open(paths[2], "wt") as handle:
        handle.write("{broken\n")
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main, ["scan", "--input", str(tmp_path / "in"), "--output", str(out), "--workers", "1"]
    )
    assert result.exit_code == 2, result.output
    assert "1 failed" in result.output and "line 1" in result.output
    assert len(list(out.rglob("*.parquet"))) == 2
    assert sorted(partitions(tmp_path / "in")) == sorted(paths)
    assert not [p for p in out.rglob("*") if p.name.startswith(".")]
    os.environ.pop("DASK_DISTRIBUTED__WORKER__DAEMON", None)


def test_scan_real_openalex_works(tmp_path: Path) -> None:
    import zipfile

    archive = (
        Path(__file__).resolve().parents[2].parent
        / "shared"
        / "data"
        / "openalex_synergy"
        / "Nelson_2002"
        / "works_1.zip"
    )
    if not archive.exists():
        pytest.skip("../shared absent: OpenAlex SYNERGY works not available")
    works = []
    with zipfile.ZipFile(archive) as zipped:
        for name in sorted(zipped.namelist())[:2]:
            works.extend(json.loads(zipped.read(name)))
    partition = tmp_path / "in" / "part_000.gz"
    _write_partition(partition, works)
    output = output_for(partition, tmp_path / "in", tmp_path / "out")
    stats = scan_partition(partition, output)
    rows = pq.read_table(output).to_pylist()
    assert stats["works"] == len(works) == len(rows)
    assert [r["work_id"] for r in rows] == [w["id"] for w in works]
    with_abstract = [w for w in works if w.get("abstract_inverted_index")]
    assert with_abstract
    for work in with_abstract[:20]:
        text = abstract_from_inverted_index(work["abstract_inverted_index"])
        assert len(text.split()) == sum(len(p) for p in work["abstract_inverted_index"].values())


def test_scan_on_an_existing_scheduler(tmp_path: Path) -> None:
    distributed = pytest.importorskip("dask.distributed")
    paths = _snapshot(tmp_path / "in")
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None
    ) as cluster:
        result = CliRunner().invoke(
            main,
            [
                "scan",
                "--input",
                str(tmp_path / "in"),
                "--output",
                str(tmp_path / "out"),
                "--scheduler",
                cluster.scheduler_address,
            ],
        )
    assert result.exit_code == 0, result.output
    assert "3 partitions scanned (36 works)" in result.output
    assert all(output_for(p, tmp_path / "in", tmp_path / "out").exists() for p in paths)


def test_scan_unreachable_scheduler_is_a_clear_error(tmp_path: Path) -> None:
    pytest.importorskip("dask.distributed")
    _snapshot(tmp_path / "in")
    with pytest.raises(BeneficeError, match="scheduler"):
        run_scan(tmp_path / "in", tmp_path / "out", scheduler="tcp://127.0.0.1:9", connect_timeout="2s")


def test_detect_lone_surrogate_escapes_survive(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text(
        '{"id": "s", "title": "Système national \\ud800des données de santé (SNDS)"}\n', encoding="utf-8"
    )
    out = tmp_path / "out.jsonl"
    assert _invoke("detect", "--input", str(source), "--output", str(out)).exit_code == 0
    row = json.loads(out.read_text(encoding="utf-8"))
    assert row["sources_used"] == ["SNDS"] and len(row["mentions"]) == 2
    assert row["mentions"][0]["text"] == "Système national \ud800des données de santé"
