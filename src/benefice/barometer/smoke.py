"""End-to-end check of the barometer on the demo database, through the real commands (for CI).

``python -m benefice.barometer.smoke`` loads the demo into a fresh ``BENEFICE_HOME`` (``benefice demo
--no-serve``, which also builds the demo edition), builds an edition of the same year again with
``benefice barometer build`` into a separate directory, then checks what a publisher needs: the static site
in both languages, both PDF reports, a data package that frictionless validates, ``benefice barometer verify``
passing, and the two builds agreeing on every figure (same corpus, same year, same observation date). It
prints one line per check and exits with status 1 on the first failure.

Why subprocesses: CI must exercise the installed ``benefice`` entry point exactly as a user types it.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _run(args: list[str], env: dict[str, str]) -> str:
    started = time.perf_counter()
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"FAILED: {' '.join(args)} (exit {done.returncode})\n{done.stdout}\n{done.stderr}")
    print(f"ok   {' '.join(Path(a).name if i == 0 else a for i, a in enumerate(args))} "
          f"({time.perf_counter() - started:.1f} s)")  # fmt: skip
    return done.stdout + done.stderr


def _check(condition: bool, what: str) -> None:
    if not condition:
        raise SystemExit(f"FAILED: {what}")
    print(f"ok   {what}")


def main(keep: bool = False) -> int:
    benefice = str(Path(sys.executable).with_name("benefice"))
    home = Path(tempfile.mkdtemp(prefix="benefice-barometer-smoke-"))
    env = {**os.environ, "BENEFICE_HOME": str(home)}
    env.pop("DATABASE_URL", None)  # a throwaway SQLite database in the temporary home
    try:
        _run([benefice, "demo", "--no-serve"], env)
        editions = sorted(p for p in (home / "barometer").iterdir() if (p / "manifest.json").is_file())
        _check(len(editions) == 1, "the demo built one edition under $BENEFICE_HOME/barometer/")
        demo = editions[0]
        manifest = json.loads((demo / "manifest.json").read_text(encoding="utf-8"))
        year, observed = manifest["edition"]["year"], manifest["edition"]["observed_at"]
        _run([benefice, "demo", "--no-serve"], env)
        _check(json.loads((demo / "manifest.json").read_text(encoding="utf-8")) == manifest,
               "running the demo again keeps the edition")  # fmt: skip

        out = home / "ci" / "edition"
        _run([benefice, "barometer", "build", "--year", str(year), "--observed-at", observed, "--out", str(out)],
             env)  # fmt: skip
        for page in ("index.html", "fr/index.html", "en/index.html", "fr/charts.html", "en/methodology.html",
                     "fr/custodians/index.html", "assets/vega-lite.min.js"):  # fmt: skip
            _check((out / "site" / page).is_file(), f"site/{page}")
        for pdf in (f"barometre-{year}-fr.pdf", f"barometer-{year}-en.pdf"):
            _check((out / "report" / pdf).read_bytes().startswith(b"%PDF"), f"report/{pdf} is a PDF")
        from frictionless import Package

        report = Package(str(out / "data" / "datapackage.json")).validate()
        _check(report.valid, "data/datapackage.json validates with frictionless")
        _run([benefice, "barometer", "verify", str(out)], env)
        same = json.loads((out / "results.json").read_text(encoding="utf-8")) == json.loads(
            (demo / "results.json").read_text(encoding="utf-8")
        )
        _check(same, "the command and the demo computed the same figures")
        refused = subprocess.run(
            [benefice, "barometer", "build", "--year", str(year), "--observed-at", observed, "--out", str(out)],
            env=env, capture_output=True, text=True, check=False,
        )  # fmt: skip
        _check(refused.returncode == 2 and "never overwritten" in refused.stderr, "a second build is refused")
        print(f"barometer smoke test passed (edition {year}, observed {observed}; today {_dt.date.today()})")
        return 0
    finally:
        if keep:
            print(f"kept {home}")
        else:
            shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(keep="--keep" in sys.argv[1:]))
