"""The figures of an edition, computed from :class:`~benefice.barometer.inputs.EditionInputs` alone.

Publication counts are columnar (pyarrow + numpy): the (publication, source) pairs are flattened once and
every count is a ``bincount`` over integer keys, so a million publications take seconds, not minutes, and
no Python code runs per publication. The impact cases are a few dozen records and are handled in plain
Python.

Rules this module implements (the methodology page prints them from :data:`RULES`):

* the perimeter is the publication years ``[last - span + 1, last]`` where ``last`` defaults to the year
  before the edition (the edition year is still being indexed when it is observed); publications outside
  it are counted, not silently dropped;
* a publication *uses* a source it analyses; a source it only names is *mentioned*;
* **own** count: a publication counts for each source it names as used, a component (DCIR) for itself
  only; **family** count: a publication counts once for a parent (SNDS) if it uses the parent or any of
  its components, however many;
* citation quality is measured over (publication, source used) pairs;
* decisions, figures and cases are taken as they stand at the observation date; impact figures are always
  ranges: within a case, figures in the same unit may overlap (low = largest low, high = sum of highs);
  across cases they are added;
* kinds of use are counted from the whole corpus (each publication's effective labels, people's
  corrections applied), per category, per category and year and per source and category (own and
  family), apart from the categories of the impact cases; each count says how many labels a person, a
  rule and the model set, and carries the labels' uncertainty as an expected count and a 95 % interval
  (see :func:`use_stats`).
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import re
import statistics
import tempfile
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from benefice.barometer.inputs import (
    PRECISE_FORMS,
    PROBABILITY_DIGITS,
    USE_METHODS,
    WEIGHTS_FILE,
    EditionInputs,
)
from benefice.errors import BeneficeError
from benefice.impact import rank, values
from benefice.impact.catalogue import Case, Figure
from benefice.sources.registry import fold

PEOPLE_INDICATORS = ("A1", "X1")
ATTRIBUTABLE_INDICATORS = ("A2", "H3", "J1")
AVOIDED_INDICATORS = ("A3", "C2", "E2", "H5")
PERSON_UNITS = {"persons": "persons", "women": "persons", "girls": "persons", "children": "persons"}
COUNT_UNITS = {
    "events", "deaths", "hospitalisations", "cases", "children", "pregnancies",
    "events_per_year", "deaths_per_year", "cases_per_year", "pregnancies_per_year",
}  # fmt: skip
STUDY_CUES = re.compile(
    r"\b(study|studies|report|results?|publish\w*|publication|comparison|cohort|analysis|review|assessment|"
    r"étude|rapport|résultats?)\b",
    re.IGNORECASE,
)
SHARE_DIGITS = 4


@dataclass(frozen=True)
class Window:
    """The edition year, its observation date and the publication years it covers."""

    year: int
    observed_at: str
    first: int
    last: int

    @property
    def years(self) -> list[int]:
        return list(range(self.first, self.last + 1))


def window_for(year: int, observed_at: str, params: dict[str, Any]) -> Window:
    try:
        observed = _dt.date.fromisoformat(observed_at)
    except (TypeError, ValueError) as exc:
        raise BeneficeError(
            f"observation date must be YYYY-MM-DD, got {observed_at!r}", field="observed_at"
        ) from exc
    if not 1900 <= year <= 2200:
        raise BeneficeError(f"edition year out of range: {year}", field="year")
    last = params.get("last_publication_year") or year - 1
    if last > observed.year:
        raise BeneficeError(
            f"the perimeter ends in {last}, after the observation date {observed_at}", field="observed_at"
        )
    return Window(year, observed.isoformat(), last - int(params["span"]) + 1, last)


def _share(numerator: float, denominator: float) -> float | None:
    return round(float(numerator) / float(denominator), SHARE_DIGITS) if denominator else None


def _change(current: int, previous: int | None) -> tuple[int | None, float | None]:
    if previous is None:
        return None, None
    return current - previous, (round((current - previous) / previous, SHARE_DIGITS) if previous else None)


def slug(text: str) -> str:
    """A file-name-safe key for a custodian (folded, hyphenated, at most 60 characters)."""
    return "-".join(fold(text).split())[:60].strip("-") or "unknown"


# ----------------------------------------------------------------------------------------------------------
# Publications: columnar counts
# ----------------------------------------------------------------------------------------------------------
def _sorted_unique(keys: np.ndarray) -> np.ndarray:
    """Sorted distinct values by sort + neighbour comparison (numpy 2's hash-based ``unique`` is several
    times slower on millions of nearly sorted integer keys)."""
    if len(keys) == 0:
        return keys
    keys = np.sort(keys, kind="stable")
    keep = np.empty(len(keys), dtype=bool)
    keep[0] = True
    np.not_equal(keys[1:], keys[:-1], out=keep[1:])
    return keys[keep]


def _member(values: np.ndarray, sorted_set: np.ndarray) -> np.ndarray:
    """``np.isin`` for a sorted set, by binary search."""
    if len(sorted_set) == 0:
        return np.zeros(len(values), dtype=bool)
    pos = np.searchsorted(sorted_set, values)
    pos[pos == len(sorted_set)] = 0
    return sorted_set[pos] == values


def _pairs(column: pa.ChunkedArray, codes: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """(publication index, source code) for each element of a list<string> column, duplicates removed."""
    array = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    flat = pc.list_flatten(array)
    if len(flat) == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    parents = pc.list_parent_indices(array).to_numpy().astype(np.int64)
    source = pc.index_in(flat, value_set=codes).to_numpy(zero_copy_only=False).astype(np.int64)
    n = len(codes)
    keys = _sorted_unique(parents * n + source)
    return keys // n, keys % n


def _expand(pub: np.ndarray, src: np.ndarray, groups: list[list[int]]) -> tuple[np.ndarray, np.ndarray]:
    """Map each (pub, source) pair to (pub, g) for every group g in ``groups[source]``, deduplicated."""
    sizes = np.array([len(g) for g in groups], dtype=np.int64)
    offsets = np.concatenate([[0], np.cumsum(sizes)])
    flat = np.array([x for g in groups for x in g], dtype=np.int64)
    counts = sizes[src]
    total = int(counts.sum())
    if total == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    starts = np.repeat(offsets[src], counts)
    within = np.arange(total, dtype=np.int64) - np.repeat(np.cumsum(counts) - counts, counts)
    target = flat[starts + within]
    n = max(len(groups), int(flat.max()) + 1 if len(flat) else 1)
    keys = _sorted_unique(np.repeat(pub, counts) * n + target)
    return keys // n, keys % n


def _grid(keys_a: np.ndarray, keys_b: np.ndarray, na: int, nb: int, weights=None) -> np.ndarray:
    return np.bincount(keys_a * nb + keys_b, weights=weights, minlength=na * nb).reshape(na, nb)


# ----------------------------------------------------------------------------------------------------------
# Kinds of use: counts by method, expected counts and intervals
# ----------------------------------------------------------------------------------------------------------
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
    case_pub, case_cat = _pairs(table.column("case_categories"), pa.array(cat_ids))
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


def publication_figures(inputs: EditionInputs, window: Window) -> dict[str, Any]:
    """Every publication count of the edition (see the module docstring for the rules)."""
    registry = inputs.registry
    table = inputs.publications
    years_all = table.column("year").to_numpy()
    before = int((years_all < window.first).sum())
    after = int((years_all > window.last).sum())
    mask = (years_all >= window.first) & (years_all <= window.last)
    table = table.filter(pa.array(mask))
    n_pub = table.num_rows
    years = window.years
    ny = len(years)
    year_idx = table.column("year").to_numpy().astype(np.int64) - window.first

    source_ids = sorted(registry.sources)
    codes = pa.array(source_ids)
    ns = len(source_ids)
    index = {sid: i for i, sid in enumerate(source_ids)}
    french = np.array([registry.is_french(s) for s in source_ids])

    used_pub, used_src = _pairs(table.column("sources_used"), codes)
    ment_pub, ment_src = _pairs(table.column("sources_mentioned"), codes)
    used_keys = used_pub * ns + used_src
    mentioned_only = ~_member(ment_pub * ns + ment_src, used_keys)
    ment_pub, ment_src = ment_pub[mentioned_only], ment_src[mentioned_only]

    # Forms: which (publication, source) pairs carry a recorded form, and which a precise one.
    forms = table.column("forms").combine_chunks()
    flat_forms = pc.list_flatten(forms)
    if len(flat_forms):
        form_pub = pc.list_parent_indices(forms).to_numpy().astype(np.int64)
        form_src = pc.index_in(flat_forms.field("source"), value_set=codes).to_numpy(zero_copy_only=False)
        form_precise = pc.is_in(flat_forms.field("form"), value_set=pa.array(PRECISE_FORMS)).to_numpy(
            zero_copy_only=False
        )
        form_keys = form_pub * ns + form_src.astype(np.int64)
        known = _member(used_keys, _sorted_unique(form_keys))
        precise = _member(used_keys, _sorted_unique(form_keys[form_precise]))
    else:
        known = precise = np.zeros(len(used_keys), dtype=bool)

    flags = {
        name: table.column(f"cites_{name}").fill_null(False).to_numpy(zero_copy_only=False).astype(np.float64)
        for name in ("authorisation", "documentation", "custodian")
    }

    own = _grid(used_src, year_idx[used_pub], ns, ny)
    mentioned = np.bincount(ment_src, minlength=ns)
    groups = [[index[s], *(index[a] for a in registry.ancestors(s))] for s in source_ids]
    fam_pub, fam_src = _expand(used_pub, used_src, groups)
    family = _grid(fam_src, year_idx[fam_pub], ns, ny)
    own_total = own.sum(axis=1)
    known_n = np.bincount(used_src, weights=known, minlength=ns)
    precise_n = np.bincount(used_src, weights=precise, minlength=ns)
    flag_n = {k: np.bincount(used_src, weights=v[used_pub], minlength=ns) for k, v in flags.items()}

    sources = []
    for i, sid in enumerate(source_ids):
        s = registry[sid]
        sources.append(
            {
                "source": sid,
                "name_fr": s.names.get("fr") or s.names.get("en", ""),
                "name_en": s.names.get("en") or s.names.get("fr", ""),
                "kind": s.kind,
                "country": s.country,
                "parent": s.parent or "",
                "components": "|".join(registry.descendants(sid)),
                "custodian": s.custodian,
                "custodian_slug": slug(s.custodian) if s.custodian else "",
                "publications_own": int(own_total[i]),
                "publications_family": int(family[i].sum()),
                "mentioned_only": int(mentioned[i]),
                "forms_known": int(known_n[i]),
                "precise_share": _share(precise_n[i], known_n[i]),
                "authorisation_share": _share(flag_n["authorisation"][i], own_total[i]),
                "documentation_share": _share(flag_n["documentation"][i], own_total[i]),
                "custodian_share": _share(flag_n["custodian"][i], own_total[i]),
            }
        )
    sources_by_year = []
    for i, sid in enumerate(source_ids):
        previous = None
        for j, y in enumerate(years):
            value = int(family[i, j])
            delta, pct = _change(value, previous)
            sources_by_year.append(
                {
                    "source": sid,
                    "year": y,
                    "publications_own": int(own[i, j]),
                    "publications_family": value,
                    "change_family": delta,
                    "change_family_pct": pct,
                }
            )
            previous = value

    # Publications by year: all in the perimeter, using any source, using a French source.
    per_year = np.bincount(year_idx, minlength=ny)
    any_used = np.zeros(n_pub, dtype=bool)
    any_used[used_pub] = True
    any_french = np.zeros(n_pub, dtype=bool)
    any_french[used_pub[french[used_src]]] = True
    used_year = np.bincount(year_idx[any_used], minlength=ny)
    french_year = np.bincount(year_idx[any_french], minlength=ny)
    pair_year = year_idx[used_pub]
    by_year = []
    previous = None
    for j, y in enumerate(years):
        sel = pair_year == j
        known_y = int(known[sel].sum())
        pubs_y = any_used & (year_idx == j)
        n_used = int(pubs_y.sum())
        delta, pct = _change(int(french_year[j]), previous)
        by_year.append(
            {
                "year": y,
                "publications": int(per_year[j]),
                "using_any_source": int(used_year[j]),
                "using_french_source": int(french_year[j]),
                "change": delta,
                "change_pct": pct,
                "pairs": int(sel.sum()),
                "precise_share": _share(precise[sel].sum(), known_y),
                "authorisation_share": _share(flags["authorisation"][pubs_y].sum(), n_used),
                "documentation_share": _share(flags["documentation"][pubs_y].sum(), n_used),
                "custodian_share": _share(flags["custodian"][pubs_y].sum(), n_used),
            }
        )
        previous = int(french_year[j])

    # Custodians: a publication counts once for a custodian whatever the number of its sources it uses.
    custodian_names = sorted({s.custodian for s in registry if s.custodian})
    cust_index = {c: i for i, c in enumerate(custodian_names)}
    cust_groups = [[cust_index[registry[s].custodian]] if registry[s].custodian else [] for s in source_ids]
    cust_pub, cust_code = _expand(used_pub, used_src, cust_groups)
    nc = len(custodian_names)
    cust_grid = _grid(cust_code, year_idx[cust_pub], nc, ny) if nc else np.zeros((0, ny), np.int64)
    custodians, custodians_by_year, seen_slugs = [], [], set()
    for c, name in enumerate(custodian_names):
        key = slug(name)
        base, k = key, 2
        while key in seen_slugs:
            key, k = f"{base}-{k}", k + 1
        seen_slugs.add(key)
        members = [s for s in source_ids if registry[s].custodian == name]
        custodians.append(
            {
                "custodian_slug": key,
                "custodian": name,
                "sources": "|".join(members),
                "publications": int(cust_grid[c].sum()),
            }
        )
        for j, y in enumerate(years):
            custodians_by_year.append(
                {"custodian_slug": key, "year": y, "publications": int(cust_grid[c, j])}
            )
    for row in sources:  # the same de-duplicated slug on both tables
        if row["custodian"]:
            row["custodian_slug"] = custodians[cust_index[row["custodian"]]]["custodian_slug"]

    # Kinds of use, from the whole corpus (cases keep their own categories: see case_figures).
    uses = use_figures(
        table,
        list(inputs.typology.categories),
        year_idx,
        years,
        source_ids,
        (used_pub, used_src),
        (fam_pub, fam_src),
    )

    return {
        "perimeter": {
            "publications_in_file": int(len(years_all)),
            "in_perimeter": n_pub,
            "before_perimeter": before,
            "after_perimeter": after,
            "using_any_source": int(any_used.sum()),
            "using_french_source": int(any_french.sum()),
            "no_source_used": int(n_pub - any_used.sum()),
            "pairs_used": int(len(used_pub)),
            "pairs_with_forms": int(known.sum()),
            "pairs_precise": int(precise.sum()),
            "citing_authorisation": int(flags["authorisation"][any_used].sum()),
            "citing_documentation": int(flags["documentation"][any_used].sum()),
            "citing_custodian": int(flags["custodian"][any_used].sum()),
            **uses["summary"],
        },
        "sources": sources,
        "sources_by_year": sources_by_year,
        "publications_by_year": by_year,
        "custodians": custodians,
        "custodians_by_year": custodians_by_year,
        "categories_publications": uses["per_category"],
        "categories_by_year": uses["by_year"],
        "sources_by_category": uses["by_source"],
        "_evidence": _evidence(table, used_pub, used_src, any_french, year_idx, precise, known, source_ids,
                               int(inputs.params["evidence_per_figure"]), window, uses["labels"]),
    }  # fmt: skip


def _evidence(
    table: pa.Table,
    used_pub: np.ndarray,
    used_src: np.ndarray,
    any_french: np.ndarray,
    year_idx: np.ndarray,
    precise: np.ndarray,
    known: np.ndarray,
    source_ids: list[str],
    n: int,
    window: Window,
    labels: tuple[list[str], np.ndarray, np.ndarray] = ([], np.zeros(0, np.int64), np.zeros(0, np.int64)),
) -> dict[str, list[str]]:
    """A few publication identifiers (DOI when known, else id) behind each headline figure, smallest ids
    first so that the choice is reproducible."""
    ids = table.column("id")
    dois = table.column("doi")

    def refs(rows: np.ndarray) -> list[str]:
        rows = _sorted_unique(rows)[:n]
        return [(dois[int(r)].as_py() and f"doi:{dois[int(r)].as_py()}") or str(ids[int(r)]) for r in rows]

    last = window.last - window.first
    return {
        "latest_year": refs(np.flatnonzero(any_french & (year_idx == last))),
        "vague_naming": refs(used_pub[known & ~precise]),
        "precise_naming": refs(used_pub[precise]),
        **{f"source:{sid}": refs(used_pub[used_src == i]) for i, sid in enumerate(source_ids)},
        **{f"category:{cid}": refs(labels[1][labels[2] == k]) for k, cid in enumerate(labels[0])},
    }


# ----------------------------------------------------------------------------------------------------------
# Cases, decisions, figures
# ----------------------------------------------------------------------------------------------------------
def _earliest(date: str) -> str:
    """The first day a date of precision YYYY, YYYY-MM or YYYY-MM-DD can mean."""
    parts = date.split("-")
    return f"{parts[0]}-{parts[1] if len(parts) > 1 else '01'}-{parts[2] if len(parts) > 2 else '01'}"


def _month_range(date: str) -> tuple[int, int]:
    parts = [int(p) for p in date.split("-")]
    if len(parts) == 1:
        return parts[0] * 12, parts[0] * 12 + 11
    return parts[0] * 12 + parts[1] - 1, parts[0] * 12 + parts[1] - 1


def _known_at(date: str, observed_at: str) -> bool:
    return _earliest(date) <= observed_at


def study_to_decision(case: Case, decisions: list[dict[str, Any]]) -> dict[str, Any] | None:
    """Months from the first dated study event of a case (a timeline entry that speaks of a study, report,
    results or publication) to the first decision dated on or after it, as a range that reflects the
    precision of both dates (a date given as a year spans twelve months)."""
    studies = sorted(
        (e for e in case.timeline if STUDY_CUES.search(e.event)), key=lambda e: _earliest(e.date)
    )
    if not studies or not decisions:
        return None
    study = studies[0]
    following = sorted(
        (d for d in decisions if _month_range(d["date"])[1] >= _month_range(study.date)[0]),
        key=lambda d: _earliest(d["date"]),
    )
    if not following:
        return None
    decision = following[0]
    s_low, s_high = _month_range(study.date)
    d_low, d_high = _month_range(decision["date"])
    return {
        "case": case.id,
        "study_date": study.date,
        "study_event": study.event,
        "decision_date": decision["date"],
        "decision_type": decision["type"],
        "months_low": max(0, d_low - s_high),
        "months_high": max(0, d_high - s_low),
    }


def _figure_row(case: Case, figure: Figure, figure_id: str, included: bool) -> dict[str, Any]:
    return {
        "figure_id": figure_id,
        "case": case.id,
        "indicator": figure.indicator,
        "label": figure.label,
        "unit": figure.unit,
        "low": figure.low,
        "value": figure.value,
        "high": figure.high,
        "text": figure.text,
        "evidence_grade": figure.evidence_grade,
        "attribution_grade": figure.attribution_grade,
        "verified": figure.verified,
        "entered_at": figure.entered_at,
        "included": included,
        "source_doi": figure.source.doi,
        "source_url": figure.source.url,
        "source_location": figure.source.location or figure.source.quote,
    }


def interval_sum(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Add figures as intervals: within one case, figures in the same unit may describe overlapping
    groups (the largest low is certain, the sum of highs is the most); across cases they add up. The
    central value is given only when every case has one."""
    per_case: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        per_case[row["case"]].append(row)
    low = high = 0.0
    value: float | None = 0.0
    for figures in per_case.values():
        lows = [f["low"] if f["low"] is not None else f["value"] for f in figures]
        highs = [f["high"] if f["high"] is not None else f["value"] for f in figures]
        values = [f["value"] for f in figures if f["value"] is not None]
        low += max(lows)
        high += sum(highs)
        value = value + max(values) if (value is not None and values) else None
    return {
        "low": low,
        "value": value,
        "high": high,
        "cases": len(per_case),
        "figures": len(rows),
        "figure_ids": "|".join(sorted(r["figure_id"] for r in rows)),
    }


def case_figures(inputs: EditionInputs, window: Window) -> dict[str, Any]:
    """Cases, their decisions, figures and impact ranges as known at the observation date."""
    typology = inputs.typology
    registry = inputs.registry
    include_unverified = bool(inputs.params["include_unverified"])
    cases, decisions, figures, delays = [], [], [], []
    for case in inputs.cases.cases.values():
        case_decisions = []
        for d in case.decisions:
            if not _known_at(d.date, window.observed_at):
                continue
            row = {
                "case": case.id,
                "agency": d.agency,
                "date": d.date,
                "year": int(d.date[:4]),
                "type": d.type,
                "type_rank": typology.decision_types[d.type].rank,
                "scope": d.scope,
                "verified": d.verified,
                "included": d.verified or include_unverified,
            }
            decisions.append(row)
            if row["included"]:
                case_decisions.append(row)
        counter: dict[str, int] = defaultdict(int)
        for f in case.figures:
            counter[f.indicator] += 1
            if not _known_at(f.entered_at, window.observed_at):
                continue
            figure_id = f"{case.id}/{f.indicator}/{counter[f.indicator]}"
            figures.append(_figure_row(case, f, figure_id, f.verified or include_unverified))
        delay = study_to_decision(case, case_decisions)
        if delay:
            delays.append(delay)
        strongest = max(case_decisions, key=lambda r: r["type_rank"], default=None)
        cases.append(
            {
                "case": case.id,
                "title_fr": case.title.fr,
                "title_en": case.title.en,
                "categories": "|".join(case.categories),
                "data_sources": "|".join(case.data_sources),
                "attribution_grade": case.attribution_grade,
                "decisions": len(case_decisions),
                "strongest_decision": strongest["type"] if strongest else "",
                "first_decision": min((r["date"] for r in case_decisions), key=_earliest, default=""),
                "publications": len(case.publications),
                "dois": "|".join(p.doi for p in case.publications if p.doi),
            }
        )

    # Cases and decisions per data source (own and family), category and decision type.
    per_source: dict[str, dict[str, set]] = defaultdict(lambda: {"own": set(), "family": set()})
    for row in cases:
        for sid in row["data_sources"].split("|"):
            if not sid:
                continue
            per_source[sid]["own"].add(row["case"])
            per_source[sid]["family"].add(row["case"])
            if sid in registry:
                for ancestor in registry.ancestors(sid):
                    per_source[ancestor]["family"].add(row["case"])
    decisions_per_case = {r["case"]: r["decisions"] for r in cases}
    cases_by_source = {
        sid: {
            "cases_own": len(v["own"]),
            "cases_family": len(v["family"]),
            "decisions_family": sum(decisions_per_case[c] for c in v["family"]),
            "case_ids": "|".join(sorted(v["family"])),
        }
        for sid, v in sorted(per_source.items())
    }
    categories = []
    for cid, cat in typology.categories.items():
        members = [r for r in cases if cid in r["categories"].split("|")]
        categories.append(
            {
                "category": cid,
                "name_fr": cat.name.fr,
                "name_en": cat.name.en,
                "cases": len(members),
                "decisions": sum(r["decisions"] for r in members),
            }
        )
    decision_types = []
    for tid, rung in sorted(typology.decision_types.items(), key=lambda kv: kv[1].rank):
        chosen = [r for r in decisions if r["included"] and r["type"] == tid]
        decision_types.append(
            {
                "type": tid,
                "rank": rung.rank,
                "name_fr": rung.name.fr,
                "name_en": rung.name.en,
                "decisions": len(chosen),
                "cases": len({r["case"] for r in chosen}),
            }
        )
    decisions_by_year: dict[int, int] = defaultdict(int)
    for r in decisions:
        if r["included"]:
            decisions_by_year[r["year"]] += 1

    ranges = []
    measures = (
        ("people", PEOPLE_INDICATORS),
        ("attributable", ATTRIBUTABLE_INDICATORS),
        ("avoided", AVOIDED_INDICATORS),
    )
    for measure, codes in measures:
        grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for f in figures:
            if not f["included"] or f["indicator"] not in codes:
                continue
            unit = PERSON_UNITS.get(f["unit"], f["unit"]) if measure == "people" else f["unit"]
            if unit in COUNT_UNITS or unit == "persons":
                grouped[unit].append(f)
        for unit, rows in sorted(grouped.items()):
            ranges.append({"measure": measure, "unit": unit, **interval_sum(rows)})

    lows = [d["months_low"] for d in delays]
    highs = [d["months_high"] for d in delays]
    delay_summary = {
        "cases": len(delays),
        "median_low": statistics.median(lows) if lows else None,
        "median_high": statistics.median(highs) if highs else None,
        "case_ids": "|".join(d["case"] for d in delays),
    }
    return {
        "cases": cases,
        "decisions": decisions,
        "figures": figures,
        "cases_by_source": cases_by_source,
        "categories": categories,
        "decision_types": decision_types,
        "decisions_by_year": [{"year": y, "decisions": n} for y, n in sorted(decisions_by_year.items())],
        "impact_ranges": ranges,
        "delays": delays,
        "delay_summary": delay_summary,
        "excluded_unverified": sum(1 for f in figures if not f["included"])
        + sum(1 for d in decisions if not d["included"]),
    }


RANK_SAMPLES = 1000  # weight draws behind the ranks' stability, unless the weights file says otherwise


def _unavailable_ranking(reason_fr: str, reason_en: str) -> dict[str, Any]:
    return {
        "available": False,
        "rows": [],
        "method": "",
        "samples": 0,
        "note_fr": f"Le classement des cas et sa stabilité ne figurent pas dans cette édition : {reason_fr}.",
        "note_en": f"The ranking of cases and its stability are not part of this edition: {reason_en}.",
    }


def case_as_known(case: Case, observed_at: str, include_unverified: bool) -> Case:
    """The case as it stood at the observation date: later decisions and figures (and, unless asked,
    unverified ones) left out, so the ranking sees what the rest of the edition counts."""
    return dataclasses.replace(
        case,
        decisions=tuple(
            d for d in case.decisions if _known_at(d.date, observed_at) and (d.verified or include_unverified)
        ),
        figures=tuple(
            f
            for f in case.figures
            if _known_at(f.entered_at, observed_at) and (f.verified or include_unverified)
        ),
    )


def _plain(value: Any) -> Any:
    """JSON-ready, floats rounded to SHARE_DIGITS (numpy scalars and mappings included), so that a rebuild
    on another machine writes the same bytes."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        return round(float(value), SHARE_DIGITS)
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    if isinstance(value, list | tuple | np.ndarray):
        return [_plain(v) for v in value]
    return str(value)


VALUE_GROUPINGS = ("source", "category")
_FIGURE_REF = re.compile(r"[\w.-]+#figure-\d+")


def impact_values(inputs: EditionInputs, window: Window) -> dict[str, Any]:
    """Indicator values per data source and per category of use, from ``benefice.impact.values`` (ranges
    added as intervals, the same population counted once), over the cases as known at the observation date.
    Rows of different keys must not be added up: a case with two sources counts under both."""
    include = bool(inputs.params["include_unverified"])
    cases = [case_as_known(c, window.observed_at, include) for c in inputs.cases.cases.values()]
    # values names a figure by its position in the case it was given; the edition names it by its figure id
    ids: dict[str, str] = {}
    for case in inputs.cases.cases.values():
        counter: dict[str, int] = defaultdict(int)
        kept = 0
        for f in case.figures:
            counter[f.indicator] += 1
            if _known_at(f.entered_at, window.observed_at) and (f.verified or include):
                ids[f"{case.id}#figure-{kept}"] = f"{case.id}/{f.indicator}/{counter[f.indicator]}"
                kept += 1
    out: dict[str, Any] = {"available": True}
    for by in VALUE_GROUPINGS:
        rows = values.aggregate(cases, inputs.indicators, by, include_unverified=include)
        plain = []
        for r in rows:
            row = r.to_dict() if hasattr(r, "to_dict") else dataclasses.asdict(r)
            refs = row.get("figure_refs") or ""
            refs = [r for r in (refs.split("|") if isinstance(refs, str) else refs) if r]
            row["figure_ids"] = "|".join(ids.get(r, r) for r in refs)
            row.pop("figure_refs", None)
            row["case_ids"] = "|".join(sorted({r.split("#")[0] for r in refs}))
            row["deduplicated_populations"] = _FIGURE_REF.sub(
                lambda m: ids.get(m.group(0), m.group(0)), str(row.get("deduplicated_populations") or "")
            )
            plain.append(_plain(row))
        out[f"by_{by}"] = plain
    return out


def ranking(inputs: EditionInputs, window: Window) -> dict[str, Any]:
    """The ranking of cases with its stability, from ``benefice.impact.rank`` when it is installed.

    The criteria and weights come from the edition's frozen ``ranking.yaml`` when it has one (else the
    ranking module's defaults); cases are taken as known at the observation date. Each row gives the rank, the score and
    the range of ranks the case takes under uncertain weights (``rank_low``–``rank_high``).
    """
    spec = None
    weights = inputs.files.get(WEIGHTS_FILE)
    if weights is not None:
        with tempfile.TemporaryDirectory(prefix="benefice-weights-") as tmp:
            path = Path(tmp) / WEIGHTS_FILE
            path.write_bytes(weights)
            spec = rank.load_weights(path)
    include = bool(inputs.params["include_unverified"])
    cases = [case_as_known(c, window.observed_at, include) for c in inputs.cases.cases.values()]
    if not cases:
        return _unavailable_ranking("aucun cas documenté", "no documented case")
    if spec is None and hasattr(rank, "load_weights"):
        spec = rank.load_weights()
    samples = int(getattr(spec, "samples", RANK_SAMPLES) or RANK_SAMPLES)
    result = rank.rank_cases(cases, inputs.typology, inputs.indicators, spec, samples=samples, seed=0)
    rows = []
    for r in sorted(result.rows, key=lambda r: (r.rank, r.case_id)):
        rows.append(
            {
                "case": r.case_id,
                "rank": int(r.rank),
                "score": _plain(r.score),
                "rank_low": int(r.rank_low),
                "rank_high": int(r.rank_high),
                "rank_probabilities": _plain(r.rank_probabilities),
                "criteria": _plain(r.criteria),
            }
        )
    method = str(getattr(result, "method", "") or "weighted_sum")
    return {
        "available": True,
        "rows": rows,
        "method": method,
        "weights_version": str(getattr(getattr(result, "spec", None), "version", "") or ""),
        "samples": samples,
        "note_fr": f"Rang avec les pondérations publiées et intervalle des rangs (5e–95e centile) sur {samples} "
        f"tirages des pondérations (méthode {method}, graine fixe) : plus l'intervalle est étroit, plus le "
        "rang est stable.",
        "note_en": f"Rank under the published weights and range of ranks (5th–95th percentile) over {samples} "
        f"draws of the weights (method {method}, fixed seed): the narrower the range, the more stable the rank.",
    }


# ----------------------------------------------------------------------------------------------------------
# The edition
# ----------------------------------------------------------------------------------------------------------
def compute(inputs: EditionInputs, year: int, observed_at: str) -> dict[str, Any]:
    """All the figures of one edition as plain JSON-ready data (lists of rows, no floats beyond 4 digits)."""
    if inputs.publications.num_rows == 0:
        raise BeneficeError("the publication set is empty: an edition needs at least one publication")
    window = window_for(year, observed_at, inputs.params)
    pubs = publication_figures(inputs, window)
    if pubs["perimeter"]["in_perimeter"] == 0:
        raise BeneficeError(
            f"no publication falls in the perimeter {window.first}–{window.last} "
            f"({pubs['perimeter']['publications_in_file']} in the file, all outside it)"
        )
    cases = case_figures(inputs, window)
    for row in pubs["sources"]:
        extra = cases["cases_by_source"].get(row["source"], {})
        row["cases_own"] = extra.get("cases_own", 0)
        row["cases_family"] = extra.get("cases_family", 0)
        row["decisions_family"] = extra.get("decisions_family", 0)
    for row in cases["categories"]:  # corpus figures beside the cases' own: two columns, never added up
        row.update(pubs["categories_publications"][row["category"]])
    evidence = pubs.pop("_evidence")
    results = {
        "edition": {
            "year": window.year,
            "observed_at": window.observed_at,
            "first_publication_year": window.first,
            "last_publication_year": window.last,
        },
        "versions": {
            "registry": inputs.registry.version,
            "typology": inputs.typology.version,
            "indicators": inputs.indicators.version,
            "cases": inputs.cases.version,
        },
        "params": dict(sorted(inputs.params.items())),
        **{k: v for k, v in pubs.items() if k != "categories_publications"},
        "categories": cases["categories"],
        "cases": cases["cases"],
        "decisions": cases["decisions"],
        "decision_types": cases["decision_types"],
        "decisions_by_year": cases["decisions_by_year"],
        "figures": cases["figures"],
        "impact_ranges": cases["impact_ranges"],
        "delays": cases["delays"],
        "delay_summary": cases["delay_summary"],
        "excluded_unverified": cases["excluded_unverified"],
        "ranking": ranking(inputs, window),
        "impact_values": impact_values(inputs, window),
        "evidence": evidence,
    }
    if results["ranking"].get("weights_version"):
        results["versions"]["ranking"] = results["ranking"]["weights_version"]
    from benefice.barometer.texts import headline  # noqa: PLC0415 - texts imports this module's helpers

    results["headline"] = headline(results)
    return results
