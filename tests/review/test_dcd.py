"""The warm-started dual coordinate descent solves liblinear's problem, from any start."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from review_synthetic import synthetic
from scipy import sparse
from sklearn.svm import LinearSVC

from benefice.review.active_learning import (
    ClassWeights,
    LinearSVM,
    Screener,
    ScreeningModel,
    Tfidf,
    make_model,
)
from benefice.review.dcd import WarmDualSVM


def _problem(seed: int, n: int = 80, d: int = 40):
    rng = np.random.default_rng(seed)
    X = sparse.random(n, d, density=0.2, format="csr", random_state=seed)
    y = (rng.random(n) < 0.3).astype(int)
    y[:2] = [1, 0]
    weights = rng.uniform(0.2, 3.0, n)
    return X, y, weights


def _liblinear(X, y, weights, C=1.0):
    model = LinearSVC(C=C, tol=1e-8, max_iter=100_000, random_state=0).fit(X, y, sample_weight=weights)
    return model.coef_.ravel(), float(model.intercept_[0])


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10_000), st.sampled_from([0.1, 1.0, 10.0]))
def test_same_optimum_as_scikit_learn(seed, C):
    X, y, weights = _problem(seed)
    solver = WarmDualSVM(C=C, tol=1e-8, max_iter=100_000)
    solver.fit_rows(X, np.arange(X.shape[0]), y, weights)
    coef, intercept = _liblinear(X, y, weights, C)
    np.testing.assert_allclose(solver.coef_, coef, atol=1e-5)
    assert solver.intercept_ == pytest.approx(intercept, abs=1e-5)


def test_warm_start_reaches_the_cold_optimum_after_new_rows_weights_and_an_edited_label():
    X, y, weights = _problem(7, n=120)
    solver = WarmDualSVM(tol=1e-8, max_iter=100_000)
    for n in (20, 40, 60, 80):  # rows added, weights changing as they would under ClassWeights
        solver.fit_rows(X, np.arange(n), y[:n], weights[:n] * n / 10)
    y_edited = y[:90].copy()
    y_edited[5] = 1 - y_edited[5]  # a decision changed by a reviewer
    rows = np.arange(90)
    solver.fit_rows(X, rows, y_edited, weights[:90])
    coef, intercept = _liblinear(X[rows], y_edited, weights[:90])
    np.testing.assert_allclose(solver.coef_, coef, atol=1e-5)
    assert solver.intercept_ == pytest.approx(intercept, abs=1e-5)


def test_duals_are_kept_for_the_same_matrix_and_reset_for_another():
    X, y, weights = _problem(3)
    solver = WarmDualSVM()
    solver.fit_rows(X, np.arange(80), y, weights)
    duals = solver._alpha
    assert duals.any()
    # scipy gives a new CSR wrapper of the same arrays new array objects: still the same matrix
    solver.fit_rows(sparse.csr_matrix(X), np.arange(80), y, weights)
    assert solver._alpha is duals
    other = sparse.csr_matrix(X[::-1])
    solver.fit_rows(other, np.arange(40), y[::-1][:40], weights[::-1][:40])
    assert solver._alpha is not duals
    assert not solver._alpha[40:].any()  # rows never fitted on the new matrix start (and stay) at zero


def test_warm_start_needs_fewer_passes():
    texts, labels = synthetic(600)
    features = Tfidf(min_df=1, stop_words=None).fit_transform(texts)
    order = np.random.default_rng(0).permutation(labels.size)
    warm = WarmDualSVM()
    warm_passes, cold_passes = [], []
    for n in range(200, 230):
        rows = order[:n]
        y = labels[rows]
        weights = ClassWeights().weights(y, np.random.default_rng(0))
        warm.fit_rows(features, rows, y, weights)
        warm_passes.append(warm.passes)
        cold = WarmDualSVM()
        cold.fit_rows(features, rows, y, weights)
        cold_passes.append(cold.passes)
    assert np.mean(warm_passes[1:]) < np.mean(cold_passes[1:])


def test_bad_input_is_refused():
    X, y, _ = _problem(1)
    with pytest.raises(TypeError, match="CSR"):
        WarmDualSVM().fit_rows(X.tocsc(), np.arange(80), y, None)
    with pytest.raises(ValueError, match="positive"):
        WarmDualSVM().fit_rows(X, np.arange(80), y, np.zeros(80))
    with pytest.raises(ValueError, match="outside the matrix"):
        WarmDualSVM().fit_rows(X, np.array([0, 80]), y[:2], None)
    with pytest.raises(ValueError, match="twice"):
        WarmDualSVM().fit_rows(X, np.array([3, 3]), y[:2], None)
    with pytest.raises(ValueError, match="sizes differ"):
        WarmDualSVM().fit_rows(X, np.arange(5), y[:4], None)
    with pytest.raises(ValueError, match="unknown SVM solver"):
        LinearSVM(solver="sgd")


def test_screener_rankings_match_the_liblinear_solver():
    """In a screening session, the warm solver ranks as ``LinearSVC`` does at the same tight tolerance."""
    texts, labels = synthetic(500)
    features = make_model("svm").feature_extractor.fit_transform(texts)
    sessions = [
        Screener(features, ScreeningModel(classifier=LinearSVM(tol=1e-6, solver=solver)), seed=0)
        for solver in ("warm", "liblinear")
    ]
    rng = np.random.default_rng(4)
    picked = np.concatenate(
        [
            rng.choice(np.flatnonzero(labels == 1), 6, replace=False),
            rng.choice(np.flatnonzero(labels == 0), 60, replace=False),
        ]
    )
    for step, index in enumerate(rng.permutation(picked)):
        for session in sessions:
            session.record(int(index), int(labels[index]))
        if step >= 10 and step % 5 == 0:
            warm, reference = (session.retrain() for session in sessions)
            np.testing.assert_allclose(warm.scores, reference.scores, atol=1e-4)


def test_works_where_numba_cannot_cache(monkeypatch):
    """A read-only install run by a user without a home: numba refuses cache=True; the solver still runs."""
    import importlib.util

    import numba

    import benefice.review.dcd as installed

    real = numba.njit

    def refusing(*args, **kwargs):
        if kwargs.get("cache"):
            raise RuntimeError("cannot cache function '_solve': no locator available for file 'dcd.py'")
        return real(*args, **kwargs)

    monkeypatch.setattr(numba, "njit", refusing)
    spec = importlib.util.spec_from_file_location("dcd_uncached", installed.__file__)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    X, y, weights = _problem(5)
    solver = module.WarmDualSVM(tol=1e-8, max_iter=100_000)
    solver.fit_rows(X, np.arange(80), y, weights)
    coef, _ = _liblinear(X, y, weights)
    np.testing.assert_allclose(solver.coef_, coef, atol=1e-5)
