"""Screening performance metrics computed from the order in which records were screened.

Every function takes ``labels_in_order``: the true labels (1 relevant, 0 irrelevant) of the records in the
order the screener saw them, *prior knowledge excluded* (as ASReview Insights does by default, since the
priors were chosen by hand, not found by the model). When a simulation stops once the last relevant
record is found, pass ``n_records`` (the number of records that were left to screen after the priors):
the missing tail is irrelevant by construction and cannot change any metric.

Definitions (all returned as fractions of 1, not percentages):

- **WSS@r** (work saved over sampling, Cohen et al. 2006, doi:10.1197/jamia.M1929):
  ``(N - n_r) / N - (1 - r)`` where ``n_r`` is the number of records screened when the number of relevant
  records found first reaches ``ceil(r * R)`` (R relevant records in total). It is the share of screening
  saved compared with reading records in random order to reach the same recall. ``ceil`` is the honest
  reading of "at least r recall"; ASReview Insights rounds the other way on a few datasets, so tiny
  differences to its figures are expected.
- **RRF@p** (relevant records found): the recall after screening ``floor(p * N)`` records.
- **ATD** (average time to discovery, Ferdinands et al. 2023, doi:10.1186/s13643-023-02257-7): the mean,
  over relevant records, of the number of records screened until that record was found, divided by N so
  that it is comparable across datasets (0 is perfect; random order gives about 0.5).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

_EPS = 1e-9


def _as_labels(labels_in_order: Sequence[int] | np.ndarray, n_records: int | None) -> tuple[np.ndarray, int]:
    labels = np.asarray(labels_in_order, dtype=np.int64)
    if labels.ndim != 1:
        raise ValueError("labels_in_order must be one-dimensional")
    if labels.size and not np.isin(labels, (0, 1)).all():
        raise ValueError("labels must be 0 or 1")
    total = labels.size if n_records is None else int(n_records)
    if total < labels.size:
        raise ValueError(
            f"n_records ({total}) is smaller than the number of screened records ({labels.size})"
        )
    if total == 0:
        raise ValueError("no records to evaluate")
    return labels, total


def discovery_positions(labels_in_order: Sequence[int] | np.ndarray) -> np.ndarray:
    """1-based positions at which each relevant record was found (the 'time to discovery' of each)."""
    labels = np.asarray(labels_in_order, dtype=np.int64)
    return np.flatnonzero(labels == 1) + 1


def _n_relevant(labels: np.ndarray) -> int:
    n_relevant = int(labels.sum())
    if n_relevant == 0:
        raise ValueError("no relevant record among the screened records: recall is undefined")
    return n_relevant


def wss(
    labels_in_order: Sequence[int] | np.ndarray, recall: float = 0.95, n_records: int | None = None
) -> float:
    """Work saved over sampling at the given recall level (a fraction; 0.95 for WSS@95)."""
    if not 0 < recall <= 1:
        raise ValueError("recall must be in (0, 1]")
    labels, total = _as_labels(labels_in_order, n_records)
    n_relevant = _n_relevant(labels)
    needed = max(1, math.ceil(recall * n_relevant - _EPS))
    screened = int(discovery_positions(labels)[needed - 1])
    return (total - screened) / total - (1 - recall)


def rrf(
    labels_in_order: Sequence[int] | np.ndarray, fraction: float = 0.10, n_records: int | None = None
) -> float:
    """Recall after screening the given fraction of the records (0.10 for RRF@10)."""
    if not 0 <= fraction <= 1:
        raise ValueError("fraction must be in [0, 1]")
    labels, total = _as_labels(labels_in_order, n_records)
    n_relevant = _n_relevant(labels)
    screened = math.floor(fraction * total + _EPS)
    return float(labels[:screened].sum()) / n_relevant


def atd(labels_in_order: Sequence[int] | np.ndarray, n_records: int | None = None) -> float:
    """Normalised average time to discovery: mean position of the relevant records divided by N."""
    labels, total = _as_labels(labels_in_order, n_records)
    _n_relevant(labels)
    return float(discovery_positions(labels).mean()) / total


def recall_curve(
    labels_in_order: Sequence[int] | np.ndarray, n_records: int | None = None
) -> dict[str, list]:
    """The exact step curve: ``screened`` counts at which recall changes, and the recall from there on.

    Storing only the steps keeps a 100,000-record curve small; the curve is flat between two points.
    """
    labels, total = _as_labels(labels_in_order, n_records)
    n_relevant = _n_relevant(labels)
    positions = discovery_positions(labels).tolist()
    screened = [0, *positions]
    recall = [i / n_relevant for i in range(len(positions) + 1)]
    if screened[-1] != total:
        screened.append(total)
        recall.append(recall[-1])
    return {"screened": screened, "recall": recall}


def recall_at(
    labels_in_order: Sequence[int] | np.ndarray, fractions: Sequence[float], n_records: int | None = None
) -> list[float]:
    """Recall after screening each fraction of the records: a common grid for averaging curves over runs."""
    labels, total = _as_labels(labels_in_order, n_records)
    n_relevant = _n_relevant(labels)
    found = np.concatenate([[0], np.cumsum(labels)])
    found = np.concatenate([found, np.full(total - labels.size, found[-1])])
    counts = np.floor(np.asarray(fractions, dtype=float) * total + _EPS).astype(int)
    return (found[counts] / n_relevant).tolist()


def summary(labels_in_order: Sequence[int] | np.ndarray, n_records: int | None = None) -> dict[str, float]:
    """The four headline metrics under the key names used in METRICS.json."""
    return {
        "wss@95": wss(labels_in_order, 0.95, n_records),
        "wss@100": wss(labels_in_order, 1.0, n_records),
        "rrf@10": rrf(labels_in_order, 0.10, n_records),
        "atd": atd(labels_in_order, n_records),
    }
