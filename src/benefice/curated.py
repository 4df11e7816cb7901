"""Reading the curated YAML files strictly: the one reader every data file of ``benefice/data`` goes through.

Curated data is knowledge people edit by hand (the source registry, the typology, the classification rules,
the indicators, the cases, the ranking weights, the custodians' recommendations, and the copies of them an
edition of the barometer keeps); a wrong id or a mistyped field would silently distort every figure built on
it. A file is read once, by :func:`read_yaml` (or :func:`yaml_from_bytes` for a frozen copy), so a missing,
damaged or non-YAML file is refused in the same words whichever file it is; and each loader validates its
records through a :class:`Ctx`, which knows the file and the record it reads, so every error names the file,
the record and the field. The loading of some of these files into the database is ``core.curated_sync``.
Pure Python (no Django).
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from benefice.errors import BeneficeError, FormatError

DATE_RE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


@dataclass(frozen=True)
class Text:
    """A text in French and English; both are required so the UI never falls back silently."""

    fr: str
    en: str


@dataclass(frozen=True)
class ChangeLogEntry:
    version: str
    date: str
    author: str
    change: str


class Ctx:
    """Where a reader is (file, record id, record number), so that its errors say so.

    ``error`` is the class of the errors it raises: the loaders whose callers tell a malformed file apart
    (the ranking weights, the classification rules) raise :class:`~benefice.errors.FormatError`."""

    def __init__(
        self,
        path: Path | str,
        record: str = "",
        record_no: int | None = None,
        *,
        error: type[BeneficeError] = BeneficeError,
    ) -> None:
        self.path = str(path)
        self.record = record
        self.record_no = record_no
        self.error = error

    def at(self, record: str, record_no: int | None = None) -> Ctx:
        return Ctx(self.path, record, record_no, error=self.error)

    def fail(self, message: str, fld: str | None = None) -> BeneficeError:
        prefix = f"{self.record}: " if self.record else ""
        return self.error(prefix + message, path=self.path, record=self.record_no, field=fld)


def read_text(path: Path | str) -> str:
    """A data file's text; a missing or unreadable file, or one not in UTF-8, is refused naming it."""
    path = Path(path)
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise BeneficeError(f"cannot read file: {exc.strerror or exc}", path=str(path)) from exc
    except UnicodeDecodeError as exc:
        raise FormatError("file is not UTF-8", path=str(path)) from exc


def read_yaml(path: Path | str) -> dict[str, Any]:
    """A data file's top-level mapping (see :func:`read_text` and :func:`parse_yaml` for what is refused)."""
    return parse_yaml(read_text(path), path)


def yaml_from_bytes(data: bytes, path: Path | str) -> dict[str, Any]:
    """The same as :func:`read_yaml` for a file held as bytes (the frozen copy an edition keeps)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FormatError("file is not UTF-8", path=str(path)) from exc
    return parse_yaml(text, path)


def parse_yaml(text: str, path: Path | str) -> dict[str, Any]:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise FormatError(
            f"invalid YAML: {getattr(exc, 'problem', None) or exc}",
            path=str(path),
            line=mark.line + 1 if mark else None,
        ) from exc
    if not isinstance(data, dict):
        raise FormatError("expected a mapping at the top of the file", path=str(path))
    return data


def check_keys(d: dict[str, Any], allowed: set[str], ctx: Ctx, where: str) -> None:
    unknown = sorted(set(d) - allowed)
    if unknown:
        raise ctx.fail(f"unknown field(s) {', '.join(unknown)} in {where}", unknown[0])


def as_mapping(value: Any, ctx: Ctx, fld: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ctx.fail("expected a mapping", fld)
    return value


def as_list(value: Any, ctx: Ctx, fld: str, *, required: bool = True) -> list[Any]:
    if value is None and not required:
        return []
    if not isinstance(value, list):
        raise ctx.fail("expected a list", fld)
    return value


def as_str(d: dict[str, Any], key: str, ctx: Ctx, *, required: bool = True, fld: str | None = None) -> str:
    value = d.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise ctx.fail("missing or empty", fld or key)
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ctx.fail("expected text", fld or key)
    return str(value).strip()


def as_text(d: dict[str, Any], key: str, ctx: Ctx) -> Text:
    value = as_mapping(d.get(key), ctx, key)
    return Text(fr=as_str(value, "fr", ctx, fld=f"{key}.fr"), en=as_str(value, "en", ctx, fld=f"{key}.en"))


def as_number(d: dict[str, Any], key: str, ctx: Ctx, fld: str) -> float | None:
    value = d.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ctx.fail(f"expected a number, got {value!r}", fld)
    return float(value)


def as_bool(d: dict[str, Any], key: str, ctx: Ctx, fld: str, default: bool = True) -> bool:
    value = d.get(key, default)
    if not isinstance(value, bool):
        raise ctx.fail("expected true or false", fld)
    return value


def as_date(value: Any, ctx: Ctx, fld: str) -> str:
    """An ISO date as precise as known: YYYY, YYYY-MM or YYYY-MM-DD (a real calendar date)."""
    if isinstance(value, _dt.datetime):
        return value.date().isoformat()
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not DATE_RE.match(value.strip()):
        raise ctx.fail(f"bad date {value!r}: use YYYY, YYYY-MM or YYYY-MM-DD", fld)
    value = value.strip()
    parts = [int(p) for p in value.split("-")]
    try:
        _dt.date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)
    except ValueError as exc:
        raise ctx.fail(f"bad date {value!r}: {exc}", fld) from exc
    return value


def one_of(value: str, allowed: Any, ctx: Ctx, fld: str, what: str) -> str:
    if value not in allowed:
        raise ctx.fail(f"unknown {what} {value!r} (known: {', '.join(sorted(allowed))})", fld)
    return value


def read_changelog(data: dict[str, Any], ctx: Ctx) -> tuple[str, tuple[ChangeLogEntry, ...]]:
    version = as_str(data, "version", ctx)
    entries = []
    for i, raw in enumerate(as_list(data.get("changelog"), ctx, "changelog")):
        e = as_mapping(raw, ctx, f"changelog[{i}]")
        entries.append(
            ChangeLogEntry(
                version=as_str(e, "version", ctx, fld=f"changelog[{i}].version"),
                date=as_date(e.get("date"), ctx, f"changelog[{i}].date"),
                author=as_str(e, "author", ctx, fld=f"changelog[{i}].author"),
                change=as_str(e, "change", ctx, fld=f"changelog[{i}].change"),
            )
        )
    if not entries:
        raise ctx.fail("the changelog must have at least one entry", "changelog")
    if version not in {e.version for e in entries}:
        raise ctx.fail(f"version {version!r} has no changelog entry", "version")
    return version, tuple(entries)


def unique(ids: list[str], ctx: Ctx, what: str) -> None:
    seen: set[str] = set()
    for i in ids:
        if i in seen:
            raise ctx.fail(f"duplicate {what} {i!r}", what)
        seen.add(i)
