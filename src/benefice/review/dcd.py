"""Dual coordinate descent for the L2-loss linear SVM, warm-started between retrainings.

Screening retrains after every decision, on the same labelled records plus one. liblinear (through
scikit-learn's ``LinearSVC``) solves each problem from zero and spends about 3 ms per call converting the
data before its first pass; this solver keeps the dual variables of every record from one retraining to
the next, works on the full feature matrix in place (no copy of the labelled rows), and typically needs one
or two passes after a new decision where a cold start needs seven to nine.

The problem and the algorithm are liblinear's (Hsieh et al. 2008, "A dual coordinate descent method for
large-scale linear SVM", Algorithm 1, L2 loss): minimise ``½‖w‖² + Σ Cᵢ max(0, 1 − yᵢ w·x̃ᵢ)²`` where
``x̃ᵢ`` is the record's row with a constant 1 appended (the bias, regularised like the other weights, as
liblinear's ``-B 1`` and scikit-learn's ``intercept_scaling=1`` do). Its dual has only the constraint
``αᵢ ≥ 0``, so the previous ``α`` stays feasible whatever changed since: new records start at 0, records
whose class weight changed keep their ``α``, records whose label was edited keep their ``α`` with the new
sign. The stopping rule is liblinear's: the spread of projected gradients over one pass (``max − min``) at
most ``tol``. liblinear's shrinking (skipping records whose variable sits at the bound) is not
implemented: with a warm start there are one or two passes, which leaves it little to save; not measured.

Compiled with numba (cached on disk after the first use where a writable place exists, about a second).
"""

from __future__ import annotations

import numpy as np
from numba import njit


def _jit(function):
    """Compile with a disk cache where numba finds a writable place for it, else in memory per process.

    numba refuses ``cache=True`` outright when neither the package's folder nor the user's cache folder is
    writable (a read-only install served by a user without a home): the solver must still work there.
    """
    try:
        return njit(cache=True, nogil=True)(function)
    except RuntimeError:
        return njit(nogil=True)(function)


@_jit
def _weights_from_duals(indptr, indices, data, rows, y, alpha, w):  # pragma: no cover - compiled
    w[:] = 0.0
    bias = w.size - 1
    for k in range(rows.size):
        i = rows[k]
        a = alpha[i]
        if a != 0.0:
            ay = a * y[k]
            for p in range(indptr[i], indptr[i + 1]):
                w[indices[p]] += ay * data[p]
            w[bias] += ay


@_jit
def _solve(indptr, indices, data, rows, y, cost, alpha, w, tol, max_iter, seed):  # pragma: no cover
    n = rows.size
    bias = w.size - 1
    diag = np.empty(n)
    qd = np.empty(n)
    for k in range(n):
        i = rows[k]
        diag[k] = 0.5 / cost[k]
        norm = 1.0
        for p in range(indptr[i], indptr[i + 1]):
            norm += data[p] * data[p]
        qd[k] = norm + diag[k]
    order = np.arange(n)
    np.random.seed(seed)
    passes = 0
    while passes < max_iter:
        passes += 1
        np.random.shuffle(order)
        pg_max = -np.inf
        pg_min = np.inf
        for j in range(n):
            k = order[j]
            i = rows[k]
            yk = y[k]
            dot = w[bias]
            for p in range(indptr[i], indptr[i + 1]):
                dot += w[indices[p]] * data[p]
            a = alpha[i]
            g = yk * dot - 1.0 + diag[k] * a
            pg = g
            if a == 0.0 and g > 0.0:
                pg = 0.0
            if pg > pg_max:
                pg_max = pg
            if pg < pg_min:
                pg_min = pg
            if pg != 0.0:
                new = a - g / qd[k]
                if new < 0.0:
                    new = 0.0
                step = (new - a) * yk
                alpha[i] = new
                if step != 0.0:
                    for p in range(indptr[i], indptr[i + 1]):
                        w[indices[p]] += step * data[p]
                    w[bias] += step
        if pg_max - pg_min <= tol:
            break
    return passes


def _same_buffer(a: np.ndarray | None, b: np.ndarray) -> bool:
    """Same matrix data: scipy gives a new CSR wrapper of the same arrays new view objects, so compare the
    memory itself (start address, length, type) rather than the array objects."""
    if a is None:
        return False
    return (
        a is b
        or a.__array_interface__["data"][0] == b.__array_interface__["data"][0]
        and a.shape == b.shape
        and a.dtype == b.dtype
    )


class WarmDualSVM:
    """State of one screening's SVM: a dual variable per record of ``features``, kept between fits.

    Each fit stops by liblinear's rule (spread of projected gradients at most ``tol``), a heuristic: where
    it stops depends on the start, so a session that restarts (a new process) can score records slightly
    differently from one that did not. Measured on screening sequences (new records, edited labels, class
    weights changing): warm scores differ from the optimum no more than cold ones do at ``tol=0.1`` (at
    most 0.08); the web worker's test bounds the warm-cold difference.
    """

    def __init__(self, C: float = 1.0, tol: float = 0.1, max_iter: int = 1000, seed: int = 0) -> None:
        self.C = C
        self.tol = tol
        self.max_iter = max_iter
        self.seed = seed
        self.passes = 0
        self._alpha: np.ndarray | None = None
        self._data: np.ndarray | None = None
        self._fits = 0
        self.coef_: np.ndarray | None = None
        self.intercept_ = 0.0

    def fit_rows(self, features, rows: np.ndarray, y: np.ndarray, sample_weight: np.ndarray | None) -> None:
        """Fit on ``features[rows]`` with labels ``y`` (0/1), starting from the previous fit's duals."""
        if getattr(features, "format", None) != "csr":
            raise TypeError("features must be a scipy CSR matrix")
        # Other features restart from zero. Any alpha >= 0 is a feasible start, but duals belong to rows.
        if self._alpha is None or not _same_buffer(self._data, features.data):
            self._alpha = np.zeros(features.shape[0])
            self._data = features.data
        elif self._alpha.size != features.shape[0]:
            self._alpha = np.zeros(features.shape[0])
        rows = np.ascontiguousarray(rows, dtype=np.int64)
        signs = np.where(np.asarray(y) == 1, 1.0, -1.0)
        weight = np.ones(rows.size) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
        if np.any(weight <= 0):
            raise ValueError("sample weights must be positive (drop rows with weight 0 before fitting)")
        if not (signs.size == rows.size == weight.size):
            raise ValueError(f"{rows.size} rows, {signs.size} labels and {weight.size} weights: sizes differ")
        # The compiled loops do not check bounds: refuse what would read outside the matrix.
        if rows.size and (rows.min() < 0 or rows.max() >= features.shape[0]):
            raise ValueError(f"row index outside the matrix of {features.shape[0]} rows")
        if np.unique(rows).size != rows.size:
            raise ValueError("a row is given twice (each record has one dual variable)")
        cost = self.C * weight
        w = np.empty(features.shape[1] + 1)
        indptr, indices, data = (
            features.indptr,
            features.indices,
            features.data.astype(np.float64, copy=False),
        )
        _weights_from_duals(indptr, indices, data, rows, signs, self._alpha, w)
        self.passes = int(
            _solve(
                indptr,
                indices,
                data,
                rows,
                signs,
                cost,
                self._alpha,
                w,
                self.tol,
                self.max_iter,
                self.seed + self._fits,
            )
        )
        self._fits += 1
        self.coef_ = w[:-1]
        self.intercept_ = float(w[-1])


_ready = False


def warm_up() -> None:
    """Load (or compile, the first time on a machine) the solver now rather than in the first retraining.

    About 0.3 s from numba's disk cache, 1-2 s to compile. Called when a screening session starts, so the
    time of a retraining is the time of the fit, in the app as in ``benefice review simulate``.
    """
    global _ready
    if _ready:
        return
    from scipy import sparse

    X = sparse.csr_matrix(np.eye(2))
    WarmDualSVM().fit_rows(X, np.arange(2), np.array([1, 0]), None)
    _ready = True
