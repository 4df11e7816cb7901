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

**No estimate before enough decisions** (:func:`readiness`). An estimate extrapolates what the recent
records say to the records nobody has seen yet; after four decisions it says nothing, and shown as a number
it reads as a finding. The stopping-rule literature waits, each rule for its own reason, and the aid waits
for all three:

- *relevant records found* (``MIN_RELEVANT``): recall is a share of the relevant records, and with one or
  two found the numerator is noise; the model itself cannot rank before it has seen both classes (ASReview
  trains only once it has one relevant and one irrelevant record; the SAFE procedure of Boetje & van de
  Schoot, 2024, *Systematic Reviews* 13:81, starts from a training set holding relevant records);
- *irrelevant decisions* (``MIN_IRRELEVANT``): the estimate reads the last 50 records (the default window)
  and the hypergeometric test of Callaghan & Müller-Hansen has no power on a short sample: fewer than 50
  irrelevant records and the window still holds the priors and the first, easy, finds;
- *decisions since the last relevant record* (``MIN_SINCE_RELEVANT``): while every few records is
  relevant the model is still in the rich part of the ranking, the unseen pool is not yet "no richer than
  the recent window", and the estimate would only say "low"; ASReview's data-driven heuristic and SAFE
  both judge on a run of irrelevant records (50, or 100, in a row), this aid asks for a shorter one before
  it merely *estimates*.

Once a screening history has met the three minimums the aid keeps estimating (a relevant record found
later makes the estimate fall, it does not hide it); when every record has been screened recall is known
(1) and no minimum applies. Until then the aid says how many more decisions it needs at least (all of them
irrelevant; a relevant one resets the run) and how many more relevant records.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np
from scipy.stats import beta, hypergeom

#: Minimums of a screening history before the recall is estimated (see the module docstring).
MIN_RELEVANT = 3
MIN_IRRELEVANT = 50
MIN_SINCE_RELEVANT = 20

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
class Readiness:
    """Whether a history is long enough for a recall estimate, and what it still lacks if not."""

    ready: bool
    screened: int
    relevant: int
    irrelevant: int
    since_relevant: int  # irrelevant records screened since the last relevant one
    more_decisions: int  # at least this many more decisions (all irrelevant) before an estimate
    more_relevant: int  # and at least this many more relevant records found
    min_relevant: int
    min_irrelevant: int
    min_since_relevant: int


def readiness(
    labels_in_order: Sequence[int] | np.ndarray,
    n_total: int,
    *,
    min_relevant: int = MIN_RELEVANT,
    min_irrelevant: int = MIN_IRRELEVANT,
    min_since_relevant: int = MIN_SINCE_RELEVANT,
) -> Readiness:
    """May the history's recall be estimated? Yes once some prefix of it met the three minimums (so an
    estimate, once shown, stays), or when every record has been screened; else what is missing now."""
    labels = _history(labels_in_order, n_total)
    relevant = int(labels.sum())
    irrelevant = int(labels.size - relevant)
    since = ConsecutiveIrrelevant.run_length(labels)
    found = np.cumsum(labels)
    steps = np.arange(1, labels.size + 1)
    last_relevant = np.maximum.accumulate(np.where(labels == 1, steps, 0))
    met = (found >= min_relevant) & (steps - found >= min_irrelevant) & (steps - last_relevant >= min_since_relevant)
    ready = bool(met.any()) or (labels.size == n_total and n_total > 0)
    unseen = n_total - labels.size
    more_decisions = 0 if ready else min(unseen, max(0, min_irrelevant - irrelevant, min_since_relevant - since))
    more_relevant = 0 if ready else max(0, min_relevant - relevant)
    return Readiness(
        ready=ready,
        screened=int(labels.size),
        relevant=relevant,
        irrelevant=irrelevant,
        since_relevant=since,
        more_decisions=int(more_decisions),
        more_relevant=int(more_relevant),
        min_relevant=min_relevant,
        min_irrelevant=min_irrelevant,
        min_since_relevant=min_since_relevant,
    )


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


@dataclass(frozen=True)
class RecallCurve:
    """The cumulative number of relevant records found against the number screened (ASReview LAB's
    recall chart), with what screening in random order would have found by now for comparison."""

    screened: int
    total: int
    found: int
    points: tuple[tuple[int, int], ...]  # (records screened, relevant found), from (0, 0) to (screened, found)
    random_found: float  # found × screened / total: random order, if the relevant found were all there are

    def random_at(self, screened: int) -> float:
        """The diagonal: expected relevant records after ``screened`` records taken in random order."""
        return 0.0 if not self.total else self.found * screened / self.total


def recall_curve(labels_in_order: Sequence[int] | np.ndarray, n_total: int, max_points: int = 200) -> RecallCurve:
    """The recall curve of a history, kept to at most ``max_points`` points (evenly spaced in records
    screened, the last one always the current state) so that a chart of 100,000 decisions stays small.

    The diagonal uses the relevant records found so far as the number there are: the true number is at
    least that, so the real random line is at least as steep; it is the comparison ASReview LAB draws."""
    labels = _history(labels_in_order, n_total)
    found = np.concatenate([[0], np.cumsum(labels)])
    steps = np.unique(np.round(np.linspace(0, labels.size, min(max_points, labels.size + 1))).astype(np.int64))
    points = tuple((int(n), int(found[n])) for n in steps) if labels.size else ((0, 0),)
    total_found = int(found[-1])
    return RecallCurve(
        screened=int(labels.size),
        total=int(n_total),
        found=total_found,
        points=points,
        random_found=0.0 if not n_total else total_found * labels.size / n_total,
    )
