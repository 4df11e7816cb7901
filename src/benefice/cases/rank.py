"""Ranking of impact cases with published weights, and how much each rank depends on those weights.

A list of "the most impactful cases" is defensible only if a reader can recompute it and see how fragile it
is. So the criteria (what is measured, in which direction, with which weight and why) are versioned data in
``data/ranking.yaml``; every criterion value is computed from the case's own record by a named rule and
keeps what it came from (figure index, decision, grade) for the UI (:func:`criteria_matrix`); three
aggregation methods of different families are offered (weighted sum of min-max normalised criteria, TOPSIS
and PROMETHEE II net flows); and a Monte-Carlo analysis draws the weights from a Dirichlet distribution
centred on the published ones, giving each case its probability of each rank and a 90 % rank interval.

Pure Python + numpy, no Django: the CLI, the web app and the barometer share it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from benefice.cases.catalogue import Case, Figure
from benefice.curated import Text, read_yaml
from benefice.errors import BeneficeError, FormatError
from benefice.i18n import gettext_noop
from benefice.indicators.catalogue import IndicatorCatalogue
from benefice.paths import package_data
from benefice.uses.typology import Typology

METHODS = ("weighted_sum", "topsis", "promethee")
# refusals said in more than one place (templates marked for the catalogue, said in the reader's language)
_MISSING = gettext_noop("missing or empty")
_SAMPLES = gettext_noop("samples must be a whole number >= 1, got %(value)r")
KINDS = ("decision_type", "attribution_grade", "figure", "evidence_grade", "data_sources")
TRANSFORMS = ("none", "log10p1")
DIRECTIONS = ("max", "min")


# --------------------------------------------------------------------------------------------------
# Data classes
# --------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Criterion:
    id: str
    name: Text
    definition: Text
    kind: str
    direction: str  # 'max': more is better; 'min': less is better
    weight: float
    rationale: Text  # why this weight, in French and English
    indicators: tuple[str, ...] = ()
    units: dict[str, float] = field(default_factory=dict)  # unit -> factor to the criterion's common unit
    aggregate: str = "max"
    transform: str = "none"
    scores: dict[str, float] = field(default_factory=dict)  # evidence grade -> score


@dataclass(frozen=True)
class RankingSpec:
    version: str
    criteria: tuple[Criterion, ...]
    include_unverified: bool = False
    path: str = ""
    changelog: tuple[dict[str, str], ...] = ()
    samples: int = 1000  # default number of weight draws (the CLI's and the barometer's)
    concentration: float = 50.0  # default Dirichlet concentration around the published weights

    @property
    def weights(self) -> np.ndarray:
        """The published weights, normalised to sum to 1."""
        w = np.array([c.weight for c in self.criteria], dtype=float)
        return w / w.sum()


@dataclass(frozen=True)
class CriterionValue:
    """One criterion for one case: the value used, the raw value before any transform, and its origin."""

    value: float
    raw: float | None
    source: str  # in words a reader can check: "figure 3 (A1): 43044 persons"
    refs: tuple[str, ...] = ()  # "case_id#figure-index" or "case_id#decision-index"
    missing: bool = False


@dataclass(frozen=True)
class CriteriaMatrix:
    case_ids: tuple[str, ...]
    criteria: tuple[Criterion, ...]
    values: np.ndarray  # cases x criteria, after transform and imputation
    cells: dict[str, dict[str, CriterionValue]]  # case id -> criterion id -> value with its origin

    def row(self, case_id: str) -> dict[str, float]:
        i = self.case_ids.index(case_id)
        return {c.id: float(self.values[i, j]) for j, c in enumerate(self.criteria)}


@dataclass(frozen=True)
class RankRow:
    case_id: str
    rank: int
    score: float
    rank_low: int
    rank_high: int
    rank_probabilities: list[float]  # index i = probability of rank i + 1
    criteria: dict[str, float]


@dataclass(frozen=True)
class CaseRanking:
    rows: list[RankRow]
    method: str
    spec_version: str
    samples: int
    seed: int
    concentration: float
    category: str | None = None
    matrix: CriteriaMatrix | None = field(default=None, repr=False)
    spec: RankingSpec | None = field(default=None, repr=False)


# --------------------------------------------------------------------------------------------------
# The weights file
# --------------------------------------------------------------------------------------------------
def load_weights(path: Path | str | None = None, *, one_language: bool = False) -> RankingSpec:
    """The published ``ranking.yaml`` (or the file at `path`), validated; errors name the file and field.
    ``one_language``: see :func:`parse_weights` (a frozen edition's copy only)."""
    path = Path(path) if path else package_data("ranking.yaml")
    return parse_weights(read_yaml(path), path, one_language=one_language)


def _num(value: Any) -> bool:
    return not isinstance(value, bool) and isinstance(value, int | float) and math.isfinite(value)


def parse_weights(data: Any, path: Path | str = "<ranking>", *, one_language: bool = False) -> RankingSpec:
    """Build a RankingSpec from parsed YAML. Weights must be numbers >= 0 that do not all vanish.

    Every rationale needs French and English. ``one_language`` reads the copy an edition froze before the
    rationales were bilingual (ranking 1.0.0: a plain string), as its English with no French, so that the
    edition still rebuilds; the published file and one given to ``benefice rank`` are read strictly."""
    p = str(path)

    def fail(message: str, fld: str | None = None, **params: Any) -> FormatError:
        """The refusal naming the file and field; ``message`` a template marked for the catalogue."""
        return FormatError(message, params=params, path=p, field=fld)

    if not isinstance(data, dict):
        raise fail(gettext_noop("expected a mapping at the top of the file"))
    version = data.get("version")
    if not isinstance(version, str | int | float) or isinstance(version, bool) or not str(version).strip():
        raise fail(_MISSING, "version")
    changelog = data.get("changelog") or []
    if not isinstance(changelog, list) or not all(isinstance(e, dict) for e in changelog):
        raise fail(gettext_noop("expected a list of {version, date, author, change}"), "changelog")
    include = data.get("include_unverified", False)
    if not isinstance(include, bool):
        raise fail(gettext_noop("expected true or false"), "include_unverified")
    samples = data.get("samples", 1000)
    if isinstance(samples, bool) or not isinstance(samples, int) or samples < 1:
        raise fail(_SAMPLES, "samples", value=samples)
    concentration = data.get("concentration", 50.0)
    if not _num(concentration) or concentration <= 0:
        raise fail(
            gettext_noop("concentration must be a positive number, got %(value)r"),
            "concentration",
            value=concentration,
        )
    raw = data.get("criteria")
    if not isinstance(raw, list) or not raw:
        raise fail(gettext_noop("expected a non-empty list of criteria"), "criteria")
    criteria: list[Criterion] = []
    seen: set[str] = set()
    for i, c in enumerate(raw):
        where = f"criteria[{i}]"
        if not isinstance(c, dict):
            raise fail(gettext_noop("a criterion is a mapping"), where)
        cid = c.get("id")
        if not isinstance(cid, str) or not cid.strip():
            raise fail(_MISSING, f"{where}.id")
        if cid in seen:
            raise fail(gettext_noop("duplicate criterion id %(id)r"), f"{where}.id", id=cid)
        seen.add(cid)
        where = f"criteria[{i}] ({cid})"
        texts = {}
        for key in ("name", "definition"):
            t = c.get(key)
            if not isinstance(t, dict) or not all(
                isinstance(t.get(lang), str) and t[lang].strip() for lang in ("fr", "en")
            ):
                raise fail(gettext_noop("needs French and English text (fr, en)"), f"{where}.{key}")
            texts[key] = Text(fr=" ".join(t["fr"].split()), en=" ".join(t["en"].split()))
        kind = c.get("kind")
        if kind not in KINDS:
            raise fail(
                gettext_noop("unknown kind %(kind)r (known: %(known)s)"),
                f"{where}.kind",
                kind=kind,
                known=", ".join(KINDS),
            )
        direction = c.get("direction")
        if direction not in DIRECTIONS:
            raise fail(
                gettext_noop("direction must be max or min, got %(value)r"),
                f"{where}.direction",
                value=direction,
            )
        weight = c.get("weight")
        if not _num(weight):
            raise fail(
                gettext_noop("weight must be a number, got %(value)r"), f"{where}.weight", value=weight
            )
        if weight < 0:
            raise fail(
                gettext_noop("weight must not be negative, got %(value)r"), f"{where}.weight", value=weight
            )
        rationale = c.get("rationale")
        if one_language and isinstance(rationale, str) and rationale.strip():
            rationale = {"fr": "", "en": rationale}  # ranking 1.0.0, frozen in an edition: English only
        needed = ("en",) if one_language else ("fr", "en")
        if not isinstance(rationale, dict) or not all(
            isinstance(rationale.get(lang, ""), str) for lang in ("fr", "en")
        ) or not all(str(rationale.get(lang) or "").strip() for lang in needed):
            raise fail(
                gettext_noop("every weight needs its rationale, in French and English (fr, en)"),
                f"{where}.rationale",
            )
        extra: dict[str, Any] = {}
        if kind == "figure":
            inds = c.get("indicators")
            if not isinstance(inds, list) or not inds or not all(isinstance(x, str) for x in inds):
                raise fail(
                    gettext_noop("a figure criterion needs a list of indicator codes"), f"{where}.indicators"
                )
            units = c.get("units")
            if not isinstance(units, dict) or not units or not all(_num(v) and v > 0 for v in units.values()):
                raise fail(gettext_noop("needs a mapping unit -> positive factor"), f"{where}.units")
            aggregate = c.get("aggregate", "max")
            if aggregate not in ("max", "min"):
                raise fail(
                    gettext_noop("aggregate must be max or min, got %(value)r"),
                    f"{where}.aggregate",
                    value=aggregate,
                )
            transform = c.get("transform", "none")
            if transform not in TRANSFORMS:
                raise fail(
                    gettext_noop("transform must be one of %(known)s"),
                    f"{where}.transform",
                    known=", ".join(TRANSFORMS),
                )
            extra = {
                "indicators": tuple(inds),
                "units": {str(k): float(v) for k, v in units.items()},
                "aggregate": aggregate,
                "transform": transform,
            }
        elif kind == "evidence_grade":
            scores = c.get("scores")
            if not isinstance(scores, dict) or not scores or not all(_num(v) for v in scores.values()):
                raise fail(gettext_noop("needs a mapping evidence grade -> number"), f"{where}.scores")
            extra = {"scores": {str(k): float(v) for k, v in scores.items()}}
        criteria.append(
            Criterion(
                id=cid,
                name=texts["name"],
                definition=texts["definition"],
                kind=kind,
                direction=direction,
                weight=float(weight),
                rationale=Text(
                    fr=" ".join(str(rationale.get("fr") or "").split()), en=" ".join(rationale["en"].split())
                ),
                **extra,
            )
        )
    if sum(c.weight for c in criteria) <= 0:
        raise fail(
            gettext_noop("the weights sum to zero: at least one criterion must weigh something"), "criteria"
        )
    log = tuple({str(k): str(v) for k, v in e.items()} for e in changelog)
    return RankingSpec(str(version).strip(), tuple(criteria), include, p, log, samples, float(concentration))


def check_spec(spec: RankingSpec, typology: Typology, indicators: IndicatorCatalogue) -> None:
    """Refuse a spec naming indicators, units or grades the catalogue does not know (a silent 0 otherwise)."""
    for i, c in enumerate(spec.criteria):
        where = f"criteria[{i}] ({c.id})"
        for code in c.indicators:
            if code not in indicators.indicators:
                raise FormatError(
                    gettext_noop("unknown indicator %(code)r"),
                    params={"code": code},
                    path=spec.path,
                    field=f"{where}.indicators",
                )
        for unit in c.units:
            if unit not in indicators.units:
                raise FormatError(
                    gettext_noop("unknown unit %(unit)r"),
                    params={"unit": unit},
                    path=spec.path,
                    field=f"{where}.units",
                )
        for grade in c.scores:
            if grade not in typology.evidence_grades:
                raise FormatError(
                    gettext_noop("unknown evidence grade %(grade)r"),
                    params={"grade": grade},
                    path=spec.path,
                    field=f"{where}.scores",
                )


# --------------------------------------------------------------------------------------------------
# Criteria from a case's record
# --------------------------------------------------------------------------------------------------
def _central(f: Figure) -> float | None:
    if f.value is not None:
        return float(f.value)
    if f.low is not None and f.high is not None:
        return (float(f.low) + float(f.high)) / 2
    return None


def _measure(
    case: Case, crit: Criterion, typology: Typology, include_unverified: bool
) -> tuple[float | None, str, tuple[str, ...]]:
    """(raw value or None when the case documents nothing for it, origin in words, refs)."""
    figures = [(i, f) for i, f in enumerate(case.figures) if f.verified or include_unverified]
    if crit.kind == "decision_type":
        best: tuple[int, int] | None = None
        for j, d in enumerate(case.decisions):
            if d.type not in typology.decision_types:
                raise BeneficeError(
                    gettext_noop(
                        "case %(case)s, decision %(decision)s: unknown decision type %(type)r (known: %(known)s)"
                    ),
                    params={
                        "case": case.id,
                        "decision": j + 1,
                        "type": d.type,
                        "known": ", ".join(typology.decision_types),
                    },
                    field="type",
                )
            if d.verified or include_unverified:
                r = typology.decision_types[d.type].rank
                if best is None or r > best[0]:
                    best = (r, j)
        if best is None:
            return 0.0, "no decision documented", ()
        d = case.decisions[best[1]]
        return (
            float(best[0]),
            f"decision {best[1] + 1}: {d.type} by {d.agency} ({d.date})",
            (f"{case.id}#decision-{best[1]}",),
        )
    if crit.kind == "attribution_grade":
        grade = typology.attribution_grades.get(case.attribution_grade)
        if grade is None:
            raise BeneficeError(
                gettext_noop("case %(case)s: unknown attribution grade %(grade)r (known: %(known)s)"),
                params={
                    "case": case.id,
                    "grade": case.attribution_grade,
                    "known": ", ".join(typology.attribution_grades),
                },
                field="attribution_grade",
            )
        return float(grade.rank), f"attribution grade {case.attribution_grade} (rank {grade.rank})", ()
    if crit.kind == "data_sources":
        return float(len(case.data_sources)), f"data sources: {', '.join(case.data_sources) or 'none'}", ()
    if crit.kind == "evidence_grade":
        found = [(crit.scores[f.evidence_grade], i, f) for i, f in figures if f.evidence_grade in crit.scores]
        if not found:
            return 0.0, "no figure", ()
        score, i, f = max(found, key=lambda t: (t[0], -t[1]))
        return score, f"figure {i + 1} ({f.indicator}): {f.evidence_grade}", (f"{case.id}#figure-{i}",)
    # figure
    found_f = []
    for i, f in figures:
        if f.indicator in crit.indicators and f.unit in crit.units:
            v = _central(f)
            if v is not None and v >= 0:
                found_f.append((v * crit.units[f.unit], i, f, v))
    if not found_f:
        return None, f"no figure for {', '.join(crit.indicators)}", ()
    pick = max if crit.aggregate == "max" else min
    value, i, f, v = pick(found_f, key=lambda t: t[0])
    return value, f"figure {i + 1} ({f.indicator}): {v:g} {f.unit}", (f"{case.id}#figure-{i}",)


def criteria_matrix(
    cases: list[Case], typology: Typology, indicators: IndicatorCatalogue, spec: RankingSpec
) -> CriteriaMatrix:
    """Per case the criterion values with where each came from. A case that documents nothing for a figure
    criterion gets the worst value among the cases (no credit for the unknown) and is flagged ``missing``."""
    check_spec(spec, typology, indicators)
    ids = [c.id for c in cases]
    if len(set(ids)) != len(ids):
        dup = sorted({i for i in ids if ids.count(i) > 1})
        raise BeneficeError(
            gettext_noop("case listed twice: %(cases)s")
            if len(dup) == 1
            else gettext_noop("cases listed twice: %(cases)s"),
            params={"cases": ", ".join(dup)},
        )
    values = np.zeros((len(cases), len(spec.criteria)))
    cells: dict[str, dict[str, CriterionValue]] = {cid: {} for cid in ids}
    for j, crit in enumerate(spec.criteria):
        measured = [_measure(case, crit, typology, spec.include_unverified) for case in cases]
        transformed = [
            None if raw is None else (math.log10(1 + raw) if crit.transform == "log10p1" else raw)
            for raw, _, _ in measured
        ]
        known = [v for v in transformed if v is not None]
        worst = (min(known) if crit.direction == "max" else max(known)) if known else 0.0
        for i, (case, (raw, source, refs), v) in enumerate(zip(cases, measured, transformed, strict=True)):
            if v is None:
                values[i, j] = worst
                source = f"{source}: worst value among the cases used ({worst:g})"
            else:
                values[i, j] = v
            cells[case.id][crit.id] = CriterionValue(float(values[i, j]), raw, source, refs, v is None)
    return CriteriaMatrix(tuple(ids), spec.criteria, values, cells)


# --------------------------------------------------------------------------------------------------
# Aggregation (vectorised over weight samples: weights is criteria, or criteria x samples)
# --------------------------------------------------------------------------------------------------
def _signs(spec: RankingSpec) -> np.ndarray:
    return np.array([1.0 if c.direction == "max" else -1.0 for c in spec.criteria])


def weighted_sum_scores(values: np.ndarray, signs: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Min-max normalise each criterion (reversed for 'min'), then the weighted sum; a criterion on which
    every case is equal contributes nothing. Returns a score per case (per case x sample for 2-d weights)."""
    lo, hi = values.min(axis=0), values.max(axis=0)
    spread = hi > lo
    norm = np.where(spread, (values - lo) / np.where(spread, hi - lo, 1.0), 0.0)
    norm = np.where(signs > 0, norm, np.where(spread, 1.0 - norm, 0.0))
    return norm @ weights


def topsis_scores(values: np.ndarray, signs: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """TOPSIS, vector normalisation: relative closeness to the ideal case, in [0, 1] (higher is better).
    Equal to pymcdm's ``TOPSIS()`` (checked in the tests), but vectorised over weight samples."""
    norms = np.sqrt((values**2).sum(axis=0))
    r = np.divide(values, norms, out=np.zeros_like(values, dtype=float), where=norms > 0)
    single = weights.ndim == 1
    w = weights[:, None] if single else weights
    v = r[:, :, None] * w[None, :, :]  # cases x criteria x samples
    up = signs[None, :, None] > 0
    best = np.where(up, v.max(axis=0, keepdims=True), v.min(axis=0, keepdims=True))
    worst = np.where(up, v.min(axis=0, keepdims=True), v.max(axis=0, keepdims=True))
    d_best = np.sqrt(((v - best) ** 2).sum(axis=1))
    d_worst = np.sqrt(((v - worst) ** 2).sum(axis=1))
    total = d_best + d_worst
    scores = np.divide(d_worst, total, out=np.full_like(total, 0.5), where=total > 0)
    return scores[:, 0] if single else scores


def promethee_scores(values: np.ndarray, signs: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """PROMETHEE II net outranking flow with the "usual" preference function (P(a, b) = 1 when a is better
    than b on the criterion, else 0): non-compensatory, so only who beats whom counts, not by how much. (A
    linear preference over each criterion's range would reproduce the weighted sum exactly.)

    The net flow is linear in the weights, so the per-criterion flows are computed once (one criterion at a
    time: memory n^2, not n^2 x criteria x samples) and every weight sample costs one matrix product."""
    n, m = values.shape
    if n < 2:
        return np.zeros((n,) + weights.shape[1:])
    flows = np.empty((n, m))
    for j in range(m):
        d = (values[:, None, j] - values[None, :, j]) * signs[j]
        wins = (d > 1e-12).sum(axis=1)  # cases each case beats on criterion j
        losses = (d < -1e-12).sum(axis=1)
        flows[:, j] = (wins - losses) / (n - 1)
    return flows @ weights


SCORERS = {"weighted_sum": weighted_sum_scores, "topsis": topsis_scores, "promethee": promethee_scores}


def _ranks(scores: np.ndarray, order_key: np.ndarray) -> np.ndarray:
    """Rank 1 = best score; ties go to the case earlier in `order_key` (deterministic, no coin toss)."""
    n = scores.shape[0]
    if scores.ndim == 1:
        order = np.lexsort((order_key, -np.round(scores, 12)))
        ranks = np.empty(n, dtype=int)
        ranks[order] = np.arange(1, n + 1)
        return ranks
    ranks = np.empty(scores.shape, dtype=int)
    for s in range(scores.shape[1]):
        ranks[:, s] = _ranks(scores[:, s], order_key)
    return ranks


def rank_cases(
    cases: list[Case],
    typology: Typology,
    indicators: IndicatorCatalogue,
    spec: RankingSpec | None = None,
    *,
    method: str = "weighted_sum",
    category: str | None = None,
    samples: int = 1000,
    seed: int = 0,
    concentration: float = 50.0,
) -> CaseRanking:
    """Rank the cases (only those of `category` when given) and measure each rank's stability.

    The rank and score use the published weights. ``samples`` weight vectors are drawn from
    Dirichlet(concentration x published weights) with ``seed``; each case gets its probability of each rank
    and a 90 % interval (5th-95th percentile of its sampled ranks, widened if needed to contain the
    published rank). A higher concentration means more trust in the published weights.
    """
    spec = spec or load_weights()
    if method not in SCORERS:
        raise BeneficeError(
            gettext_noop("unknown ranking method %(method)r (choose from %(known)s)"),
            params={"method": method, "known": ", ".join(METHODS)},
        )
    if category is not None:
        if category not in typology.categories:
            raise BeneficeError(
                gettext_noop("unknown category of use %(category)r (known: %(known)s)"),
                params={"category": category, "known": ", ".join(sorted(typology.categories))},
            )
        cases = [c for c in cases if category in c.categories]
    if isinstance(samples, bool) or not isinstance(samples, int) or samples < 1:
        raise BeneficeError(_SAMPLES, params={"value": samples})
    if not _num(concentration) or concentration <= 0:
        raise BeneficeError(
            gettext_noop("the Dirichlet concentration must be a positive number, got %(value)r"),
            params={"value": concentration},
        )
    if not cases:
        return CaseRanking(
            [], method, spec.version, samples, seed, float(concentration), category, None, spec
        )
    cases = list(cases)
    matrix = criteria_matrix(cases, typology, indicators, spec)
    signs = _signs(spec)
    weights = spec.weights
    scorer = SCORERS[method]
    scores = scorer(matrix.values, signs, weights)
    ids = np.array(matrix.case_ids)
    tie_key = np.argsort(np.argsort(ids))  # ties: alphabetical case id
    ranks = _ranks(scores, tie_key)
    positive = weights > 0
    rng = np.random.default_rng(seed)
    drawn = np.zeros((len(weights), samples))
    drawn[positive] = rng.dirichlet(weights[positive] * concentration, size=samples).T
    sampled = _ranks(scorer(matrix.values, signs, drawn), tie_key)  # cases x samples
    n = len(cases)
    cells = (np.arange(n)[:, None] * n + (sampled - 1)).ravel()
    probs = np.bincount(cells, minlength=n * n).reshape(n, n) / samples  # cases x ranks
    cum = np.cumsum(probs, axis=1)
    low = np.argmax(cum >= 0.05 - 1e-12, axis=1) + 1
    high = np.argmax(cum >= 0.95 - 1e-12, axis=1) + 1
    rows = [
        RankRow(
            case_id=matrix.case_ids[i],
            rank=int(ranks[i]),
            score=float(scores[i]),
            rank_low=int(min(low[i], ranks[i])),
            rank_high=int(max(high[i], ranks[i])),
            rank_probabilities=[float(p) for p in probs[i]],
            criteria={c.id: float(matrix.values[i, j]) for j, c in enumerate(spec.criteria)},
        )
        for i in range(n)
    ]
    rows.sort(key=lambda r: r.rank)
    return CaseRanking(
        rows, method, spec.version, samples, seed, float(concentration), category, matrix, spec
    )


def ranking_rows(ranking: CaseRanking) -> list[dict[str, Any]]:
    """Flat rows for a CSV: the columns the issue asks for plus the context a reader needs."""
    out = []
    for r in ranking.rows:
        out.append(
            {
                "case_id": r.case_id,
                "rank": r.rank,
                "score": f"{r.score:.6f}",
                "rank_low": r.rank_low,
                "rank_high": r.rank_high,
                "probability_of_rank": f"{r.rank_probabilities[r.rank - 1]:.4f}",
                "category": ranking.category or "all",
                "method": ranking.method,
                "weights_version": ranking.spec_version,
                "samples": ranking.samples,
                "seed": ranking.seed,
                **{f"criterion_{k}": f"{v:.6g}" for k, v in r.criteria.items()},
            }
        )
    return out
