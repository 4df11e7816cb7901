"""``{% source_name id %}`` and ``{% source_names ids %}``: a source named the way a reader knows it.

Pages of every app list sources by their registry ids (a case's data sources, a project's, a facet): the
id is a key, the reader gets the source's short name (``labels.short_name``: its first acronym, else its
name in the page's language). The registry is read once per request, whatever the number of tags.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import template
from django.utils import translation

from benefice.sources import labels

register = template.Library()


def _entries(context: template.Context) -> dict[str, dict[str, Any]]:
    from benefice.sources.models import Source

    request = context.get("request")
    cached = getattr(request, "_source_entries", None) if request is not None else None
    if cached is None:
        cached = {
            s.id: s.data or {"names": {"fr": s.name_fr, "en": s.name_en}}
            for s in Source.objects.only("id", "data", "name_fr", "name_en")
        }
        if request is not None:
            request._source_entries = cached
    return cached


@register.simple_tag(takes_context=True)
def source_name(context: template.Context, source_id: str) -> str:
    source_id = str(source_id or "")
    return labels.short_name(source_id, _entries(context).get(source_id), translation.get_language())


@register.simple_tag(takes_context=True)
def source_names(context: template.Context, source_ids: Iterable[str] | str | None, sep: str = ", ") -> str:
    """Several sources, in the order given, joined by ``sep`` (a list of ids, or ids already joined by
    commas as some exports store them)."""
    if not source_ids:
        return ""
    ids = [i.strip() for i in source_ids.split(",")] if isinstance(source_ids, str) else list(source_ids)
    entries, lang = _entries(context), translation.get_language()
    return sep.join(labels.short_name(str(i), entries.get(str(i)), lang) for i in ids if str(i))
