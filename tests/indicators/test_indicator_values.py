"""Indicator values: ranges added as intervals, people counted once, every value traced to its figures."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from benefice.cases.catalogue import Case, Figure, Reference, load_cases
from benefice.curated import Text
from benefice.errors import BeneficeError
from benefice.indicators import values
from benefice.indicators.catalogue import load_indicators
from benefice.uses.typology import load_typology

TYPOLOGY = load_typology()
INDICATORS = load_indicators(typology=TYPOLOGY)
BOOK = load_cases(typology=TYPOLOGY, indicators=INDICATORS)
SRC = Reference(doi="10.1000/x", location="table 1")


def fig(
    indicator="A2",
    unit="deaths",
    value=None,
    low=None,
    high=None,
    population="",
    period="2010",
    verified=True,
):
    return Figure(
        indicator=indicator,
        label=f"{indicator} {value}",
        unit=unit,
        source=SRC,
        evidence_grade="observed",
        attribution_grade="reason",
        entered_by="test",
        entered_at="2026-11-29",
        value=value,
        low=low,
        high=high,
        population=population,
        period=period,
        verified=verified,
    )


def case(
    cid: str, *figures: Figure, categories=("pharmacovigilance_drug_safety",), sources=("SNDS",)
) -> Case:
    return Case(
        id=cid,
        title=Text(fr=cid, en=cid),
        summary="s",
        categories=tuple(categories),
        data_sources=tuple(sources),
        attribution_grade="reason",
        publications=(),
        decisions=(),
        figures=tuple(figures),
        timeline=(),
    )


def one(rows, **match) -> values.ValueRow:
    found = [r for r in rows if all(getattr(r, k) == v for k, v in match.items())]
    assert len(found) == 1, found
    return found[0]


def test_ranges_add_as_intervals_and_link_to_figures() -> None:
    a = case("a", fig(value=10, low=5, high=20), fig(value=3))
    b = case("b", fig(value=100, low=90, high=130, period="2008-2011"))
    rows = values.aggregate([a, b], INDICATORS, by="source")
    r = one(rows, key="SNDS", indicator="A2")
    assert (r.low, r.value, r.high) == (5 + 3 + 90, 10 + 3 + 100, 20 + 3 + 130)
    assert r.figure_refs == ("a#figure-0", "a#figure-1", "b#figure-0")
    assert r.n_figures == 3 and r.n_cases == 2 and r.method == "sum" and r.verified_only
    by_year = values.aggregate([a, b], INDICATORS, by="year")
    assert {r.key for r in by_year} == {"2010", "2011"}  # a period counts for its last year


def test_value_is_unknown_when_a_figure_has_only_a_range() -> None:
    rows = values.aggregate([case("a", fig(value=10), fig(low=1, high=4))], INDICATORS)
    r = one(rows, indicator="A2")
    assert r.value is None and (r.low, r.high) == (11, 14)


def test_same_population_counted_once_and_said() -> None:
    a = case("a", fig("A1", "persons", value=1000, low=900, high=1100, population="Users of drug X, France"))
    b = case("b", fig("A1", "persons", value=800, low=700, high=1500, population="users of drug X,  France."))
    c = case("c", fig("A1", "persons", value=50, population="Other group"))
    r = one(values.aggregate([a, b, c], INDICATORS, by="category"), indicator="A1")
    assert (r.low, r.value, r.high) == (900 + 50, 1000 + 50, 1500 + 50)
    assert len(r.deduplicated_populations) == 1
    assert (
        "counted once" in r.deduplicated_populations[0]
        and "a#figure-0, b#figure-0" in r.deduplicated_populations[0]
    )


def test_relative_population_texts_are_not_merged_across_cases() -> None:
    a = case("a", fig("A1", "persons", value=10, population="Cohort above"))
    b = case("b", fig("A1", "persons", value=20, population="Cohort above"))
    r = one(values.aggregate([a, b], INDICATORS, by="category"), indicator="A1")
    assert r.value == 30 and r.deduplicated_populations == ()


def test_non_additive_units_give_an_envelope() -> None:
    a = case("a", fig("R2", "relative_risk", value=3.1, low=2.4, high=4.0))
    b = case("b", fig("R2", "relative_risk", value=1.5, low=1.2, high=1.9))
    r = one(values.aggregate([a, b], INDICATORS, by="category"), indicator="R2")
    assert r.method == "envelope" and r.value is None and (r.low, r.high) == (1.2, 4.0)


def test_unverified_excluded_by_default_and_flagged_when_included() -> None:
    a = case("a", fig(value=10), fig(value=5, verified=False))
    assert one(values.aggregate([a], INDICATORS), indicator="A2").value == 10
    r = one(values.aggregate([a], INDICATORS, include_unverified=True), indicator="A2")
    assert r.value == 15 and not r.verified_only


def test_narrative_figures_are_skipped() -> None:
    text = dataclasses.replace(fig("A6", "text"), text="reassured prescribers")
    assert values.aggregate([case("a", text)], INDICATORS) == []


@pytest.mark.parametrize(
    ("figure", "categories", "message", "field"),
    [
        (fig(value=5, low=6), ("pharmacovigilance_drug_safety",), "low 6 > value 5", "low"),
        (fig(value=5, high=4), ("pharmacovigilance_drug_safety",), "value 5 > high 4", "high"),
        (fig(low=5, high=4), ("pharmacovigilance_drug_safety",), "low 5 > high 4", "low"),
        (fig(unit="parsecs", value=1), ("pharmacovigilance_drug_safety",), "unknown unit 'parsecs'", "unit"),
        (fig(unit="eur", value=1), ("pharmacovigilance_drug_safety",), "not a unit of indicator A2", "unit"),
        (fig(indicator="Q9", value=1), ("pharmacovigilance_drug_safety",), "unknown indicator", "indicator"),
        (fig(indicator="I1", unit="persons", value=1), ("crisis_surveillance",), "applies to", "indicator"),
    ],
)
def test_bad_figures_are_refused_naming_case_and_figure(figure, categories, message, field) -> None:
    with pytest.raises(BeneficeError) as info:
        values.aggregate(
            [case("bad_case", fig("R1", "persons", value=1), figure, categories=categories)], INDICATORS
        )
    assert "case bad_case, figure 2" in str(info.value) and message in str(info.value)
    assert info.value.field == field


def test_bad_grouping_and_duplicate_cases() -> None:
    with pytest.raises(BeneficeError, match="unknown grouping"):
        values.aggregate([], INDICATORS, by="planet")
    with pytest.raises(BeneficeError, match="listed twice"):
        values.aggregate([case("a"), case("a")], INDICATORS)


@pytest.mark.parametrize("by", values.BY)
def test_bundled_cases_aggregate(by: str) -> None:
    rows = values.aggregate(BOOK.cases.values(), INDICATORS, by=by)
    assert rows
    refs = {ref for r in rows for ref in r.figure_refs}
    for ref in refs:
        cid, idx = ref.split("#figure-")
        assert int(idx) < len(BOOK.cases[cid].figures)
    for r in rows:
        assert r.low <= r.high and (r.value is None or r.low <= r.value <= r.high)


bounds = st.tuples(
    st.floats(min_value=0, max_value=1e9),
    st.floats(min_value=0, max_value=1e9),
    st.floats(min_value=0, max_value=1e9),
).map(sorted)


@settings(max_examples=80, deadline=None)
@given(
    st.lists(
        st.tuples(
            bounds, st.sampled_from(["", "p1", "p2"]), st.booleans(), st.booleans(), st.sampled_from("ab")
        ),
        min_size=1,
        max_size=12,
    ),
    st.sampled_from(values.BY),
)
def test_ranges_stay_ordered_and_sum_bounds_hold(items, by) -> None:
    per_case: dict[str, list[Figure]] = {"a": [], "b": []}
    for (lo, v, hi), population, drop_low, drop_high, cid in items:
        per_case[cid].append(
            fig(
                "A1",
                "persons",
                value=v,
                low=None if drop_low else lo,
                high=None if drop_high else hi,
                population=population,
            )
        )
    cases = [case(cid, *figs) for cid, figs in per_case.items() if figs]
    rows = values.aggregate(cases, INDICATORS, by=by)
    for r in rows:
        assert r.low <= r.high * (1 + 1e-12) + 1e-6
        assert r.value is None or r.low - 1e-6 <= r.value <= r.high * (1 + 1e-12) + 1e-6
        # never more than the plain sum, never less than the largest single figure
        figs = [per_case[ref.split("#")[0]][int(ref.split("-")[-1])] for ref in r.figure_refs]
        assert r.high <= sum(f.high if f.high is not None else f.value for f in figs) * (1 + 1e-9) + 1e-6
        assert r.low >= max(f.low if f.low is not None else f.value for f in figs) * (1 - 1e-9) - 1e-6
