"""Benchmark source detection against the gold set, beside two peers, and print a markdown table.

Run from the repository root::

    .venv/bin/python benchmarks/detect.py [--gold FILE …] [--details]

By default both development files (``gold_dev.jsonl``, ``gold_dev_2.jsonl``) are scored, each separately.
"benefice (rules)" is the registry and the description grammar alone. The learned stage is reported only by
5-fold cross-validation over records of both files together (a record never informs its own score; the
shipped model, fitted on all of them, is not scored here): "rules + learned review" keeps the rules' roles and
leaves out of the figures the sources the out-of-fold model sends to review; "learned role" lets the
out-of-fold model set the role itself.

Scoring follows ``../shared/data/mentions/README.md``: records with ``exclude_from_eval`` are left out;
micro precision/recall/F1 of ``sources_used`` over the 19 ids of issue #3 (other ids ignored on both
sides), per source and overall; and "uses any French source" as yes/no (gold yes when
``gold_sources_used`` is not empty; predicted yes when ``sources_used`` holds a French source of the
registry).

Peers, on the same records and the same registry:
(a) keyword: case-insensitive whole-word search of every source's acronyms and official names (what a user
    does with a spreadsheet search); every hit counts as used.
(b) spaCy ``PhraseMatcher`` (``spacy.blank("en")``, ``attr="LOWER"``) with every alias of the registry;
    every hit counts as used.
Throughput is abstracts per second of CPU time (``time.process_time``, one core, so other jobs on the
machine do not distort it): ours is measured JSONL to JSONL through the same streaming function as
``benefice detect``; peers on the in-memory records (which favours them). Gold records are repeated to
20,000 (ours) or 5,000 (peers); many gold records have an empty abstract, so ours is also measured on the
full-length abstracts alone. Memory: peak resident size of a child process that streams 1,000 and then
20,000 full-length abstracts from a file to a file, as ``benefice detect`` does (flat: the same for both).
"""

from __future__ import annotations

import argparse
import io
import json
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from benefice.sources.detect import Detector, detect_jsonl  # noqa: E402
from benefice.sources.registry import Registry, load_registry  # noqa: E402

IDS = (
    "SNDS SNIIRAM DCIR PMSI CEPIDC EGB ESND CONSTANCES E3N NUTRINET ELFE GAZEL 3C CANTO FRANCIM REIN "
    "EDS_APHP EDP_SANTE ESPS_EHIS"
).split()
DEFAULT_GOLD = [
    ROOT.parent / "shared" / "data" / "mentions" / "gold_dev.jsonl",
    ROOT.parent / "shared" / "data" / "mentions" / "gold_dev_2.jsonl",
]


def load_gold(path: Path) -> list[dict]:
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [r for r in records if not r.get("exclude_from_eval")]


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def score(gold: list[dict], predicted: list[list[str]], registry: Registry) -> dict:
    per = {i: Counter() for i in IDS}
    yes = Counter()
    for record, used in zip(gold, predicted, strict=True):
        g = set(record["gold_sources_used"]) & set(IDS)
        p = set(used) & set(IDS)
        for i in IDS:
            per[i]["tp"] += i in g and i in p
            per[i]["fp"] += i not in g and i in p
            per[i]["fn"] += i in g and i not in p
        gy = bool(record["gold_sources_used"])
        py = any(registry.is_french(s) for s in used)
        yes["tp"] += gy and py
        yes["fp"] += py and not gy
        yes["fn"] += gy and not py
    total = Counter()
    for c in per.values():
        total.update(c)
    return {
        "micro": prf(total["tp"], total["fp"], total["fn"]),
        "counts": total,
        "per_source": {i: (prf(c["tp"], c["fp"], c["fn"]), c) for i, c in per.items()},
        "french": prf(yes["tp"], yes["fp"], yes["fn"]),
    }


def keyword_peer(registry: Registry) -> Callable[[dict], list[str]]:
    terms = []
    for source in registry:
        for term in [*source.acronyms, *source.names.values()]:
            terms.append((re.compile(r"(?<!\w)" + re.escape(term) + r"(?!\w)", re.IGNORECASE), source.id))

    def predict(record: dict) -> list[str]:
        text = f"{record.get('title') or ''}\n{record.get('abstract') or ''}"
        return sorted({sid for pattern, sid in terms if pattern.search(text)})

    return predict


def spacy_peer(registry: Registry) -> Callable[[dict], list[str]] | None:
    try:
        import spacy
        from spacy.matcher import PhraseMatcher
    except ImportError:  # pragma: no cover - bench extra not installed
        return None
    nlp = spacy.blank("en")
    matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
    for source in registry:
        patterns = [nlp.make_doc(a.text) for a in source.aliases()]
        matcher.add(source.id, patterns)

    def predict(record: dict) -> list[str]:
        doc = nlp.make_doc(f"{record.get('title') or ''}\n{record.get('abstract') or ''}")
        return sorted({nlp.vocab.strings[match_id] for match_id, _s, _e in matcher(doc)})

    return predict


def throughput(predict: Callable[[dict], object], records: list[dict], minimum: int = 20000) -> float:
    repeated = (records * (minimum // max(len(records), 1) + 1))[:minimum]
    start = time.process_time()
    for record in repeated:
        predict(record)
    return len(repeated) / (time.process_time() - start)


def ours_jsonl_throughput(detector: Detector, records: list[dict], minimum: int = 20000) -> float:
    repeated = (records * (minimum // max(len(records), 1) + 1))[:minimum]
    fields = ("id", "title", "abstract", "language")
    payload = "".join(json.dumps({k: r.get(k) for k in fields}, ensure_ascii=False) + "\n" for r in repeated)
    source = io.BytesIO(payload.encode("utf-8"))
    sink = io.StringIO()
    start = time.process_time()
    count = detect_jsonl(source, sink, detector=detector)
    return count / (time.process_time() - start)


_PEAK_MEMORY_CHILD = """
import resource, sys
sys.path.insert(0, sys.argv[3])
from benefice.sources.detect import Detector, detect_jsonl
detector = Detector(model=None)
with open(sys.argv[1], "rb") as source, open(sys.argv[2], "w", encoding="utf-8") as sink:
    detect_jsonl(source, sink, detector=detector)
try:  # the high-water mark of this program (ru_maxrss may still hold the forking parent's, on Linux)
    hwm = [line.split()[1] for line in open("/proc/self/status") if line.startswith("VmHWM:")][0]
except (OSError, IndexError):
    hwm = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(hwm)
"""


def peak_memory_mb(records: list[dict], count: int) -> float:
    """Peak resident memory (MB) of a fresh process that detects ``count`` records (``records`` repeated)
    from a JSONL file into another, through ``detect_jsonl`` as ``benefice detect`` does."""
    repeated = (records * (count // max(len(records), 1) + 1))[:count]
    fields = ("id", "title", "abstract", "language")
    with tempfile.TemporaryDirectory() as tmp:
        source, sink = Path(tmp) / "in.jsonl", Path(tmp) / "out.jsonl"
        with source.open("w", encoding="utf-8") as out:
            for r in repeated:
                out.write(json.dumps({k: r.get(k) for k in fields}, ensure_ascii=False) + "\n")
        done = subprocess.run(
            [sys.executable, "-c", _PEAK_MEMORY_CHILD, str(source), str(sink), str(ROOT / "src")],
            capture_output=True,
            text=True,
            check=True,
        )
    return int(done.stdout.split()[-1]) / 1024  # KiB


def table(rows: Iterable[tuple]) -> str:
    rows = list(rows)
    header, body = rows[0], rows[1:]
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out += ["| " + " | ".join(str(c) for c in row) + " |" for row in body]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gold", type=Path, action="append", help="gold file (repeatable; default: both)")
    parser.add_argument("--details", action="store_true", help="print every error of our detector")
    parser.add_argument(
        "--peer-registry",
        type=Path,
        help="run the peers also with this registry file (e.g. an older one with more fixed phrases)",
    )
    args = parser.parse_args(argv)
    paths = args.gold or DEFAULT_GOLD
    missing = [p for p in paths if not p.exists()]
    if missing:
        print(f"gold set not found: {missing[0]} (../shared absent?)", file=sys.stderr)
        return 2
    registry = load_registry()
    golds = {p: load_gold(p) for p in paths}
    learned = cross_validated(golds, registry)
    peer_registry = load_registry(args.peer_registry) if args.peer_registry else None
    for path, gold in golds.items():
        run_file(path, gold, registry, learned, args.details, peer_registry)
    return 0


def cross_validated(golds: dict[Path, list[dict]], registry: Registry) -> dict[str, dict[str, float]]:
    """Out-of-fold probability of every candidate (record id → source → p), 5 folds over all records."""
    from benefice.sources.learn import cross_validate, examples_from, gold_labels
    from benefice.sources.training import GOLD_SCORED

    rules = Detector(registry, model=None)
    records = [r for gold in golds.values() for r in gold]
    examples = examples_from([(r, gold_labels(r)) for r in records], rules, only=set(GOLD_SCORED))
    out: dict[str, dict[str, float]] = {}
    for example, p in zip(examples, cross_validate(examples, folds=5, seed=0), strict=True):
        out.setdefault(example.group, {})[example.source] = p
    return out


def run_file(
    path: Path,
    gold: list[dict],
    registry: Registry,
    learned: dict,
    details: bool,
    peer_registry: Registry | None = None,
) -> None:
    from benefice.sources.learn import load_model

    detector = Detector(registry, model=None)
    shipped = load_model()
    low, high = shipped.review_low, shipped.review_high
    ours = [detector.detect(r)["sources_used"] for r in gold]
    review_kept, learned_role, in_review = [], [], 0
    for record, used in zip(gold, ours, strict=True):
        probabilities = learned.get(str(record["id"]), {})
        uncertain = {s for s, p in probabilities.items() if low < p < high}
        in_review += len(uncertain)
        review_kept.append([s for s in used if s not in uncertain])
        learned_role.append(
            [s for s in used if s not in probabilities]
            + [s for s, p in probabilities.items() if p >= 0.5 and s not in uncertain]
        )
    systems = {"benefice (rules)": (ours, ours_jsonl_throughput(detector, gold))}
    systems["benefice rules + learned review (5-fold CV)"] = (review_kept, None)
    systems["benefice learned role (5-fold CV)"] = (learned_role, None)
    kw = keyword_peer(registry)
    systems["keyword (case-insensitive)"] = ([kw(r) for r in gold], throughput(kw, gold, 5000))
    sp = spacy_peer(registry)
    if sp is not None:
        systems["spaCy PhraseMatcher"] = ([sp(r) for r in gold], throughput(sp, gold, 5000))
    if peer_registry is not None:
        sp = spacy_peer(peer_registry)
        if sp is not None:
            name = f"spaCy PhraseMatcher, registry {peer_registry.version}"
            systems[name] = ([sp(r) for r in gold], throughput(sp, gold, 5000))

    scores = {name: score(gold, pred, registry) for name, (pred, _speed) in systems.items()}
    base_f1 = scores["benefice (rules)"]["micro"][2]
    base_speed = systems["benefice (rules)"][1]
    print(
        f"\nGold: {path.name}, {len(gold)} records scored; registry {registry.version}; "
        f"learned stage: {in_review} candidate(s) sent to review out of fold\n"
    )
    rows = [
        (
            "system",
            "P",
            "R",
            "F1",
            "French yes/no P",
            "R",
            "F1",
            "abstracts/s",
            "our F1 ÷ theirs",
            "our speed ÷ theirs",
        )
    ]
    for name, (_pred, speed) in systems.items():
        s = scores[name]
        p, r, f = s["micro"]
        fp_, fr_, ff_ = s["french"]
        rows.append(
            (
                name,
                f"{p:.3f}",
                f"{r:.3f}",
                f"{f:.3f}",
                f"{fp_:.3f}",
                f"{fr_:.3f}",
                f"{ff_:.3f}",
                f"{speed:,.0f}" if speed else "–",
                f"{base_f1 / f:.2f}" if f else "∞",
                f"{base_speed / speed:.2f}" if speed else "–",
            )
        )
    print(table(rows))
    full = [r for r in gold if len(r.get("abstract") or "") >= 500]
    if full:
        mean = sum(len(r["abstract"]) for r in full) / len(full)
        print(
            f"\nOurs on full-length abstracts only ({len(full)} records, mean {mean:,.0f} characters), "
            f"JSONL to JSONL: {ours_jsonl_throughput(detector, full):,.0f} abstracts/s (CPU time, one core); "
            f"peak memory {peak_memory_mb(full, 1000):,.0f} MB for 1,000 of them, "
            f"{peak_memory_mb(full, 20000):,.0f} MB for 20,000."
        )
    print("\nPer source (benefice rules):\n")
    per_rows = [("source", "TP", "FP", "FN", "P", "R", "F1")]
    for sid, ((p, r, f), c) in scores["benefice (rules)"]["per_source"].items():
        if c["tp"] + c["fp"] + c["fn"]:
            per_rows.append((sid, c["tp"], c["fp"], c["fn"], f"{p:.2f}", f"{r:.2f}", f"{f:.2f}"))
    print(table(per_rows))
    if details:
        print("\nErrors:")
        for record, used in zip(gold, ours, strict=True):
            g = set(record["gold_sources_used"]) & set(IDS)
            p = set(used) & set(IDS)
            gy, py = bool(record["gold_sources_used"]), any(registry.is_french(s) for s in used)
            if g != p or gy != py:
                print(
                    f"- {record['id']} gold={sorted(record['gold_sources_used'])} ours={used}: {record['title'][:90]}"
                )


if __name__ == "__main__":
    raise SystemExit(main())
