"""Benchmark: computing a barometer edition for 10k / 100k / 1M publications, with a pandas peer.

Usage::

    .venv/bin/python benchmarks/barometer.py [--sizes 10000,100000,1000000] [--no-pandas] [--seed 7]

The corpus is generated from the real demo records (``src/benefice/data/demo/corpus.ris``, read with
rispy): each record is replicated with a fresh id, a publication year drawn over 15 years, one to three
registry sources drawn with a skewed (Zipf-like) popularity over every source of the registry, a naming
form per source, one or two categories of use (each set by a person, a rule or the model, with a calibrated
probability) and the three citation flags, all from a seeded generator.
The corpus is written once as Parquet (the fast input path of ``inputs_from_directory``).

Each measurement runs in a fresh child process so that its peak memory (``resource.getrusage``
``ru_maxrss``) is its own:

* **benefice**: ``inputs_from_directory`` (read + validate + sort) then ``compute`` — every figure of the
  edition (own and family counts per source and year, custodians, kinds of use per category, year and
  source × category with their method split, expected counts and Poisson-binomial intervals, citation quality,
  year-over-year changes, cases, ranges, headline with evidence);
* **pandas** (peer): a straightforward pandas implementation of the publication aggregates alone
  (explode + groupby + drop_duplicates for the own, family, custodian and category counts, the category ×
  year expected counts with a normal interval and the split by method, and the citation shares; no
  source × category grid, no exact intervals), reading the same Parquet file.

Prints a markdown table with wall time, time per publication (flat when growth is linear) and peak memory,
and the pandas/benefice ratios. Target: 1M publications in < 60 s and < 2 GB.

``--database 10000,50000`` measures instead reading an edition's inputs from the database
(``benefice.barometer.db.inputs_from_database``: publications, detections, naming forms, citation flags
from the text, stored kinds of use, case categories) on a throwaway SQLite database filled with that many
publications, each with a detection, one mention per source used and, when it uses a source, its stored kinds
of use (bulk-inserted, not timed). No peer: this is the cost of
the database path on top of the computation above.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

DEMO = ROOT / "src" / "benefice" / "data" / "demo" / "corpus.ris"
FIRST_YEAR, YEARS = 2011, 15
EDITION_YEAR = FIRST_YEAR + YEARS  # perimeter 2011..2025


def demo_records() -> list[dict]:
    import rispy

    with DEMO.open(encoding="utf-8") as handle:
        entries = rispy.load(handle)
    out = []
    for e in entries:
        out.append(
            {
                "title": e.get("title") or e.get("primary_title") or "",
                "journal": e.get("journal_name")
                or e.get("alternate_title3")
                or e.get("secondary_title")
                or "",
                "doi": (e.get("doi") or "").lower(),
                "pmid": e.get("accession_number") or "",
            }
        )
    return out


def generate(n: int, seed: int, path: Path) -> None:
    """Write ``n`` publications (schema of benefice.barometer.inputs) to a Parquet file, columnar."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    from benefice.barometer.inputs import PUBLICATION_SCHEMA
    from benefice.sources.registry import FORMS, load_registry
    from benefice.uses.typology import load_typology

    def strings(indices, vocabulary) -> pa.Array:
        """Strings from indices into a small vocabulary, columnar (a dictionary array decoded)."""
        return pa.DictionaryArray.from_arrays(pa.array(indices, pa.int32()), pa.array(list(vocabulary))).cast(
            pa.string()
        )

    rng = np.random.default_rng(seed)
    records = demo_records()
    sources = np.array(sorted(s.id for s in load_registry() if not s.is_actor))
    popularity = 1.0 / np.arange(1, len(sources) + 1) ** 1.1
    popularity = rng.permutation(popularity / popularity.sum())
    categories = np.array(list(load_typology().categories))

    base = rng.integers(0, len(records), n)
    ids = pa.array([f"bench-{i:08d}" for i in range(n)])
    years = pa.array(FIRST_YEAR + rng.integers(0, YEARS, n), pa.int32())
    titles = pa.array([records[i]["title"] for i in base])
    journals = pa.array([records[i]["journal"] for i in base])
    dois = pa.array([f"{records[i]['doi']}.b{k}" if records[i]["doi"] else None for k, i in enumerate(base)])
    pmids = pa.array([None] * n, pa.string())

    per_pub = rng.integers(1, 4, n)  # 1..3 sources used
    offsets = np.concatenate([[0], np.cumsum(per_pub)]).astype(np.int32)
    used_idx = rng.choice(len(sources), size=int(offsets[-1]), p=popularity)
    used_values = strings(used_idx, sources)
    used = pa.ListArray.from_arrays(pa.array(offsets), used_values)
    form_values = strings(rng.choice(len(FORMS), size=len(used_idx), p=[0.45, 0.2, 0.1, 0.05, 0.2]), FORMS)
    forms = pa.ListArray.from_arrays(
        pa.array(offsets), pa.StructArray.from_arrays([used_values, form_values], names=["source", "form"])
    )
    ment_n = rng.integers(0, 2, n)
    m_offsets = np.concatenate([[0], np.cumsum(ment_n)]).astype(np.int32)
    mentioned = pa.ListArray.from_arrays(
        pa.array(m_offsets), strings(rng.choice(len(sources), size=int(m_offsets[-1])), sources)
    )
    cat_n = rng.integers(1, 3, n)
    c_offsets = np.concatenate([[0], np.cumsum(cat_n)]).astype(np.int32)
    cats = pa.ListArray.from_arrays(
        pa.array(c_offsets), strings(rng.integers(0, len(categories), int(c_offsets[-1])), categories)
    )
    # How each label was set: 10 % by a person (probability 1), 50 % by a rule, 40 % by the model (calibrated
    # probabilities drawn in [0.3, 1], kept to 4 decimals as the inputs keep them).
    n_labels = int(c_offsets[-1])
    method_idx = rng.choice(3, size=n_labels, p=[0.1, 0.5, 0.4])
    methods = pa.ListArray.from_arrays(pa.array(c_offsets), strings(method_idx, ["person", "rule", "model"]))
    probs = np.where(method_idx == 0, 1.0, np.round(rng.uniform(0.3, 1.0, n_labels), 4))
    probabilities = pa.ListArray.from_arrays(pa.array(c_offsets), pa.array(probs, pa.float64()))
    case_cats = pa.ListArray.from_arrays(pa.array(np.zeros(n + 1, np.int32)), pa.array([], pa.string()))
    table = pa.Table.from_arrays(
        [ids, years, dois, pmids, titles, journals, used, mentioned, forms, cats,
         pa.array(rng.random(n) < 0.35), pa.array(rng.random(n) < 0.25), pa.array(rng.random(n) < 0.5),
         methods, probabilities, case_cats],
        schema=PUBLICATION_SCHEMA,
    )  # fmt: skip
    # Duplicated sources within a publication are legal input (counted once); keep the generator simple.
    pq.write_table(table, path, compression="zstd")


def run_benefice(directory: Path) -> dict:
    from benefice.barometer.compute import compute
    from benefice.barometer.inputs import inputs_from_directory

    start = time.perf_counter()
    inputs = inputs_from_directory(directory)
    loaded = time.perf_counter()
    results = compute(inputs, EDITION_YEAR, f"{EDITION_YEAR}-11-28")
    done = time.perf_counter()
    return {
        "load": loaded - start,
        "compute": done - loaded,
        "total": done - start,
        "check": results["perimeter"]["using_any_source"],
        "snds_family": next(r for r in results["sources"] if r["source"] == "SNDS")["publications_family"],
    }


def run_pandas(directory: Path) -> dict:
    import numpy as np
    import pandas as pd

    from benefice.sources.registry import load_registry

    start = time.perf_counter()
    registry = load_registry()
    df = pd.read_parquet(directory / "publications.parquet")
    df = df[(df["year"] >= FIRST_YEAR) & (df["year"] < FIRST_YEAR + YEARS)]
    pairs = df[
        ["id", "year", "sources_used", "cites_authorisation", "cites_documentation", "cites_custodian"]
    ]
    pairs = (
        pairs.explode("sources_used")
        .dropna(subset=["sources_used"])
        .rename(columns={"sources_used": "source"})
    )
    pairs = pairs.drop_duplicates(["id", "source"])
    own = pairs.groupby(["source", "year"]).size()
    ancestors = pd.DataFrame(
        [(s.id, a) for s in registry for a in [s.id, *registry.ancestors(s.id)]], columns=["source", "group"]
    )
    family = (
        pairs.merge(ancestors, on="source").drop_duplicates(["id", "group"]).groupby(["group", "year"]).size()
    )
    custodian = pd.DataFrame(
        [(s.id, s.custodian) for s in registry if s.custodian], columns=["source", "custodian"]
    )
    cust = (
        pairs.merge(custodian, on="source")
        .drop_duplicates(["id", "custodian"])
        .groupby(["custodian", "year"])
        .size()
    )
    flags = pairs.groupby("source")[["cites_authorisation", "cites_documentation", "cites_custodian"]].mean()
    forms = df[["id", "forms"]].explode("forms").dropna(subset=["forms"])
    forms["source"] = forms["forms"].map(lambda f: f["source"])
    forms["precise"] = forms["forms"].map(lambda f: f["form"] != "description")
    precise = forms.groupby(["id", "source"])["precise"].any().groupby("source").mean()
    labels = (
        df[["id", "year", "categories", "use_methods", "use_probabilities"]]
        .explode(["categories", "use_methods", "use_probabilities"])
        .dropna(subset=["categories"])
        .drop_duplicates(["id", "categories"])
    )
    labels["use_probabilities"] = labels["use_probabilities"].astype(float)
    labels["variance"] = labels["use_probabilities"] * (1 - labels["use_probabilities"])
    cats = labels.groupby(["categories", "year"]).agg(
        n=("id", "size"), expected=("use_probabilities", "sum"), variance=("variance", "sum")
    )
    by_method = labels.groupby(["categories", "use_methods"]).size()
    cats["low"] = np.ceil(cats["expected"] - 1.96 * np.sqrt(cats["variance"]) - 0.5)
    by_year = pairs.drop_duplicates("id").groupby("year").size()
    done = time.perf_counter()
    return {
        "total": done - start,
        "check": int(by_year.sum()),
        "snds_family": int(family.loc["SNDS"].sum()),
        "sizes": [len(own), len(cust), len(flags), len(precise), len(cats), len(by_method)],
    }


def run_database(n: int, seed: int = 7) -> dict:
    """Fill a fresh SQLite database with ``n`` publications and time ``inputs_from_database`` on it."""
    import os

    import numpy as np

    home = tempfile.mkdtemp(prefix="barometer-bench-db-")
    os.environ["BENEFICE_HOME"] = home
    os.environ.pop("DATABASE_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "benefice.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    from benefice.barometer.db import DatabaseReport, inputs_from_database
    from benefice.corpus.models import Publication
    from benefice.sources.models import Mention, PublicationDetection
    from benefice.sources.registry import FORMS
    from benefice.sources.services import sync_registry

    sync_registry()
    from benefice.sources.registry import load_registry
    from benefice.uses.models import PublicationUses
    from benefice.uses.typology import load_typology

    registry = load_registry()
    categories = list(load_typology().categories)
    rng = np.random.default_rng(seed)
    records = demo_records()
    sources = sorted(s.id for s in registry if not s.is_actor)
    t0 = time.perf_counter()
    chunk = 5000
    for start in range(0, n, chunk):
        size = min(chunk, n - start)
        pubs = []
        picks = []
        for k in range(size):
            rec = records[int(rng.integers(0, len(records)))]
            used = sorted({sources[int(i)] for i in rng.integers(0, len(sources), int(rng.integers(0, 3)))})
            picks.append(used)
            text = " ".join(f"We used the {registry[s].names.get('en', s)} ({s})." for s in used)
            if rng.random() < 0.3:
                text += " The study was approved by the CNIL."
            pubs.append(Publication(title=rec["title"], year=int(FIRST_YEAR + rng.integers(0, YEARS)),
                                    doi=f"{rec['doi']}.b{start + k}" if rec["doi"] else "", abstract=text))  # fmt: skip
        pubs = Publication.objects.bulk_create(pubs)
        PublicationDetection.objects.bulk_create(
            [PublicationDetection(publication=p, registry_hash="bench", sources_used=u, sources_mentioned=[])
             for p, u in zip(pubs, picks, strict=True)]
        )  # fmt: skip
        Mention.objects.bulk_create(
            [Mention(publication=p, source_id=s, field="abstract", start=0, end=len(s), text=s,
                     form=FORMS[int(rng.integers(0, len(FORMS)))], role="used")
             for p, u in zip(pubs, picks, strict=True) for s in u]
        )  # fmt: skip
        uses = []
        for p, u in zip(pubs, picks, strict=True):
            if not u:
                continue
            cid = categories[int(rng.integers(0, len(categories)))]
            method = ("person", "rule", "model")[int(rng.choice(3, p=[0.1, 0.5, 0.4]))]
            prob = 1.0 if method == "person" else round(float(rng.uniform(0.3, 1.0)), 4)
            label = {"category": cid, "method": method, "score": prob, "evidence": [], "main": True}
            uses.append(PublicationUses(publication=p, categories=[cid], labels=[label], detected=[label],
                                        probabilities={} if method == "person" else {cid: prob},
                                        classifier_version="bench", by_person=method == "person"))  # fmt: skip
        PublicationUses.objects.bulk_create(uses)
    filled = time.perf_counter() - t0
    start = time.perf_counter()
    report = DatabaseReport()
    inputs = inputs_from_database(EDITION_YEAR, f"{EDITION_YEAR + 5}-01-01", report=report)
    total = time.perf_counter() - start
    import shutil

    from django.db import connection

    connection.close()
    shutil.rmtree(home, ignore_errors=True)
    return {"total": total, "fill": filled, "records": report.records, "rows": inputs.publications.num_rows}


def child(mode: str, directory: str) -> None:
    if mode == "database":
        result = run_database(int(directory))
        result["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps(result))
        return
    result = run_benefice(Path(directory)) if mode == "benefice" else run_pandas(Path(directory))
    result["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(result))


def measure(mode: str, directory: Path) -> dict:
    proc = subprocess.run(
        [sys.executable, __file__, "--child", mode, str(directory)],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise SystemExit(f"{mode} failed:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-pandas", action="store_true")
    parser.add_argument("--database", metavar="SIZES", help="time reading inputs from the database instead")
    parser.add_argument("--child", nargs=2, metavar=("MODE", "DIR"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    if args.database:
        print(
            "| publications in the database | read inputs from the database (s) | µs / publication | peak MB |"
        )
        print("|---:|---:|---:|---:|")
        for n in (int(x) for x in args.database.split(",")):
            result = measure("database", Path(str(n)))
            assert result["records"] == result["rows"] == n, result
            print(
                f"| {n:,} | {result['total']:.2f} | {result['total'] / n * 1e6:.1f} | {result['peak_mb']:.0f} |"
            )
        return
    from benefice.barometer.inputs import write_inputs

    rows = []
    with tempfile.TemporaryDirectory(prefix="barometer-bench-") as tmp:
        for n in (int(s) for s in args.sizes.split(",")):
            directory = Path(tmp) / str(n)
            write_inputs(directory, [])  # definitions + params; the publication file is replaced below
            (directory / "publications.jsonl").unlink()
            t0 = time.perf_counter()
            generate(n, args.seed, directory / "publications.parquet")
            gen = time.perf_counter() - t0
            ours = measure("benefice", directory)
            peer = None if args.no_pandas else measure("pandas", directory)
            if peer and (peer["check"], peer["snds_family"]) != (ours["check"], ours["snds_family"]):
                raise SystemExit(f"pandas and benefice disagree at n={n}: {peer} vs {ours}")
            rows.append((n, gen, ours, peer))
            print(f"n={n}: generated in {gen:.1f}s, benefice {ours['total']:.2f}s", file=sys.stderr)

    print(
        "| publications | benefice load+validate (s) | benefice compute (s) | benefice total (s) | compute µs / publication "
        "| peak MB | pandas peer (s) | pandas peak MB | time ratio pandas/benefice |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    # Load+validate includes a fixed ~1 s for parsing and validating the registry, typology, indicators and
    # cases; the per-publication cost of computing is the column that shows linear growth.
    for n, _gen, ours, peer in rows:
        p_time = f"{peer['total']:.2f}" if peer else "—"
        p_mem = f"{peer['peak_mb']:.0f}" if peer else "—"
        ratio = f"{peer['total'] / ours['total']:.1f}×" if peer else "—"
        print(
            f"| {n:,} | {ours['load']:.2f} | {ours['compute']:.2f} | {ours['total']:.2f} "
            f"| {ours['compute'] / n * 1e6:.2f} | {ours['peak_mb']:.0f} | {p_time} | {p_mem} | {ratio} |"
        )


if __name__ == "__main__":
    main()
