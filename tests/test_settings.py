"""The settings module reads and names things but writes nothing when imported (issue 18, item 7)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from benefice.paths import ensure_secret_key, read_secret_key


def test_importing_the_settings_writes_nothing(tmp_path: Path) -> None:
    home = tmp_path / "not-yet"
    env = {**os.environ, "BENEFICE_HOME": str(home)}
    env.pop("BENEFICE_SECRET_KEY", None)
    env.pop("DATABASE_URL", None)  # the data directory's own SQLite database
    code = "import benefice.settings as s; print(len(s.SECRET_KEY))"
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert int(done.stdout) >= 50 and not home.exists()


def test_the_command_line_creates_one_key_that_the_settings_then_read(tmp_path: Path) -> None:
    home = tmp_path / "home"
    env = {**os.environ, "BENEFICE_HOME": str(home)}
    env.pop("BENEFICE_SECRET_KEY", None)
    env.pop("DATABASE_URL", None)  # the data directory's own SQLite database
    done = subprocess.run(
        [sys.executable, "-m", "benefice", "init"], env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    key = read_secret_key(home)
    assert len(key) >= 50 and (home / "secret_key").stat().st_mode & 0o077 == 0  # owner only
    code = "import benefice.settings as s; print(s.SECRET_KEY)"
    read = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert read.stdout.strip() == key
    assert ensure_secret_key(home) == key  # never replaced


def test_a_key_file_made_by_another_process_first_is_kept(tmp_path: Path) -> None:
    (tmp_path / "secret_key").write_text("theirs-" + "x" * 50, encoding="utf-8")
    assert ensure_secret_key(tmp_path) == "theirs-" + "x" * 50
