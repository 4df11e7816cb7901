"""What review pages need to show stored values in the reader's language: exclusion reasons, and the
language of a record's own text (RGAA 8.7: text in another language than the page's says which)."""

from __future__ import annotations

import functools
import re

from django import template
from django.utils import translation
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from benefice.review.models import DEFAULT_REASONS

register = template.Library()

_LANG = re.compile(r"^[a-z]{2,3}$")


@functools.cache
def _default_reasons_en() -> frozenset[str]:
    with translation.override("en"):
        return frozenset(str(reason) for reason in DEFAULT_REASONS)


@register.filter
def reason_label(reason: str) -> str:
    """A stored exclusion reason as the reader reads it: one of the default reasons (stored in English
    when the review was created in English, or by a command) is translated; a reason the lead wrote is
    shown as written."""
    return translation.gettext(reason) if reason in _default_reasons_en() else reason


@register.filter
def reason_labels(reasons: list[str]) -> list[str]:
    return [reason_label(r) for r in reasons or []]


def record_language(record) -> str:
    """The language of a record's title and abstract when the corpus knows it (an ISO 639 code), else ''.

    Read from ``record.language`` when the view annotated it (a list of records: one query), else from
    the record's publication."""
    code = getattr(record, "language", None)
    if code is None:
        publication = getattr(record, "publication", None) if getattr(record, "publication_id", None) else None
        code = getattr(publication, "language", "") or ""
    code = (code or "").strip().lower()
    return code if _LANG.match(code) else ""


@register.simple_tag
def lang_attr(record) -> SafeString:
    """`` lang="en"`` for an element holding the record's own text, or nothing when its language is unknown."""
    code = record_language(record)
    return format_html(' lang="{}"', code) if code else mark_safe("")
