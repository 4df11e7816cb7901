"""How the custodians' pages name things: a registry source by its acronym or its name (never its id), a
bilingual curated text in the page's language (marked with ``lang`` when only the other one exists), a unit
by its label, and a publication title with its language."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from benefice.i18n import pick_with_language
from benefice.sources.labels import short_name

register = template.Library()

#: ids the impact cases use for sources outside the registry
OTHER_SOURCES = {"OTHER_FR": _("other French source"), "OTHER": _("other source")}


def _page_language() -> str:
    return "fr" if (get_language() or "fr").lower().startswith("fr") else "en"


@register.filter
def source_label(source_id: str) -> str:
    """``PMSI_MCO`` → "PMSI-MCO", ``UK_BIOBANK`` → "UK Biobank": its first acronym, else its name in the
    page's language; an id the registry does not know is shown with spaces (never as a raw code)."""
    from benefice.sources.registry import load_registry

    if source_id in OTHER_SOURCES:
        return str(OTHER_SOURCES[source_id])
    source = load_registry().sources.get(source_id)
    if source is None:
        return str(source_id).replace("_", " ")
    return short_name(source_id, {"acronyms": source.acronyms, "names": source.names}, _page_language())


@register.filter
def source_labels(source_ids) -> str:
    return ", ".join(source_label(s) for s in source_ids or [])


@register.simple_tag
def bilingual(value) -> str:
    """A curated ``{fr, en}`` text in the page's language; the other language, marked, when it is all we have."""
    fr, en = getattr(value, "fr", "") or "", getattr(value, "en", "") or ""
    page = _page_language()
    text, shown = pick_with_language(fr, en, page)
    if text and shown != page:
        return format_html('<span lang="{}">{}</span>', shown, text)
    return format_html("{}", text)


@register.filter
def unit_label(unit: str) -> str:
    """A unit code of the indicator catalogue (``hazard_ratio``) by its label in the page's language."""
    from benefice.indicators.display import unit_name

    return unit_name(unit) if unit else ""


@register.simple_tag
def colon() -> str:
    """The colon after a label, as each language writes it: "Sources de données :" with a non-breaking
    space in French, "Data sources:" in English."""
    return "\u00a0:" if _page_language() == "fr" else ":"


OPERATORS = {">=": "≥", "<=": "≤", ">": ">", "<": "<"}


@register.filter
def operator_sign(operator: str) -> str:
    return OPERATORS.get(operator, operator)
