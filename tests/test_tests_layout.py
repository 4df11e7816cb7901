"""tests/ mirrors src/benefice/ (issue 18, item 7): ``tests/<app>/`` for an app's pure core, ``tests/<app>_web/``
for its Django side, and, besides, only ``support/`` (what tests share: the browser machinery, vendored axe-core)
and ``data/`` (checks on the bundled data files of ``src/benefice/data/``)."""

from __future__ import annotations

from pathlib import Path

TESTS = Path(__file__).resolve().parent
PACKAGE = TESTS.parent / "src" / "benefice"
#: tests/ directories that belong to no app, and why
NOT_AN_APP = {
    "support": "shared test machinery, no tests",
    "data": "checks on the bundled data files",
}


def _apps() -> set[str]:
    """The Django apps of src/benefice: its packages with an ``apps.py``."""
    return {d.name for d in PACKAGE.iterdir() if (d / "apps.py").is_file()}


def _test_dirs() -> list[Path]:
    return sorted(
        d for d in TESTS.iterdir() if d.is_dir() and d.name != "__pycache__" and not d.name.startswith(".")
    )


def test_each_tests_directory_is_named_after_an_app():
    apps = _apps()
    assert {"corpus", "core", "sources"} <= apps, f"no apps found in {PACKAGE}"
    allowed = apps | {f"{app}_web" for app in apps} | set(NOT_AN_APP)
    stray = [d.name for d in _test_dirs() if d.name not in allowed]
    assert not stray, (
        "tests/ directories that match no app of src/benefice (name it <app> for the pure core, <app>_web "
        "for the Django side, or put shared machinery in tests/support/): " + ", ".join(stray)
    )


def test_support_holds_no_tests():
    tests = sorted(str(p.relative_to(TESTS)) for p in (TESTS / "support").rglob("test_*.py"))
    assert not tests, (
        "tests/support/ is imported, not collected; move these into an app's folder: " + ", ".join(tests)
    )
