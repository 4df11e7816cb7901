"""Queriers: the order in which unlabelled records are shown, from the classifier's scores.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np

# --------------------------------------------------------------------------------------------------
# Queriers: order the unlabelled records


class Querier(Protocol):
    name: str

    def order(self, scores: np.ndarray, centre: float, rng: np.random.Generator) -> np.ndarray: ...


class MaxRelevance:
    """Most likely relevant first (what a reviewer wants: relevant records early)."""

    name = "max"

    def order(self, scores: np.ndarray, centre: float, rng: np.random.Generator) -> np.ndarray:
        return np.argsort(-scores, kind="stable")


class Uncertainty:
    """Records the model is least sure about first (better models, fewer relevant records early)."""

    name = "uncertainty"

    def order(self, scores: np.ndarray, centre: float, rng: np.random.Generator) -> np.ndarray:
        return np.argsort(np.abs(scores - centre), kind="stable")


class RandomOrder:
    """Random order: the baseline every metric is measured against."""

    name = "random"

    def order(self, scores: np.ndarray, centre: float, rng: np.random.Generator) -> np.ndarray:
        return rng.permutation(scores.size)


class Mixed:
    """Interleave two queriers: each position comes from ``first`` with probability ``share``.

    ``Mixed(MaxRelevance(), Uncertainty(), 0.95)`` mostly shows likely relevant records but keeps
    exploring, which protects against a model stuck on one kind of relevant record.
    """

    def __init__(
        self, first: Querier | None = None, second: Querier | None = None, share: float = 0.95
    ) -> None:
        self.first = first or MaxRelevance()
        self.second = second or Uncertainty()
        self.share = share
        self.name = f"{self.first.name}_{self.second.name}"

    def order(self, scores: np.ndarray, centre: float, rng: np.random.Generator) -> np.ndarray:
        a = self.first.order(scores, centre, rng)
        b = self.second.order(scores, centre, rng)
        from_first = rng.random(scores.size) < self.share
        taken = np.zeros(scores.size, dtype=bool)
        out = np.empty(scores.size, dtype=np.int64)
        i = j = 0
        for pos in range(scores.size):
            source, cursor = (a, i) if from_first[pos] else (b, j)
            while taken[source[cursor]]:
                cursor += 1
            out[pos] = source[cursor]
            taken[source[cursor]] = True
            if from_first[pos]:
                i = cursor + 1
            else:
                j = cursor + 1
            while i < a.size and taken[a[i]]:
                i += 1
            while j < b.size and taken[b[j]]:
                j += 1
            if i >= a.size:
                out[pos + 1 :] = [x for x in b[j:] if not taken[x]]
                break
            if j >= b.size:
                out[pos + 1 :] = [x for x in a[i:] if not taken[x]]
                break
        return out
