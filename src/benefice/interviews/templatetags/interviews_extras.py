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


@register.filter
def quote_lang(language: str | None) -> str:
    """`` lang="en"`` for a quote whose language (the project's) is not the page's, "" otherwise (RGAA 8.7:
    text in another language than the page's says so)."""
    from django.utils.html import format_html
    from django.utils.translation import get_language

    page = "fr" if (get_language() or "fr").lower().startswith("fr") else "en"
    if language and language != page:
        return format_html(' lang="{}"', language)
    return ""


@register.simple_tag
def colon() -> str:
    """The colon after a label as each language writes it (a non-breaking space before it in French)."""
    from benefice.custodians.templatetags.custodians_tags import colon as custodians_colon

    return custodians_colon()
