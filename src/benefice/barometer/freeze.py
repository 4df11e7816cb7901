"""Freezing an edition, and checking that a frozen edition is still what was built.

An edition directory is self-contained::

    manifest.json      versions and SHA-256 of every input and output, parameters, code version
    inputs/            the exact bytes the edition was computed from
    results.json       every figure, as computed
    data/              open data (CSV + datapackage.json)
    site/              static site, French and English
    report/            PDF reports, French and English

Nothing in it depends on the wall clock (the observation date is declared, not read from the clock) or on
the machine, so :func:`verify` can rebuild it from ``inputs/`` and compare byte for byte, naming every
missing, edited or unexpected file. An edition is never overwritten: :func:`build` writes into a temporary
sibling directory and renames it into place only when everything has been written.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benefice import __version__
from benefice.barometer.compute import compute
from benefice.barometer.inputs import EditionInputs, inputs_from_bytes, with_params
from benefice.errors import BeneficeError, localized_error
from benefice.i18n import gettext_noop, render

FORMAT = "benefice-barometer-edition/1"
MANIFEST = "manifest.json"
RESULTS = "results.json"


def code_version() -> str:
    """``benefice X.Y.Z`` plus ``git describe`` of the checkout when there is one."""
    here = Path(__file__).resolve().parent
    try:
        described = subprocess.run(
            ["git", "describe", "--always", "--dirty", "--tags"],
            cwd=here,
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return __version__
    tag = described.stdout.strip()
    return f"{__version__}+git.{tag}" if described.returncode == 0 and tag else __version__


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _json_bytes(data: Any) -> bytes:
    return (json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode("utf-8")


def edition_files(
    inputs: EditionInputs,
    year: int,
    observed_at: str,
    version: str,
    *,
    with_pdf: bool = True,
    progress: Callable[[str], None] | None = None,
) -> dict[str, bytes]:
    """Every file of an edition (relative path -> bytes), computed in memory."""
    from benefice.barometer.opendata import build_opendata  # noqa: PLC0415 - keep compute importable alone
    from benefice.barometer.site import build_site  # noqa: PLC0415

    say = progress or (lambda _m: None)
    say("computing figures")
    results = compute(inputs, year, observed_at)
    hashes = inputs.hashes()
    files: dict[str, bytes] = {f"inputs/{name}": data for name, data in inputs.files.items()}
    files[RESULTS] = _json_bytes(results)
    say("writing open data")
    files.update({f"data/{k}": v for k, v in build_opendata(results, inputs.publications, hashes).items()})
    say("writing the static site")
    definitions = {
        "registry": inputs.registry,
        "typology": inputs.typology,
        "indicators": inputs.indicators,
        "hashes": hashes,
    }
    files.update({f"site/{k}": v for k, v in build_site(results, definitions, version).items()})
    if with_pdf:
        say("writing the PDF reports")
        from benefice.barometer.pdf import build_pdf  # noqa: PLC0415

        files.update({f"report/{k}": v for k, v in build_pdf(results, version).items()})
    manifest = {
        "format": FORMAT,
        "edition": results["edition"],
        "code_version": version,
        "with_pdf": with_pdf,
        "versions": results["versions"],
        "params": results["params"],
        "inputs": {
            name: {"sha256": digest, "bytes": len(inputs.files[name])} for name, digest in hashes.items()
        },
        "publications": {
            "file": inputs.publications_file,
            "count": inputs.publications.num_rows,
            "in_perimeter": results["perimeter"]["in_perimeter"],
        },
        "outputs": {
            path: sha256(data) for path, data in sorted(files.items()) if not path.startswith("inputs/")
        },
    }
    files[MANIFEST] = _json_bytes(manifest)
    return files


def existing_editions(parent: Path, year: int) -> list[Path]:
    """The edition directories of ``year`` directly under ``parent`` (those whose manifest says so)."""
    found = []
    if not parent.is_dir():
        return found
    for child in sorted(parent.iterdir()):
        manifest = child / MANIFEST
        if not manifest.is_file():
            continue
        try:
            data = json.loads(manifest.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if data.get("format") == FORMAT and data.get("edition", {}).get("year") == year:
            found.append(child)
    return found


def _write_all(files: dict[str, bytes], target: Path) -> None:
    """Write into a temporary sibling, then rename: a failed build leaves nothing behind."""
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        for rel, data in sorted(files.items()):
            path = staging / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        if target.exists():  # created meanwhile, or an empty directory we may replace
            target.rmdir()
        os.replace(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def check_target(out_dir: str | Path, year: int, *, force_new_dir: bool = False) -> Path:
    """Refuse, before any work, a target that exists and is not empty, or a second edition of ``year`` in the
    same parent directory (unless ``force_new_dir``)."""
    out = Path(out_dir)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise BeneficeError(
            gettext_noop(
                "this edition directory already exists and is not empty; an edition is never overwritten "
                "(choose a new directory)"
            ),
            path=str(out),
        )
    if not force_new_dir:
        same_year = [p for p in existing_editions(out.parent, year) if p.resolve() != out.resolve()]
        if same_year:
            raise BeneficeError(
                gettext_noop(
                    "an edition for %(year)s already exists in %(existing)s; use --force-new-dir to build "
                    "another one next to it"
                ),
                params={"year": year, "existing": same_year[0].name},
                path=str(out.parent),
            )
    return out


def build(
    inputs: EditionInputs,
    year: int,
    out_dir: str | Path,
    observed_at: str,
    params: dict[str, Any] | None = None,
    *,
    force_new_dir: bool = False,
    with_pdf: bool = True,
    version: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> Path:
    """Compute and freeze an edition into ``out_dir``, which must not exist yet (or be empty).

    Refuses a second edition of the same year in the same parent directory unless ``force_new_dir``.
    """
    out = check_target(out_dir, year, force_new_dir=force_new_dir)
    if params:
        inputs = with_params(inputs, params)
    files = edition_files(
        inputs, year, observed_at, version or code_version(), with_pdf=with_pdf, progress=progress
    )
    _write_all(files, out)
    return out


@dataclass
class VerifyReport:
    """What :func:`verify` found; ``ok`` only when nothing is missing, edited, unexpected or different."""

    directory: str
    missing: list[str] = field(default_factory=list)
    edited: list[str] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)
    rebuild_differs: list[str] = field(default_factory=list)
    rebuild_error: str = ""  # in English (logs, older callers); rebuild_error_data says it in any language
    rebuild_error_data: dict[str, Any] = field(default_factory=dict)
    code_version_built: str = ""
    code_version_now: str = ""

    @property
    def ok(self) -> bool:
        return not (
            self.missing or self.edited or self.unexpected or self.rebuild_differs or self.rebuild_error
        )

    def rebuild_error_in(self, lang: str | None, *, name_only: bool = False) -> str:
        """Why the rebuild failed, in ``lang`` (the error's parts were kept: ``rebuild_error_data``)."""
        if self.rebuild_error_data:
            return localized_error(self.rebuild_error_data, lang, name_only=name_only)
        return render(self.rebuild_error, None, lang)

    def lines(self, lang: str | None = "en") -> list[str]:
        """What was found, one line per file, in ``lang`` (English by default, as it always was)."""
        kinds = [
            (VERIFY_MISSING, self.missing),
            (VERIFY_EDITED, self.edited),
            (VERIFY_UNEXPECTED, self.unexpected),
            (VERIFY_DIFFERS, self.rebuild_differs),
        ]
        out = [render(template, {"path": p}, lang) for template, paths in kinds for p in paths]
        if self.rebuild_error:
            out.append(render(VERIFY_REBUILD_FAILED, {"reason": self.rebuild_error_in(lang)}, lang))
        if self.rebuild_differs and self.code_version_built != self.code_version_now:
            out.append(
                render(
                    VERIFY_NOTE, {"built": self.code_version_built, "now": self.code_version_now}, lang
                )
            )
        return out


# what verify found (the command ``benefice barometer verify`` says the same lines)
VERIFY_MISSING = gettext_noop("missing: %(path)s")
VERIFY_EDITED = gettext_noop("edited (hash differs from the manifest): %(path)s")
VERIFY_UNEXPECTED = gettext_noop("unexpected (not in the manifest): %(path)s")
VERIFY_DIFFERS = gettext_noop("differs when rebuilt from inputs/: %(path)s")
VERIFY_REBUILD_FAILED = gettext_noop("rebuild failed: %(reason)s")
VERIFY_NOTE = gettext_noop("note: built with benefice %(built)s, verified with %(now)s")


def read_manifest(directory: str | Path) -> dict[str, Any]:
    path = Path(directory) / MANIFEST
    if not path.is_file():
        raise BeneficeError(gettext_noop("not an edition: manifest.json is missing"), path=str(directory))
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise BeneficeError(
            gettext_noop("manifest.json is not valid JSON: %(reason)s"), params={"reason": str(exc)}, path=str(path)
        ) from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BeneficeError(
            gettext_noop("manifest.json is not a %(format)s manifest"), params={"format": FORMAT}, path=str(path)
        )
    return manifest


def _listing(directory: Path) -> set[str]:
    return {p.relative_to(directory).as_posix() for p in directory.rglob("*") if p.is_file()}


def verify(directory: str | Path) -> VerifyReport:
    """Check every file against the manifest, then rebuild from ``inputs/`` and compare byte for byte."""
    directory = Path(directory)
    manifest = read_manifest(directory)
    report = VerifyReport(str(directory), code_version_built=manifest.get("code_version", ""))
    report.code_version_now = code_version()
    expected = {path: digest for path, digest in manifest["outputs"].items()}
    expected.update({f"inputs/{name}": meta["sha256"] for name, meta in manifest["inputs"].items()})
    present = _listing(directory) - {MANIFEST}
    for path, digest in sorted(expected.items()):
        if path not in present:
            report.missing.append(path)
        elif sha256((directory / path).read_bytes()) != digest:
            report.edited.append(path)
    report.unexpected = sorted(present - set(expected))

    input_files = {
        name: (directory / "inputs" / name).read_bytes()
        for name in manifest["inputs"]
        if (directory / "inputs" / name).is_file()
    }
    edition = manifest["edition"]
    try:
        inputs = inputs_from_bytes(input_files, str(directory / "inputs"))
        rebuilt = edition_files(
            inputs,
            int(edition["year"]),
            edition["observed_at"],
            manifest.get("code_version", ""),
            with_pdf=bool(manifest.get("with_pdf", True)),
        )
    except BeneficeError as exc:
        report.rebuild_error = str(exc)
        report.rebuild_error_data = exc.to_data()  # its parts, to say it in the reader's language
        return report
    for path, data in sorted(rebuilt.items()):
        target = directory / path
        if path in report.missing or not target.is_file():
            if path not in report.missing:
                report.missing.append(path)
            continue
        if target.read_bytes() != data and path not in report.edited:
            report.rebuild_differs.append(path)
    return report
