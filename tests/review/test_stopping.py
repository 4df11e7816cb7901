"""Stopping aids: the rule of thumb, the hypergeometric test and the recall estimate."""

import numpy as np
import pytest

from benefice.review.stopping import (
    ConsecutiveIrrelevant,
    HypergeometricStopper,
    estimate_recall,
    hypergeometric_p_value,
    missing_upper_bound,
)


def test_consecutive_irrelevant():
    rule = ConsecutiveIrrelevant(3)
    assert not rule.should_stop([1, 0, 0], 100)
    assert rule.should_stop([1, 0, 0, 0], 100)
    assert not rule.should_stop([1, 0, 0, 0, 1, 0], 100)
    assert rule.should_stop([1, 0], 2)  # everything screened
    assert ConsecutiveIrrelevant.run_length([0, 0]) == 2


def test_hypergeometric_needs_evidence():
    stopper = HypergeometricStopper(0.95, 0.95)
    # 20 relevant found early, then only 10 irrelevant: far too little evidence with 10,000 unseen
    early = [1] * 20 + [0] * 10
    assert not stopper.should_stop(early, 10_000)
    # the same, then 3,000 irrelevant in a row out of 3,500 records: stop
    late = [1] * 20 + [0] * 3000
    assert stopper.should_stop(late, 3_500)
    # p-value decreases as irrelevant records accumulate
    p = [hypergeometric_p_value([1] * 20 + [0] * n, 3_500) for n in (10, 200, 1000, 3000)]
    assert p == sorted(p, reverse=True) and p[0] > 0.5 > p[-1]


def test_hypergeometric_not_fooled_by_a_rich_tail():
    # relevant records keep coming: recall cannot be shown to be high
    history = [1, 0] * 200
    assert not HypergeometricStopper().should_stop(history, 2000)


def test_missing_bound_and_estimate():
    history = np.array([1] * 30 + [0] * 1000)
    assert missing_upper_bound(history, history.size) == 0  # everything screened
    bound = missing_upper_bound(history, 3000)
    assert 0 < bound < 10
    est = estimate_recall(history, 3000)
    assert est.recall_low <= est.recall <= est.recall_high <= 1
    assert est.recall_low == pytest.approx(30 / (30 + bound))
    # a history still finding relevant records gives a lower estimate
    rich = estimate_recall([1] * 30 + [0, 0, 1] * 50, 3000)
    assert rich.recall < est.recall and rich.recall_low < est.recall_low


def test_bad_history():
    with pytest.raises(ValueError):
        hypergeometric_p_value([0, 2], 10)
    with pytest.raises(ValueError):
        estimate_recall([0, 1], 1)


def _scan(stopper, history, n_total, start):
    """Reference: check the rule after every record, one by one."""
    for screened in range(max(1, start), len(history) + 1):
        if stopper.should_stop(history[:screened], n_total):
            return screened
    return None


@pytest.mark.parametrize(("n_total", "trials"), [(300, 6), (1500, 2)])
def test_first_stop_is_the_record_by_record_check(n_total, trials):
    # Histories shaped like active learning (relevant records dense early, sparse later), short ones where
    # every window is tested and long ones (> 600 records) where a log-spaced subset is.
    rng = np.random.default_rng(n_total)
    stopper = HypergeometricStopper(0.95, 0.95)
    for trial in range(trials):
        share = np.geomspace(0.5, 0.002, n_total) * rng.uniform(0.3, 1.0)
        history = (rng.random(n_total) < share).astype(np.int64)
        history[0] = 1
        start = int(rng.integers(1, 5))
        fast = stopper.first_stop(history, n_total, start=start)
        slow = _scan(stopper, history, n_total, start)
        assert fast is not None and slow is not None
        assert fast == slow, (trial, fast, slow)
    assert stopper.first_stop([1, 0, 0], 1000) is None  # never says stop within a short history
    assert stopper.first_stop([1, 0], 2, start=5) is None  # start beyond the history
