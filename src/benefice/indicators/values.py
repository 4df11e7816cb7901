"""Indicator values per case, data source, year or category of use, with their ranges carried through.

A benefit figure is rarely one number: it is an estimate with a range, about a population, from a source.
Adding them up naively double-counts people (two cases about the same users of a drug) and hides the
uncertainty. So this module:

* adds ranges as intervals: lows add up, highs add up (a missing low or high is the value itself);
* counts people once: figures with the same indicator about the same population (same population key)
  take the largest range (element-wise max of low, value, high), not the sum, and the row says so;
* adds only additive quantities (counts, counts per year, money); for ratios, rates, durations… several
  figures give the envelope (lowest low, highest high) and no central value, marked ``method='envelope'``;
* links every value to the figures it came from (``case_id#figure-index``);
* leaves unverified figures out unless asked, and flags rows that include them;
* refuses inconsistent ranges, unknown units or indicators, and indicators used outside their categories,
  naming the case and the figure.

Pure Python, no Django.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from benefice.cases.catalogue import Case, Figure
from benefice.errors import BeneficeError
from benefice.indicators.catalogue import IndicatorCatalogue

BY = ("case", "source", "year", "category")
ADDITIVE_DIMENSIONS = ("count", "count_per_time", "money", "money_per_time")
# population texts that only make sense inside their case ("Cohort above"): never merged across cases
_RELATIVE = re.compile(r"\b(above|same|previous|ci-dessus|idem|même)\b", re.IGNORECASE)
_YEAR = re.compile(r"(?<!\d)(1[89]\d\d|20\d\d)(?!\d)")


@dataclass(frozen=True)
class ValueRow:
    """One aggregated value: `key` (a case id, data source, year or category) x indicator x unit."""

    by: str
    key: str
    indicator: str
    unit: str
    value: float | None  # None when a figure has no central value, or for an envelope
    low: float
    high: float
    n_figures: int
    figure_refs: tuple[str, ...]  # "case_id#figure-index" (0-based, in the case's order)
    deduplicated_populations: tuple[str, ...]  # "population (indicator): max of case#figure-i, …"
    verified_only: bool  # False when at least one unverified figure was included on request
    method: str = "sum"  # 'sum' (intervals added), 'single' or 'envelope' (non-additive unit)
    n_cases: int = 0
    # the same as deduplicated_populations, as data: (population, its figure refs), for pages in any language
    merged_populations: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def to_dict(self) -> dict[str, object]:
        return {
            "by": self.by,
            "key": self.key,
            "indicator": self.indicator,
            "unit": self.unit,
            "value": self.value,
            "low": self.low,
            "high": self.high,
            "n_figures": self.n_figures,
            "n_cases": self.n_cases,
            "method": self.method,
            "figure_refs": "|".join(self.figure_refs),
            "deduplicated_populations": " | ".join(self.deduplicated_populations),
            "verified_only": self.verified_only,
        }


def figure_ref(case: Case, index: int) -> str:
    return f"{case.id}#figure-{index}"


def figure_year(figure: Figure) -> str:
    """The year a figure belongs to: the last year named in its period (the year by which it is known).

    A period "2007-2008" counts for 2008; no year in the period gives "unknown".
    """
    years = _YEAR.findall(figure.period or "")
    return years[-1] if years else "unknown"


def population_key(case: Case, figure: Figure) -> str:
    """Normalised population text; empty (never merged) when the figure names no population; scoped to the
    case when the text only refers to something said earlier in that case ("Cohort above")."""
    text = " ".join((figure.population or "").lower().split()).strip(" .;,")
    if not text:
        return ""
    if _RELATIVE.search(text):
        return f"{case.id}: {text}"
    return text


def check_figure(case: Case, index: int, figure: Figure, indicators: IndicatorCatalogue) -> None:
    """Refuse a figure the sums cannot trust; the message names the case, the figure and the field."""
    where = f"case {case.id}, figure {index + 1} ({figure.label or figure.indicator})"
    indicator = indicators.indicators.get(figure.indicator)
    if indicator is None:
        raise BeneficeError(f"{where}: unknown indicator {figure.indicator!r}", field="indicator")
    if figure.unit not in indicators.units:
        raise BeneficeError(
            f"{where}: unknown unit {figure.unit!r} (known: {', '.join(sorted(indicators.units))})",
            field="unit",
        )
    if figure.unit not in indicator.units:
        raise BeneficeError(
            f"{where}: unit {figure.unit!r} is not a unit of indicator {indicator.code} "
            f"({', '.join(indicator.units)})",
            field="unit",
        )
    if not indicator.applies_to(case.categories):
        raise BeneficeError(
            f"{where}: indicator {indicator.code} applies to {', '.join(indicator.categories)}, not to the "
            f"case's categories ({', '.join(case.categories)})",
            field="indicator",
        )
    low, value, high = figure.low, figure.value, figure.high
    if low is not None and high is not None and low > high:
        raise BeneficeError(f"{where}: inconsistent range, low {low:g} > high {high:g}", field="low")
    if value is not None and low is not None and low > value:
        raise BeneficeError(f"{where}: inconsistent range, low {low:g} > value {value:g}", field="low")
    if value is not None and high is not None and value > high:
        raise BeneficeError(f"{where}: inconsistent range, value {value:g} > high {high:g}", field="high")


def _bounds(f: Figure) -> tuple[float, float | None, float]:
    """(low, value, high) with a missing low or high replaced by the value."""
    low = f.low if f.low is not None else f.value
    high = f.high if f.high is not None else f.value
    assert low is not None and high is not None  # numeric figures have a value or both bounds
    return float(low), (float(f.value) if f.value is not None else None), float(high)


def _keys(case: Case, figure: Figure, by: str) -> list[str]:
    if by == "case":
        return [case.id]
    if by == "source":
        return list(case.data_sources) or ["unknown"]
    if by == "year":
        return [figure_year(figure)]
    return list(case.categories)


def aggregate(
    cases: Iterable[Case],
    indicators: IndicatorCatalogue,
    by: str = "case",
    *,
    include_unverified: bool = False,
) -> list[ValueRow]:
    """Aggregate every numeric figure of `cases` by case, data source, year or category of use.

    Rows are sorted by key, indicator and unit. With ``by='source'`` or ``'category'`` a case with several
    sources or categories counts under each, so rows of different keys must not be added together.
    """
    if by not in BY:
        raise BeneficeError(f"unknown grouping {by!r} (choose from {', '.join(BY)})")
    groups: dict[tuple[str, str, str], list[tuple[Case, int, Figure]]] = defaultdict(list)
    seen: set[str] = set()
    for case in cases:
        if case.id in seen:
            raise BeneficeError(f"case {case.id} listed twice")
        seen.add(case.id)
        for i, figure in enumerate(case.figures):
            check_figure(case, i, figure, indicators)
            if figure.value is None and (figure.low is None or figure.high is None):
                continue  # narrative (text) figure: nothing to add
            if not figure.verified and not include_unverified:
                continue
            for key in _keys(case, figure, by):
                groups[(key, figure.indicator, figure.unit)].append((case, i, figure))
    rows = []
    for (key, indicator, unit), items in sorted(groups.items()):
        rows.append(_row(by, key, indicator, unit, items, indicators))
    return rows


def _row(
    by: str,
    key: str,
    indicator: str,
    unit: str,
    items: list[tuple[Case, int, Figure]],
    indicators: IndicatorCatalogue,
) -> ValueRow:
    refs = tuple(figure_ref(c, i) for c, i, _ in items)
    verified_only = all(f.verified for _, _, f in items)
    n_cases = len({c.id for c, _, _ in items})
    additive = indicators.units[unit].dimension in ADDITIVE_DIMENSIONS
    if len(items) == 1 or not additive:
        lows, values, highs = zip(*(_bounds(f) for _, _, f in items), strict=True)
        if len(items) == 1:
            return ValueRow(by, key, indicator, unit, values[0], lows[0], highs[0], 1, refs, (), verified_only,
                            "single", n_cases)  # fmt: skip
        return ValueRow(by, key, indicator, unit, None, min(lows), max(highs), len(items), refs, (),
                        verified_only, "envelope", n_cases)  # fmt: skip
    # additive: one contribution per population (max of its figures), contributions summed
    by_population: dict[str, list[tuple[Case, int, Figure]]] = defaultdict(list)
    for n, (case, i, figure) in enumerate(items):
        pkey = population_key(case, figure) or f"\0{n}"  # no population named: never merged
        by_population[pkey].append((case, i, figure))
    low = high = 0.0
    value: float | None = 0.0
    dedup = []
    merged = []
    for members in by_population.values():
        bounds = [_bounds(f) for _, _, f in members]
        low += max(b[0] for b in bounds)
        high += max(b[2] for b in bounds)
        centrals = [b[1] for b in bounds]
        if value is not None and all(v is not None for v in centrals):
            value += max(v for v in centrals if v is not None)
        else:
            value = None
        if len(members) > 1:
            dedup.append(
                f"{members[0][2].population} ({indicator}): counted once, max of "
                + ", ".join(figure_ref(c, i) for c, i, _ in members)
            )
            merged.append((members[0][2].population, tuple(figure_ref(c, i) for c, i, _ in members)))
    return ValueRow(by, key, indicator, unit, value, low, high, len(items), refs, tuple(dedup), verified_only,
                    "sum", n_cases, tuple(merged))  # fmt: skip
