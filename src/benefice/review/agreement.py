"""Agreement between screeners: percent agreement and Cohen's kappa, overall and per pair of reviewers.

Pure Python (no Django): the web app passes the decisions as plain tuples. Kappa corrects the raw agreement
for the agreement expected by chance from each reviewer's own rates (Cohen 1960,
doi:10.1177/001316446002000104); on screening data, where most records are excluded, percent agreement
alone looks excellent even for reviewers who agree on no relevant record, so both are reported.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from itertools import combinations


def percent_agreement(a: Sequence[Hashable], b: Sequence[Hashable]) -> float:
    """Share of items (0..1) on which the two raters gave the same category."""
    if len(a) != len(b):
        raise ValueError("the two raters must rate the same items")
    if not a:
        raise ValueError("no item rated by both raters")
    return sum(x == y for x, y in zip(a, b, strict=True)) / len(a)


def cohen_kappa(a: Sequence[Hashable], b: Sequence[Hashable]) -> float:
    """Cohen's kappa of two raters over the same items; NaN when chance agreement is total.

    When both raters used a single, identical category, expected agreement is 1 and kappa is 0/0: NaN is
    returned (as scikit-learn does) rather than a number that would pretend to measure something.
    """
    p_o = percent_agreement(a, b)
    n = len(a)
    count_a, count_b = Counter(a), Counter(b)
    p_e = sum(count_a[c] * count_b[c] for c in set(count_a) | set(count_b)) / (n * n)
    if math.isclose(p_e, 1.0):
        return math.nan
    return (p_o - p_e) / (1 - p_e)


@dataclass(frozen=True)
class PairAgreement:
    stage: str
    rater_a: Hashable
    rater_b: Hashable
    n: int
    agreement: float
    kappa: float


def pairwise(decisions: Iterable[tuple[str, Hashable, Hashable, Hashable]]) -> list[PairAgreement]:
    """Agreement per stage and per pair of raters, over the items both rated.

    ``decisions`` holds ``(stage, item, rater, category)`` tuples (one per rater and item). Pairs with no
    common item are left out. Raters are ordered by ``str`` so that each pair appears once.
    """
    by_stage: dict[str, dict[Hashable, dict[Hashable, Hashable]]] = defaultdict(lambda: defaultdict(dict))
    for stage, item, rater, category in decisions:
        by_stage[stage][rater][item] = category
    out: list[PairAgreement] = []
    for stage in sorted(by_stage):
        raters = by_stage[stage]
        for ra, rb in combinations(sorted(raters, key=str), 2):
            common = sorted(set(raters[ra]) & set(raters[rb]), key=str)
            if not common:
                continue
            a = [raters[ra][i] for i in common]
            b = [raters[rb][i] for i in common]
            out.append(PairAgreement(stage, ra, rb, len(common), percent_agreement(a, b), cohen_kappa(a, b)))
    return out
