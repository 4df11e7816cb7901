"""Template filters of the interview workspace."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def figure(value) -> str:
    """Agreement figures to three decimals; an undefined figure (None) shows as a dash, not as 0."""
    if value is None or value == "":
        return "—"
    try:
        return f"{float(value):.3f}"
    except (TypeError, ValueError):
        return str(value)
