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
