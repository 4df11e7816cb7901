"""The PDF report of an edition (WeasyPrint), with the same figures, comments and sources as the site.

Vega needs a browser, so the report draws each chart's rows itself as simple SVG bars (or low–high
ranges), followed by the table of values. WeasyPrint is imported lazily: the rest of the barometer works
without it, and a missing installation becomes one clear message.
"""

from __future__ import annotations

import html
from typing import Any

from benefice.barometer.charts import Chart, cell, national_charts
from benefice.barometer.site import _env
from benefice.barometer.texts import LANGS, fmt_num, has_width, labels, rules
from benefice.errors import BeneficeError

BAR_LIMIT = 25
WIDTH = 480


def svg_bars(chart: Chart, lang: str) -> str:
    """Horizontal bars (or ranges when the chart has low/high) for the chart's label and value columns; nothing
    for an empty chart (the report prints why instead of bare bars)."""
    if not chart.label_key or chart.empty:
        return ""
    rows = chart.rows[:BAR_LIMIT]
    ranged = bool(chart.low_key and chart.high_key)

    def number(v: Any) -> float:
        return float(v) if isinstance(v, int | float) and not isinstance(v, bool) else 0.0

    top = (
        max((number(r.get(chart.high_key if ranged else chart.value_key)) for r in rows), default=0.0) or 1.0
    )
    label_w, row_h = 170, 14
    plot_w = WIDTH - label_w - 60
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{row_h * len(rows) + 6}" '
        f'role="img" aria-label="{html.escape(chart.title)}">'
    ]
    for i, r in enumerate(rows):
        y = 3 + i * row_h
        label = html.escape(str(r.get(chart.label_key, ""))[:34])
        parts.append(f'<text x="{label_w - 4}" y="{y + 10}" font-size="8" text-anchor="end">{label}</text>')
        if ranged:
            lo, hi = number(r.get(chart.low_key)), number(r.get(chart.high_key))
            x1, x2 = label_w + plot_w * lo / top, label_w + plot_w * hi / top
            parts.append(
                f'<line x1="{x1:.1f}" y1="{y + 6}" x2="{max(x2, x1 + 1):.1f}" y2="{y + 6}" stroke="#1f5fa8" stroke-width="4"/>'
            )
            text = f"{fmt_num(lo, lang)}–{fmt_num(hi, lang)}" if has_width(lo, hi) else fmt_num(hi, lang)
            parts.append(f'<text x="{x2 + 4:.1f}" y="{y + 10}" font-size="8">{html.escape(text)}</text>')
        else:
            v = number(r.get(chart.value_key))
            w = plot_w * v / top
            parts.append(
                f'<rect x="{label_w}" y="{y + 1}" width="{w:.1f}" height="{row_h - 3}" fill="#1f5fa8"/>'
            )
            parts.append(
                f'<text x="{label_w + w + 4:.1f}" y="{y + 10}" font-size="8">{html.escape(cell(v, lang, chart.value_key))}</text>'
            )
    parts.append("</svg>")
    return "".join(parts)


def report_html(results: dict[str, Any], lang: str, code_version: str) -> str:
    charts = national_charts(results, lang)
    for c in charts:
        c.extra["svg"] = svg_bars(c, lang)

    class View:
        def __init__(self, chart: Chart) -> None:
            self.__dict__.update(chart.__dict__)
            self.svg = chart.extra["svg"]
            self.empty = chart.empty

    return (
        _env()
        .get_template("report.html")
        .render(
            lang=lang,
            t=labels(lang),
            edition=results["edition"],
            versions=results["versions"],
            code_version=code_version,
            headline=results["headline"],
            ranking=results["ranking"],
            charts=[View(c) for c in charts],
            rules=rules(results, lang),
        )
    )


def build_pdf(results: dict[str, Any], code_version: str) -> dict[str, bytes]:
    """Report file name -> PDF bytes, one per language."""
    try:
        from weasyprint import HTML  # noqa: PLC0415 - optional, heavy
    except (ImportError, OSError) as exc:
        raise BeneficeError(
            f"the PDF report needs WeasyPrint and Pango ({exc}); install them "
            "(pip install weasyprint; apt-get install libpango-1.0-0 libpangoft2-1.0-0)"
        ) from exc
    from benefice.barometer.site import report_name  # noqa: PLC0415

    out = {}
    for lang in LANGS:
        document = HTML(string=report_html(results, lang, code_version)).render()
        # Metadata dates would make two builds differ: WeasyPrint only writes them when the HTML sets them.
        out[report_name(results["edition"]["year"], lang)] = document.write_pdf()
    return out
