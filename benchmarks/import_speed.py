"""Import throughput and peak memory: ``python benchmarks/import_speed.py [--sizes 50000,100000,200000]``.

Builds RIS files by replicating the real records of ``../shared/data/formats/ris/asreview__baseline.ris``
with fresh identifiers (DOI, and a replicate number in the title so each copy is a distinct work), then
imports each into a fresh SQLite database in a child process and reports records/s and peak RSS. Replicas are made distinct works
(title and abstract words reordered, year, volume, first page and author order changed), as a real corpus is. The peer,
measured in the same run on the same file, is rispy parsing the whole file into memory (no database): what a
script using the reference RIS library would pay before doing any work. Targets (issue #2): ≥ 2,000
records/s end to end, and peak memory that does not grow with the file size.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT.parent / "shared" / "data" / "formats" / "ris" / "asreview__baseline.ris"

CHILD_IMPORT = r"""
import json, os, resource, sys, time
os.environ["BENEFICE_HOME"] = sys.argv[2]
from benefice.commands.corpus import initialise
initialise()
from benefice.corpus.services import import_file
t = time.perf_counter()
batch = import_file(sys.argv[1])
elapsed = time.perf_counter() - t
print(json.dumps({"seconds": elapsed, "records": batch.records_read, "new": batch.new_publications,
                  "merged": batch.duplicates_merged,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  # the process that reads and prepares the file beside the writer, when one ran
                  "reader_peak_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))
"""

CHILD_RISPY = r"""
import json, resource, sys, time
import rispy
t = time.perf_counter()
with open(sys.argv[1], encoding="utf-8-sig") as f:
    entries = rispy.load(f)
elapsed = time.perf_counter() - t
print(json.dumps({"seconds": elapsed, "records": len(entries),
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def _shuffle(title: str, seed: int) -> str:
    words = title.split()
    random.Random(seed).shuffle(words)
    return " ".join(words)


def build_file(n: int, out: Path) -> None:
    text = SOURCE.read_text(encoding="utf-8-sig")
    records = [r.strip() + "\n" for r in re.split(r"(?m)^ER  -.*$", text) if r.strip()]
    with out.open("w", encoding="utf-8") as f:
        for i in range(n):
            rec = records[i % len(records)]
            copy = i // len(records)
            # a fresh work: no identifier of the original may survive (PMIDs hide in L2/UR/AN links)
            rec = re.sub(r"(?m)^(?:L1|L2|L3|L4|UR|AN|ID|C2|M1)  - .*\n?", "", rec)
            rec = re.sub(r"(?m)^DO  - .*$", f"DO  - 10.99999/bench.{i}", rec)
            if "DO  - " not in rec:
                rec += f"DO  - 10.99999/bench.{i}\n"
            if copy:  # a distinct work: title and abstract words reordered, other year, volume and pages,
                # authors rotated (a copy keeping the abstract would be the same text, which dedup merges)
                rec = re.sub(
                    r"(?m)^TI  - (.*)$",
                    lambda m, i=i, copy=copy: f"TI  - {_shuffle(m.group(1), i)} (replicate {copy})",
                    rec,
                )
                rec = re.sub(
                    r"(?m)^(AB|N2)  - (.*)$", lambda m, i=i: f"{m.group(1)}  - {_shuffle(m.group(2), i)}", rec
                )
                rec = re.sub(r"(?m)^PY  - .*$", f"PY  - {1990 + (i * 7) % 35}", rec)
                rec = re.sub(r"(?m)^VL  - .*$", f"VL  - {i % 97 + 1}", rec)
                rec = re.sub(r"(?m)^SP  - .*$", f"SP  - {i % 9973 + 1}", rec)
                authors = re.findall(r"(?m)^AU  - .*$", rec)
                if len(authors) > 1:
                    k = copy % len(authors)
                    rotated = authors[k:] + authors[:k]
                    rec = re.sub(r"(?m)^AU  - .*\n?", "", rec) + "\n".join(rotated) + "\n"
            f.write(rec + "ER  - \n\n")


def run_child(code: str, *args: str) -> dict:
    out = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, check=False)
    if out.returncode != 0:
        raise SystemExit(out.stderr[-3000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="50000,100000,200000")
    args = parser.parse_args()
    if not SOURCE.exists():
        print(f"skipped: {SOURCE} absent (../shared is needed)")
        return 0
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in (int(s) for s in args.sizes.split(",")):
            path = Path(tmp) / f"bench_{n}.ris"
            build_file(n, path)
            home = Path(tmp) / f"home_{n}"
            home.mkdir()
            ours = run_child(CHILD_IMPORT, str(path), str(home))
            peer = run_child(CHILD_RISPY, str(path))
            rows.append((n, ours, peer, path.stat().st_size / 1e6))
            path.unlink()
    print(
        "\n## Import: benefice (parse + dedup + SQLite, one transaction) vs rispy.load (parse only, in memory)\n"
    )
    print(
        "| records | file MB | benefice rec/s | benefice peak MB | reader peak MB | new | merged | rispy rec/s "
        "| rispy peak MB | speed ratio | memory ratio |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for n, ours, peer, mb in rows:
        ours_rate = ours["records"] / ours["seconds"]
        peer_rate = peer["records"] / peer["seconds"]
        print(
            f"| {n:,} | {mb:.0f} | {ours_rate:,.0f} | {ours['peak_mb']:.0f} | {ours['reader_peak_mb']:.0f} "
            f"| {ours['new']:,} | {ours['merged']:,} "
            f"| {peer_rate:,.0f} | {peer['peak_mb']:.0f} | {ours_rate / peer_rate:.2f} "
            f"| {ours['peak_mb'] / peer['peak_mb']:.2f} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
