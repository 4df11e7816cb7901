"""The state of one screening session: the last ranking is an immutable snapshot, so ``next()`` never waits
for a retraining running in another thread or process.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from benefice.review.active_learning.model import ScreeningModel, make_model

UNLABELLED = -1


# --------------------------------------------------------------------------------------------------
# Screener: the state of one screening session


@dataclass(frozen=True)
class RankingSnapshot:
    """An immutable ranking snapshot: safe to read from any thread while a new one is computed."""

    order: np.ndarray  # record indices, unlabelled at training time, best first
    scores: np.ndarray | None  # classifier scores for all records (None before a model could be trained)
    trained_on: int  # number of labelled records used
    version: int  # increases with every new ranking
    seconds: float  # time the retraining took


class Screener:
    """A screening session: labels and the current ranking (the web app retrains in the task queue,
    ``review.worker``; a simulation calls :meth:`retrain` itself).

    ``record(i, label)`` stores a decision immediately; ``next()`` returns the best unlabelled record
    according to the latest ranking without waiting for any training; ``retrain()`` fits the model on a
    copy of the labels taken under the lock and swaps the new ranking in atomically.

    Until both classes have been seen no classifier can be trained, so records come in a random (seeded)
    order; that is how a reviewer without prior knowledge starts in ASReview too.
    """

    def __init__(self, features: sparse.spmatrix, model: ScreeningModel, *, seed: int | None = None) -> None:
        # A CSR matrix is used as given, not re-wrapped (a warm-starting classifier keeps state per matrix).
        self.features = (
            features if getattr(features, "format", None) == "csr" else sparse.csr_matrix(features)
        )
        self.model = model
        prepare = getattr(model.classifier, "prepare", None)
        if prepare is not None:  # one-time set-up (a compiled solver's load) is not a retraining's cost
            prepare()
        self.n_records = self.features.shape[0]
        self._rng = np.random.default_rng(seed)
        self._labels = np.full(self.n_records, UNLABELLED, dtype=np.int8)
        self._history: list[tuple[int, int]] = []
        self._lock = threading.RLock()
        self._train_lock = threading.Lock()
        self._ranking = RankingSnapshot(self._rng.permutation(self.n_records), None, 0, 0, 0.0)
        self._cursor = 0
        self.retrain_seconds: list[float] = []

    @classmethod
    def from_texts(
        cls, texts: Sequence[str], model: ScreeningModel | None = None, *, seed: int | None = None
    ) -> Screener:
        model = model or make_model()
        return cls(model.feature_extractor.fit_transform(texts), model, seed=seed)

    # -- decisions ---------------------------------------------------------------------------------

    def record(self, index: int, label: int) -> None:
        """Store a decision (0 irrelevant, 1 relevant). A later decision on the same record replaces it."""
        if label not in (0, 1):
            raise ValueError("label must be 0 or 1")
        if not 0 <= index < self.n_records:
            raise IndexError(f"record {index} out of range")
        with self._lock:
            self._labels[index] = label
            self._history.append((int(index), int(label)))

    @property
    def labels(self) -> np.ndarray:
        """A copy of the labels (-1 for unlabelled)."""
        with self._lock:
            return self._labels.copy()

    @property
    def history(self) -> list[tuple[int, int]]:
        """Every decision in order, as (record index, label), including later corrections."""
        with self._lock:
            return list(self._history)

    def labels_in_order(self) -> np.ndarray:
        """Current label of each labelled record, in the order records were first labelled."""
        with self._lock:
            seen: dict[int, None] = {}
            for index, _ in self._history:
                seen.setdefault(index, None)
            order = np.fromiter(seen, dtype=np.int64, count=len(seen))
            return self._labels[order].astype(np.int64)

    # -- ranking -----------------------------------------------------------------------------------

    def ranking(self) -> RankingSnapshot:
        """The latest ranking snapshot (immutable; never blocks on training)."""
        with self._lock:
            return self._ranking

    def next(self) -> int | None:
        """The best unlabelled record by the latest ranking, or None when all are labelled."""
        with self._lock:
            order = self._ranking.order
            while self._cursor < order.size and self._labels[order[self._cursor]] != UNLABELLED:
                self._cursor += 1
            if self._cursor < order.size:
                return int(order[self._cursor])
            # The snapshot is exhausted (records labelled since it was made); fall back to any unlabelled.
            rest = np.flatnonzero(self._labels == UNLABELLED)
            return int(rest[0]) if rest.size else None

    def retrain(self) -> RankingSnapshot:
        """Fit the model on the current labels and install the new ranking; returns it.

        Safe to call from several threads: trainings are serialised, and a ranking computed from older
        labels never replaces a newer one.
        """
        with self._train_lock:
            with self._lock:
                labels = self._labels.copy()
            started = time.perf_counter()
            labelled = np.flatnonzero(labels != UNLABELLED)
            unlabelled = np.flatnonzero(labels == UNLABELLED)
            y = labels[labelled].astype(np.int64)
            scores = None
            if labelled.size and 0 < y.sum() < y.size:
                model = self.model
                weights = model.balancer.weights(y, self._rng) if model.balancer is not None else None
                rows, y_fit = labelled, y
                if weights is not None:
                    keep = weights > 0
                    rows, y_fit, weights = labelled[keep], y[keep], weights[keep]
                fit_rows = getattr(model.classifier, "fit_rows", None)
                if fit_rows is not None:  # a classifier that reads the rows in place (and may warm-start)
                    fit_rows(self.features, rows, y_fit, weights)
                else:
                    model.classifier.fit(self.features[rows], y_fit, sample_weight=weights)
                scores = model.classifier.score(self.features)
                pool_order = model.querier.order(scores[unlabelled], model.classifier.centre, self._rng)
                order = unlabelled[pool_order]
            else:
                order = unlabelled[self._rng.permutation(unlabelled.size)]
            seconds = time.perf_counter() - started
            with self._lock:
                ranking = RankingSnapshot(order, scores, int(labelled.size), self._ranking.version + 1, seconds)
                self._ranking = ranking
                self._cursor = 0
                self.retrain_seconds.append(seconds)
                return ranking
