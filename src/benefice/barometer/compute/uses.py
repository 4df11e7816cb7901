"""Kinds of use: counts of labels by method, expected counts and 95 % intervals (Poisson-binomial, exact or
by the normal approximation), per category, category and year, and source and category."""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from benefice.barometer.compute.columns import pairs
from benefice.barometer.inputs import PROBABILITY_DIGITS, USE_METHODS

SCALE = 10**PROBABILITY_DIGITS  # probabilities are integers in 1/10,000: sums are exact, hence reproducible
EXACT_MAX = 200  # uncertain labels up to which a figure's interval is the exact Poisson-binomial one
Z95 = 1.959963984540054  # the standard normal's 97.5th percentile
LOWER_Q, UPPER_Q = 0.025, 0.975
USE_FIELDS = ("publications", "by_person", "by_rule", "by_model", "expected", "low", "high", "interval")


def poisson_binomial_pmf(probabilities: np.ndarray) -> np.ndarray:
    """P(X = k), k = 0..m, for X the number of successes among independent trials of the given
    probabilities (the exact distribution, by adding one trial at a time: O(m²))."""
    pmf = np.zeros(len(probabilities) + 1)
    pmf[0] = 1.0
    for k, q in enumerate(probabilities):
        pmf[1 : k + 2] = pmf[1 : k + 2] * (1.0 - q) + pmf[0 : k + 1] * q
        pmf[0] *= 1.0 - q
    return pmf


def poisson_binomial_interval(probabilities: np.ndarray) -> tuple[int, int]:
    """The central 95 % interval of a Poisson-binomial count, exactly: the smallest k whose cumulative
    probability reaches 2.5 %, and the smallest reaching 97.5 %."""
    if len(probabilities) == 0:
        return 0, 0
    cdf = np.cumsum(poisson_binomial_pmf(np.asarray(probabilities, dtype=np.float64)))
    eps = 1e-12  # a cumulative probability equal to a quantile up to rounding reaches it
    low = int(np.searchsorted(cdf, LOWER_Q - eps, side="left"))
    high = int(np.searchsorted(cdf, UPPER_Q - eps, side="left"))
    return min(low, len(probabilities)), min(high, len(probabilities))


def normal_interval(mean: float, variance: float, m: int) -> tuple[int, int]:
    """The same quantiles from the normal approximation with continuity correction, P(X <= k) ~
    Phi((k + 1/2 - mean) / sd): low = ceil(mean - z sd - 1/2), high = ceil(mean + z sd - 1/2), within [0, m]."""
    sd = float(np.sqrt(variance))
    low = int(np.ceil(mean - Z95 * sd - 0.5))
    high = int(np.ceil(mean + Z95 * sd - 0.5))
    return max(0, min(low, m)), max(0, min(high, m))


def use_stats(
    group: np.ndarray, n_groups: int, method: np.ndarray, units: np.ndarray
) -> list[dict[str, Any]]:
    """Counts of labels per group with their split by method, expected count and 95 % interval.

    ``group`` is the figure each label counts in, ``method`` its index in ``USE_METHODS``, ``units`` its
    probability in 1/10,000 (a person's label: 10,000). A figure's count is the number of labels; the
    labels are independent Bernoulli trials, so the number of right ones is Poisson-binomial: labels of
    probability 1 (every person's label, and a rule's or the model's when calibrated at 1) are certain, the
    others carry their calibrated probability. ``expected`` is the sum of the probabilities; the interval
    ``[low, high]`` is the central 95 % one of that distribution: exact (``interval`` = ``exact``) when the
    figure holds at most :data:`EXACT_MAX` uncertain labels, otherwise (``normal``) the normal
    approximation with continuity correction, whose error is of the order of 1/sd (Berry–Esseen) and
    which costs O(m) instead of O(m²). Probabilities are summed as integers, so every figure is the same
    on every machine.
    """
    n = np.bincount(group, minlength=n_groups)
    nm = len(USE_METHODS)
    by = np.bincount(group * nm + method, minlength=n_groups * nm).reshape(n_groups, nm).T
    expected = np.bincount(group, weights=units, minlength=n_groups)  # integers below 2**53: exact
    certain = units >= SCALE
    low = np.rint(np.bincount(group, weights=certain, minlength=n_groups)).astype(np.int64)
    high = low.copy()
    g_u, p_u = group[~certain], units[~certain]
    m = np.bincount(g_u, minlength=n_groups)
    exact = m <= EXACT_MAX
    large = np.flatnonzero(~exact)  # figures beyond EXACT_MAX uncertain labels: the normal approximation
    if len(large):
        mean_u = np.bincount(g_u, weights=p_u, minlength=n_groups)
        var_u = np.bincount(g_u, weights=p_u * (SCALE - p_u), minlength=n_groups)  # in 1/SCALE²: exact
        for g in large:
            lo, hi = normal_interval(mean_u[g] / SCALE, var_u[g] / SCALE**2, int(m[g]))
            low[g] += lo
            high[g] += hi
    small = exact[g_u]  # the labels of figures computed exactly, grouped by figure
    g_s, p_s = g_u[small], p_u[small] / SCALE
    order = np.argsort(g_s, kind="stable")
    g_s, p_s = g_s[order], p_s[order]
    bounds = np.searchsorted(g_s, np.arange(n_groups + 1))
    for g in np.flatnonzero(exact & (m > 0)):
        lo, hi = poisson_binomial_interval(p_s[bounds[g] : bounds[g + 1]])
        low[g] += lo
        high[g] += hi
    return [
        {
            "publications": int(n[g]),
            "by_person": int(by[0][g]),
            "by_rule": int(by[1][g]),
            "by_model": int(by[2][g]),
            "expected": round(float(expected[g]) / SCALE, PROBABILITY_DIGITS),
            "low": int(low[g]),
            "high": int(high[g]),
            "interval": "exact" if exact[g] else "normal",
        }
        for g in range(n_groups)
    ]


def _use_labels(table: pa.Table, cat_ids: list[str]) -> tuple[np.ndarray, ...]:
    """(publication index, category code, method code, probability in 1/10,000) of every label, one per
    (publication, category): a category listed twice keeps its first method."""
    empty = np.zeros(0, np.int64)
    cats = table.column("categories").combine_chunks()
    flat = pc.list_flatten(cats)
    if len(flat) == 0:
        return empty, empty, empty, empty
    pub = pc.list_parent_indices(cats).to_numpy().astype(np.int64)
    cat = pc.index_in(flat, value_set=pa.array(cat_ids)).to_numpy(zero_copy_only=False).astype(np.int64)
    methods = pc.list_flatten(table.column("use_methods").combine_chunks())
    method = (
        pc.index_in(methods, value_set=pa.array(USE_METHODS)).to_numpy(zero_copy_only=False).astype(np.int64)
    )
    probabilities = pc.list_flatten(table.column("use_probabilities").combine_chunks())
    units = np.rint(probabilities.to_numpy(zero_copy_only=False) * SCALE).astype(np.int64)
    key = pub * len(cat_ids) + cat
    order = np.argsort(key, kind="stable")
    first = np.ones(len(order), dtype=bool)
    np.not_equal(key[order][1:], key[order][:-1], out=first[1:])
    keep = order[first]
    return pub[keep], cat[keep], method[keep], units[keep]


def _join(label_pub: np.ndarray, pair_pub: np.ndarray, pair_src: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each label, every source its publication uses: (label index, source code) of each combination.
    ``pair_pub`` must be sorted."""
    start = np.searchsorted(pair_pub, label_pub, side="left")
    counts = np.searchsorted(pair_pub, label_pub, side="right") - start
    total = int(counts.sum())
    if total == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    label = np.repeat(np.arange(len(label_pub), dtype=np.int64), counts)
    within = np.arange(total, dtype=np.int64) - np.repeat(np.cumsum(counts) - counts, counts)
    return label, pair_src[np.repeat(start, counts) + within]


def use_figures(
    table: pa.Table,
    cat_ids: list[str],
    year_idx: np.ndarray,
    years: list[int],
    source_ids: list[str],
    own_pairs: tuple[np.ndarray, np.ndarray],
    family_pairs: tuple[np.ndarray, np.ndarray],
) -> dict[str, Any]:
    """Kinds of use from the corpus (the table's ``categories`` with their methods and probabilities): per
    category, per category and year, per source and category (own and family counts)."""
    nc, ny, ns = len(cat_ids), len(years), len(source_ids)
    pub, cat, method, units = _use_labels(table, cat_ids)
    per_category = use_stats(cat, nc, method, units)
    per_year = use_stats(cat * ny + year_idx[pub], nc * ny, method, units)
    by_year = [
        {"category": cid, "year": y, **per_year[k * ny + j]}
        for k, cid in enumerate(cat_ids)
        for j, y in enumerate(years)
    ]
    by_source: list[dict[str, Any]] = []
    grids = {}
    for basis, (pair_pub, pair_src) in (("own", own_pairs), ("family", family_pairs)):
        label, src = _join(pub, pair_pub, pair_src)
        grids[basis] = use_stats(src * nc + cat[label], ns * nc, method[label], units[label])
    for i, sid in enumerate(source_ids):
        for k, cid in enumerate(cat_ids):
            for basis in ("own", "family"):
                by_source.append({"source": sid, "category": cid, "basis": basis, **grids[basis][i * nc + k]})
    with_category = np.zeros(table.num_rows, dtype=bool)
    with_category[pub] = True
    summary = {
        "publications_with_category": int(with_category.sum()),
        "labels": int(len(pub)),
        **{f"labels_by_{m}": int((method == k).sum()) for k, m in enumerate(USE_METHODS)},
    }
    case_pub, case_cat = pairs(table.column("case_categories"), pa.array(cat_ids))
    in_cases = np.bincount(case_cat, minlength=nc)
    return {
        "labels": (cat_ids, pub, cat),
        "per_category": {
            cid: per_category[k] | {"publications_in_cases": int(in_cases[k])}
            for k, cid in enumerate(cat_ids)
        },
        "by_year": by_year,
        "by_source": by_source,
        "summary": summary,
    }
