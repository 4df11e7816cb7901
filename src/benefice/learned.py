"""Where learned weights live and which file is in force — one rule for every learned part.

A learned part (source detection's candidate scorer, the kind-of-use classifier) ships its fitted weights as
a JSON file in ``benefice/data``; retraining with people's corrections writes a file of the same name in the
data directory (``$BENEFICE_HOME/models``), so that it survives upgrades and the shipped file stays as
shipped. The retrained file, when present, is the one in force; it is re-read when it changes (its
modification time), so a background retraining is picked up by the next scan without a restart.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, Generic, TypeVar

from benefice.errors import BeneficeError
from benefice.paths import package_data

M = TypeVar("M")


class ModelFile(Generic[M]):
    """The shipped and retrained copies of one model file, and the loaded model in force."""

    def __init__(self, name: str, load: Callable[[Path], M]) -> None:
        self.name = name
        self._load = load
        self._cached: M | None = None
        self._key: tuple | None = None

    def shipped_path(self) -> Path:
        return Path(package_data(self.name))

    def retrained_path(self) -> Path:
        from benefice.paths import home

        return home(create=False) / "models" / self.name

    def current(self) -> M | None:
        """The retrained model if present, else the shipped one, else None (the rules alone)."""
        retrained = self.retrained_path()
        path = retrained if retrained.exists() else self.shipped_path()
        if not path.exists():
            return None
        key = (str(path), path.stat().st_mtime_ns)
        if key != self._key:
            self._cached, self._key = self._load(path), key
        return self._cached


def save_json(path: Path, data: Any) -> None:
    """Write a model file whole or not at all (a temporary file renamed into place)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    tmp.replace(path)


def read_json(path: Path, what: str) -> Any:
    """A model file's JSON; a missing or unreadable file raises naming ``what`` and the path."""
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise BeneficeError(f"{what} not found", path=str(path)) from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BeneficeError(f"{what} is not valid JSON: {exc}", path=str(path)) from exc
