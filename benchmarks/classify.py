"""Benchmark the kind-of-use classifier on both development gold files, beside a keyword peer, by cross-validation.

Run from the repository root::

    .venv/bin/python benchmarks/classify.py [--gold FILE ...] [--folds 5] [--details] [--errors] [--study]

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

``--errors`` (why it fails): for each cross-file direction, the confusion matrix of the main label, every
record got wrong with the features that fired for its gold category and for the one chosen, a count of the
kinds of failure, and the calibration of the main label's probability. ``--study``: the candidate changes of
:class:`Study`, each against the shipped classifier, judged by :data:`DECISION_RULE` (fixed before they ran).
"""

from __future__ import annotations

import argparse
import json
import math
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
from benefice.uses.features import (  # noqa: E402
    FEATURES,
    Row,
    _subject_is_source,
    _unit,
    fold,
    record_parts,
    tokens,
)
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


# --------------------------------------------------------------------------------------------------
# Why it fails (--errors) and the study of candidate changes (--study)
# --------------------------------------------------------------------------------------------------
def cross_file(files: dict, ours: dict) -> dict[str, tuple[object, list[list[Label]]]]:
    """Per test file: the model fitted on the other file(s) and its labels for every record."""
    out = {}
    for name in files:
        others = [n for n in files if n != name]
        model = fit_rows(
            [row for n in others for row in ours[n].rows], [g for n in others for g in files[n][2]]
        )
        out[name] = (model, [ours[name].predict(model, [i])[i] for i in range(len(files[name][0]))])
    return out


def fired(row) -> str:
    """The features of one (record, category) row that are not zero, for reading an error."""
    return ", ".join(f"{k}={v:.2g}" for k, v in row.values.items() if v and k != "bias") or "nothing"


def errors(files: dict, ours: dict, categories: list[str]) -> None:
    """Cross-file confusion matrix (gold main category x predicted main category) and every record the
    model trained on the other file gets wrong, with the features that fired for the gold category and for
    the category chosen, and a count of the kinds of failure."""
    for name, (model, labels) in cross_file(files, ours).items():
        records, used, gold = files[name]
        keep = [i for i, g in enumerate(gold) if g]
        pairs = Counter((next(iter(gold[i])), labels[i][0].category if labels[i] else "-") for i in keep)
        present = [c for c in categories if any(c in p for p in pairs)]
        short = {c: "".join(w[0] for w in c.split("_"))[:4] for c in present}
        print(f"\n### {name}, trained on the other file: gold (rows) x predicted main (columns)\n")
        rows = [("gold \\ predicted", *(short[c] for c in present), "right")]
        for g in present:
            n = sum(k for (a, _), k in pairs.items() if a == g)
            if n:
                rows.append(
                    (
                        f"{g} ({short[g]})",
                        *(str(pairs.get((g, p), "") or "") for p in present),
                        f"{pairs[(g, g)]}/{n}",
                    )
                )
        print(table(rows))
        kinds_of = Counter()
        print()
        for i in keep:
            g = next(iter(gold[i]))
            if labels[i] and labels[i][0].category == g:
                continue
            by_cat = {row.category: row for row in ours[name].rows[i]}
            ranked = sorted(by_cat, key=lambda c: -model.probability(by_cat[c].values))
            top = ranked[0]
            no_abstract = not (records[i].get("abstract") or "").strip()
            evidence = [
                k
                for k, v in by_cat[g].values.items()
                if v and k not in ("bias", "similarity", "similarity_top", "source_kind")
            ]
            kinds_of["no abstract (title only)"] += no_abstract
            kinds_of["nothing of the gold category's description, rules or designs found"] += not evidence
            kinds_of["gold category ranked second"] += ranked.index(g) == 1
            kinds_of["no source detected"] += not used[i]
            print(
                f"- {records[i].get('id')} gold {g}, chosen {top} (gold ranked {ranked.index(g) + 1})"
                f"{', title only' if no_abstract else ''}; sources {used[i] or 'none'}\n"
                f"  - {g}: p={model.probability(by_cat[g].values):.2f}: {fired(by_cat[g])}\n"
                f"  - {top}: p={model.probability(by_cat[top].values):.2f}: {fired(by_cat[top])}"
            )
        bins = [(0.0, 0.25), (0.25, 0.5), (0.5, 0.75), (0.75, 1.01)]
        rel = [("main label's probability", "records", "mean probability", "right")]
        for lo, hi in bins:
            inside = [i for i in keep if labels[i] and lo <= labels[i][0].score < hi]
            if inside:
                mean = sum(labels[i][0].score for i in inside) / len(inside)
                ok = sum(1 for i in inside if labels[i][0].category in gold[i])
                rel.append(
                    (f"{lo:.2f}-{min(hi, 1):.2f}", str(len(inside)), f"{mean:.2f}", f"{ok / len(inside):.2f}")
                )
        print("\nCalibration of the main label (is it right as often as its probability says?)\n")
        print(table(rel))
        wrong = len(keep) - pairs_right(pairs)
        print(f"\n{wrong} of {len(keep)} wrong: " + "; ".join(f"{k} {v}" for k, v in kinds_of.items()))


def pairs_right(pairs: Counter) -> int:
    return sum(k for (a, b), k in pairs.items() if a == b)


#: The decision rule of the study, fixed before any candidate was run (2026-12-07).
DECISION_RULE = (
    "a candidate is kept only if it raises top-1 accuracy in both cross-file directions (train on one "
    "development file, test on the other) and lowers neither cross-file macro-F1 by more than 0.01; "
    "pooled 5-fold CV is reported beside it and must not lose more than 0.01 of top-1"
)


class Study:
    """Candidate changes to the kind-of-use classifier, each written from how the domain writes things, run
    against the shipped classifier on the same records and judged by :data:`DECISION_RULE`.

    Round 1 (fixed before anything was run):

    - **C1 design specificity.** A cohort design is listed by seven categories and says little about which
      one a study belongs to; an interrupted time series (policy evaluation), a self-controlled case series
      (drug safety) or a cohort profile (data resource) is listed by one and says a lot. Each design found
      counts 1 / (number of categories listing it) in ``design``, ``design_aim``, ``design_title``.
    - **C2 source-kind specificity.** The same for the kinds of the sources used: claims are used by nine
      categories' studies, a surveillance system by one (``source_kind`` = max of 1 / n over the kinds).
    - **C3 phrase specificity.** A description phrase several categories list ("risk of", "vaccination",
      "hospitalisations") counts 1 / n in the phrase counts, dominance and top match.
    - **C4 the title is the aim when there is no abstract.** Records whose abstract is withheld state
      their aim only in their title: the title's matches also fill the aim features.
    - **C5 penalty by inner cross-validation.** The L2 penalty chosen among 0.1-30 by 5-fold CV of the
      log-loss on the training records only.
    - **C6 IDF from descriptions and publications.** The similarity's IDF is computed over the 13
      descriptions only, so a word rare in the descriptions but common in publications ("réseau",
      "information") weighs as much as a category's key term; here the document frequencies count the
      descriptions and the training records' texts (no labels).
    - **C7 conditional logit.** The main kind of use is chosen *among* a publication's categories: a
      softmax over its rows (a logit per record), fitted on the main label, instead of independent yes/no
      per row; one label per record.

    Rounds 2 and 3 (written after round 1, from its figures):

    - **C8 = C1 + C2**, the same principle on designs and source kinds together.
    - **C7b** = C7 ranks the main label; the second label is kept from the binary model as now (p >= 0.5).
    - **C9 = C7b + C2**: C7b's macro-F1 loss came from records whose only evidence is a kind of source four
      categories list (a disease registry) being given one of them.
    """

    GRID = (0.1, 0.3, 1.0, 3.0, 10.0, 30.0)

    def __init__(self, files: dict, ours: dict, folds: int, typology: Typology) -> None:
        self.files, self.ours, self.folds = files, ours, folds
        self.categories = list(typology.categories)
        ref = self.ref = GATE.reference
        self.descriptions = self._description_tokens(typology)
        self.design_n = Counter(d for c in ref.categories for d in ref.designs_of[c])
        self.kind_n = Counter(k for c in ref.categories for k in ref.kinds_of[c])
        self.phrase_n = Counter(p for c in ref.categories for p in ref.phrases[c].phrases)
        self.names = list(files)
        self.records = {n: files[n][0] for n in self.names}
        self.used = {n: files[n][1] for n in self.names}
        self.gold = {n: files[n][2] for n in self.names}
        self.texts = {n: [tokens(record_parts(r).whole) for r in files[n][0]] for n in self.names}
        self.kinds = KindsOfUse(model=None)

    # ----------------------------------------------------------------------------- row transforms
    def _matches(self, record, used):
        text = record_parts(record)
        title_end = len(text.title) if text.whole.startswith(text.title) else 0
        whole, title = self.ref.lexicon.scan(text.whole, title_end)
        aim, _ = self.ref.lexicon.scan(text.aim)
        found = {d for (k, d) in whole if k == "design"}
        in_title = {d for (k, d) in title if k == "design"}
        in_aim = in_title | {d for (k, d) in aim if k == "design"}
        if _subject_is_source(text.title, used, self.ref):
            found |= {"data_resource"}
            in_aim |= {"data_resource"}
            in_title |= {"data_resource"}
        return found, in_aim, in_title, whole, title, aim

    @staticmethod
    def _with(rows, values):
        return [Row(r.category, {**r.values, **v}, r.evidence) for r, v in zip(rows, values, strict=True)]

    def design_specificity(self, record, used, rows):
        found, in_aim, in_title, *_ = self._matches(record, used)

        def weight(row, designs):
            return sum(1.0 / self.design_n[d] for d in self.ref.designs_of[row.category] & designs)

        return self._with(
            rows,
            [
                {
                    "design": min(weight(r, found), 2.0),
                    "design_aim": min(weight(r, in_aim), 2.0),
                    "design_title": min(weight(r, in_title), 1.0),
                }
                for r in rows
            ],
        )

    def kind_specificity(self, record, used, rows):
        kinds = {self.ref.source_kinds.get(s, "") for s in used} - {""}
        return self._with(
            rows,
            [
                {
                    "source_kind": max(
                        (1.0 / self.kind_n[k] for k in self.ref.kinds_of[r.category] & kinds), default=0.0
                    )
                }
                for r in rows
            ],
        )

    def phrase_specificity(self, record, used, rows):
        _, _, _, whole, title, aim = self._matches(record, used)
        cats = self.ref.categories

        def weight(hits, c):
            return sum(1.0 / self.phrase_n[p] for p in hits.get(("phrase", c), ()))

        text = {c: weight(whole, c) for c in cats}
        focus = {c: weight(title, c) + weight(aim, c) for c in cats}
        best, best_focus = max(text.values()), max(focus.values())
        return self._with(
            rows,
            [
                {
                    "cue_title": min(weight(title, r.category), 3.0),
                    "cue_aim": min(weight(aim, r.category), 3.0),
                    "cue_text": math.log1p(text[r.category]),
                    "dominance": text[r.category] / best if best else 0.0,
                    "top_match": 1.0 if best_focus and abs(focus[r.category] - best_focus) < 1e-9 else 0.0,
                }
                for r in rows
            ],
        )

    def title_is_aim(self, record, used, rows):
        if (record.get("abstract") or "").strip():
            return rows
        _, _, in_title, _, title, _ = self._matches(record, used)
        return self._with(
            rows,
            [
                {
                    "cue_aim": float(min(len(title.get(("phrase", r.category), ())), 3)),
                    "design_aim": float(min(len(self.ref.designs_of[r.category] & in_title), 2)),
                    "context_focus": 1.0 if title.get(("context", r.category)) else 0.0,
                }
                for r in rows
            ],
        )

    def _description_tokens(self, typology: Typology) -> dict[str, list[str]]:
        """Each category's description as ``features.Reference`` reads it for the similarity."""
        ref, out = self.ref, {}
        for cid, cat in typology.categories.items():
            desc = cat.description
            context = {fold(w) for lang in ("fr", "en") for w in (desc.context.get(lang, ()) if desc else ())}
            words = [w for w in ref._phrases_of(cat) if fold(w) not in context]
            designs = [
                p
                for did in ref.designs_of[cid]
                for lang in ("fr", "en")
                for p in typology.study_designs[did].phrases[lang]
            ]
            doc = " ".join([cat.name.fr, cat.name.en, cat.definition.fr, cat.definition.en, *words, *designs])
            out[cid] = tokens(fold(doc))
        return out

    def idf_from(self, corpus):
        """C6: the similarity with document frequencies over the descriptions and ``corpus`` (token lists)."""
        docs = [*self.descriptions.values(), *corpus]
        df = Counter(t for d in docs for t in set(d))
        idf = {t: math.log((1 + len(docs)) / (1 + k)) + 1.0 for t, k in df.items()}

        def unit(toks):
            counts = Counter(t for t in toks if t in idf)
            return _unit({t: (1.0 + math.log(k)) * idf[t] for t, k in counts.items()})

        vectors = {cid: unit(doc) for cid, doc in self.descriptions.items()}

        def transform(toks, rows):
            vec = unit(toks)
            sims = {cid: sum(w * v.get(t, 0.0) for t, w in vec.items()) for cid, v in vectors.items()}
            best = max(sims.values())
            return self._with(
                rows,
                [
                    {
                        "similarity": sims[r.category],
                        "similarity_top": float(best > 0 and sims[r.category] == best),
                    }
                    for r in rows
                ],
            )

        return transform

    # ---------------------------------------------------------------------------------- fitting
    def fit_binary(self, rows, gold, penalty: float = 1.0):
        return fit_rows(rows, gold, penalty=penalty)

    def fit_inner_cv(self, rows, gold):
        """C5: the penalty with the smallest held-out log-loss by inner CV over the training records."""
        labelled = [i for i, g in enumerate(gold) if g]
        best = None
        for penalty in self.GRID:
            loss = 0.0
            for test in folds_of(len(labelled), self.folds):
                held = {labelled[k] for k in test}
                train = [i for i in labelled if i not in held]
                model = fit_rows([rows[i] for i in train], [gold[i] for i in train], penalty=penalty)
                for i in held:
                    for row in rows[i]:
                        p = min(max(model.probability(row.values), 1e-12), 1 - 1e-12)
                        loss -= math.log(p if row.category in gold[i] else 1 - p)
            if best is None or loss < best[0]:
                best = (loss, penalty)
        return fit_rows(rows, gold, penalty=best[1])

    def fit_softmax(self, rows, gold, penalty: float = 1.0):
        """C7: conditional logit, one softmax over each labelled record's rows (the bias cancels)."""
        import numpy as np
        from scipy.optimize import minimize

        names = [f for f in FEATURES if f != "bias"]
        xs, ts = [], []
        for rs, g in zip(rows, gold, strict=True):
            if g:
                xs.append(np.asarray([[r.values[f] for f in names] for r in rs]))
                y = np.asarray([float(r.category in g) for r in rs])
                ts.append(y / y.sum())

        def loss(w):
            value, grad = 0.5 * penalty * float(w @ w), penalty * w
            for x, t in zip(xs, ts, strict=True):
                z = x @ w
                top = z.max()
                e = np.exp(z - top)
                value += top + math.log(e.sum()) - float(t @ z)
                grad = grad + x.T @ (e / e.sum() - t)
            return value, grad

        result = minimize(loss, np.zeros(len(names)), jac=True, method="L-BFGS-B")
        return dict(zip(names, result.x.tolist(), strict=True))

    def fit_softmax_and_binary(self, rows, gold):
        return self.fit_softmax(rows, gold), fit_rows(rows, gold)

    # ------------------------------------------------------------------------------- predicting
    def predict_binary(self, model, rows):
        self.kinds.model = model
        return [list(self.kinds._by_model(r, self.kinds.version).labels) for r in rows]

    @staticmethod
    def _main(weights, rs):
        return min(rs, key=lambda r: (-sum(w * r.values[f] for f, w in weights.items()), r.category)).category

    def predict_softmax(self, weights, rows):
        return [[Label(self._main(weights, rs), "model", 1.0)] for rs in rows]

    def predict_softmax_and_binary(self, models, rows):
        weights, binary = models
        out = []
        for rs, labs in zip(rows, self.predict_binary(binary, rows), strict=True):
            main = self._main(weights, rs)
            second = [lab for lab in labs if lab.category != main and lab.score >= KindsOfUse.SECOND][:1]
            out.append([Label(main, "model", 1.0), *second])
        return out

    # ------------------------------------------------------------------------------- candidates
    def candidates(self):
        """(id, what, make transform from the training texts or None, fit, predict)."""
        b, p = self.fit_binary, self.predict_binary
        fixed = lambda f: lambda corpus: f  # noqa: E731
        both = lambda corpus: (  # noqa: E731
            lambda rec, used, rows, toks: self.kind_specificity(
                rec, used, self.design_specificity(rec, used, rows)
            )
        )
        wrap = lambda f: lambda rec, used, rows, toks: f(rec, used, rows)  # noqa: E731
        return [
            ("shipped", "the classifier as shipped", None, b, p),
            ("C1", "design specificity", fixed(wrap(self.design_specificity)), b, p),
            ("C2", "source-kind specificity", fixed(wrap(self.kind_specificity)), b, p),
            ("C3", "phrase specificity", fixed(wrap(self.phrase_specificity)), b, p),
            ("C4", "title is the aim without abstract", fixed(wrap(self.title_is_aim)), b, p),
            ("C5", "penalty by inner CV", None, self.fit_inner_cv, p),
            ("C6", "IDF over descriptions + training texts", self.idf_transform, b, p),
            ("C7", "conditional logit, main label only", None, self.fit_softmax, self.predict_softmax),
            ("C8", "C1 + C2", both, b, p),
            ("C7b", "conditional logit main + binary second", None, self.fit_softmax_and_binary,
             self.predict_softmax_and_binary),
            ("C9", "C7b + C2", fixed(wrap(self.kind_specificity)), self.fit_softmax_and_binary,
             self.predict_softmax_and_binary),
        ]  # fmt: skip

    def idf_transform(self, corpus):
        similarity = self.idf_from(corpus)
        return lambda rec, used, rows, toks: similarity(toks, rows)

    def run(self) -> None:
        print(f"\n### Study of candidate changes\n\nDecision rule (fixed before running): {DECISION_RULE}.\n")
        names = self.names
        pooled_rows = [r for n in names for r in self.ours[n].rows]
        pooled_gold = [g for n in names for g in self.gold[n]]
        pooled_recs = [
            (r, u, t)
            for n in names
            for r, u, t in zip(self.records[n], self.used[n], self.texts[n], strict=True)
        ]
        results, right = {}, {}
        for cid, what, make, fit, predict in self.candidates():
            out, hits = {}, {}
            for test in names:
                train = [n for n in names if n != test]
                t = make([tok for n in train for tok in self.texts[n]]) if make else None

                def rows_of(n, t=t):
                    rs = self.ours[n].rows
                    if t is None:
                        return rs
                    return [
                        t(r, u, x, k)
                        for r, u, x, k in zip(self.records[n], self.used[n], rs, self.texts[n], strict=True)
                    ]

                model = fit(
                    [row for n in train for row in rows_of(n)], [g for n in train for g in self.gold[n]]
                )
                labels = predict(model, rows_of(test))
                gold = self.gold[test]
                out[test] = self.metrics(labels, gold)
                hits[test] = [bool(labels[i] and labels[i][0].category in g) for i, g in enumerate(gold) if g]
            pred: list = [None] * len(pooled_rows)
            for test in folds_of(len(pooled_rows), self.folds):
                held = set(test)
                train = [i for i in range(len(pooled_rows)) if i not in held]
                t = make([pooled_recs[i][2] for i in train]) if make else None

                def rows_at(i, t=t):
                    return (
                        pooled_rows[i]
                        if t is None
                        else t(*pooled_recs[i][:2], pooled_rows[i], pooled_recs[i][2])
                    )

                model = fit([rows_at(i) for i in train], [pooled_gold[i] for i in train])
                for i, labs in zip(test, predict(model, [rows_at(i) for i in test]), strict=True):
                    pred[i] = labs
            out["pooled"] = self.metrics(pred, pooled_gold)
            results[cid], right[cid] = (what, out), hits
        base = results["shipped"][1]
        head = [
            "candidate",
            *(f"{n}: top-1 / macro (fixed, broken)" for n in names),
            "pooled CV top-1 / macro",
            "kept?",
        ]
        body = []
        for cid, (what, out) in results.items():
            cells = []
            for n in names:
                fixed_ = sum(
                    1 for a, b in zip(right["shipped"][n], right[cid][n], strict=True) if b and not a
                )
                broken = sum(
                    1 for a, b in zip(right["shipped"][n], right[cid][n], strict=True) if a and not b
                )
                cells.append(f"{out[n][0]:.3f} / {out[n][1]:.3f} (+{fixed_}, -{broken})")
            kept = (
                cid != "shipped"
                and all(
                    out[n][0] > base[n][0] + 1e-9 and out[n][1] >= base[n][1] - 0.01 - 1e-9 for n in names
                )
                and out["pooled"][0] >= base["pooled"][0] - 0.01 - 1e-9
            )
            body.append((f"{cid} {what}", *cells, f"{out['pooled'][0]:.3f} / {out['pooled'][1]:.3f}",
                         "-" if cid == "shipped" else ("yes" if kept else "no")))  # fmt: skip
        print(table([tuple(head), *body]))
        print(
            "\n(file: the model trained on the other file and scored on this one; fixed / broken: records whose"
        )
        print("top-1 becomes right / wrong against the shipped classifier)")

    def metrics(self, labels, gold):
        keep = [i for i, g in enumerate(gold) if g]
        g = [gold[i] for i in keep]
        got = [labels[i] for i in keep]
        firsts = top1(got)
        acc = sum(1 for a, b in zip(g, firsts, strict=True) if a & b) / len(keep)
        return acc, score(g, as_sets(got), self.categories)["macro"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gold", type=Path, nargs="+", default=DEFAULT_GOLD)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--details", action="store_true", help="per-category F1 of every system")
    parser.add_argument(
        "--errors",
        action="store_true",
        help="cross-file confusion matrix and every record got wrong, with the features that fired",
    )
    parser.add_argument(
        "--study",
        action="store_true",
        help="only the study of candidate changes (Study), with its decision rule",
    )
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
    if args.study or args.errors:
        if len(files) < 2:
            print(
                "--study and --errors need two gold files (they train on one, test on the other)",
                file=sys.stderr,
            )
            return 2
        if args.errors:
            errors(files, ours, categories)
        if args.study:
            Study(files, ours, args.folds, typology).run()
        return 0
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
