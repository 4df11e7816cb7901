"""When to stop screening: a rule of thumb, a statistical test, and an estimate of recall.

Screening with active learning only saves work if the reviewer can stop before the end, and stopping is
only defensible with a statement about the relevant records that may remain. Three aids, all computed
from the screening history alone (labels in the order they were given, priors included):

- :class:`ConsecutiveIrrelevant` — stop after *n* irrelevant records in a row (the "data-driven" heuristic
  used by ASReview users). Easy to explain, but it carries no guarantee: with a large pool and a weak model
  50 irrelevant records in a row happen long before high recall.
- :class:`HypergeometricStopper` — the statistical stopping criterion of Callaghan & Müller-Hansen (2020),
  "Statistical stopping criteria for automated screening in systematic reviews", *Systematic Reviews*
  9:273, doi:10.1186/s13643-020-01521-4. The last *n* screened records are treated as if drawn at random,
  without replacement, from the records that were unseen when they were drawn. Under the null hypothesis
  "recall is below the target τ" at least ``floor(r / τ) + 1`` relevant records exist (r found so far), so
  that sample should have contained more relevant records than it did; the hypergeometric CDF gives the
  p-value. Every window ending at the most recent record is tested and the smallest p-value kept, as the
  authors do (their ``buscar`` package). Because active learning shows likely relevant records first, the
  unseen pool is in fact poorer than a random draw would be, which makes the test conservative.
- :func:`estimate_recall` — recall with its uncertainty. The *lower bound* inverts the same test: the
  largest number of missing relevant records not rejected at the chosen confidence, minimised over
  windows, gives a one-sided lower confidence bound on recall. The *point estimate* and *upper bound* use a
  Bayesian model of the most recent window (Jeffreys prior Beta(½, ½) on the share of relevant records
  among the unseen ones, extrapolated to the whole unseen pool): the posterior median and the lower
  quantile of that share. Both parts assume the unseen pool is no richer than the recent window, so they
  err towards under-estimating recall. They are aids for a reviewer, not a substitute for a random check
  of the remaining records when a review must prove its recall.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np
from scipy.stats import beta, hypergeom

_MAX_WINDOWS = 600  # above this many screened records, test a log-spaced subset of windows (still valid)


def _history(labels_in_order: Sequence[int] | np.ndarray, n_total: int) -> np.ndarray:
    labels = np.asarray(labels_in_order, dtype=np.int64)
    if labels.ndim != 1 or (labels.size and not np.isin(labels, (0, 1)).all()):
        raise ValueError("the screening history must be a sequence of 0/1 labels")
    if n_total < labels.size:
        raise ValueError(
            f"n_total ({n_total}) is smaller than the number of screened records ({labels.size})"
        )
    return labels


def _window_sizes(n_screened: int) -> np.ndarray:
    if n_screened <= _MAX_WINDOWS:
        return np.arange(1, n_screened + 1)
    sizes = np.unique(np.round(np.geomspace(1, n_screened, _MAX_WINDOWS)).astype(np.int64))
    return sizes[(sizes >= 1) & (sizes <= n_screened)]


def _windows(labels: np.ndarray, n_total: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For each tested window of the last n records: n, relevant in it k, pool size when it began."""
    sizes = _window_sizes(labels.size)
    found_in_last = np.cumsum(labels[::-1])
    k = found_in_last[sizes - 1]
    pool = n_total - labels.size + sizes
    return sizes, k, pool


def hypergeometric_p_value(
    labels_in_order: Sequence[int] | np.ndarray, n_total: int, target_recall: float = 0.95
) -> float:
    """p-value for "recall < target" given the history (Callaghan & Müller-Hansen 2020); 1.0 if untestable."""
    if not 0 < target_recall < 1:
        raise ValueError("target_recall must be in (0, 1)")
    labels = _history(labels_in_order, n_total)
    found = int(labels.sum())
    if labels.size == 0:
        return 1.0
    if labels.size == n_total:
        return 0.0  # everything has been screened: recall is exactly 1
    sizes, k, pool = _windows(labels, n_total)
    needed_total = math.floor(found / target_recall) + 1
    relevant_in_pool = needed_total - (found - k)
    p = np.ones(sizes.size)
    possible = relevant_in_pool <= pool
    p[~possible] = 0.0  # the null hypothesis needs more relevant records than records left: rejected
    p[possible] = hypergeom.cdf(k[possible], pool[possible], relevant_in_pool[possible], sizes[possible])
    return float(min(1.0, p.min()))


def missing_upper_bound(
    labels_in_order: Sequence[int] | np.ndarray, n_total: int, confidence: float = 0.95
) -> int:
    """Largest number of still-unseen relevant records compatible with the history at this confidence."""
    labels = _history(labels_in_order, n_total)
    unseen = n_total - labels.size
    if unseen == 0:
        return 0
    if labels.size == 0:
        return unseen
    alpha = 1 - confidence
    sizes, k, pool = _windows(labels, n_total)
    # p(m) = P(X <= k | pool, k + m relevant in the pool, n drawn) decreases with m: bisect per window.
    low = np.zeros(sizes.size, dtype=np.int64)  # p(low) >= alpha always holds (m = 0 gives p = 1)
    high = np.full(sizes.size, unseen + 1, dtype=np.int64)  # exclusive
    while True:
        active = high - low > 1
        if not active.any():
            break
        mid = (low + high) // 2
        p = hypergeom.cdf(k[active], pool[active], k[active] + mid[active], sizes[active])
        ok = p >= alpha
        idx = np.flatnonzero(active)
        low[idx[ok]] = mid[idx[ok]]
        high[idx[~ok]] = mid[idx[~ok]]
    return int(low.min())


@dataclass(frozen=True)
class RecallEstimate:
    """What the screener knows about recall now; ``recall_low`` is a one-sided confidence bound."""

    screened: int
    total: int
    found: int
    recall: float
    recall_low: float
    recall_high: float
    missing_estimate: float
    missing_max: int
    confidence: float
    window: int
    method: str

    def as_dict(self) -> dict:
        return asdict(self)


def estimate_recall(
    labels_in_order: Sequence[int] | np.ndarray,
    n_total: int,
    *,
    confidence: float = 0.95,
    window: int | None = None,
) -> RecallEstimate:
    """Estimate recall, with bounds, from the history (see the module docstring for the method).

    ``window`` is the number of most recent records used for the point estimate; by default the last
    10% of the screened records, at least 50 (fewer if fewer were screened).
    """
    if not 0 < confidence < 1:
        raise ValueError("confidence must be in (0, 1)")
    labels = _history(labels_in_order, n_total)
    found = int(labels.sum())
    unseen = n_total - labels.size
    if window is None:
        window = max(50, labels.size // 10)
    window = max(0, min(window, labels.size))
    recent = labels[labels.size - window :] if window else labels[:0]
    k = int(recent.sum())
    a, b = k + 0.5, window - k + 0.5
    share_median = float(beta.median(a, b))
    share_low = float(beta.ppf(1 - confidence, a, b))
    missing_estimate = share_median * unseen
    missing_max = missing_upper_bound(labels, n_total, confidence)

    def as_recall(missing: float) -> float:
        denominator = found + missing
        return 1.0 if denominator == 0 else found / denominator

    return RecallEstimate(
        screened=int(labels.size),
        total=int(n_total),
        found=found,
        recall=as_recall(missing_estimate),
        recall_low=as_recall(missing_max),
        recall_high=as_recall(share_low * unseen),
        missing_estimate=missing_estimate,
        missing_max=missing_max,
        confidence=confidence,
        window=window,
        method=(
            "lower bound: inverted hypergeometric test over recent windows (Callaghan & Müller-Hansen "
            "2020); estimate and upper bound: Beta(1/2, 1/2) posterior on the relevant share of the "
            "last `window` records, extrapolated to the unseen records"
        ),
    )


class ConsecutiveIrrelevant:
    """Stop after ``n`` irrelevant records in a row (a heuristic without a recall guarantee)."""

    name = "consecutive"

    def __init__(self, n: int = 100) -> None:
        if n < 1:
            raise ValueError("n must be at least 1")
        self.n = n

    @staticmethod
    def run_length(labels_in_order: Sequence[int] | np.ndarray) -> int:
        """Number of irrelevant records screened since the last relevant one."""
        labels = np.asarray(labels_in_order, dtype=np.int64)
        relevant = np.flatnonzero(labels == 1)
        return int(labels.size if relevant.size == 0 else labels.size - 1 - relevant[-1])

    def should_stop(self, labels_in_order: Sequence[int] | np.ndarray, n_total: int) -> bool:
        labels = _history(labels_in_order, n_total)
        return labels.size == n_total or self.run_length(labels) >= self.n


class HypergeometricStopper:
    """Stop when "recall < target" is rejected at ``confidence`` (Callaghan & Müller-Hansen 2020)."""

    name = "hypergeometric"

    def __init__(self, target_recall: float = 0.95, confidence: float = 0.95) -> None:
        if not 0 < target_recall < 1 or not 0 < confidence < 1:
            raise ValueError("target_recall and confidence must be in (0, 1)")
        self.target_recall = target_recall
        self.confidence = confidence

    def p_value(self, labels_in_order: Sequence[int] | np.ndarray, n_total: int) -> float:
        return hypergeometric_p_value(labels_in_order, n_total, self.target_recall)

    def should_stop(self, labels_in_order: Sequence[int] | np.ndarray, n_total: int) -> bool:
        return self.p_value(labels_in_order, n_total) < 1 - self.confidence

    def first_stop(
        self, labels_in_order: Sequence[int] | np.ndarray, n_total: int, start: int = 1
    ) -> int | None:
        """The number of records screened when the rule first says stop, checking after every record.

        ``labels_in_order`` is a whole screening history (for a simulation: every record, in the order
        screened); the rule is checked after each of its records from the ``start``-th on, as a reviewer
        checking after every decision would. None if it never says stop within the history.

        Within a run of irrelevant records the p-value cannot rise (each window ending at the last record
        grows by one irrelevant record drawn from the same pool, which lowers its hypergeometric CDF, and a
        window of one is added), so each run is checked at its end and, if the rule stops there, bisected
        for its first stopping point: a few dozen tests per history instead of one per record. This is
        exactly the first record at which the rule stops whenever every window is tested (up to
        ``_MAX_WINDOWS`` screened records); beyond, the log-spaced subset of windows changes slightly from
        one record to the next and the point found may differ from a record-by-record check by a few
        records (``tests/review/test_stopping.py`` compares both).
        """
        labels = _history(labels_in_order, n_total)
        start = max(1, int(start))
        if start > labels.size:
            return None
        relevant_at = np.flatnonzero(labels == 1) + 1  # history lengths ending with a relevant record
        # Segments [first, last] of history lengths over which only irrelevant records are added.
        cuts = relevant_at[relevant_at > start]
        firsts = np.concatenate([[start], cuts])
        lasts = np.concatenate([cuts - 1, [labels.size]])
        for first, last in zip(firsts.tolist(), lasts.tolist(), strict=True):
            if last < first or not self.should_stop(labels[:last], n_total):
                continue
            low, high = first, last  # the rule stops at `high`; find the smallest such length >= first
            while low < high:
                mid = (low + high) // 2
                if self.should_stop(labels[:mid], n_total):
                    high = mid
                else:
                    low = mid + 1
            return int(high)
        return None
