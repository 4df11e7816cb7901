"""The documentation a newcomer reads first stays true to the code (issue 18, item 8).

- docs/data-model.md and docs/cli.md are generated (benefice.docgen): regenerated here in memory, they must
  equal the checked-in files, else the failure says to run ``python3 tasks.py docs``;
- every ``benefice`` command is explained by hand in README.md or docs/user-guide.md (the generated
  docs/cli.md documents the options, not what a command is for);
- every setting read from the environment by settings.py (and BENEFICE_HOME, read by benefice.paths) is
  documented in README.md or docs/deploy.md;
- every top-level key of every shipped YAML data file is described in that file's section of
  docs/data-files.md.
"""

from __future__ import annotations

import ast
import difflib
import re
from pathlib import Path

import pytest
import yaml

from benefice import docgen

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src" / "benefice"


def _read(name: str) -> str:
    return (ROOT / name).read_text(encoding="utf-8")


# --------------------------------------------------------------------------------------------------
# Generated files
# --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["docs/data-model.md", "docs/cli.md"])
def test_generated_docs_are_up_to_date(name):
    expected = docgen.generated(ROOT)[ROOT / name]
    path = ROOT / name
    actual = path.read_text(encoding="utf-8") if path.exists() else ""
    if actual != expected:
        diff = "".join(
            list(
                difflib.unified_diff(
                    actual.splitlines(keepends=True),
                    expected.splitlines(keepends=True),
                    f"{name} (checked in)",
                    f"{name} (from the code)",
                    n=1,
                )
            )[:60]
        )
        pytest.fail(
            f"{name} is out of date with the code: run `{docgen.REGENERATE}` and commit {name}.\n{diff}",
            pytrace=False,
        )


def test_generation_is_deterministic(monkeypatch):
    first = docgen.cli_markdown()
    monkeypatch.setenv("COLUMNS", "37")  # the terminal's width must not matter
    assert docgen.cli_markdown() == first
    assert docgen.data_model_markdown() == docgen.data_model_markdown()
    machine_paths = [str(ROOT), *([str(Path.home())] if len(str(Path.home())) > 1 else [])]
    for text in (first, docgen.data_model_markdown()):
        assert not [p for p in machine_paths if p in text], "a path of this machine is in the generated docs"


def test_data_model_covers_every_project_model():
    from django.apps import apps

    text = docgen.data_model_markdown()
    models = [m for m in apps.get_models() if m.__module__.startswith("benefice.")]
    assert models
    for model in models:
        assert f"    {model._meta.app_label}_{model.__name__} {{" in text, model._meta.label
    # relations are drawn: a foreign key, a one-to-one and a many-to-many of the corpus and interviews
    assert 'corpus_RawRecord }o--|| corpus_ImportBatch : "batch"' in text
    assert "sources_PublicationDetection |o--|| corpus_Publication" in text
    assert 'interviews_InterviewProject }o--o{ auth_User : "members (through Membership)"' in text


def test_cli_reference_lists_every_command():
    text = docgen.cli_markdown()
    for path, _cmd, _ctx in docgen.command_tree():
        assert f"\n## {' '.join(path)}\n" in text
        assert f"Usage: {' '.join(path)} " in text


# --------------------------------------------------------------------------------------------------
# Hand-written documentation
# --------------------------------------------------------------------------------------------------
def test_every_command_is_explained_by_hand():
    """docs/cli.md is generated from --help, so it cannot be where a command is explained."""
    texts = {name: _read(name) for name in ("README.md", "docs/user-guide.md")}
    missing = []
    for path, _cmd, _ctx in docgen.command_tree()[1:]:
        pattern = re.compile(r"\b" + r"\s+".join(map(re.escape, path)) + r"(?![\w-])")
        if not any(pattern.search(text) for text in texts.values()):
            missing.append(" ".join(path))
    assert not missing, (
        f"commands explained nowhere by hand: {', '.join(missing)}. Explain each in README.md (the command "
        "table) or docs/user-guide.md, with the French equivalent in docs/guide-utilisateur.md; then run "
        f"`{docgen.REGENERATE}` to refresh docs/cli.md."
    )


def _environment_variables(path: Path) -> set[str]:
    """Names read with os.environ.get / os.environ[...] / os.getenv in a module."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            func = ast.unparse(node.func)
            if func in ("os.environ.get", "os.getenv", "environ.get", "getenv"):
                names.add(node.args[0].value)
        elif isinstance(node, ast.Subscript) and ast.unparse(node.value) in ("os.environ", "environ"):
            if isinstance(node.slice, ast.Constant):
                names.add(node.slice.value)
    return {n for n in names if isinstance(n, str)}


def test_environment_settings_are_documented():
    names = _environment_variables(SRC / "settings.py") | _environment_variables(SRC / "paths.py")
    assert {"DATABASE_URL", "BENEFICE_HOME", "BENEFICE_SECRET_KEY"} <= names  # the parser finds them
    docs = _read("README.md") + _read("docs/deploy.md")
    missing = sorted(n for n in names if not re.search(rf"\b{re.escape(n)}\b", docs))
    assert not missing, (
        f"settings read from the environment but documented neither in README.md nor in docs/deploy.md: "
        f"{', '.join(missing)}. Add each to the table of docs/deploy.md (section 'Every setting')."
    )


def _sections(markdown: str) -> dict[str, str]:
    """Level-2 sections of a Markdown page: heading -> text up to the next level-2 heading."""
    out: dict[str, str] = {}
    heading = None
    for line in markdown.splitlines(keepends=True):
        if line.startswith("## "):
            heading = line[3:].strip()
            out[heading] = ""
        elif heading is not None:
            out[heading] += line
    return out


def _data_files() -> list[Path]:
    return sorted(p for p in (SRC / "data").rglob("*") if p.suffix in (".yaml", ".yml"))


def test_data_file_keys_are_documented():
    page = "docs/data-files.md"
    sections = _sections(_read(page))
    files = _data_files()
    assert len(files) >= 8
    problems = []
    for path in files:
        name = path.relative_to(SRC / "data").as_posix()
        section = next((text for heading, text in sections.items() if f"`{name}`" in heading), None)
        if section is None:
            problems.append(f"{name}: no section whose heading names `{name}`")
            continue
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert isinstance(data, dict), name
        for key in data:
            if f"`{key}`" not in section:
                problems.append(f"{name}: top-level key `{key}` not described in its section")
    assert not problems, f"{page} does not describe every shipped data file:\n  " + "\n  ".join(problems)


def test_developer_documents_are_linked():
    links = ["architecture.md", "data-model.md", "cli.md", "data-files.md", "CHANGELOG.md"]
    for name in ("README.md", "docs/README.md"):
        text = _read(name)
        for target in links:
            assert re.search(rf"\]\([^)]*{re.escape(target)}\)", text), f"{name} does not link {target}"
    for target in ("docs/architecture.md", "docs/data-files.md", "CHANGELOG.md"):
        assert (ROOT / target).exists()


# --------------------------------------------------------------------------------------------------
# docs/architecture.md
# --------------------------------------------------------------------------------------------------
_DOTTED = re.compile(r"`(benefice(?:\.[A-Za-z_][A-Za-z0-9_]*)+)`")


def _exists(name: str) -> bool:
    """A module (found without running it: ``benefice.wsgi`` would open the database) or an attribute of one."""
    import importlib
    import importlib.util

    try:
        if importlib.util.find_spec(name) is not None:
            return True
    except ImportError:  # the parent is a module, not a package: name is an attribute
        pass
    module, _, attribute = name.rpartition(".")
    try:
        return hasattr(importlib.import_module(module), attribute)
    except ImportError:
        return False


def test_architecture_names_only_what_exists():
    names = sorted(set(_DOTTED.findall(_read("docs/architecture.md"))))
    assert len(names) > 60
    missing = [name for name in names if not _exists(name)]
    assert not missing, f"docs/architecture.md names modules or objects that do not exist: {missing}"


def test_pure_core_modules_import_no_django(tmp_path):
    """The modules docs/architecture.md lists as the pure core import no Django (in a fresh interpreter,
    without settings), so notebooks, the file commands and Dask workers can use them."""
    import os
    import subprocess
    import sys

    text = _read("docs/architecture.md")
    section = text.split("### Pure-core modules", 1)[1].split("\n## ", 1)[0]
    modules = sorted(set(_DOTTED.findall(section)))
    assert len(modules) > 40
    probe = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "    if 'django' in sys.modules:\n"
        "        print(name); break\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env["BENEFICE_HOME"] = str(tmp_path)
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, env=env, timeout=120
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert not result.stdout.strip(), f"{result.stdout.strip()} imports Django but is listed as pure core"
