"""Metric definitions checked on orders small enough to compute by hand."""

import math

import pytest

from benefice.review import metrics

# 10 records after the priors, 4 relevant, found at positions 1, 2, 5 and 10.
ORDER = [1, 1, 0, 0, 1, 0, 0, 0, 0, 1]


def test_wss_by_hand():
    # ceil(0.95 * 4) = 4 relevant needed -> all found at record 10: (10 - 10) / 10 - 0.05
    assert metrics.wss(ORDER, 0.95) == pytest.approx(-0.05)
    assert metrics.wss(ORDER, 1.0) == pytest.approx(0.0)
    # 75%: 3 relevant found at record 5 -> (10 - 5) / 10 - 0.25
    assert metrics.wss(ORDER, 0.75) == pytest.approx(0.25)


def test_wss_with_truncated_run():
    # a run stopped after the last relevant record; 20 records were left after the priors
    assert metrics.wss([0, 1, 1], 1.0, n_records=20) == pytest.approx((20 - 3) / 20)
    assert metrics.wss([0, 1, 1], 0.95, n_records=20) == pytest.approx((20 - 3) / 20 - 0.05)


def test_rrf_by_hand():
    assert metrics.rrf(ORDER, 0.10) == pytest.approx(1 / 4)  # first record only
    assert metrics.rrf(ORDER, 0.50) == pytest.approx(3 / 4)
    assert metrics.rrf([0, 1, 1], 0.10, n_records=20) == pytest.approx(0.5)  # floor(2) records: 0 then 1


def test_atd_by_hand():
    assert metrics.atd(ORDER) == pytest.approx((1 + 2 + 5 + 10) / 4 / 10)
    assert metrics.atd([1, 0, 0, 0]) == pytest.approx(0.25)


def test_recall_curve_steps():
    curve = metrics.recall_curve([0, 1, 1], n_records=5)
    assert curve == {"screened": [0, 2, 3, 5], "recall": [0, 0.5, 1.0, 1.0]}
    assert metrics.recall_at([0, 1, 1], [0, 0.4, 0.6, 1.0], n_records=5) == [0, 0.5, 1.0, 1.0]


def test_random_order_is_near_zero_wss():
    # relevant records evenly spread: WSS@100 = 0 and ATD about one half
    order = [1 if i % 10 == 9 else 0 for i in range(1000)]
    assert metrics.wss(order, 1.0) == pytest.approx(0.0)
    assert math.isclose(metrics.atd(order), 0.505, abs_tol=1e-9)


def test_bad_inputs():
    with pytest.raises(ValueError):
        metrics.wss([0, 0, 0])
    with pytest.raises(ValueError):
        metrics.atd([0, 2, 1])
    with pytest.raises(ValueError):
        metrics.rrf([1, 0], n_records=1)
