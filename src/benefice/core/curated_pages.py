"""The two pages every curated row type shares (cases, indicators): its edit history and its file export.

One template (``core/edit_history.html``) and one download answer for both, so that the history reads the
same wherever a person edited something and an export that cannot be valid is refused the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation

from benefice.core.models import AuditEntry
from benefice.errors import BeneficeError

__all__ = ["history_page", "history_rows", "yaml_download"]


def history_rows(entries: Iterable[AuditEntry]) -> list[dict[str, Any]]:
    """Each audit entry with the fields it changed, before and after, for the history table."""
    return [
        {
            "entry": e,
            "changes": [(f, (e.before or {}).get(f), (e.after or {}).get(f)) for f in e.changed_fields],
        }
        for e in entries
    ]


def history_page(
    request: HttpRequest, *, title: str, crumbs: list[tuple[str, str]], object_type: str, object_id: str
) -> HttpResponse:
    """The history of one row: ``crumbs`` are the (label, url) pairs of the breadcrumb before "History"."""
    entries = AuditEntry.objects.filter(object_type=object_type, object_id=object_id)
    return render(request, "core/edit_history.html", {"title": title, "crumbs": crumbs, "rows": history_rows(entries)})


def yaml_download(produce: Callable[[], str], filename: str) -> HttpResponse:
    """The data file as stored, as a download; 409 with the reason when what is stored would not load back."""
    try:
        text = produce()
    except BeneficeError as exc:
        # in the reader's language (the request's, active here), the file named without its directory
        return HttpResponse(
            exc.localized(translation.get_language(), name_only=True),
            status=409,
            content_type="text/plain; charset=utf-8",
        )
    response = HttpResponse(text, content_type="application/yaml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
