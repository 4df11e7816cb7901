"""The screening page's recall chart, drawn on the server as inline SVG (no script, no chart library).

As in ASReview LAB's "progress recall" chart: the cumulative number of relevant records found (y) against
the number of records screened (x), with the diagonal of screening in random order for comparison
(:class:`benefice.review.stopping.RecallCurve`). A curve well above the diagonal means the model puts the
relevant records first; a curve that has gone flat means the last records screened held few relevant ones.

Pure: the caller passes the words, already translated, and gets markup; every text is escaped here. The
SVG is an image with a title and a description (``role="img"``, ``aria-labelledby``); the page gives the
same facts in a sentence beside it, so the chart is never the only way to read them.
"""

from __future__ import annotations

import math
from html import escape

from benefice.review.stopping import RecallCurve

WIDTH, HEIGHT = 320, 200
LEFT, RIGHT, TOP, BOTTOM = 40, 10, 10, 34


def integer_ticks(maximum: int, most: int = 5) -> list[int]:
    """Whole-number ticks from 0 to at least ``maximum``, at most ``most`` + 1 of them, on a 1-2-5 step:
    a count of records is never drawn as 0.5."""
    if maximum <= 0:
        return [0, 1]
    raw = maximum / most
    power = 10 ** math.floor(math.log10(raw)) if raw >= 1 else 1
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    step = max(1, int(step))
    top = step * math.ceil(maximum / step)
    return list(range(0, top + 1, step))


def recall_svg(curve: RecallCurve, words: dict[str, str], *, chart_id: str = "recall-chart") -> str:
    """The chart as an ``<svg>`` element. ``words``, translated by the caller: ``title``, ``desc`` (the
    text alternative), ``x`` and ``y`` (axis titles), ``model`` and ``random`` (the two lines' names)."""
    x_ticks = integer_ticks(max(curve.screened, 1))
    y_ticks = integer_ticks(max(curve.found, 1), most=4)
    x_max, y_max = x_ticks[-1], y_ticks[-1]
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(n: float) -> float:
        return round(LEFT + plot_w * n / x_max, 1)

    def y(n: float) -> float:
        return round(TOP + plot_h * (1 - n / y_max), 1)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="recall-chart" id="{escape(chart_id)}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-labelledby="{escape(chart_id)}-title '
        f'{escape(chart_id)}-desc">',
        f'<title id="{escape(chart_id)}-title">{escape(words["title"])}</title>',
        f'<desc id="{escape(chart_id)}-desc">{escape(words["desc"])}</desc>',
        '<g class="grid" aria-hidden="true">',
    ]
    for t in y_ticks:
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(t)}" y2="{y(t)}"/>')
        parts.append(f'<text class="tick" x="{LEFT - 4}" y="{y(t) + 3}" text-anchor="end">{t}</text>')
    for t in x_ticks:
        parts.append(
            f'<text class="tick" x="{x(t)}" y="{TOP + plot_h + 12}" text-anchor="middle">{t}</text>'
        )
    parts.append("</g>")
    parts.append(
        f'<text class="axis-title" x="{LEFT + plot_w / 2}" y="{HEIGHT - 4}" text-anchor="middle">'
        f"{escape(words['x'])}</text>"
    )
    parts.append(
        f'<text class="axis-title" x="10" y="{TOP + plot_h / 2}" text-anchor="middle" '
        f'transform="rotate(-90 10 {TOP + plot_h / 2})">{escape(words["y"])}</text>'
    )
    end = max(curve.screened, 0)
    parts.append(
        f'<line class="random" x1="{x(0)}" y1="{y(0)}" x2="{x(end)}" y2="{y(curve.random_at(end))}">'
        f"<title>{escape(words['random'])}</title></line>"
    )
    path = " ".join(f"{x(n)},{y(k)}" for n, k in curve.points)
    parts.append(f'<polyline class="found" points="{path}"><title>{escape(words["model"])}</title></polyline>')
    parts.append("</svg>")
    return "".join(parts)
