"""Classifiers: ``fit(X, y, sample_weight)`` then ``score(X)``, higher meaning more likely relevant; they rank
with decision values, not calibrated probabilities, which would saturate and tie the top records.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np
from scipy import sparse

# --------------------------------------------------------------------------------------------------
# Classifiers: fit(X, y, sample_weight) then score(X) -> higher means more likely relevant


class Classifier(Protocol):
    name: str
    centre: float  # the score of a record the model is undecided about (used by uncertainty sampling)

    def fit(self, X: sparse.csr_matrix, y: np.ndarray, sample_weight: np.ndarray | None = None) -> None: ...

    def score(self, X: sparse.csr_matrix) -> np.ndarray: ...


class NaiveBayes:
    """Multinomial naive Bayes on TF-IDF weights, scored as log-odds.

    Written out (two weighted sparse sums) instead of wrapping scikit-learn so that a retraining costs a
    few milliseconds even with 100,000 records: only the labelled rows are summed and one matrix-vector
    product scores all records.
    """

    name = "nb"
    centre = 0.0

    def __init__(self, alpha: float = 1.0) -> None:
        self.alpha = alpha
        self._weights: np.ndarray | None = None
        self._bias = 0.0

    def fit(self, X: sparse.csr_matrix, y: np.ndarray, sample_weight: np.ndarray | None = None) -> None:
        y = np.asarray(y)
        w = np.ones(y.size) if sample_weight is None else np.asarray(sample_weight, dtype=float)
        log_probs = []
        class_totals = []
        for cls in (0, 1):
            wc = np.where(y == cls, w, 0.0)
            counts = np.asarray(X.T @ wc).ravel() + self.alpha
            log_probs.append(np.log(counts) - np.log(counts.sum()))
            class_totals.append(wc.sum())
        self._weights = log_probs[1] - log_probs[0]
        self._bias = float(np.log(class_totals[1]) - np.log(class_totals[0]))

    def score(self, X: sparse.csr_matrix) -> np.ndarray:
        if self._weights is None:
            raise RuntimeError("fit the classifier first")
        return np.asarray(X @ self._weights).ravel() + self._bias


class _Linear:
    """Shared wrapper for scikit-learn linear models scored with their decision function."""

    name = "linear"
    centre = 0.0

    def _make(self):  # pragma: no cover - overridden
        raise NotImplementedError

    def fit(self, X: sparse.csr_matrix, y: np.ndarray, sample_weight: np.ndarray | None = None) -> None:
        self._model = self._make()
        self._model.fit(X, y, sample_weight=sample_weight)

    def score(self, X: sparse.csr_matrix) -> np.ndarray:
        coef = np.asarray(self._model.coef_).ravel()
        return np.asarray(X @ coef).ravel() + float(np.ravel(self._model.intercept_)[0])


class Logistic(_Linear):
    """L2-regularised logistic regression (liblinear), ranked by log-odds."""

    name = "logistic"

    def __init__(self, C: float = 1.0) -> None:
        self.C = C

    def _make(self):
        from sklearn.linear_model import LogisticRegression  # slow to import: loaded on the first fit

        # The dual liblinear solver: with far more features than labelled records it is 10-100 times
        # faster than the primal or lbfgs solvers here, for the same optimum.
        return LogisticRegression(C=self.C, solver="liblinear", dual=True, max_iter=1000, random_state=0)


class LinearSVM(_Linear):
    """Linear support vector machine (squared hinge loss), ranked by the signed distance to the margin.

    The problem is liblinear's (L2-regularised L2-loss SVC, bias as a regularised constant feature); the
    default solver (``solver="warm"``, :mod:`benefice.review.dcd`) is liblinear's dual coordinate descent
    warm-started from the previous retraining's dual variables, so that a retraining after one more
    decision takes one or two passes over the labelled records instead of seven to nine, without copying
    them. It reaches the same optimum as scikit-learn's ``LinearSVC`` (test: coefficients equal to 1e-5 at
    a tight tolerance). ``solver="liblinear"`` calls ``LinearSVC`` from zero at every retraining.

    ``tol`` is the stopping tolerance of the dual solver: 0.1, liblinear's own default for this solver
    (its ``-e`` option, "dual maximal violation"), where scikit-learn sets ``1e-4``. Screening needs the
    order of the records, not the optimum to four decimals (``benchmarks/README.md``, "screening": same
    WSS@95 on the four benchmark sets at 1e-4 and 0.1). Record order within a pass comes from a fixed
    seed, so every retraining, and so a simulation, is reproducible.
    """

    name = "svm"

    def __init__(self, C: float = 1.0, tol: float = 0.1, solver: str = "warm") -> None:
        if solver not in ("warm", "liblinear"):
            raise ValueError(f"unknown SVM solver {solver!r}: 'warm' or 'liblinear'")
        self.C = C
        self.tol = tol
        self.solver = solver
        self._warm = None

    def _make(self):
        if self.solver == "warm":
            from benefice.review.dcd import WarmDualSVM  # numba is slow to import: loaded on the first fit

            return WarmDualSVM(C=self.C, tol=self.tol, max_iter=5000)
        from sklearn.svm import LinearSVC  # slow to import: loaded on the first fit

        return LinearSVC(
            C=self.C, loss="squared_hinge", dual=True, tol=self.tol, max_iter=5000, random_state=0
        )

    def prepare(self) -> None:
        """Load the compiled solver before the first retraining (see :func:`benefice.review.dcd.warm_up`)."""
        if self.solver == "warm":
            from benefice.review.dcd import warm_up  # numba is slow to import: loaded when asked to

            warm_up()

    def fit(self, X: sparse.csr_matrix, y: np.ndarray, sample_weight: np.ndarray | None = None) -> None:
        if self.solver == "liblinear":
            super().fit(X, y, sample_weight)
            return
        self._model = self._make()
        X = sparse.csr_matrix(X)
        self._model.fit_rows(X, np.arange(X.shape[0]), y, sample_weight)

    def fit_rows(
        self,
        features: sparse.csr_matrix,
        rows: np.ndarray,
        y: np.ndarray,
        sample_weight: np.ndarray | None = None,
    ) -> None:
        """Fit on ``features[rows]``; the warm solver keeps its state for the next call on ``features``."""
        if self.solver == "liblinear":
            self.fit(features[rows], y, sample_weight)
            return
        if self._warm is None:
            self._warm = self._make()
        self._warm.fit_rows(features, rows, y, sample_weight)
        self._model = self._warm
