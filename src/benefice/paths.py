"""Where benefice keeps its data: ``$BENEFICE_HOME`` when set, else the user's data directory."""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_data_dir


def home(create: bool = True) -> Path:
    """The data directory; ``create=False`` only names it (detection looks for a retrained model there
    without making a directory on a machine that only runs ``benefice detect``)."""
    value = os.environ.get("BENEFICE_HOME")
    path = Path(value).expanduser() if value else Path(user_data_dir("benefice", appauthor=False))
    if create:
        path.mkdir(parents=True, exist_ok=True)
    return path


def package_data(*parts: str) -> Path:
    """A file shipped inside the package (registry, typology, demo corpus…)."""
    return Path(__file__).parent.joinpath("data", *parts)


def read_secret_key(directory: Path) -> str:
    """The key in ``directory/secret_key``, or "" when there is none yet (reading only: the settings call
    this at import, which must write nothing)."""
    try:
        return (directory / "secret_key").read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return ""


def ensure_secret_key(directory: Path | None = None) -> str:
    """The data directory's signing key, created once (readable by its owner only) when there is none.

    Called before Django starts, by the command line and the WSGI entry point, so every process of one data
    directory (gunicorn workers, the worker, commands) signs sessions with the same key. Created with
    O_EXCL: two processes starting together cannot each write a different key.
    """
    import secrets

    directory = directory or home()
    key = read_secret_key(directory)
    if key:
        return key
    directory.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(directory / "secret_key", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it first: use theirs
        return read_secret_key(directory)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(secrets.token_urlsafe(50))
    return read_secret_key(directory)
