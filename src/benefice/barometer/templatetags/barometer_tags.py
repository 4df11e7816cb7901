"""Number formatting for barometer pages, the same as the static site's (``texts.fmt_num``/``fmt_pct``), and
the cells of a chart's table as the site writes them (``charts.cell``)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import get_language

from benefice.barometer.charts import cell
from benefice.barometer.texts import fmt_num, fmt_pct, fmt_range

register = template.Library()


def _lang() -> str:
    return "en" if (get_language() or "fr").startswith("en") else "fr"


@register.filter
def num(value: Any) -> str:
    """A count or amount with the language's thousands separator; an em dash when unknown."""
    if value is None or value == "":
        return "—"
    return fmt_num(value, _lang())


@register.filter
def pct(value: Any) -> str:
    """A share (0–1) as a percentage; an em dash when there is nothing to divide by."""
    if value is None or value == "":
        return "—"
    return fmt_pct(value, _lang())


@register.simple_tag
def span(low: Any, value: Any, high: Any) -> str:
    """A range with its central value when there is one (low–high is what the edition asserts)."""
    if low is None and high is None:
        return num(value)
    return fmt_range(value if low is None else low, value, value if high is None else high, _lang())


@register.simple_tag
def chart_cell(row: dict[str, Any], key: str) -> str:
    """One cell of a chart's table in the page's language, written as the static site writes it."""
    return cell(row.get(key), _lang(), key)


#: ISO 639-2 codes some bibliographic records carry, by their BCP 47 (ISO 639-1) code
_ISO639_2 = {"eng": "en", "fre": "fr", "fra": "fr", "ger": "de", "deu": "de", "spa": "es", "ita": "it",
             "por": "pt", "dut": "nl", "nld": "nl"}  # fmt: skip


@register.filter
def other_language(code: str | None) -> str:
    """A publication's language as an HTML ``lang`` value when it differs from the page's (RGAA 8.7), ""
    when it is the page's or unknown."""
    text = (code or "").strip().lower()
    text = _ISO639_2.get(text, text)
    if not (len(text) == 2 and text.isalpha()) or text == _lang():
        return ""
    return text
