"""Screening simulation benchmark: benefice vs ASReview, same data, same priors, same metric code.

``python benchmarks/screening.py [--runs 2] [--models svm,nb] [--datasets ace,nudging,Donners_2021,Nelson_2002]
[--asreview elas_u4,elas_u3] [--jobs 2]``

Data: ``../shared/data/screening/{ace,nudging}.csv`` (ASReview's published simulation sets) and
``../shared/data/openalex_synergy/{Donners_2021,Nelson_2002}`` (SYNERGY: OpenAlex works JSON in a zip,
abstracts rebuilt from ``abstract_inverted_index``; labels joined on ``openalex_id`` from ``labels.csv``).

For each dataset and run, the priors (1 relevant + 1 irrelevant) come from
:func:`benefice.review.simulate.draw_priors` with the same seed, and both tools screen one record at a time
with retraining after every record until the last relevant record is found. ASReview runs in this process
through its ``Simulate`` API with its default model (``elas_u4``: SVM on 1–2-gram TF-IDF) and its naive
Bayes + TF-IDF model (``elas_u3``). Metrics for both come from :mod:`benefice.review.metrics` on the screened
order, priors excluded. "ms/retrain" is the time of one fit + ranking of all records (for ASReview, its
``cycle.fit`` + ``cycle.rank`` calls, timed by wrapping them); "ms/query" is wall time per screened record
including each tool's bookkeeping. Published ASReview NB+TF-IDF WSS@95 (older version, 15 runs, other
priors): ACE 82.9, Nudging 71.7.

Nothing here is tuned on these datasets: benefice runs its defaults (:func:`make_model`).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import tempfile
import time
import zipfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
SHARED = ROOT.parent / "shared" / "data"
CSV_SETS = {"ace": SHARED / "screening" / "ace.csv", "nudging": SHARED / "screening" / "nudging.csv"}
OPENALEX_SETS = {name: SHARED / "openalex_synergy" / name for name in ("Donners_2021", "Nelson_2002")}
PUBLISHED_NB_WSS95 = {"ace": 82.9, "nudging": 71.7}
SEED = 2026


def load(name: str):
    """Titles, abstracts and labels of one benchmark dataset as :class:`LabelledRecords`."""
    from benefice.review.data import LabelledRecords, check_labelled, read_labelled_csv

    if name in CSV_SETS:
        return read_labelled_csv(CSV_SETS[name])
    from benefice.corpus.connectors.openalex import rebuild_abstract

    folder = OPENALEX_SETS[name]
    works: dict[str, dict] = {}
    for archive in sorted(folder.glob("works_*.zip")):
        with zipfile.ZipFile(archive) as z:
            for member in z.namelist():
                for work in json.loads(z.read(member)):
                    works[work["id"]] = work
    titles, abstracts, labels, lines = [], [], [], []
    with (folder / "labels.csv").open(encoding="utf-8") as f:
        for line, row in enumerate(csv.DictReader(f), start=2):
            work = works.get(row["openalex_id"], {})
            titles.append(work.get("title") or work.get("display_name") or "")
            abstracts.append(rebuild_abstract(work.get("abstract_inverted_index")))
            labels.append(int(row["label_included"]))
            lines.append(line)
    records = LabelledRecords(
        titles, abstracts, np.asarray(labels, dtype=np.int8), lines, path=str(folder / "labels.csv")
    )
    return check_labelled(records)


def run_ours(name: str, model: str, runs: list[int]) -> list[dict]:
    from benefice.review.active_learning import make_model
    from benefice.review.simulate import draw_priors, simulate_run

    records = load(name)
    features = make_model(model).feature_extractor.fit_transform(records.texts)
    out = []
    for run in runs:
        priors = draw_priors(records.labels, run, SEED)
        started = time.perf_counter()
        result = simulate_run(features, records.labels, make_model(model), priors, run=run, seed=SEED)
        wall = time.perf_counter() - started
        out.append(
            {
                "order_labels": result.labels_in_order.tolist(),
                "n_records": result.n_records,
                "retrain": result.retrain_seconds,
                "wall": wall,
                "queries": int(result.order.size),
            }
        )
    return out


def run_asreview(name: str, config: str, runs: list[int]) -> list[dict]:
    import pandas as pd

    os.chdir(tempfile.mkdtemp(prefix="asreview-bench-"))  # asreview writes a cache file into the cwd
    from asreview.learner import ActiveLearningCycle
    from asreview.models import get_ai_config
    from asreview.simulation.simulate import Simulate

    from benefice.review.simulate import draw_priors

    records = load(name)
    labels = records.labels.astype(int)
    frame = pd.DataFrame({"title": records.titles, "abstract": records.abstracts})
    features = ActiveLearningCycle.from_meta(get_ai_config(config)["value"]).transform(frame)
    out = []
    for run in runs:
        cycle = ActiveLearningCycle.from_meta(get_ai_config(config)["value"])
        timings: list[float] = []
        fit, rank = cycle.fit, cycle.rank
        pending = {}

        def timed_fit(X, y, _fit=fit, _pending=pending):
            _pending["start"] = time.perf_counter()
            return _fit(X, y)

        def timed_rank(X, _rank=rank, _pending=pending, _timings=timings):
            result = _rank(X)
            _timings.append(time.perf_counter() - _pending.pop("start", time.perf_counter()))
            return result

        cycle.fit, cycle.rank = timed_fit, timed_rank
        priors = draw_priors(records.labels, run, SEED)
        started = time.perf_counter()
        sim = Simulate(features, labels, cycle, skip_transform=True, print_progress=False)
        sim.label(priors.tolist())
        sim.review()
        wall = time.perf_counter() - started
        order = sim._results["record_id"].to_numpy()[priors.size :]
        out.append(
            {
                "order_labels": labels[order].tolist(),
                "n_records": labels.size - priors.size,
                "retrain": timings,
                "wall": wall,
                "queries": int(order.size),
            }
        )
    return out


def task(args: tuple[str, str, str, list[int]]) -> tuple[str, str, str, list[dict]]:
    tool, name, model, runs = args
    results = run_ours(name, model, runs) if tool == "benefice" else run_asreview(name, model, runs)
    return tool, name, model, results


def summarise(results: list[dict]) -> dict:
    from benefice.review import metrics

    per_run = [metrics.summary(r["order_labels"], r["n_records"]) for r in results]
    row = {key: 100 * float(np.mean([m[key] for m in per_run])) for key in per_run[0]}
    retrain = [s for r in results for s in r["retrain"]]
    row["ms_retrain"] = 1000 * float(np.mean(retrain))
    row["ms_query"] = 1000 * sum(r["wall"] for r in results) / sum(r["queries"] for r in results)
    row["runs"] = len(results)
    return row


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=2, help="runs per dataset and model (default 2)")
    parser.add_argument("--datasets", default="ace,nudging,Donners_2021,Nelson_2002")
    parser.add_argument("--models", default="svm,nb", help="benefice models (nb, logistic, svm)")
    parser.add_argument("--asreview", default="elas_u4,elas_u3", help="ASReview configurations ('' for none)")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--json", type=Path, help="also write the raw summary here")
    args = parser.parse_args()

    if not (SHARED / "screening").is_dir():
        print("../shared absent: screening benchmark skipped")
        return 0
    datasets = [d for d in args.datasets.split(",") if d]
    asreview_configs = [c for c in args.asreview.split(",") if c]
    try:
        import asreview  # noqa: F401

        version = asreview.__version__
    except ImportError:
        print("asreview not installed (pip install asreview): only benefice is measured")
        asreview_configs, version = [], None
    runs = list(range(args.runs))
    jobs = [("benefice", d, m, [r]) for d in datasets for m in args.models.split(",") for r in runs]
    jobs += [("asreview", d, c, [r]) for d in datasets for c in asreview_configs for r in runs]
    # longest first so the two workers finish together
    jobs.sort(key=lambda j: (j[0] != "asreview", j[1] not in ("ace", "nudging")))
    collected: dict[tuple[str, str, str], list[dict]] = {}
    started = time.perf_counter()
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        for tool, name, model, results in pool.map(task, jobs):
            collected.setdefault((tool, name, model), []).extend(results)
    elapsed = time.perf_counter() - started

    table = {key: summarise(value) for key, value in collected.items()}
    lines = [
        f"Screening simulation, {args.runs} run(s) per cell, seed {SEED}, priors 1+1 shared by both tools, "
        f"retraining after every record; ASReview {version}; {args.jobs} worker(s), {elapsed:.0f} s total.",
        "",
        "| dataset | tool / model | runs | WSS@95 | WSS@100 | RRF@10 | ATD ↓ | ms/retrain | ms/query |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name in datasets:
        for (tool, dset, model), row in sorted(table.items()):
            if dset != name:
                continue
            lines.append(
                f"| {name} | {tool} {model} | {row['runs']} | {row['wss@95']:.1f} | {row['wss@100']:.1f} | "
                f"{row['rrf@10']:.1f} | {row['atd']:.1f} | {row['ms_retrain']:.1f} | {row['ms_query']:.1f} |"
            )
    lines += [
        "",
        "Ratios: benefice default (svm) / best ASReview configuration on each metric "
        "(WSS and RRF: >1 is better; ATD and time: <1 is better).",
        "",
        "| dataset | best ASReview (by WSS@95) | WSS@95 | WSS@100 | RRF@10 | ATD | ms/retrain |",
        "|---|---|---|---|---|---|---|",
    ]
    for name in datasets:
        ours = table.get(("benefice", name, "svm")) or next(
            (row for (tool, dset, _), row in table.items() if tool == "benefice" and dset == name), None
        )
        theirs = [
            (model, row) for (tool, dset, model), row in table.items() if tool == "asreview" and dset == name
        ]
        if ours is None or not theirs:
            continue
        model, best = max(theirs, key=lambda item: item[1]["wss@95"])

        def ratio(key: str, _ours=ours, _best=best) -> str:
            return f"{_ours[key] / _best[key]:.2f}" if _best[key] else "–"

        lines.append(
            f"| {name} | {model} | {ratio('wss@95')} | {ratio('wss@100')} | {ratio('rrf@10')} | "
            f"{ratio('atd')} | {ratio('ms_retrain')} |"
        )
    if any(name in PUBLISHED_NB_WSS95 for name in datasets):
        lines += [
            "",
            "Published ASReview NB + TF-IDF WSS@95 (15 runs): "
            + ", ".join(f"{k} {v}" for k, v in PUBLISHED_NB_WSS95.items() if k in datasets),
        ]
    print("\n".join(lines))
    if args.json:
        args.json.write_text(json.dumps({f"{t}|{d}|{m}": row for (t, d, m), row in table.items()}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
