"""The shipped impact data validates, and each kind of bad input is refused with file, id and field."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from benefice.cases.catalogue import TIMELINE_KINDS, Prose, load_cases, shown_value
from benefice.errors import BeneficeError
from benefice.i18n import pick_text
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
        label: {fr: Rapport de risques instantanés, en: Hazard ratio}
        value: 3.1
        low: 2.4
        high: 4.0
        unit: hazard_ratio
        source: {doi: 10.1002/pds.2044, location: {fr: résumé, en: abstract}}
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
            summary: {fr: Un résumé., en: A summary.}
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
    figure = GOOD_FIGURE.replace(
        "        source: {doi: 10.1002/pds.2044, location: {fr: résumé, en: abstract}}\n", ""
    )
    _expect(tmp_path, _case(figure), typology, indicators, "figures[0].source", "source is required")


def test_source_without_location_is_refused(tmp_path, typology, indicators) -> None:
    figure = GOOD_FIGURE.replace(
        "{doi: 10.1002/pds.2044, location: {fr: résumé, en: abstract}}", "{doi: 10.1002/pds.2044}"
    )
    _expect(tmp_path, _case(figure), typology, indicators, "figures[0].source", "location or a quote")


def test_source_without_doi_or_url_is_refused(tmp_path, typology, indicators) -> None:
    figure = GOOD_FIGURE.replace(
        "{doi: 10.1002/pds.2044, location: {fr: résumé, en: abstract}}",
        "{location: {fr: résumé, en: abstract}}",
    )
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
    decision = '    decisions:\n      - {agency: ANSM, date: "2019-00", type: restriction, description: {fr: d, en: d}}\n'
    _expect(tmp_path, _case(extra=decision), typology, indicators, "decisions[0].date", "bad date")
    decision = (
        '    decisions:\n      - {agency: ANSM, date: "2019-06", type: ban, description: {fr: d, en: d}}\n'
    )
    _expect(
        tmp_path, _case(extra=decision), typology, indicators, "decisions[0].type", "unknown decision type"
    )


def test_unverified_item_must_say_so(tmp_path, typology, indicators) -> None:
    decision = '    decisions:\n      - {agency: ANSM, date: "2019-06", type: restriction, description: {fr: d, en: d}, provenance: M}\n'
    _expect(tmp_path, _case(extra=decision), typology, indicators, "decisions[0].verified", "verified: false")


def test_unknown_field_is_refused(tmp_path, typology, indicators) -> None:
    figure = GOOD_FIGURE.replace("        value: 3.1", "        valeur: 3\n        value: 3.1")
    _expect(tmp_path, _case(figure), typology, indicators, "valeur", "unknown field")


# ---------------------------------------------------------------------------------------------------
# French first: every prose field of a case has its French and its English (issue 19)
# ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("old", "new", "field_part"),
    [
        ("summary: {fr: Un résumé., en: A summary.}", "summary: {en: A summary.}", "summary.fr"),
        ("summary: {fr: Un résumé., en: A summary.}", "summary: A summary.", "summary"),
        (
            "label: {fr: Rapport de risques instantanés, en: Hazard ratio}",
            "label: {en: Hazard ratio}",
            "figures[0].label.fr",
        ),
        ("location: {fr: résumé, en: abstract}", "location: abstract", "figures[0].source.location"),
        (
            "location: {fr: résumé, en: abstract}",
            "location: {fr: '', en: abstract}",
            "figures[0].source.location.fr",
        ),
    ],
)
def test_a_case_text_without_french_is_refused(tmp_path, typology, indicators, old, new, field_part) -> None:
    text = _case()
    assert old in text
    _expect(tmp_path, text.replace(old, new), typology, indicators, field_part, "")


def test_decision_timeline_and_population_texts_need_french(tmp_path, typology, indicators) -> None:
    decision = (
        '    decisions:\n      - {agency: ANSM, date: "2019-06", type: restriction, description: {en: d}}\n'
    )
    _expect(tmp_path, _case(extra=decision), typology, indicators, "decisions[0].description.fr", "missing")
    timeline = '    timeline:\n      - {date: "2019-06", kind: study, event: {en: Study published.}}\n'
    _expect(tmp_path, _case(extra=timeline), typology, indicators, "timeline[0].event.fr", "missing")
    figure = GOOD_FIGURE.replace("        unit:", "        population: {en: Cohort above}\n        unit:")
    _expect(tmp_path, _case(figure), typology, indicators, "figures[0].population.fr", "missing")


def test_a_name_or_a_period_may_be_one_string(tmp_path, typology, indicators) -> None:
    decision = (
        '    decisions:\n      - {agency: ANSM, date: "2019-06", type: restriction, description: {fr: d, en: d}}\n'
        '      - {agency: {fr: Commission européenne, en: European Commission}, date: "2019-07",'
        " type: restriction, description: {fr: d, en: d}}\n"
    )
    figure = GOOD_FIGURE.replace("        unit:", '        period: "2007-2014"\n        unit:')
    case = _load_case(tmp_path, _case(figure, extra=decision), typology, indicators).cases["demo_case"]
    assert (case.decisions[0].agency.fr, case.decisions[0].agency.en) == ("ANSM", "ANSM")
    assert (case.decisions[1].agency.fr, case.decisions[1].agency.en) == (
        "Commission européenne",
        "European Commission",
    )
    assert case.figures[0].period.fr == case.figures[0].period.en == "2007-2014"
    assert case.summary.fr == "Un résumé." and case.summary.en == "A summary."


def test_timeline_entries_have_a_known_kind(tmp_path, typology, indicators) -> None:
    good = '    timeline:\n      - {date: "2019-06", kind: study, event: {fr: Étude publiée., en: Study published.}}\n'
    case = _load_case(tmp_path, _case(extra=good), typology, indicators).cases["demo_case"]
    assert case.timeline[0].kind == "study"
    _expect(tmp_path, _case(extra=good.replace("kind: study", "kind: paper")), typology, indicators,
            "timeline[0].kind", "unknown timeline kind")  # fmt: skip
    _expect(tmp_path, _case(extra=good.replace("kind: study, ", "")), typology, indicators,
            "timeline[0].kind", "missing")  # fmt: skip


def test_every_shipped_case_text_is_in_french_and_english(typology, indicators) -> None:
    """The test issue 19 asks for: a case item lacking its French fails here (and the loader refuses it)."""
    book = load_cases(typology=typology, indicators=indicators)
    for case in book.cases.values():
        texts = [case.summary, case.notes]
        texts += [t for d in case.decisions for t in (d.agency, d.description)]
        texts += [
            t for f in case.figures for t in (f.label, f.text, f.population, f.period, f.source.location)
        ]
        texts += [e.event for e in case.timeline]
        for t in texts:
            assert bool(t.fr) == bool(t.en), (case.id, t)
        assert case.summary.fr != case.summary.en, case.id
        assert all(e.kind in TIMELINE_KINDS for e in case.timeline)
        assert not any(" :" in t.fr or " ;" in t.fr for t in texts), case.id  # a no-break space there


def test_shipped_study_dates_are_not_decision_dates(typology, indicators) -> None:
    """Issue 19: the study of 9 of 10 cases was dated on its decision day. A study entry now carries the date
    of the report or publication that made it public; where that date is unknown there is no study entry."""
    book = load_cases(typology=typology, indicators=indicators)
    studies = {cid: [e.date for e in c.timeline if e.kind == "study"] for cid, c in book.cases.items()}
    assert studies["valproate_pregnancy"] == ["2016-08-24"]  # ANSM/CNAMTS report, 24 August 2016
    assert studies["pioglitazone_bladder_cancer"] == ["2011-06-07"]  # CNAMTS report, 7 June 2011
    assert studies["mediator_benfluorex"] == []  # the date the results reached AFSSAPS is not published
    assert studies["cyproterone_meningioma"] == []
    decided_on_study_day = [
        cid for cid, c in book.cases.items()
        if studies[cid] and c.decisions and min(studies[cid]) == min(d.date for d in c.decisions)
    ]  # fmt: skip
    assert len(decided_on_study_day) < len([c for c in studies.values() if c]) / 2


@pytest.mark.parametrize(
    ("value", "low", "high", "shown"),
    [
        (4925579.0, 4925579.0, 4925579.0, (4925579.0, None)),  # no width: one number
        (None, 4925579.0, 4925579.0, (4925579.0, None)),
        (None, 1300.0, None, (1300.0, None)),  # one bound only
        (None, None, 1800.0, (1800.0, None)),
        (3.1, 2.4, 4.0, (3.1, (2.4, 4.0))),
        (None, 1300.0, 1800.0, (None, (1300.0, 1800.0))),
        (500.0, None, None, (500.0, None)),
        (3.1, 2.4, None, (3.1, None)),
    ],
)
def test_a_range_is_shown_only_when_it_has_width(value, low, high, shown) -> None:
    assert shown_value(value, low, high) == shown


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


def test_a_bilingual_text_reads_as_its_english_where_code_wants_a_string() -> None:
    """``Prose`` keeps code written for English-only texts (population keys, open data) behaving the same,
    while pages pick the reader's version; two texts are equal only when both versions are."""
    text = Prose("Cohorte ci-dessus", "Cohort above")
    assert str(text) == "Cohort above" and text.lower() == "cohort above"
    assert pick_text(text, "fr") == "Cohorte ci-dessus" and pick_text(text, "en") == "Cohort above"
    assert text != Prose("Autre cohorte", "Cohort above") and text == Prose("Cohorte ci-dessus", "Cohort above")
    assert Prose.same("ANSM").as_dict() == "ANSM" and text.as_dict() == {"fr": "Cohorte ci-dessus", "en": "Cohort above"}
