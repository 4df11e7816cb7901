"""Benchmark the use classification (kinds of use) against the gold set, beside a keyword peer.

Run from the repository root::

    .venv/bin/python benchmarks/classify.py [--gold ../shared/data/mentions/gold_dev.jsonl] [--folds 5] [--details]

Gold: ``use_category`` of ``gold_dev.jsonl`` (one main label per record, the annotator's judgement);
records with ``exclude_from_eval`` are left out. A label outside the typology (``not_applicable``,
``other``) means "no category": predicting one there is a false positive. Our classifier is multi-label, so
each category is scored as a yes/no question: precision, recall and F1 per category, **macro-F1** = mean F1
over the categories that have at least one gold record (a category never in the gold set and never predicted
is left out rather than counted as perfect), micro-F1 over all (record, category) decisions. "Top-1" keeps
only each system's strongest label, closer to the gold's single main label. A second table scores the kind of use
alone, on the records that have a typology category (whether a text is a secondary use of French data at
all is the source detector's question).

Systems, on the same records:
- rules: ``data/use_rules.yaml`` as shipped (written from domain knowledge; not fitted to this file);
- model: TF-IDF + one logistic regression per category, **cross-validated** (K folds, shuffled, seed 0):
  each record is predicted by a model that never saw it;
- rules + model: both (a rule or the model is enough), the model cross-validated as above;
- keyword peer: a hit of any of the typology's ``cues`` (lower-case substring) labels the category — what a
  user does with the typology and a spreadsheet search.
Throughput is records per second of CPU time (``time.process_time``), gold records repeated to 5,000.
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

from benefice.uses.classify import Label, UseClassifier, load_rules, record_text  # noqa: E402
from benefice.uses.typology import Typology, load_typology  # noqa: E402

DEFAULT_GOLD = ROOT.parent / "shared" / "data" / "mentions" / "gold_dev.jsonl"


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


def cross_validated(
    texts: list[str], gold: list[set[str]], mode: str, folds: int, seed: int = 0
) -> list[list[Label]]:
    """Each record predicted by a classifier trained on the other folds only."""
    import numpy as np

    order = np.random.default_rng(seed).permutation(len(texts))
    out: list[list[Label]] = [[] for _ in texts]
    rules = load_rules()
    for k in range(folds):
        test = order[k::folds]
        test_set = set(test.tolist())
        train = [i for i in range(len(texts)) if i not in test_set]
        clf = UseClassifier(rules, mode=mode).fit([texts[i] for i in train], [gold[i] for i in train])
        for i, labs in zip(test, clf.predict([texts[i] for i in test]), strict=True):
            out[i] = labs
    return out


def throughput(predict: Callable[[list[str]], object], texts: list[str], minimum: int = 5000) -> float:
    repeated = (texts * (minimum // max(len(texts), 1) + 1))[:minimum]
    start = time.process_time()
    predict(repeated)
    return len(repeated) / (time.process_time() - start)


def table(rows: list[tuple]) -> str:
    header, body = rows[0], rows[1:]
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out += ["| " + " | ".join(str(c) for c in row) + " |" for row in body]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gold", type=Path, default=DEFAULT_GOLD)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--details", action="store_true", help="per-category F1 of every system")
    args = parser.parse_args(argv)
    if not args.gold.exists():
        print(f"gold set not found: {args.gold} (../shared absent?)", file=sys.stderr)
        return 2
    typology = load_typology()
    categories = list(typology.categories)
    records = load_gold(args.gold)
    texts = [record_text(r) for r in records]
    gold = gold_sets(records, categories)
    rules = load_rules()
    rules_only = UseClassifier(rules, mode="rules")
    peer = keyword_peer(typology)

    systems: dict[str, tuple[list[list[Label]], float]] = {}
    systems["rules (use_rules.yaml)"] = (rules_only.predict(texts), throughput(rules_only.predict, texts))
    systems[f"model alone ({args.folds}-fold CV)"] = (cross_validated(texts, gold, "model", args.folds), 0.0)
    systems[f"rules + model ({args.folds}-fold CV)"] = (cross_validated(texts, gold, "both", args.folds), 0.0)
    full = UseClassifier(rules).fit(texts, gold)
    speed_both = throughput(full.predict, texts)
    systems[f"rules + model ({args.folds}-fold CV)"] = (
        systems[f"rules + model ({args.folds}-fold CV)"][0],
        speed_both,
    )
    model_only = UseClassifier(rules, mode="model").fit(texts, gold)
    systems[f"model alone ({args.folds}-fold CV)"] = (
        systems[f"model alone ({args.folds}-fold CV)"][0],
        throughput(model_only.predict, texts),
    )
    systems["keyword peer (typology cues)"] = (
        [peer(t) for t in texts],
        throughput(lambda ts: [peer(t) for t in ts], texts),
    )

    labelled = sum(1 for g in gold if g)
    print(
        f"Gold: {args.gold.name}, {len(records)} records scored ({labelled} with a typology category, "
        f"{len(records) - labelled} not_applicable/other = no category); rules {rules.version}\n"
    )
    rows = [("system", "macro-F1", "micro P", "R", "F1", "top-1 macro-F1", "no-category right", "records/s")]
    scores = {}
    for name, (labels, speed) in systems.items():
        s = score(gold, as_sets(labels), categories)
        t = score(gold, top1(labels), categories)
        scores[name] = s
        p, r, f = s["micro"]
        ok, n = s["none_ok"]
        rows.append(
            (
                name,
                f"{s['macro']:.3f}",
                f"{p:.3f}",
                f"{r:.3f}",
                f"{f:.3f}",
                f"{t['macro']:.3f}",
                f"{ok}/{n}",
                f"{speed:,.0f}",
            )
        )
    print(table(rows))
    # the kind of use alone: records that have a typology category (whether a text is a secondary use of
    # French data at all is the source detector's question, `benefice detect`, not this classifier's)
    keep = [i for i, g in enumerate(gold) if g]
    print(f"\nKind of use only: the {len(keep)} records with a typology category\n")
    rows = [("system", "macro-F1", "micro F1", "top-1 macro-F1", "top-1 accuracy")]
    for name, (labels, _speed) in systems.items():
        g = [gold[i] for i in keep]
        s = score(g, as_sets([labels[i] for i in keep]), categories)
        firsts = top1([labels[i] for i in keep])
        t = score(g, firsts, categories)
        acc = sum(1 for a, b in zip(g, firsts, strict=True) if a == b) / len(keep)
        rows.append((name, f"{s['macro']:.3f}", f"{s['micro'][2]:.3f}", f"{t['macro']:.3f}", f"{acc:.3f}"))
    print(table(rows))
    if args.details:
        print()
        cats = sorted({c for s in scores.values() for c in s["per"]})
        head = ("category", "gold n", *scores)
        body = []
        for c in cats:
            n = sum(1 for g in gold if c in g)
            body.append((c, str(n), *(f"{s['per'].get(c, 0.0):.2f}" for s in scores.values())))
        print(table([head, *body]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
