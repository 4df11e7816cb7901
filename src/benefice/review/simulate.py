"""Simulation mode: replay screening on a fully labelled set and measure how early relevant records come.

Protocol (the one ASReview's simulation studies use, so that figures are comparable):

1. features are computed once for the whole file;
2. each run draws its prior knowledge at random — ``prior_included`` relevant and ``prior_excluded``
   irrelevant records — from ``numpy.random.default_rng([seed, run])``, so runs differ but the whole
   simulation is reproducible and another tool can be given exactly the same priors (:func:`draw_priors`);
3. the model is retrained after every ``retrain_every`` decisions (default 1: after every record, as a
   reviewer in the app would get it) and one record is queried at a time;
4. a run stops once the last relevant record is found (ASReview's default): the records after it are all
   irrelevant whatever their order, so they cannot change any metric. The metrics exclude the priors.

The stopping aids of :mod:`benefice.review.stopping` are evaluated on each run's history (their
position and the recall reached there), which is possible after the fact because every record after the
last relevant one is irrelevant.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from benefice.errors import BeneficeError
from benefice.i18n import gettext_noop
from benefice.review import metrics
from benefice.review.active_learning import Screener, ScreeningModel, make_model
from benefice.review.stopping import ConsecutiveIrrelevant, HypergeometricStopper

CURVE_GRID = [round(i / 100, 2) for i in range(101)]
METRIC_KEYS = ("wss@95", "wss@100", "rrf@10", "atd")
CONSECUTIVE_N = 100

Progress = Callable[[int, int | None], None]


def draw_priors(
    labels: np.ndarray, run: int, seed: int, prior_included: int = 1, prior_excluded: int = 1
) -> np.ndarray:
    """Indices of the prior records for one run (relevant ones first), reproducible from (seed, run)."""
    labels = np.asarray(labels)
    rng = np.random.default_rng([seed, run])
    relevant = np.flatnonzero(labels == 1)
    irrelevant = np.flatnonzero(labels == 0)
    return np.concatenate(
        [
            rng.choice(relevant, size=prior_included, replace=False),
            rng.choice(irrelevant, size=prior_excluded, replace=False),
        ]
    ).astype(np.int64)


def check_priors(
    labels: np.ndarray, prior_included: int, prior_excluded: int, path: str | None = None
) -> None:
    """Refuse prior counts the data cannot satisfy, saying how many records there are."""
    n_relevant = int(np.sum(labels == 1))
    n_irrelevant = int(np.sum(labels == 0))
    if prior_included < 0 or prior_excluded < 0:
        raise BeneficeError(gettext_noop("prior counts cannot be negative"), path=path)
    if prior_included >= n_relevant:
        raise BeneficeError(
            _NO_RELEVANT_LEFT[min(n_relevant, 2)],
            params={"prior": prior_included, "n": n_relevant},
            path=path,
        )
    if prior_excluded >= n_irrelevant:
        raise BeneficeError(
            _NO_IRRELEVANT_LEFT[min(n_irrelevant, 2)],
            params={"prior": prior_excluded, "n": n_irrelevant},
            path=path,
        )


# the refusals of check_priors, by the file's count (none, one, several), so each language says it right
_NO_RELEVANT_LEFT = (
    gettext_noop("--prior-included %(prior)s leaves no relevant record to find: the file has none"),
    gettext_noop(
        "--prior-included %(prior)s leaves no relevant record to find: the file has %(n)s relevant record"
    ),
    gettext_noop(
        "--prior-included %(prior)s leaves no relevant record to find: the file has %(n)s relevant records"
    ),
)
_NO_IRRELEVANT_LEFT = (
    gettext_noop("--prior-excluded %(prior)s leaves no irrelevant record: the file has none"),
    gettext_noop(
        "--prior-excluded %(prior)s leaves no irrelevant record: the file has %(n)s irrelevant record"
    ),
    gettext_noop(
        "--prior-excluded %(prior)s leaves no irrelevant record: the file has %(n)s irrelevant records"
    ),
)


@dataclass
class RunResult:
    """One simulated screening: what was shown in which order, and how long retraining took."""

    run: int
    priors: np.ndarray
    order: np.ndarray  # record indices screened after the priors, in order (stops at the last relevant)
    labels_in_order: np.ndarray
    n_records: int  # records left to screen after the priors (the metrics' N)
    retrain_seconds: list[float]

    def summary(self) -> dict[str, float]:
        return metrics.summary(self.labels_in_order, self.n_records)


def simulate_run(
    features: sparse.csr_matrix,
    labels: np.ndarray,
    model: ScreeningModel,
    priors: np.ndarray,
    *,
    run: int = 0,
    seed: int = 0,
    retrain_every: int = 1,
    progress: Progress | None = None,
    stop_at_last_relevant: bool = True,
) -> RunResult:
    """Replay one screening with the given priors; the model is refitted every ``retrain_every`` records."""
    if retrain_every < 1:
        raise ValueError("retrain_every must be at least 1")
    labels = np.asarray(labels, dtype=np.int64)
    screener = Screener(features, model, seed=int(np.random.default_rng([seed, run, 1]).integers(2**32)))
    for index in priors:
        screener.record(int(index), int(labels[index]))
    n_after = labels.size - priors.size
    remaining_relevant = int(labels.sum() - labels[priors].sum())
    order: list[int] = []
    since_training = retrain_every  # train before the first query
    while len(order) < n_after:
        if stop_at_last_relevant and remaining_relevant == 0:
            break
        if since_training >= retrain_every:
            screener.retrain()
            since_training = 0
        index = screener.next()
        if index is None:  # pragma: no cover - cannot happen while len(order) < n_after
            break
        screener.record(index, int(labels[index]))
        remaining_relevant -= int(labels[index])
        order.append(index)
        since_training += 1
        if progress is not None:
            progress(len(order), n_after)
    order_array = np.asarray(order, dtype=np.int64)
    return RunResult(run, priors, order_array, labels[order_array], n_after, screener.retrain_seconds)


def stopping_points(
    run: RunResult,
    labels: np.ndarray,
    *,
    consecutive: int = CONSECUTIVE_N,
    target_recall: float = 0.95,
    confidence: float = 0.95,
) -> dict[str, dict]:
    """Where each stopping aid would have stopped in this run, and the recall reached there.

    The history seen by the stoppers includes the priors (a reviewer has them too); the run is padded
    with irrelevant records after the last relevant one. The hypergeometric test is checked after every
    record from the last prior on (:meth:`HypergeometricStopper.first_stop`).
    """
    n_total = int(np.asarray(labels).size)
    history = full_history(run, labels)
    n_relevant_total = int(np.asarray(labels).sum())
    found = np.cumsum(history)
    out: dict[str, dict] = {}

    def point(screened: int | None) -> dict:
        if screened is None:
            return {"screened": None, "screened_fraction": None, "recall": None}
        return {
            "screened": screened,
            "screened_fraction": screened / n_total,
            "recall": float(found[screened - 1]) / n_relevant_total,
        }

    rule = ConsecutiveIrrelevant(consecutive)
    relevant_positions = np.flatnonzero(history == 1)
    gaps_end = np.concatenate([relevant_positions, [history.size]])
    gap_start = np.concatenate([[-1], relevant_positions]) + 1
    stop_at = None
    for start, end in zip(gap_start, gaps_end, strict=True):
        if end - start >= consecutive:
            stop_at = int(start + consecutive)
            break
    out["consecutive_irrelevant"] = {"n": rule.n, **point(stop_at)}

    stopper = HypergeometricStopper(target_recall, confidence)
    stop_at = stopper.first_stop(history, n_total, start=max(1, run.priors.size))
    out["hypergeometric"] = {
        "target_recall": target_recall,
        "confidence": confidence,
        "checked_every": 1,
        **point(stop_at),
    }
    return out


STOP_RULE = (
    "hypergeometric test of Callaghan & Müller-Hansen (2020), doi:10.1186/s13643-020-01521-4 "
    "(benefice.review.stopping.HypergeometricStopper): stop when 'recall < target_recall' is rejected "
    "at the given confidence, checked after every record from the last prior on"
)


def stop_record(
    history: np.ndarray,
    n_relevant: int,
    *,
    start: int = 1,
    target_recall: float = 0.95,
    confidence: float = 0.95,
) -> dict:
    """Where the stopping rule says stop on one whole screening history, and what that gives.

    ``history``: the labels of every record in the order screened, priors first (a simulation that
    stopped at the last relevant record is padded with irrelevant ones). Returns ``screened`` (records
    screened when the rule says stop, priors included), ``recall`` there, ``work_saved`` (share of all
    records left unscreened, ``1 - screened / records``) and ``recall_reached`` (recall ≥ target).
    """
    history = np.asarray(history, dtype=np.int64)
    n_total = int(history.size)
    screened = HypergeometricStopper(target_recall, confidence).first_stop(history, n_total, start=start)
    if screened is None:  # pragma: no cover - a whole history always rejects (recall is then 1)
        screened = n_total
    recall = float(history[:screened].sum()) / n_relevant
    return {
        "screened": int(screened),
        "screened_fraction": screened / n_total,
        "recall": recall,
        "work_saved": 1 - screened / n_total,
        "recall_reached": bool(recall >= target_recall - 1e-12),
    }


def full_history(run: RunResult, labels: np.ndarray) -> np.ndarray:
    """Labels of every record in the order screened in ``run``: priors, then the run, padded with 0."""
    labels = np.asarray(labels, dtype=np.int64)
    return np.concatenate(
        [labels[run.priors], run.labels_in_order, np.zeros(run.n_records - run.order.size, dtype=np.int64)]
    )


def summarise_stops(stops: list[dict], target_recall: float = 0.95, confidence: float = 0.95) -> dict:
    """Mean, standard deviation and range over runs of the stopping rule's records, recall, work saved."""

    def spread(values: list[float]) -> dict:
        array = np.asarray(values, dtype=float)
        return {
            "mean": float(array.mean()),
            "sd": float(array.std(ddof=1)) if array.size > 1 else 0.0,
            "min": float(array.min()),
            "max": float(array.max()),
        }

    return {
        "rule": STOP_RULE,
        "target_recall": target_recall,
        "confidence": confidence,
        "screened": spread([s["screened"] for s in stops]),
        "recall": spread([s["recall"] for s in stops]),
        "work_saved": spread([s["work_saved"] for s in stops]),
        "runs_recall_reached": int(sum(s["recall_reached"] for s in stops)),
        "runs": len(stops),
    }


def simulate(
    features: sparse.csr_matrix,
    labels: np.ndarray,
    *,
    model_name: str = "svm",
    model_factory: Callable[[], ScreeningModel] | None = None,
    runs: int = 1,
    seed: int = 0,
    prior_included: int = 1,
    prior_excluded: int = 1,
    retrain_every: int = 1,
    progress: Progress | None = None,
    path: str | None = None,
) -> dict:
    """Run ``runs`` simulations and return the METRICS document (see :func:`metrics_document`)."""
    labels = np.asarray(labels, dtype=np.int64)
    if runs < 1:
        raise BeneficeError(gettext_noop("--runs must be at least 1"))
    check_priors(labels, prior_included, prior_excluded, path)
    factory = model_factory or (lambda: make_model(model_name))
    results: list[RunResult] = []
    n_after = labels.size - prior_included - prior_excluded
    for run in range(runs):
        priors = draw_priors(labels, run, seed, prior_included, prior_excluded)

        def step(done: int, total: int | None, _run: int = run) -> None:
            if progress is not None:
                progress(_run * n_after + done, runs * n_after)

        results.append(
            simulate_run(
                features,
                labels,
                factory(),
                priors,
                run=run,
                seed=seed,
                retrain_every=retrain_every,
                progress=step,
            )
        )
        if progress is not None:
            progress((run + 1) * n_after, runs * n_after)
    model = factory()
    settings = {
        "model": model_name if model_factory is None else model.name,
        "model_parts": {
            "feature_extractor": model.feature_extractor.name,
            "classifier": model.classifier.name,
            "balancer": None if model.balancer is None else model.balancer.name,
            "querier": model.querier.name,
        },
        "runs": runs,
        "seed": seed,
        "prior_included": prior_included,
        "prior_excluded": prior_excluded,
        "retrain_every": retrain_every,
        "n_query": 1,
    }
    return metrics_document(results, labels, settings)


def metrics_document(results: list[RunResult], labels: np.ndarray, settings: dict) -> dict:
    """The METRICS.json content: settings, averages over runs, and every run in detail."""
    per_run = []
    for result in results:
        summary = result.summary()
        seconds = result.retrain_seconds
        per_run.append(
            {
                "run": result.run,
                "priors": [int(i) + 1 for i in result.priors],
                **summary,
                "screened_until_last_relevant": int(result.order.size),
                "retrainings": len(seconds),
                "seconds_per_retraining": float(np.mean(seconds)) if seconds else None,
                "recall_curve": metrics.recall_curve(result.labels_in_order, result.n_records),
                "stopping": stopping_points(result, labels),
                "stop": stop_record(
                    full_history(result, labels), int(np.asarray(labels).sum()), start=result.priors.size
                ),
            }
        )
    curves = np.array([metrics.recall_at(r.labels_in_order, CURVE_GRID, r.n_records) for r in results])
    all_seconds = [s for r in results for s in r.retrain_seconds]
    averaged = {key: float(np.mean([run[key] for run in per_run])) for key in METRIC_KEYS}
    spread = {
        key: float(np.std([run[key] for run in per_run], ddof=1)) if len(per_run) > 1 else 0.0
        for key in METRIC_KEYS
    }
    averaged["sd"] = spread
    averaged["seconds_per_retraining"] = float(np.mean(all_seconds)) if all_seconds else None
    averaged["recall_curve"] = {"screened_fraction": CURVE_GRID, "recall": curves.mean(axis=0).tolist()}
    averaged["stop"] = summarise_stops([run["stop"] for run in per_run])
    return {
        "data": {"records": int(labels.size), "relevant": int(labels.sum())},
        "settings": settings,
        "definitions": {
            "units": "fractions of 1 (multiply by 100 for the percentages usually published)",
            "wss@95": "(N - n95) / N - 0.05, n95 records screened to find ceil(0.95 R) relevant records "
            "(Cohen et al. 2006)",
            "wss@100": "(N - n100) / N, n100 records screened to find all relevant records",
            "rrf@10": "share of relevant records found after screening floor(0.10 N) records",
            "atd": "mean over relevant records of the records screened until it was found, divided by N "
            "(Ferdinands et al. 2023)",
            "N": "records left to screen after the priors; priors are excluded from every metric",
            "recall_curve": "per run: exact steps (records screened, recall); averaged: recall at each "
            "screened fraction of N",
            "seconds_per_retraining": "wall time of one retraining: fit on the labelled records, score all "
            "records, order the unlabelled ones",
            "stopping": "where the stopping aids would have stopped (screened counts include the priors)",
            "stop": "the stopping rule, " + STOP_RULE + ": screened = records screened when it says stop "
            "(priors included), recall there, work_saved = 1 - screened / records, recall_reached = recall "
            ">= target_recall; averaged: mean, sd, min and max over runs and the number of runs that "
            "reached the target",
        },
        "averaged": averaged,
        "runs": per_run,
        "timestamp": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
