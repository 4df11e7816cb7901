"""A scan's failed partitions said in the user's language (issue 19): the error is kept as data beside its
English text, and the command says it in the user's locale."""

from __future__ import annotations

import gzip
from pathlib import Path

from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benefice.cli import main
from benefice.errors import localized_error
from benefice.sources import scan

NBSP = "\u00a0"


def _failed(tmp_path: Path, content: bytes) -> dict:
    partition = tmp_path / "part_000.gz"
    with gzip.open(partition, "wb") as handle:
        handle.write(content)
    return scan._scan_task(str(partition), str(tmp_path / "out" / "part_000.parquet"), None)


def test_a_failed_partition_keeps_its_error_as_data(tmp_path):
    result = _failed(tmp_path, b"[1, 2]\n")
    assert result["status"] == "failed"
    assert result["error"].endswith("part_000.gz, line 1: not a JSON object")  # the English text, as before
    assert localized_error(result["error_data"], "fr") == f"part_000.gz, ligne 1{NBSP}: pas un objet JSON"
    assert localized_error(result["error_data"], "en") == "part_000.gz, line 1: not a JSON object"


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(line=st.text(alphabet='{}[]":,abc01 ', min_size=1, max_size=20))
def test_any_bad_line_read_from_a_partition_is_said_in_french(tmp_path, line):
    result = _failed(tmp_path, (line + "\n").encode())
    if result["status"] != "failed":
        return  # a line that is a JSON object (or blank) is a work
    french = localized_error(result["error_data"], "fr")
    assert french.startswith(f"part_000.gz, ligne 1{NBSP}: pas ")
    assert str(tmp_path) not in french


def test_the_command_says_failures_in_the_users_locale(tmp_path, monkeypatch):
    (tmp_path / "in").mkdir()
    failure = _failed(tmp_path, b"{broken\n")

    def fake_scan(*args, **kwargs):
        report = scan.ScanReport()
        report.failed.append(failure)
        return report

    monkeypatch.setattr(scan, "run_scan", fake_scan)
    monkeypatch.setenv("LANG", "fr_FR.UTF-8")
    result = CliRunner().invoke(
        main, ["scan", "--input", str(tmp_path / "in"), "--output", str(tmp_path / "o")]
    )
    assert result.exit_code == 2, result.output
    assert f"ligne 1{NBSP}: pas du JSON{NBSP}: " in result.output
    assert "line 1: not JSON" not in result.output
