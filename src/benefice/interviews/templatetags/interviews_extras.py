"""Template filters of the interview workspace."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext_lazy as _

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


# Codes the workspace stores, shown by their labels (a code is never shown raw on a page).
ENTITY_TYPE_LABELS = {
    "PERSON": _("person"),
    "PLACE": _("place"),
    "ORG": _("organisation"),
    "EMAIL": _("e-mail address"),
    "PHONE": _("phone number"),
    "BIRTH_DATE": _("date of birth"),
}
DETECTOR_LABELS = {
    "rule": _("pattern"),
    "list": _("project list"),
    "title": _("title or institution"),
    "ner": _("language model"),
    "propagation": _("repeated mention"),
}
CHANGE_LABELS = {
    "create": _("creation"),
    "rename": _("renaming"),
    "edit": _("edit"),
    "merge": _("merge"),
    "split": _("split"),
    "move": _("move"),
    "import": _("import"),
    "starter": _("starter codebook"),
}


@register.filter
def entity_type_label(code: str) -> str:
    return str(ENTITY_TYPE_LABELS.get(code, code))


@register.filter
def detector_labels(codes) -> str:
    return ", ".join(str(DETECTOR_LABELS.get(code, code)) for code in codes or [])


@register.filter
def change_label(code: str) -> str:
    return str(CHANGE_LABELS.get(code, code))
