"""Shared fixtures for the format tests: where the third-party sample exports live."""

from __future__ import annotations

from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[3] / ".." / "shared" / "data"


@pytest.fixture
def shared() -> Path:
    """Root of ../shared/data; skip the test when the shared material is not checked out beside the repo."""
    if not (SHARED / "formats").is_dir():
        pytest.skip("../shared absent: sample exports in ../shared/data/formats are needed")
    return SHARED.resolve()


@pytest.fixture
def write(tmp_path: Path):
    """Write bytes or text to a temporary file and return its path."""

    def _write(name: str, content: str | bytes, encoding: str = "utf-8") -> Path:
        path = tmp_path / name
        if isinstance(content, str):
            content = content.encode(encoding)
        path.write_bytes(content)
        return path

    return _write
