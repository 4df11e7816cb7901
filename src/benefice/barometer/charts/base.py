"""What every chart is made of: the typed result (:class:`Chart`), what a builder gets (:class:`Context`),
the shared Vega-Lite specifications and the small text helpers."""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, NamedTuple

from benefice.barometer.texts import fmt_num, fmt_pct, french_spaces, label
from benefice.i18n import pick
from benefice.sources.labels import short_name

SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"
BLUE, GREEN, GREY = "#1f5fa8", "#2e7d5b", "#5a6270"
TOP_SOURCES = 25
TOP_CUSTODIANS = 15
TOP_LINES = 6
TOP_PAIRS = 25
NB = "\u00a0"  # no-break space: French typography before « : », inside « guillemets »
#: The axis of a count: ticks one apart at least, written as integers ("0.2 publications" is no count).
#: The ``,d`` format groups thousands with the page's separator (barometer charts.js sets the French one).
COUNT_AXIS: dict[str, Any] = {"tickMinStep": 1, "format": ",d"}
#: A nominal axis of long labels (source and category names) keeps room for the bars on a 390 px phone.
LABEL_LIMIT = 150


class Column(NamedTuple):
    """One column of a chart's table alternative and CSV: the row key and its header."""

    key: str
    header: str


@dataclass(frozen=True)
class Chart:
    """One chart in one language."""

    id: str
    title: str
    comment: str
    source: str
    method: str
    method_anchor: str
    columns: list[Column]  # (key, header) of the table alternative and CSV
    rows: list[dict[str, Any]]
    spec: dict[str, Any]
    label_key: str = ""  # for the PDF's SVG bars
    value_key: str = ""
    low_key: str = ""
    high_key: str = ""
    share: bool = False
    #: why the chart is empty (nothing to plot, or nothing but zeros), in a sentence shown instead of bare
    #: axes; "" when it has something to show
    empty_text: str = ""
    extra: dict[str, Any] = field(default_factory=dict)  # what the site and the PDF add (spec JSON, SVG…)

    def __post_init__(self) -> None:
        # The page labels the whole SVG (role=img + aria-label) and gives the data as a table: Vega's own
        # per-mark ARIA roles would be unlabelled images to a screen reader (axe: svg-img-alt).
        self.spec.setdefault("config", {})["aria"] = False

    @property
    def alt(self) -> str:
        return f"{self.title}. {self.comment}"

    @property
    def empty(self) -> bool:
        """Nothing to draw: the page shows :attr:`empty_text` (or the generic sentence) instead of axes."""
        return bool(self.empty_text) or not self.rows


@dataclass(frozen=True)
class Context:
    """What a chart builder is given: the edition's results, the language, and for a local chart the
    custodian."""

    results: dict[str, Any]
    lang: str
    custodian: dict[str, Any] | None = None
    source: str = ""  # the source line every chart of the edition carries (by default, the edition's)

    def __post_init__(self) -> None:
        if not self.source:
            object.__setattr__(self, "source", _source_line(self.results, self.lang))

    def t(self, fr: str, en: str) -> str:
        """A sentence of this chart in the context's language (titles, comments, method notes)."""
        return pick(fr, en, self.lang)

    def label(self, key: str) -> str:
        """A word of the charts (axis, legend, table header) from the barometer's labels."""
        return _label(self.lang, key)

    def source_name(self, source_id: str) -> str:
        """How a chart, its table and its comment name a source (:func:`source_names`), never by its registry
        id (``PMSI_MCO``, ``DK_REGISTRIES`` read as codes left on the page; issue 19)."""
        return self._source_names.get(source_id, source_id)

    @functools.cached_property
    def _source_names(self) -> dict[str, str]:
        from benefice.uses.typology import shipped_typology

        others = {k: pick(v.fr, v.en, self.lang) for k, v in shipped_typology().data_sources.items()}
        return source_names(self.results, self.lang, others)


def source_names(results: dict[str, Any], lang: str, others: Mapping[str, str]) -> dict[str, str]:
    """Each data-source id of an edition by the name a reader knows: ``sources.labels.short_name`` of its
    entry in the edition's results (the first acronym, else its name in ``lang``; an edition built before
    the acronym was kept names it in full), else ``others`` (the typology's names of the ids beyond the
    registry, such as OTHER_FR). One rule for the charts and the web page."""
    names = dict(others)
    for row in results.get("sources", []):
        entry = {
            "acronyms": [row["acronym"]] if row.get("acronym") else [],
            "names": {"fr": row.get("name_fr", ""), "en": row.get("name_en", "")},
        }
        names[row["source"]] = short_name(row["source"], entry, lang)
    return names


#: A chart builder: one chart from the context, or None when the edition has nothing for it.
ChartBuilder = Callable[[Context], "Chart | None"]


def french_typography(build: ChartBuilder) -> ChartBuilder:
    """A builder whose French title, comment, method note and empty-chart sentence get French typography
    (no-break spaces before « : » « ; » « % »…, inside guillemets). Every chart has it since issue 19 (it
    was the kinds-of-use charts only): an edition built before then differs from its rebuild in these
    spaces, which ``verify`` reports with the two code versions."""

    @functools.wraps(build)
    def built(ctx: Context) -> Chart | None:
        chart = build(ctx)
        if chart is None or ctx.lang != "fr":
            return chart
        return replace(
            chart,
            title=french_spaces(chart.title),
            comment=french_spaces(chart.comment),
            method=french_spaces(chart.method),
            source=french_spaces(chart.source),
            empty_text=french_spaces(chart.empty_text),
        )

    return built


def cols(*pairs: tuple[str, str]) -> list[Column]:
    return [Column(key, header) for key, header in pairs]


def _short(text: str, limit: int = 60) -> str:
    """A chart label: the text up to ``limit`` characters, cut at a word and marked with an ellipsis."""
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(" ,;:(") + "…"


def _label(lang: str, key: str) -> str:
    """``texts.LABELS`` in ``lang``, from the barometer's gettext catalogue (English for any other language)."""
    return label(key, lang)


def _q(text: str, lang: str) -> str:
    return f"«{NB}{text}{NB}»" if lang == "fr" else f"“{text}”"


def _source_line(results: dict[str, Any], lang: str) -> str:
    e, v = results["edition"], results["versions"]
    return pick(
        f"Baromètre benefice {e['year']}, publications {e['first_publication_year']}–"
        f"{e['last_publication_year']} observées le {e['observed_at']} ; registre des sources {v['registry']}, "
        f"typologie {v['typology']}, indicateurs {v['indicators']}, cas {v['cases']}.",
        f"benefice barometer {e['year']}, publications {e['first_publication_year']}–"
        f"{e['last_publication_year']} observed on {e['observed_at']}; source registry {v['registry']}, "
        f"typology {v['typology']}, indicators {v['indicators']}, cases {v['cases']}.",
        lang,
    )


def cell(value: Any, lang: str, key: str = "") -> str:
    """A table cell as text in the page's language (shares as percentages, numbers grouped)."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _label(lang, "yes") if value else _label(lang, "no")
    if key.endswith("share") or key == "change_pct":
        return fmt_pct(value, lang)
    if key == "year" or key.endswith("_year"):
        return str(value)
    if isinstance(value, int | float):
        return fmt_num(value, lang)
    return str(value)


# ----------------------------------------------------------------------------------------------------------
# Vega-Lite specifications
# ----------------------------------------------------------------------------------------------------------
def _bar(values: list[dict], x: str, y: str, x_title: str, y_title: str, *, horizontal: bool = False,
         color: str = BLUE, description: str = "", x_type: str = "ordinal") -> dict[str, Any]:  # fmt: skip
    if horizontal:
        encoding = {
            "y": {
                "field": x,
                "type": "nominal",
                "sort": "-x",
                "title": x_title,
                "axis": {"labelLimit": LABEL_LIMIT},
            },
            "x": {"field": y, "type": "quantitative", "title": y_title, "axis": dict(COUNT_AXIS)},
        }
        height: Any = {"step": 18}
    else:
        encoding = {
            "x": {"field": x, "type": x_type, "title": x_title},
            "y": {"field": y, "type": "quantitative", "title": y_title, "axis": dict(COUNT_AXIS)},
        }
        height = 240
    return {
        "$schema": SCHEMA,
        "description": description,
        "width": "container",
        "height": height,
        "data": {"values": values},
        "mark": {"type": "bar", "tooltip": True, "color": color},
        "encoding": encoding,
    }


def _lines(values: list[dict], x: str, y: str, series: str, titles: tuple[str, str, str], description: str,
           y_format: str = "") -> dict[str, Any]:  # fmt: skip
    y_enc: dict[str, Any] = {"field": y, "type": "quantitative", "title": titles[1]}
    y_enc["axis"] = {"format": y_format} if y_format else dict(COUNT_AXIS)  # a share, or a count
    return {
        "$schema": SCHEMA,
        "description": description,
        "width": "container",
        "height": 260,
        "data": {"values": values},
        "mark": {"type": "line", "point": True, "tooltip": True, "aria": False},
        "encoding": {
            "x": {"field": x, "type": "ordinal", "title": titles[0]},
            "y": y_enc,
            "color": {"field": series, "type": "nominal", "title": titles[2]},
        },
    }


def _ranges(values: list[dict], label: str, title: str, description: str) -> dict[str, Any]:
    """Horizontal low–high rules with a point at the central value (when known)."""
    y = {"field": label, "type": "nominal", "title": None, "sort": None, "axis": {"labelLimit": LABEL_LIMIT}}
    return {
        "$schema": SCHEMA,
        "description": description,
        "width": "container",
        "height": {"step": 24},
        "data": {"values": values},
        "encoding": {"y": y},
        "layer": [
            {
                "mark": {"type": "rule", "strokeWidth": 3, "color": BLUE, "tooltip": True},
                "encoding": {
                    "x": {
                        "field": "low",
                        "type": "quantitative",
                        "title": title,
                        "scale": {"zero": True},
                        "axis": dict(COUNT_AXIS),
                    },
                    "x2": {"field": "high"},
                },
            },
            {
                "mark": {"type": "tick", "color": BLUE, "thickness": 2},
                "encoding": {"x": {"field": "low", "type": "quantitative"}},
            },
            {
                "mark": {"type": "tick", "color": BLUE, "thickness": 2},
                "encoding": {"x": {"field": "high", "type": "quantitative"}},
            },
            {
                "transform": [{"filter": "datum.value != null"}],
                "mark": {"type": "point", "filled": True, "color": "#b3261e", "size": 60},
                "encoding": {"x": {"field": "value", "type": "quantitative"}},
            },
        ],
    }


def _bar_range(
    values: list[dict], label: str, x_title: str, y_title: str, description: str
) -> dict[str, Any]:
    """Horizontal bars (labelled count) with the 95 % interval of the count as a rule and the expected count
    as a point."""
    y = {
        "field": label,
        "type": "nominal",
        "title": y_title,
        "sort": None,
        "axis": {"labelLimit": LABEL_LIMIT},
    }
    return {
        "$schema": SCHEMA,
        "description": description,
        "width": "container",
        "height": {"step": 20},
        "data": {"values": values},
        "encoding": {"y": y},
        "layer": [
            {
                "mark": {"type": "bar", "color": GREEN, "opacity": 0.55, "tooltip": True},
                "encoding": {
                    "x": {
                        "field": "publications",
                        "type": "quantitative",
                        "title": x_title,
                        "axis": dict(COUNT_AXIS),
                    }
                },
            },
            {
                "mark": {"type": "rule", "strokeWidth": 2, "color": GREY},
                "encoding": {"x": {"field": "low", "type": "quantitative"}, "x2": {"field": "high"}},
            },
            {
                "mark": {"type": "point", "filled": True, "color": "#b3261e", "size": 40},
                "encoding": {"x": {"field": "expected", "type": "quantitative"}},
            },
        ],
    }
