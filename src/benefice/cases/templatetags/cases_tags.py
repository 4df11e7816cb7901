"""Template tags of the case pages: a bilingual text in the reader's language, marked when it is not.

``{% prose figure "label" %}`` writes the version of ``label_fr`` / ``label_en`` for the page's language
(``i18n.pick``); when only the other version exists (a row stored before its French was written), the text
is wrapped in ``<span lang="…">`` so that screen readers say it in its own language (RGAA 8.7)."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.translation import get_language

from benefice.cases.labels import action_name, child_kind_name
from benefice.i18n import pick_with_language

register = template.Library()


def page_language() -> str:
    return "fr" if (get_language() or "fr").lower().startswith("fr") else "en"


@register.simple_tag
def prose(obj, name: str) -> str:
    fr, en = getattr(obj, f"{name}_fr", "") or "", getattr(obj, f"{name}_en", "") or ""
    page = page_language()
    text, shown = pick_with_language(fr, en, page)
    if text and shown != page:
        return format_html('<span lang="{}">{}</span>', shown, text)
    return format_html("{}", text)


@register.simple_tag
def lang_attr(code: str) -> str:
    """`` lang="en"`` when ``code`` is known and is not the page's language (for a citation, a quote)."""
    if code and code != page_language():
        return format_html(' lang="{}"', code)
    return ""


@register.filter
def child_kind(kind: str) -> str:
    """``figures`` → "chiffre": the item's name for the accessible text of its edit and remove buttons."""
    return child_kind_name(kind)


@register.filter
def history_action(action: str) -> str:
    """``load`` → "chargé depuis le fichier de données": a history action in words."""
    return action_name(action)
