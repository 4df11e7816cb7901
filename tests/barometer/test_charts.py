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


def test_french_typography_only_where_it_was(results):
    """The kinds-of-use charts get no-break spaces in French, the others keep their plain spaces (the
    editions already published must rebuild byte for byte)."""
    by_id = {c.id: c for c in national_charts(results, "fr")}
    assert "\u00a0:" in by_id["categories_methods"].comment
    assert (
        " ;" in by_id["publications_by_year"].comment
        and "\u00a0;" not in by_id["publications_by_year"].comment
    )


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
