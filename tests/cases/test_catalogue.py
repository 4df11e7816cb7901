"""The shipped impact data validates, and each kind of bad input is refused with file, id and field."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from benefice.cases.catalogue import load_cases
from benefice.errors import BeneficeError
from benefice.indicators.catalogue import load_indicators
from benefice.paths import package_data
from benefice.uses.typology import load_typology

CATEGORY_IDS = {
    "pharmacovigilance_drug_safety", "drug_utilisation", "effectiveness", "medical_devices",
    "policy_evaluation", "health_system_performance", "crisis_surveillance", "care_pathways",
    "rare_diseases", "ai_algorithms", "health_economics", "environment_social_determinants",
    "methods_data_quality",
}  # fmt: skip


@pytest.fixture(scope="module")
def typology():
    return load_typology()


@pytest.fixture(scope="module")
def indicators(typology):
    return load_indicators(typology=typology)


def test_shipped_typology(typology) -> None:
    assert set(typology.categories) == CATEGORY_IDS
    assert set(typology.families) == {
        "knowledge", "research_capacity", "informing_decisions", "health_benefits", "economic_social",
    }  # fmt: skip
    ranks = [r.id for r in sorted(typology.decision_types.values(), key=lambda r: r.rank)]
    assert ranks == [
        "communication",
        "recommendation",
        "label_change",
        "restriction",
        "reimbursement_change",
        "withdrawal",
    ]
    assert [r.id for r in sorted(typology.ladder.values(), key=lambda r: r.rank)][0] == "data_activity"
    for cat in typology.categories.values():
        assert cat.cues["fr"] and cat.cues["en"] and cat.families


def test_shipped_indicators(indicators) -> None:
    assert len(indicators.indicators) >= 30
    assert {i.type for i in indicators.indicators.values()} == {
        "count", "rate", "duration", "money", "ordinal", "narrative",
    }  # fmt: skip
    for ind in indicators.indicators.values():
        assert set(ind.pitfalls) >= {"attribution", "counterfactual", "double_counting"}


def test_shipped_cases(typology, indicators) -> None:
    book = load_cases(typology=typology, indicators=indicators)
    assert len(book.cases) >= 12
    for case in book.cases.values():
        for fig in case.figures:
            assert fig.source.doi or fig.source.url
            assert fig.source.location or fig.source.quote
            assert fig.entered_by and fig.entered_at
        for dec in case.decisions:
            if dec.provenance == "M":
                assert not dec.verified
    assert any(f.indicator == "A3" for c in book.cases.values() for f in c.figures), "a measured harm avoided"


# ---------------------------------------------------------------------------------------------------
# Bad input, with small files written here
# ---------------------------------------------------------------------------------------------------
HEADER = """\
version: "1.0.0"
changelog:
  - {version: "1.0.0", date: "2026-01-01", author: test, change: test}
"""

GOOD_FIGURE = """\
      - indicator: R2
        label: Hazard ratio
        value: 3.1
        low: 2.4
        high: 4.0
        unit: hazard_ratio
        source: {doi: 10.1002/pds.2044, location: abstract}
        evidence_grade: observed
        attribution_grade: reason
        entered_by: tester
        entered_at: "2026-01-01"
"""


def _case(
    figure: str = GOOD_FIGURE, categories: str = "[pharmacovigilance_drug_safety]", extra: str = ""
) -> str:
    return (
        HEADER
        + textwrap.dedent(
            """\
        cases:
          - id: demo_case
            title: {fr: Titre, en: Title}
            summary: A summary.
            categories: CATS
            data_sources: [SNDS]
            attribution_grade: reason
        EXTRA    figures:
        """
        )
        .replace("CATS", categories)
        .replace("EXTRA", extra)
        + figure
    )


def _load_case(tmp_path: Path, text: str, typology, indicators):
    path = tmp_path / "cases.yaml"
    path.write_text(text, encoding="utf-8")
    return load_cases(path, typology=typology, indicators=indicators)


def _expect(tmp_path, text, typology, indicators, field_part: str, message_part: str) -> BeneficeError:
    with pytest.raises(BeneficeError) as info:
        _load_case(tmp_path, text, typology, indicators)
    err = info.value
    assert err.path and err.path.endswith("cases.yaml")
    assert "demo_case" in err.message
    assert field_part in (err.field or ""), err
    assert message_part in err.message, err
    return err


def test_small_good_case_loads(tmp_path, typology, indicators) -> None:
    book = _load_case(tmp_path, _case(), typology, indicators)
    fig = book.cases["demo_case"].figures[0]
    assert (fig.value, fig.low, fig.high, fig.source.doi) == (3.1, 2.4, 4.0, "10.1002/pds.2044")


def test_figure_without_source_is_refused(tmp_path, typology, indicators) -> None:
    figure = GOOD_FIGURE.replace("        source: {doi: 10.1002/pds.2044, location: abstract}\n", "")
    _expect(tmp_path, _case(figure), typology, indicators, "figures[0].source", "source is required")


def test_source_without_location_is_refused(tmp_path, typology, indicators) -> None:
    figure = GOOD_FIGURE.replace("{doi: 10.1002/pds.2044, location: abstract}", "{doi: 10.1002/pds.2044}")
    _expect(tmp_path, _case(figure), typology, indicators, "figures[0].source", "location or a quote")


def test_source_without_doi_or_url_is_refused(tmp_path, typology, indicators) -> None:
    figure = GOOD_FIGURE.replace("{doi: 10.1002/pds.2044, location: abstract}", "{location: abstract}")
    _expect(tmp_path, _case(figure), typology, indicators, "figures[0].source", "doi or a url")


def test_unknown_category_is_refused(tmp_path, typology, indicators) -> None:
    _expect(
        tmp_path, _case(categories="[drug_safety]"), typology, indicators, "categories", "unknown category"
    )


def test_indicator_outside_its_categories_is_refused(tmp_path, typology, indicators) -> None:
    figure = GOOD_FIGURE.replace("indicator: R2", "indicator: E1").replace(
        "unit: hazard_ratio", "unit: percent"
    )
    _expect(tmp_path, _case(figure), typology, indicators, "figures[0].indicator", "applies to")


def test_unknown_indicator_is_refused(tmp_path, typology, indicators) -> None:
    figure = GOOD_FIGURE.replace("indicator: R2", "indicator: Z9")
    _expect(tmp_path, _case(figure), typology, indicators, "figures[0].indicator", "unknown indicator")


@pytest.mark.parametrize(
    ("values", "field_part", "message_part"),
    [
        ("value: 3.1\n        low: 4.0\n        high: 2.4", "figures[0].low", "greater than high"),
        ("value: 5.0\n        low: 2.4\n        high: 4.0", "figures[0].value", "above high"),
        ("value: 1.0\n        low: 2.4\n        high: 4.0", "figures[0].value", "below low"),
        ("value: null\n        low: 2.4\n        high: null", "figures[0].value", "needs a value"),
        ("value: three\n        low: 2.4\n        high: 4.0", "figures[0].value", "expected a number"),
    ],
)
def test_range_violations_are_refused(
    tmp_path, typology, indicators, values, field_part, message_part
) -> None:
    figure = GOOD_FIGURE.replace("value: 3.1\n        low: 2.4\n        high: 4.0", values)
    _expect(tmp_path, _case(figure), typology, indicators, field_part, message_part)


def test_unknown_unit_is_refused(tmp_path, typology, indicators) -> None:
    figure = GOOD_FIGURE.replace("unit: hazard_ratio", "unit: furlongs")
    _expect(tmp_path, _case(figure), typology, indicators, "figures[0].unit", "unknown unit")


def test_unit_foreign_to_indicator_is_refused(tmp_path, typology, indicators) -> None:
    figure = GOOD_FIGURE.replace("unit: hazard_ratio", "unit: eur")
    _expect(tmp_path, _case(figure), typology, indicators, "figures[0].unit", "not a unit of indicator R2")


@pytest.mark.parametrize("bad", ["2026-13-01", "2026-02-30", "01/02/2026", "soon"])
def test_bad_date_is_refused(tmp_path, typology, indicators, bad) -> None:
    figure = GOOD_FIGURE.replace('entered_at: "2026-01-01"', f'entered_at: "{bad}"')
    _expect(tmp_path, _case(figure), typology, indicators, "figures[0].entered_at", "bad date")


def test_bad_decision_date_and_type_are_refused(tmp_path, typology, indicators) -> None:
    decision = '    decisions:\n      - {agency: ANSM, date: "2019-00", type: restriction, description: d}\n'
    _expect(tmp_path, _case(extra=decision), typology, indicators, "decisions[0].date", "bad date")
    decision = '    decisions:\n      - {agency: ANSM, date: "2019-06", type: ban, description: d}\n'
    _expect(
        tmp_path, _case(extra=decision), typology, indicators, "decisions[0].type", "unknown decision type"
    )


def test_unverified_item_must_say_so(tmp_path, typology, indicators) -> None:
    decision = '    decisions:\n      - {agency: ANSM, date: "2019-06", type: restriction, description: d, provenance: M}\n'
    _expect(tmp_path, _case(extra=decision), typology, indicators, "decisions[0].verified", "verified: false")


def test_unknown_field_is_refused(tmp_path, typology, indicators) -> None:
    figure = GOOD_FIGURE.replace("label: Hazard ratio", "label: Hazard ratio\n        valeur: 3")
    _expect(tmp_path, _case(figure), typology, indicators, "valeur", "unknown field")


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_indicator_with_unknown_type_or_unit_is_refused(tmp_path, typology) -> None:
    body = HEADER + textwrap.dedent(
        """\
        units:
          persons: {fr: personnes, en: persons, dimension: count}
        indicator_types: [count, rate]
        indicators:
          - code: Q1
            name: {fr: Q, en: Q}
            definition: {fr: d, en: d}
            type: TYPE
            units: [UNIT]
            family: knowledge
            categories: [effectiveness]
            level: knowledge
            how_to_measure: {fr: m, en: m}
            data_needed: [{fr: SNDS, en: SNDS}]
            pitfalls:
              attribution: {fr: a, en: a}
              counterfactual: {fr: c, en: c}
              double_counting: {fr: d, en: d}
            since: "1.0.0"
        """
    )
    ok = load_indicators(
        _write(tmp_path, "i.yaml", body.replace("TYPE", "count").replace("UNIT", "persons")), typology
    )
    assert ok.indicators["Q1"].categories == ("effectiveness",)
    with pytest.raises(BeneficeError) as info:
        load_indicators(
            _write(tmp_path, "i.yaml", body.replace("TYPE", "score").replace("UNIT", "persons")), typology
        )
    assert info.value.field == "type" and "Q1" in info.value.message and info.value.path.endswith("i.yaml")
    with pytest.raises(BeneficeError) as info:
        load_indicators(
            _write(tmp_path, "i.yaml", body.replace("TYPE", "count").replace("UNIT", "stones")), typology
        )
    assert info.value.field == "units" and "unknown unit" in info.value.message
    with pytest.raises(BeneficeError) as info:
        bad = body.replace("TYPE", "count").replace("UNIT", "persons").replace("[effectiveness]", "[nope]")
        load_indicators(_write(tmp_path, "i.yaml", bad), typology)
    assert info.value.field == "categories"


def test_typology_category_needs_known_family(tmp_path) -> None:
    text = package_data("typology.yaml").read_text(encoding="utf-8")
    bad = text.replace("families: [research_capacity, knowledge]", "families: [research_capacity, wisdom]")
    assert bad != text
    with pytest.raises(BeneficeError) as info:
        load_typology(_write(tmp_path, "t.yaml", bad))
    assert "methods_data_quality" in info.value.message and info.value.field == "families"


def test_invalid_yaml_reports_line(tmp_path) -> None:
    with pytest.raises(BeneficeError) as info:
        load_typology(_write(tmp_path, "t.yaml", "version: '1'\nfamilies: [a, b\n"))
    assert info.value.line is not None and "invalid YAML" in info.value.message
