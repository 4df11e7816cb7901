"""The charts of an edition: data, Vega-Lite specification, comment, source and method note, per language.

One definition feeds the static site (rendered by vega-embed), its CSV downloads and table alternatives,
and the PDF report (which draws the same rows as plain SVG bars, since Vega needs a browser). A chart's
comment is built from the very rows it plots.

Each chart is one builder (``Context -> Chart | None``, None when the edition has nothing for it),
registered by name in an ordered registry: :data:`NATIONAL_CHARTS` for the national barometer,
:data:`LOCAL_CHARTS` for a custodian's. Adding a chart is writing its builder and registering it here.
"""

from __future__ import annotations

from typing import Any

from benefice.barometer.charts import national
from benefice.barometer.charts.base import (
    BLUE,
    GREEN,
    GREY,
    NB,
    SCHEMA,
    TOP_CUSTODIANS,
    TOP_LINES,
    TOP_PAIRS,
    TOP_SOURCES,
    Chart,
    ChartBuilder,
    Column,
    Context,
    cell,
)
from benefice.barometer.charts.local import LOCAL_CHARTS
from benefice.barometer.charts.uses import METHOD_COLOURS, METHOD_NAMES, USE_CHARTS, use_charts

#: The national barometer's charts, in the order the site and the report show them.
NATIONAL_CHARTS: dict[str, ChartBuilder] = {
    "publications_by_year": national.publications_by_year,
    "sources": national.sources,
    "sources_by_year": national.sources_by_year,
    "custodians": national.custodians,
    "citation_by_year": national.citation_by_year,
    **USE_CHARTS,  # kinds of use from the whole corpus, then the cases' own categories apart
    "decision_types": national.decision_types,
    "impact_ranges": national.impact_ranges,
    "delays": national.delays,
    "ranking": national.ranking,  # only when the edition has a ranking
}


def _build(registry: dict[str, ChartBuilder], ctx: Context) -> list[Chart]:
    return [chart for build in registry.values() if (chart := build(ctx)) is not None]


def national_charts(results: dict[str, Any], lang: str) -> list[Chart]:
    """The national barometer in one language."""
    return _build(NATIONAL_CHARTS, Context(results, lang))


def custodian_charts(results: dict[str, Any], custodian: dict[str, Any], lang: str) -> list[Chart]:
    """The local barometer of one custodian: only its sources."""
    return _build(LOCAL_CHARTS, Context(results, lang, custodian=custodian))


__all__ = [
    "BLUE",
    "GREEN",
    "GREY",
    "LOCAL_CHARTS",
    "METHOD_COLOURS",
    "METHOD_NAMES",
    "NATIONAL_CHARTS",
    "NB",
    "SCHEMA",
    "TOP_CUSTODIANS",
    "TOP_LINES",
    "TOP_PAIRS",
    "TOP_SOURCES",
    "Chart",
    "ChartBuilder",
    "Column",
    "Context",
    "cell",
    "custodian_charts",
    "national_charts",
    "use_charts",
]
