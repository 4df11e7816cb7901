"""Benchmark the kind-of-use classifier on both development gold files, beside a keyword peer, by cross-validation.

Run from the repository root::

    .venv/bin/python benchmarks/classify.py [--gold FILE ...] [--folds 5] [--details]

Gold: ``use_category`` of ``../shared/data/mentions/gold_dev.jsonl`` and ``gold_dev_2.jsonl`` (one main label
per record, the annotator's judgement); records with ``exclude_from_eval`` are left out. ``not_applicable``
and ``other`` mean "no category". Each file is reported on its own, then both pooled.

Systems, on the same records (every learned part is scored on records it was not fitted on):
- **benefice (CV)**: ``uses.classify.KindsOfUse`` — features of each (record, category) pair against the
  typology's descriptions (``uses/features.py``) and one logistic regression over them (``uses/learn.py``),
  K-fold cross-validated over the records of the file (shuffled, seed 0);
- **benefice (other file)**: the same, trained on the *other* development file only — the closest this
  benchmark gets to publications never seen (written by other annotators' sessions, other topics);
- **rules**: the readable rules of ``data/use_rules.yaml`` alone;
- **rules + TF-IDF (CV)**: the previous classifier (rules, plus a TF-IDF logistic regression per category),
  cross-validated the same way;
- **keyword peer**: a hit of any of the typology's ``cues`` (lower-case substring) labels the category, most
  hits first — what a user does with the typology and a spreadsheet search.

Table 1, the kind of use: records with a typology category; per category F1, macro-F1 (mean over the
categories that have a gold record), top-1 accuracy (the strongest label is the gold one), labels per record.
The features use the sources the detector finds (``sources.detect``), as in the product.
Table 2, end to end as the product runs: a publication gets a kind of use only if the detector finds it
uses a source; "no category right" counts the records using no French source (gold) that get none.
Throughput is records per second of CPU time for ``KindsOfUse.classify_many``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from benefice.sources.detect import Detector  # noqa: E402
from benefice.sources.registry import load_registry  # noqa: E402
from benefice.uses.classify import KindsOfUse, Label, UseClassifier, load_rules, record_text  # noqa: E402
from benefice.uses.learn import fit_rows  # noqa: E402
from benefice.uses.typology import Typology, load_typology  # noqa: E402

GATE = KindsOfUse(model=None)
GOLD_DIR = ROOT.parent / "shared" / "data" / "mentions"
DEFAULT_GOLD = [GOLD_DIR / "gold_dev.jsonl", GOLD_DIR / "gold_dev_2.jsonl"]


def load_gold(path: Path) -> list[dict]:
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [r for r in records if not r.get("exclude_from_eval")]


def gold_sets(records: list[dict], categories: Iterable[str]) -> list[set[str]]:
    known = set(categories)
    return [{r["use_category"]} & known for r in records]


def score(gold: list[set[str]], predicted: list[set[str]], categories: list[str]) -> dict:
    per = {c: Counter() for c in categories}
    for g, p in zip(gold, predicted, strict=True):
        for c in categories:
            per[c]["tp"] += c in g and c in p
            per[c]["fp"] += c not in g and c in p
            per[c]["fn"] += c in g and c not in p
    f1s = {}
    for c, k in per.items():
        if k["tp"] + k["fn"] == 0:
            continue  # no gold record: left out of the macro mean
        p = k["tp"] / (k["tp"] + k["fp"]) if k["tp"] + k["fp"] else 0.0
        r = k["tp"] / (k["tp"] + k["fn"])
        f1s[c] = 2 * p * r / (p + r) if p + r else 0.0
    total = Counter()
    for k in per.values():
        total.update(k)
    mp = total["tp"] / (total["tp"] + total["fp"]) if total["tp"] + total["fp"] else 0.0
    mr = total["tp"] / (total["tp"] + total["fn"]) if total["tp"] + total["fn"] else 0.0
    micro = 2 * mp * mr / (mp + mr) if mp + mr else 0.0
    none_gold = [i for i, g in enumerate(gold) if not g]
    none_right = sum(1 for i in none_gold if not predicted[i])
    return {
        "macro": sum(f1s.values()) / len(f1s) if f1s else 0.0,
        "micro": (mp, mr, micro),
        "per": f1s,
        "counts": per,
        "none_ok": (none_right, len(none_gold)),
    }


def top1(labels: list[list[Label]]) -> list[set[str]]:
    return [{labs[0].category} if labs else set() for labs in labels]


def as_sets(labels: list[list[Label]]) -> list[set[str]]:
    return [{lab.category for lab in labs} for labs in labels]


def keyword_peer(typology: Typology) -> Callable[[str], list[Label]]:
    cues = {cid: [*c.cues["fr"], *c.cues["en"]] for cid, c in typology.categories.items()}

    def predict(text: str) -> list[Label]:
        low = text.lower()
        out = []
        for cid, words in cues.items():
            hits = [w for w in words if w in low]
            if hits:
                out.append(Label(cid, "rule", float(len(hits)), tuple(hits)))
        return sorted(out, key=lambda lab: (-lab.score, lab.category))

    return predict


def folds_of(n: int, folds: int, seed: int = 0) -> list[list[int]]:
    import numpy as np

    order = np.random.default_rng(seed).permutation(n)
    return [sorted(order[k::folds].tolist()) for k in range(folds)]


def tfidf_cv(texts: list[str], gold: list[set[str]], folds: int) -> list[list[Label]]:
    """The previous classifier (rules + one TF-IDF logistic regression per category), cross-validated."""
    out: list[list[Label]] = [[] for _ in texts]
    rules = load_rules()
    for test in folds_of(len(texts), folds):
        held = set(test)
        train = [i for i in range(len(texts)) if i not in held]
        clf = UseClassifier(rules, mode="both").fit([texts[i] for i in train], [gold[i] for i in train])
        for i, labs in zip(test, clf.predict([texts[i] for i in test]), strict=True):
            out[i] = labs
    return out


class Ours:
    """KindsOfUse with its model fitted on chosen records; rows are computed once per record."""

    def __init__(self, records: list[dict], used: list[list[str]]) -> None:
        self.kinds = KindsOfUse(model=None)
        self.records, self.used = records, used
        self.rows = [self.kinds.rows(r, u) for r, u in zip(records, used, strict=True)]

    def fit(self, train: Iterable[int], gold: list[set[str]]):
        train = list(train)
        return fit_rows([self.rows[i] for i in train], [gold[i] for i in train])

    def predict(self, model, indices: Iterable[int]) -> dict[int, list[Label]]:
        self.kinds.model = model
        return {i: list(self.kinds._by_model(self.rows[i], self.kinds.version).labels) for i in indices}

    def cv(self, gold: list[set[str]], folds: int) -> list[list[Label]]:
        out: list[list[Label]] = [[] for _ in self.records]
        for test in folds_of(len(self.records), folds):
            held = set(test)
            model = self.fit((i for i in range(len(self.records)) if i not in held), gold)
            for i, labs in self.predict(model, test).items():
                out[i] = labs
        return out


def gated(labels: list[list[Label]], used: list[list[str]]) -> list[list[Label]]:
    """As the product runs: no kind of use for a publication in which no French source was detected."""
    french = GATE.uses_french_source
    return [labs if french(u) else [] for labs, u in zip(labels, used, strict=True)]


def throughput(kinds: KindsOfUse, records: list[dict], used: list[list[str]], minimum: int = 3000) -> float:
    reps = minimum // max(len(records), 1) + 1
    recs, uses = (records * reps)[:minimum], (used * reps)[:minimum]
    uses = [u or ["SNDS"] for u in uses]  # every record classified: the speed of the classifier itself
    start = time.process_time()
    kinds.classify_many(recs, uses)
    return len(recs) / (time.process_time() - start)


def table(rows: list[tuple]) -> str:
    header, body = rows[0], rows[1:]
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out += ["| " + " | ".join(str(c) for c in row) + " |" for row in body]
    return "\n".join(out)


def report(
    name: str, systems: dict[str, list[list[Label]]], gold, used, records, categories, details
) -> None:
    keep = [i for i, g in enumerate(gold) if g]
    french_free = [i for i, r in enumerate(records) if not r.get("gold_sources_used")]
    print(f"\n### {name}: {len(records)} records, {len(keep)} with a typology category\n")
    rows = [("system", "macro-F1", "top-1 accuracy", "top-1 macro-F1", "labels / record")]
    per_system = {}
    for label, labels in systems.items():
        g = [gold[i] for i in keep]
        got = [labels[i] for i in keep]
        s = score(g, as_sets(got), categories)
        firsts = top1(got)
        acc = sum(1 for a, b in zip(g, firsts, strict=True) if a & b) / len(keep)
        t1 = score(g, firsts, categories)
        per_system[label] = s
        rows.append(
            (
                label,
                f"{s['macro']:.3f}",
                f"{acc:.3f}",
                f"{t1['macro']:.3f}",
                f"{sum(map(len, got)) / len(keep):.2f}",
            )
        )
    print(table(rows))
    print(
        f"\nEnd to end (a kind of use only where the detector finds a source used); "
        f"{len(french_free)} records use no French source (gold)\n"
    )
    rows = [("system", "macro-F1", "top-1 accuracy", "no category right")]
    for label, labels in systems.items():
        labels = gated(labels, used)
        g = [gold[i] for i in keep]
        got = [labels[i] for i in keep]
        s = score(g, as_sets(got), categories)
        firsts = top1(got)
        acc = sum(1 for a, b in zip(g, firsts, strict=True) if a & b) / len(keep)
        ok = sum(1 for i in french_free if not labels[i])
        rows.append(
            (
                label,
                f"{s['macro']:.3f}",
                f"{acc:.3f}",
                f"{ok}/{len(french_free)} ({ok / max(len(french_free), 1):.0%})",
            )
        )
    print(table(rows))
    if details:
        cats = sorted({c for s in per_system.values() for c in s["per"]})
        head = ("category", "gold n", *per_system)
        body = [
            (
                c,
                str(sum(1 for i in keep if c in gold[i])),
                *(f"{s['per'].get(c, 0.0):.2f}" for s in per_system.values()),
            )
            for c in cats
        ]
        print()
        print(table([head, *body]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gold", type=Path, nargs="+", default=DEFAULT_GOLD)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--details", action="store_true", help="per-category F1 of every system")
    args = parser.parse_args(argv)
    missing = [p for p in args.gold if not p.exists()]
    if missing:
        print(f"gold set not found: {missing[0]} (../shared absent?)", file=sys.stderr)
        return 2
    typology = load_typology()
    categories = list(typology.categories)
    detector = Detector(load_registry())
    peer = keyword_peer(typology)
    files = {}
    for path in args.gold:
        records = load_gold(path)
        used = [list(detector.detect(r).get("sources_used") or []) for r in records]
        files[path.name] = (records, used, gold_sets(records, categories))
    ours = {name: Ours(records, used) for name, (records, used, _) in files.items()}
    print(f"Rules {load_rules().version}, typology {typology.version}, {args.folds}-fold CV, seed 0")
    names = list(files)
    for name, (records, used, gold) in files.items():
        texts = [record_text(r) for r in records]
        systems = {f"benefice ({args.folds}-fold CV)": ours[name].cv(gold, args.folds)}
        others = [n for n in names if n != name]
        if others:
            other = fit_rows(
                [row for n in others for row in ours[n].rows],
                [g for n in others for g in files[n][2]],
            )
            label = f"benefice (trained on {', '.join(others)})"
            systems[label] = [ours[name].predict(other, [i])[i] for i in range(len(records))]
        systems["rules"] = UseClassifier(load_rules(), mode="rules").predict(texts)
        systems[f"rules + TF-IDF ({args.folds}-fold CV)"] = tfidf_cv(texts, gold, args.folds)
        systems["keyword peer (typology cues)"] = [peer(t) for t in texts]
        report(name, systems, gold, used, records, categories, args.details)
    if len(files) > 1:
        records = [r for recs, _, _ in files.values() for r in recs]
        used = [u for _, us, _ in files.values() for u in us]
        gold = [g for _, _, gs in files.values() for g in gs]
        pooled = Ours(records, used)
        texts = [record_text(r) for r in records]
        systems = {
            f"benefice ({args.folds}-fold CV)": pooled.cv(gold, args.folds),
            "rules": UseClassifier(load_rules(), mode="rules").predict(texts),
            f"rules + TF-IDF ({args.folds}-fold CV)": tfidf_cv(texts, gold, args.folds),
            "keyword peer (typology cues)": [peer(t) for t in texts],
        }
        report("both files pooled", systems, gold, used, records, categories, args.details)
        kinds = KindsOfUse(model=pooled.fit(range(len(records)), gold))
        start = time.process_time()
        for _ in range(10):
            [peer(t) for t in texts]
        peer_speed = 10 * len(texts) / (time.process_time() - start)
        print(
            f"\nThroughput (CPU, one core): benefice {throughput(kinds, records, used):,.0f} records/s, "
            f"keyword peer {peer_speed:,.0f} records/s"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
