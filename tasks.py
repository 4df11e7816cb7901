#!/usr/bin/env python3
"""Set-up and everyday tasks with nothing but Python 3.11+: ``python3 tasks.py demo`` and ``python3 tasks.py test``.

Each task creates ``.venv`` beside this file if needed, installs the locked dependencies (reinstalling only
when the lock file changed), then runs. Kept in the standard library on purpose: it must work on a bare machine.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / "python"


def sh(*args: str | Path, env: dict | None = None, check: bool = True) -> int:
    print("+", " ".join(str(a) for a in args), flush=True)
    return subprocess.run([str(a) for a in args], env=env, check=check).returncode


def ensure_venv(lock: str = "requirements.lock") -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 - tasks.py may run under any python3 of a bare machine
        sys.exit("benefice needs Python 3.11 or newer")
    if not PY.exists():
        venv.EnvBuilder(with_pip=True).create(VENV)
    stamp = VENV / f".installed-{lock}"
    digest = hashlib.sha256((ROOT / lock).read_bytes() + (ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if stamp.exists() and stamp.read_text() == digest:
        return
    # The lock is complete, so pip need not resolve; --no-deps also lets the benchmark lock hold a peer
    # (asreview) whose declared rispy pin is overridden (benchmarks/overrides.txt).
    sh(PY, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-deps", "-r", ROOT / lock)
    sh(PY, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-deps", "-e", ROOT)
    stamp.write_text(digest)


def ensure_chromium() -> None:
    """Browser tests need Debian's Chromium; install it when we are root on Debian, else they skip."""
    if Path("/usr/bin/chromium").exists() or os.environ.get("BENEFICE_NO_BROWSER_INSTALL"):
        return
    if hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get"):
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        sh("apt-get", "update", "-qq", env=env, check=False)
        sh(
            "apt-get",
            "install",
            "-y",
            "-qq",
            "--no-install-recommends",
            "chromium",
            "fonts-dejavu-core",
            env=env,
            check=False,
        )
    if not Path("/usr/bin/chromium").exists():
        print("note: /usr/bin/chromium is absent; browser tests will be skipped", flush=True)


def task_demo(args: argparse.Namespace) -> int:
    ensure_venv()
    cmd = [BIN / "benefice", "demo"]
    if args.no_serve:
        cmd.append("--no-serve")
    return sh(*cmd, check=False)


def task_test(args: argparse.Namespace) -> int:
    ensure_venv()
    ensure_chromium()
    # a model changed without its migration fails CI here, before the suite (whose test database is built
    # by the migrations, so it would not notice)
    django_settings = ("--settings", "benefice.settings")
    code = sh(PY, "-m", "django", "makemigrations", "--check", "--dry-run", *django_settings, check=False)
    if code:
        print(
            "error: a model changed without its migration; write it with "
            ".venv/bin/python -m django makemigrations --settings benefice.settings",
            file=sys.stderr,
        )
        return code
    code = sh(PY, "-m", "pytest", *args.pytest_args, check=False)
    if code == 5:
        print("error: pytest collected no tests", file=sys.stderr)
        return 1
    return code


def task_lint(args: argparse.Namespace) -> int:
    ensure_venv()
    return sh(BIN / "ruff", "check", "src", "tests", "benchmarks", check=False)


def task_docs(args: argparse.Namespace) -> int:
    """Regenerate docs/data-model.md (from the models) and docs/cli.md (from every command's --help);
    tests/test_docs.py fails when the checked-in files differ from what this writes."""
    ensure_venv()
    return sh(PY, "-m", "benefice.docgen", ROOT, check=False)


def task_bench(args: argparse.Namespace) -> int:
    ensure_venv("requirements-bench.lock")
    code = 0
    names = args.names or sorted(
        p.stem for p in (ROOT / "benchmarks").glob("*.py") if not p.stem.startswith("_")
    )
    for name in names:
        code |= sh(PY, ROOT / "benchmarks" / f"{name}.py", check=False)
    return code


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    sub = parser.add_subparsers(dest="task", required=True)
    p = sub.add_parser("demo", help="install, load the demo data and serve http://127.0.0.1:8000")
    p.add_argument("--no-serve", action="store_true")
    p.set_defaults(func=task_demo)
    p = sub.add_parser("test", help="install and run the whole test suite")
    p.add_argument("pytest_args", nargs=argparse.REMAINDER)
    p.set_defaults(func=task_test)
    sub.add_parser("lint", help="ruff").set_defaults(func=task_lint)
    sub.add_parser("docs", help="regenerate docs/data-model.md and docs/cli.md").set_defaults(func=task_docs)
    p = sub.add_parser("bench", help="run the benchmarks (all, or the ones named) and print their tables")
    p.add_argument("names", nargs="*")
    p.set_defaults(func=task_bench)
    argv = sys.argv[1:]
    if argv[:1] == ["test"]:  # everything after "test" goes to pytest, options included
        args = parser.parse_args(["test"])
        args.pytest_args = argv[1:]
    else:
        args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
