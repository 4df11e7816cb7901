"""Import throughput and peak memory: ``python benchmarks/import_speed.py [--sizes 10000,50000,200000]
[--pool baseline|shared]``.

Builds RIS files by replicating real records with fresh identifiers (DOI, and a replicate number in the title
so each copy is a distinct work), then imports each into a fresh SQLite database in a child process and
reports records/s and peak RSS of the writer and of the process reading the file beside it. Replicas are made
distinct works (title and abstract words reordered, year, volume, first page and author order changed), as a
real corpus is. The pool of real records replicated is either the 100 records of
``../shared/data/formats/ris/asreview__baseline.ris`` (``baseline``, a stress test) or every real record of
``../shared`` with bibliographic fields (``shared``; see :func:`source_records`). The peer, measured in the
same run on the same file, is rispy parsing the whole file into memory (no database): what a script using
the reference RIS library would pay before doing any work. Targets (issue #2): ≥ 2,000 records/s end to end,
and peak memory that does not grow with the file size.
"""

from __future__ import annotations

import argparse
import csv
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


DEDUP_SETS = ROOT.parent / "shared" / "data" / "dedup"
SCREENING = ROOT.parent / "shared" / "data" / "screening"  # titles and abstracts (no authors)


def _ris_from_row(row: dict[str, str]) -> str:
    """A RIS record written from a row of a gold deduplication set (its duplicates stay duplicates)."""
    lines = ["TY  - JOUR"]
    if row.get("title"):
        lines.append(f"TI  - {' '.join(row['title'].split())}")
    for author in (a.strip() for a in (row.get("author") or "").split(" and ")):
        if author:
            lines.append(f"AU  - {author}")
    for tag, column in (("PY", "year"), ("JO", "journal"), ("VL", "volume"), ("IS", "number")):
        if (row.get(column) or "").strip():
            lines.append(f"{tag}  - {' '.join(row[column].split())}")
    pages = (row.get("pages") or "").replace("--", "-").strip()
    if pages:
        first, _, last = pages.partition("-")
        lines.append(f"SP  - {first.strip()}")
        if last.strip():
            lines.append(f"EP  - {last.strip()}")
    if (row.get("abstract") or "").strip():
        lines.append(f"AB  - {' '.join(row['abstract'].split())}")
    if (row.get("doi") or "").strip():
        lines.append(f"DO  - {row['doi'].strip()}")
    return "\n".join(lines) + "\n"


def source_records(pool: str) -> list[str]:
    """The real records replicated: the 100 of the RIS baseline ("baseline", a stress test: each title's words
    and authors recur in thousands of replicas), or those plus every record of the gold deduplication sets and
    of the screening sets ("shared", about 14,800 records, closer to a real corpus's variety; fewer of them
    have abstracts and authors than the baseline's, so the file is smaller per record)."""
    text = SOURCE.read_text(encoding="utf-8-sig")
    records = [r.strip() + "\n" for r in re.split(r"(?m)^ER  -.*$", text) if r.strip()]
    if pool == "shared":
        for path in sorted(DEDUP_SETS.glob("*/records_pre_merged.csv")) + sorted(SCREENING.glob("*.csv")):
            with path.open(encoding="utf-8", newline="") as f:
                records.extend(_ris_from_row(row) for row in csv.DictReader(f))
    return records


def build_file(n: int, out: Path, pool: str = "baseline") -> None:
    records = source_records(pool)
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
    parser.add_argument("--pool", choices=["baseline", "shared"], default="baseline",
                        help="records replicated (see source_records)")  # fmt: skip
    args = parser.parse_args()
    if not SOURCE.exists():
        print(f"skipped: {SOURCE} absent (../shared is needed)")
        return 0
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in (int(s) for s in args.sizes.split(",")):
            path = Path(tmp) / f"bench_{n}.ris"
            build_file(n, path, args.pool)
            home = Path(tmp) / f"home_{n}"
            home.mkdir()
            ours = run_child(CHILD_IMPORT, str(path), str(home))
            peer = run_child(CHILD_RISPY, str(path))
            rows.append((n, ours, peer, path.stat().st_size / 1e6))
            path.unlink()
    print(
        "\n## Import: benefice (parse + dedup + SQLite, one transaction) vs rispy.load (parse only, in memory); "
        f"records replicated: {args.pool} pool ({len(source_records(args.pool)):,} real records)\n"
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
