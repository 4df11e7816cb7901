"""The charts as a registry (issue 18, item 5): one builder per chart, in order, each returning a typed,
frozen Chart; national_charts and custodian_charts are loops over their registries."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import pytest

from benefice.barometer import charts
from benefice.barometer.charts import (
    LOCAL_CHARTS,
    NATIONAL_CHARTS,
    Chart,
    Column,
    Context,
    custodian_charts,
    national_charts,
    use_charts,
)
from benefice.barometer.texts import LABELS, labels

NATIONAL_ORDER = [
    "publications_by_year",
    "sources",
    "sources_by_year",
    "custodians",
    "citation_by_year",
    "categories",
    "categories_methods",
    "categories_by_year",
    "sources_by_category",
    "case_categories",
    "decision_types",
    "impact_ranges",
    "delays",
    "ranking",
]


@pytest.fixture(scope="module")
def results(edition) -> dict:
    return json.loads((edition / "results.json").read_text(encoding="utf-8"))


def test_registries_list_the_charts_in_order():
    assert list(NATIONAL_CHARTS) == NATIONAL_ORDER
    assert list(LOCAL_CHARTS) == ["local_by_year", "local_sources"]
    assert all(callable(build) for build in [*NATIONAL_CHARTS.values(), *LOCAL_CHARTS.values()])


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_each_builder_returns_its_typed_chart(results, lang):
    assert results["ranking"]["available"]  # so every registered chart has something to show
    ctx = Context(results, lang)
    for name, build in NATIONAL_CHARTS.items():
        chart = build(ctx)
        assert isinstance(chart, Chart), name
        assert chart.id == name  # registered under its own id
        assert chart.title and chart.comment and chart.source and chart.method and chart.method_anchor
        assert all(isinstance(c, Column) for c in chart.columns)
        assert all(c.key in row for row in chart.rows for c in chart.columns), name
        assert chart.spec["$schema"] == charts.SCHEMA and chart.spec["config"] == {"aria": False}
        with pytest.raises(dataclasses.FrozenInstanceError):
            chart.title = "changed"  # type: ignore[misc]
    custodian = next(c for c in results["custodians"] if c["publications"])
    local = Context(results, lang, custodian=custodian)
    for name, build in LOCAL_CHARTS.items():
        chart = build(local)
        assert isinstance(chart, Chart) and chart.id == name


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_national_and_local_charts_loop_over_the_registries(results, lang):
    built = national_charts(results, lang)
    assert [c.id for c in built] == NATIONAL_ORDER
    ctx = Context(results, lang)
    assert built == [build(ctx) for build in NATIONAL_CHARTS.values()]
    assert use_charts(results, lang, ctx.source) == built[5:10]
    custodian = next(c for c in results["custodians"] if c["publications"])
    assert [c.id for c in custodian_charts(results, custodian, lang)] == list(LOCAL_CHARTS)


def test_a_chart_without_data_is_left_out(results):
    unranked = dict(results, ranking=dict(results["ranking"], available=False))
    assert NATIONAL_CHARTS["ranking"](Context(unranked, "en")) is None
    assert [c.id for c in national_charts(unranked, "en")] == NATIONAL_ORDER[:-1]


def test_french_typography_in_every_chart(results):
    """Every chart's French sentences get no-break spaces before « : » and « ; » (issue 19, French first)."""
    by_id = {c.id: c for c in national_charts(results, "fr")}
    assert "\u00a0:" in by_id["categories_methods"].comment
    comment = by_id["publications_by_year"].comment
    assert "\u00a0;" in comment and " ;" not in comment
    for chart in by_id.values():
        for text in (chart.title, chart.comment, chart.method, chart.empty_text):
            assert not re.search(r" [:;!?]", text), (chart.id, text)


def test_chart_words_come_from_the_labels_in_both_languages():
    """Axes, legends and table headers are texts.LABELS entries, translated in the barometer's catalogue."""
    assert set(labels("fr")) == set(labels("en")) == set(LABELS)
    package = Path(charts.__file__).parent
    used = {
        key
        for module in package.glob("*.py")
        for key in re.findall(r'label\((?:lang, )?"(\w+)"\)', module.read_text(encoding="utf-8"))
    }
    assert {"year", "publications", "category", "interval_low", "source_header"} <= used
    assert used <= set(LABELS)
    assert charts.METHOD_NAMES["person"] == {"fr": labels("fr")["method_person"], "en": "person"}
    assert labels("fr")["method_person"] == "personne"


# ----------------------------------------------------------------------------------------------------------
# Issue 19: integer axes for counts, empty charts that say why, headline sentences that do not read as bugs
# ----------------------------------------------------------------------------------------------------------
def _axes(spec: dict) -> list[tuple[str, dict]]:
    """The quantitative position encodings that draw an axis (those with a title), in a spec and its layers."""
    found = []
    for part in [spec, *spec.get("layer", [])]:
        for channel, enc in part.get("encoding", {}).items():
            if channel in ("x", "y") and enc.get("type") == "quantitative" and "title" in enc:
                found.append((channel, enc))
    return found


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_every_count_axis_has_integer_ticks(results, lang):
    """No "0.2 publications": an axis of counts steps by one at least and writes integers."""
    custodian = next(c for c in results["custodians"] if c["publications"])
    built = national_charts(results, lang) + custodian_charts(results, custodian, lang)
    counted = 0
    for chart in built:
        axes = _axes(chart.spec)
        assert axes, chart.id
        for _channel, enc in axes:
            if chart.share:
                assert enc["axis"]["format"] == "%", chart.id
                continue
            assert enc["axis"]["tickMinStep"] == 1 and enc["axis"]["format"] == ",d", chart.id
            counted += 1
    assert counted >= len(built) - 1  # all but the citation shares


def _render_block(chart, lang: str) -> str:
    from benefice.barometer.site import _ChartView, _env

    template = _env().from_string(
        '{% from "_chart.html" import chart_block with context %}{{ chart_block(c, t, lang, "x.csv", "", "") }}'
    )
    chart.extra["spec_json"] = json.dumps(chart.spec)
    return template.render(c=_ChartView(chart), t=labels(lang), lang=lang, methodology_href="m.html")


def test_an_empty_chart_is_a_sentence_saying_why_not_bare_axes(results):
    no_pairs = dict(results, sources_by_category=[])
    chart = NATIONAL_CHARTS["sources_by_category"](Context(no_pairs, "fr"))
    assert chart.empty and "couple" in chart.empty_text
    html = _render_block(chart, "fr")
    assert "data-spec" not in html and chart.empty_text.replace("'", "&#39;") in html
    # all zeros is empty too: no decision at the observation date draws no bars of height zero
    no_decision = dict(
        results, decision_types=[dict(r, decisions=0, cases=0) for r in results["decision_types"]]
    )
    chart = NATIONAL_CHARTS["decision_types"](Context(no_decision, "en"))
    assert chart.empty and "no decision" in chart.empty_text.lower()
    assert "0 decisions" not in chart.comment
    full = NATIONAL_CHARTS["sources_by_category"](Context(results, "fr"))
    assert not full.empty and "data-spec" in _render_block(full, "fr")


def test_a_range_is_written_as_a_range_only_when_it_has_width(results):
    from benefice.barometer.texts import fmt_range, fmt_span, headline

    assert fmt_span(4925579, 4925579, "fr") == "4\u202f925\u202f579"
    assert fmt_span(3, 5, "fr") == "3 à 5" and fmt_span(3, 5, "en") == "3 to 5"
    assert fmt_range(7, 7, 7, "en") == "7" and fmt_range(5, 6, 8, "en") == "6 (5–8)"
    people = next(r for r in results["impact_ranges"] if r["measure"] == "people")
    flat = dict(results, impact_ranges=[dict(people, low=1200.0, value=1200.0, high=1200.0)])
    figure = next(h for h in headline(flat) if h["id"] == "people")
    assert figure["value_fr"] == "1\u202f200" and "1\u202f200 à" not in figure["comment_fr"]
    assert "1,200 to 1,200" not in figure["comment_en"]
    chart = NATIONAL_CHARTS["impact_ranges"](Context(flat, "fr"))
    assert " à " not in chart.comment
    wide = dict(results, impact_ranges=[dict(people, low=800.0, value=None, high=1500.0)])
    figure = next(h for h in headline(wide) if h["id"] == "people")
    assert "de 800 à 1\u202f500 personnes" in figure["comment_fr"] and figure["value_en"] == "800–1,500"


def test_progresses_most_only_when_a_source_grew(results):
    grew = NATIONAL_CHARTS["sources_by_year"](Context(results, "en"))
    last = results["edition"]["last_publication_year"]
    flat = dict(
        results,
        sources_by_year=[dict(r, publications_family=3) for r in results["sources_by_year"]],
    )
    for lang, word in (("fr", "progresse"), ("en", "grows")):
        chart = NATIONAL_CHARTS["sources_by_year"](Context(flat, lang))
        assert word not in chart.comment and str(last) in chart.comment
        assert "0 publications" not in chart.comment and "0 more" not in chart.comment
    assert "grows most" in grew.comment or "None of the top" in grew.comment


def test_no_dated_study_says_the_delay_cannot_be_measured(results):
    from benefice.barometer.texts import headline

    undated = dict(results, delays=[], delay_summary={"cases": 0, "median_low": None, "median_high": None,
                                                       "case_ids": ""})  # fmt: skip
    figure = next(h for h in headline(undated) if h["id"] == "delay")
    assert figure["value_fr"] == "Non mesurable" and "étude datée" in figure["comment_fr"]
    apart = dict(undated, delay_summary=dict(undated["delay_summary"], without_study=3))
    figure = next(h for h in headline(apart) if h["id"] == "delay")
    assert "3 cas ont des décisions sans étude datée" in figure["comment_fr"]
    assert "3 cases have decisions but no dated study" in figure["comment_en"]
    assert "0–0" not in figure["value_fr"] and "mois" not in figure["value_fr"]
    chart = NATIONAL_CHARTS["delays"](Context(undated, "fr"))
    assert chart.empty and "étude datée" in chart.empty_text
    same = dict(results, delay_summary=dict(results["delay_summary"], median_low=4.0, median_high=4.0))
    figure = next(h for h in headline(same) if h["id"] == "delay")
    assert figure["value_fr"] == "4 mois" and "4 à 4" not in figure["comment_fr"]


def test_counts_take_the_right_plural():
    from benefice.barometer.texts import count

    assert count(1, "publication", "publications", "fr") == "1 publication"
    assert count(0, "publication", "publications", "fr") == "0 publication"
    assert count(0, "publication", "publications", "en") == "0 publications"
    assert count(2, "publication", "publications", "fr") == "2 publications"


def test_the_report_prints_why_a_chart_is_empty_instead_of_bars(results):
    from benefice.barometer.pdf import report_html, svg_bars

    no_pairs = dict(results, sources_by_category=[])
    chart = NATIONAL_CHARTS["sources_by_category"](Context(no_pairs, "fr"))
    assert svg_bars(chart, "fr") == ""
    page = report_html(no_pairs, "fr", "test")
    assert chart.empty_text.replace("'", "&#39;") in page
    assert "registre " in page and "registry " not in page  # the versions line in French too


def test_one_source_is_not_written_as_a_plural(results):
    one = dict(results, sources=[dict(r, publications_family=r["publications_family"] if r["source"] == "SNDS" else 0)
                                 for r in results["sources"]])  # fmt: skip
    chart = NATIONAL_CHARTS["sources"](Context(one, "fr"))
    assert chart.title == "La source la plus utilisée (avec ses composantes)"
