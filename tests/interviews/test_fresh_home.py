"""Issue 17: a first `benefice qda import` on a fresh data directory says what to run, no traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

SAMPLE = (
    Path(__file__).resolve().parents[3] / "shared" / "data" / "refi" / "atlasti84_standard_TestProject.qdpx"
)


@pytest.mark.skipif(not SAMPLE.exists(), reason="the REFI-QDA samples of ../shared are absent")
def test_qda_import_on_a_fresh_data_directory_says_run_init(tmp_path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env["BENEFICE_HOME"] = str(tmp_path / "home")
    done = subprocess.run(
        [sys.executable, "-m", "benefice", "qda", "import", str(SAMPLE), "--project", "X"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2, done.stderr
    assert "benefice init" in done.stderr and "Traceback" not in done.stderr
