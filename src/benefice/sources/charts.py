"""Vega-Lite specifications for the source pages, and mention highlighting. Pure: no Django import.

Charts carry their data inline so each one can be downloaded (PNG/SVG from vega-embed's menu) with the figures
it shows, and the same numbers are offered as CSV next to it.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

from benefice.i18n import pgettext
from benefice.sources.labels import form_label

SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"
#: counts are whole numbers: no "0.5 publication" tick
COUNT_AXIS = {"tickMinStep": 1, "format": "d"}

CONTEXT = "source chart"  # the gettext message context of the source pages' chart words

#: The words of the source pages' charts (axis and legend titles, the two roles), by the key the
#: specifications name them with. Each value is the English text and its gettext msgid; the French is the
#: msgstr in the main catalogue (locale/fr/LC_MESSAGES/django.po) under the message context "source chart",
#: read through :mod:`benefice.i18n` so this module stays free of Django.
LABELS: dict[str, str] = {
    "year": "Publication year",
    "publications": "Publications",
    "used": "uses",
    "mentioned": "mentions only",
    "role": "Role",
    "variant": "Name as written",
    "mentions": "Mentions",
    "form": "Kind of form",
    "source": "Source used with",
    "co": "Publications in common",
}


#: the page names the whole SVG (role=img, the figure's label) and lists the data beside it; Vega's own ARIA
#: labels of axes and legends are generated in English ("X-axis titled … for a discrete scale") whatever the
#: page's language, so a French page would read English to a screen reader (issue 19)
NO_VEGA_ARIA: dict[str, Any] = {"aria": False}


def _labels(lang: str) -> dict[str, str]:
    """Every word of :data:`LABELS` in ``lang``, by key: French when no language is known (the project's
    default), English (the msgid) for any language without a catalogue."""
    return {key: pgettext(CONTEXT, msgid, lang or "fr") for key, msgid in LABELS.items()}


def timeline_spec(per_year: Sequence[dict[str, Any]], lang: str = "fr") -> dict[str, Any]:
    t = _labels(lang)
    values = []
    for row in per_year:
        values.append({"year": row["year"], "role": t["used"], "n": row["used"]})
        values.append({"year": row["year"], "role": t["mentioned"], "n": row["mentioned"]})
    return {
        "$schema": SCHEMA,
        "config": NO_VEGA_ARIA,
        "width": "container",
        "height": 220,
        "data": {"values": values},
        "mark": {"type": "bar", "tooltip": True, "aria": False},
        "encoding": {
            "x": {"field": "year", "type": "ordinal", "title": t["year"]},
            "y": {"field": "n", "type": "quantitative", "title": t["publications"], "axis": COUNT_AXIS},
            "color": {
                "field": "role",
                "type": "nominal",
                "title": t["role"],
                "scale": {"domain": [t["used"], t["mentioned"]], "range": ["#1f5fa8", "#b0b7c3"]},
            },
        },
    }


def variants_spec(variants: Sequence[dict[str, Any]], lang: str = "fr") -> dict[str, Any]:
    t = _labels(lang)
    # the legend shows how the source is named in words ("acronyme"), never the detector's code
    values = [{"variant": v["text"], "form": form_label(v["form"], lang), "n": v["count"]} for v in variants]
    return {
        "$schema": SCHEMA,
        "config": NO_VEGA_ARIA,
        "width": "container",
        "height": {"step": 22},
        "data": {"values": values},
        "mark": {"type": "bar", "tooltip": True, "aria": False},
        "encoding": {
            "y": {"field": "variant", "type": "nominal", "sort": "-x", "title": t["variant"]},
            "x": {"field": "n", "type": "quantitative", "title": t["mentions"], "axis": COUNT_AXIS},
            "color": {"field": "form", "type": "nominal", "title": t["form"]},
        },
    }


def co_use_spec(co_use: Sequence[dict[str, Any]], lang: str = "fr") -> dict[str, Any]:
    t = _labels(lang)
    values = [{"source": c["source"], "n": c["count"]} for c in co_use]
    return {
        "$schema": SCHEMA,
        "config": NO_VEGA_ARIA,
        "width": "container",
        "height": {"step": 22},
        "data": {"values": values},
        "mark": {"type": "bar", "tooltip": True, "color": "#2e7d5b", "aria": False},
        "encoding": {
            "y": {"field": "source", "type": "nominal", "sort": "-x", "title": t["source"]},
            "x": {"field": "n", "type": "quantitative", "title": t["co"], "axis": COUNT_AXIS},
        },
    }


def highlight(text: str, mentions: Sequence[Any], context: int | None = None) -> str:
    """HTML-escaped text with each mention wrapped in <mark>; with ``context``, only windows around mentions."""
    if not text:
        return ""
    spans = sorted((m.start, m.end) for m in mentions if 0 <= m.start < m.end <= len(text))
    merged: list[list[int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    if context is not None and not merged:
        return html.escape(text[: 2 * context]) + ("…" if len(text) > 2 * context else "")
    out: list[str] = []
    cursor = 0
    for start, end in merged:
        lead = text[cursor:start]
        if context is not None and len(lead) > 2 * context:
            lead = (lead[:context] + " … " if cursor else "… ") + lead[-context:]
        out.append(html.escape(lead))
        out.append(f"<mark>{html.escape(text[start:end])}</mark>")
        cursor = end
    tail = text[cursor:]
    if context is not None and len(tail) > context:
        tail = tail[:context] + "…"
    out.append(html.escape(tail))
    return "".join(out)
