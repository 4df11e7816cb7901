"""Templates and static files one way (issue 18), checked on the files on disk.

A name says where a file lives: an app's templates are in ``<app>/templates/<app>/`` and its static files
in ``<app>/static/benefice/<app>/`` (``{% static 'benefice/<app>/...' %}``); project-wide ones are in
``src/benefice/templates/`` and ``src/benefice/static/benefice/``, and third-party code only in
``src/benefice/static/benefice/vendor/<library>/`` with its licence, listed in ``vendor/README.md``
(docs/architecture.md, "Templates and static files"). The apps are the directories found on disk, so a new
or renamed app is checked without editing this file.

``tests/`` mirrors the apps the same way (issue 18, item 7): ``tests/<app>/`` for an app's pure core,
``tests/<app>_web/`` for its Django side, and, besides, only ``support/`` (what tests share: the browser
machinery, vendored axe-core) and ``data/`` (checks on the bundled data files of ``src/benefice/data/``).
"""

from __future__ import annotations

from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
PACKAGE = TESTS.parent / "src" / "benefice"
PROJECT_STATIC = PACKAGE / "static" / "benefice"
VENDOR = PROJECT_STATIC / "vendor"
#: a minified file has lines no person writes; ours stay under the line length of the code (110)
MINIFIED_LINE = 1000


def _files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts)


def _apps() -> list[Path]:
    """The Django apps of the package: its directories with an ``apps.py``."""
    return sorted(p.parent for p in PACKAGE.glob("*/apps.py"))


def _named_dirs(name: str) -> list[Path]:
    return sorted(p for p in PACKAGE.rglob(name) if p.is_dir() and "__pycache__" not in p.parts)


def _rel(path: Path) -> str:
    return str(path.relative_to(PACKAGE.parent.parent))


def _under(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def _allowed_static_roots() -> list[Path]:
    return [PROJECT_STATIC] + [app / "static" / "benefice" / app.name for app in _apps()]


def test_the_apps_are_found():
    names = {app.name for app in _apps()}
    assert {"core", "corpus", "sources", "uses", "barometer"} <= names


def test_static_files_are_in_the_two_shapes():
    roots = _allowed_static_roots()
    misplaced = [
        _rel(path)
        for static in _named_dirs("static")
        for path in _files(static)
        if not any(_under(path, root) for root in roots)
    ]
    assert not misplaced, (
        "static files outside src/benefice/static/benefice/ and src/benefice/<app>/static/benefice/<app>/: "
        + ", ".join(misplaced)
    )


def test_app_templates_are_namespaced_by_their_app():
    misplaced = []
    for templates in _named_dirs("templates"):
        if templates == PACKAGE / "templates":
            continue  # project-wide: base.html, error pages, registration/
        app = templates.parent
        if app.parent != PACKAGE or not (app / "apps.py").is_file():
            misplaced += [_rel(p) for p in _files(templates)]
            continue
        misplaced += [_rel(p) for p in _files(templates) if not _under(p, templates / app.name)]
    assert not misplaced, "templates outside src/benefice/<app>/templates/<app>/: " + ", ".join(misplaced)


def _looks_vendored(path: Path) -> bool:
    name = path.name.lower()
    if name.endswith((".min.js", ".min.css")) or name.startswith(("license", "licence", "copying")):
        return True
    if path.suffix in (".js", ".mjs", ".css"):
        with path.open(encoding="utf-8", errors="replace") as handle:
            return any(len(line) > MINIFIED_LINE for line in handle)
    return False


def test_vendored_code_is_only_in_the_vendor_directory():
    stray = [_rel(d) for d in _named_dirs("vendor") if d != VENDOR]
    stray += [_rel(p) for p in _files(PACKAGE) if _looks_vendored(p) and not _under(p, VENDOR)]
    assert not stray, "third-party code outside src/benefice/static/benefice/vendor/: " + ", ".join(stray)


@pytest.mark.parametrize("library", sorted(p.name for p in VENDOR.iterdir() if p.is_dir()))
def test_each_vendored_library_has_its_licence_and_is_listed(library):
    folder = VENDOR / library
    licences = [p for p in folder.iterdir() if p.name.lower().startswith(("license", "licence"))]
    assert licences, f"{_rel(folder)} carries no licence file"
    assert f"`{library}/" in (VENDOR / "README.md").read_text(encoding="utf-8"), (
        f"{library} is not listed in {_rel(VENDOR / 'README.md')}"
    )


def test_nothing_else_in_the_vendor_directory():
    loose = [_rel(p) for p in VENDOR.iterdir() if p.is_file() and p.name != "README.md"]
    assert not loose, "vendored files belong in vendor/<library>/: " + ", ".join(loose)


#: tests/ directories that belong to no app, and why
NOT_AN_APP = {
    "support": "shared test machinery, no tests",
    "data": "checks on the bundled data files",
}


def _test_dirs() -> list[Path]:
    return sorted(
        d for d in TESTS.iterdir() if d.is_dir() and d.name != "__pycache__" and not d.name.startswith(".")
    )


def test_each_tests_directory_is_named_after_an_app():
    apps = {app.name for app in _apps()}
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
