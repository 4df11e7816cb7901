"""Declared boundaries between the parts of the package (issue 18, item 6), checked on the source itself.

A newcomer should be able to change a module without reading every other one: what a package offers is
what its ``__init__`` lists in ``__all__``, and a name with a leading underscore is private to its own
package (its sibling modules may share it, e.g. a ``_shared`` module; nothing outside may import it). These
tests read the source with ``ast`` and fail naming the file, line and name that cross a boundary.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src"
PACKAGE = SRC / "benefice"


def _modules() -> list[tuple[str, Path]]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        parts = list(path.relative_to(SRC).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found.append((".".join(parts), path))
    return found


MODULES = dict(_modules())


def _package_of(module: str) -> str:
    """The package a module belongs to (a package's ``__init__`` belongs to the package itself)."""
    path = MODULES.get(module)
    if path is not None and path.name == "__init__.py":
        return module
    return module.rpartition(".")[0]


def _absolute(module: str, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    base = _package_of(module).split(".")
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _imports() -> list[tuple[str, Path, int, str, str]]:
    """(importing module, file, line, module imported from, name) of every ``from benefice… import name``."""
    rows = []
    for module, path in MODULES.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                source = _absolute(module, node)
                if source == "benefice" or source.startswith("benefice."):
                    rows.extend((module, path, node.lineno, source, alias.name) for alias in node.names)
    return rows


IMPORTS = _imports()


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def test_no_private_name_is_imported_from_another_package() -> None:
    crossing = [
        f"{path.relative_to(SRC)}:{line}: imports {name} from {source}"
        for module, path, line, source, name in IMPORTS
        if (_private(name) or _private(source.rpartition(".")[2]))
        and _package_of(source) != _package_of(module)
        and not source.startswith(_package_of(module) + ".")  # a package reading its own private modules
    ]
    assert not crossing, "private names cross a package boundary:\n" + "\n".join(crossing)


def _declared(path: Path) -> list[str] | None:
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "__all__" for t in node.targets):
            return [ast.literal_eval(element) for element in node.value.elts]
    return None


PACKAGES_WITH_EXPORTS = sorted(
    module
    for module, path in MODULES.items()
    if path.name == "__init__.py"
    and any(isinstance(n, ast.ImportFrom) for n in ast.parse(path.read_text(encoding="utf-8")).body)
)


@pytest.mark.parametrize("package", PACKAGES_WITH_EXPORTS)
def test_a_package_that_gathers_names_declares_them_in_all(package: str) -> None:
    declared = _declared(MODULES[package])
    assert declared is not None, f"{MODULES[package].relative_to(SRC)} imports names but has no __all__"
    tree = ast.parse(MODULES[package].read_text(encoding="utf-8"))
    defined = {
        alias.asname or alias.name for node in tree.body if isinstance(node, ast.ImportFrom) for alias in node.names
    } | {n.name for n in tree.body if isinstance(n, ast.FunctionDef | ast.ClassDef)} | {
        target.id
        for n in tree.body
        if isinstance(n, ast.Assign | ast.AnnAssign)
        for target in (n.targets if isinstance(n, ast.Assign) else [n.target])
        if isinstance(target, ast.Name)
    }
    missing = sorted(set(declared) - defined - {"__version__"})
    assert not missing, f"{package}.__all__ names what the package does not define: {missing}"


def test_names_taken_from_a_package_are_in_its_all() -> None:
    undeclared = []
    for module, path, line, source, name in IMPORTS:
        target = MODULES.get(source)
        if target is None or target.name != "__init__.py" or _package_of(module).startswith(source):
            continue  # a module, or a package's own parts importing from it
        declared = _declared(target)
        if declared is not None and name not in declared and f"{source}.{name}" not in MODULES:
            undeclared.append(f"{path.relative_to(SRC)}:{line}: {name} is not in {source}.__all__")
    assert not undeclared, "names taken past a package's declared boundary:\n" + "\n".join(undeclared)
