"""Balancers: screening sets hold 1-5% relevant records, so the labelled set is weighted (or subsampled)
before training.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np

# --------------------------------------------------------------------------------------------------
# Balancers: sample weights (or a subset) for the labelled records


class Balancer(Protocol):
    name: str

    def weights(self, y: np.ndarray, rng: np.random.Generator) -> np.ndarray: ...


class ClassWeights:
    """Weight records so that relevant ones weigh ``ratio`` times more in total than irrelevant ones.

    Screening sets hold 1–5% relevant records; unweighted, a model learns "everything is irrelevant"
    and its ranking of the few likely positives becomes noisy. ``ratio=1`` gives both classes the same
    total weight. Weights are rescaled to sum to the number of records so that regularisation strength
    keeps its meaning as the training set grows.
    """

    name = "balanced"

    def __init__(self, ratio: float = 1.0) -> None:
        self.ratio = ratio

    def weights(self, y: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        y = np.asarray(y)
        n_pos, n_neg = int((y == 1).sum()), int((y == 0).sum())
        if n_pos == 0 or n_neg == 0:
            return np.ones(y.size)
        w = np.where(y == 1, 1.0, n_pos / (self.ratio * n_neg))
        return w * (y.size / w.sum())


class DynamicResampling:
    """Undersample irrelevant records to at most ``ratio`` per relevant one (a fresh draw each time).

    A cheaper alternative to weights on very large projects: training cost then grows with the number
    of relevant records, not with the number screened. Records left out get weight 0.
    """

    name = "resample"

    def __init__(self, ratio: float = 10.0) -> None:
        self.ratio = ratio

    def weights(self, y: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        y = np.asarray(y)
        pos, neg = np.flatnonzero(y == 1), np.flatnonzero(y == 0)
        keep = min(neg.size, max(1, int(round(self.ratio * max(pos.size, 1)))))
        w = np.zeros(y.size)
        w[pos] = 1.0
        w[rng.choice(neg, size=keep, replace=False)] = 1.0
        return w
