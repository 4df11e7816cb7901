"""What every form editing curated data shares: the reader's language for bilingual choices, partial dates
as precise as the sources, http(s)-only URLs, and the version an edit started from (optimistic locking).

The case, indicator and registry forms build on these so that a rule is written once and its message is
the same wherever it shows.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Iterable
from typing import Protocol

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from benefice.i18n import Bilingual, pick_text
from benefice.weblinks import validate_web_url

__all__ = [
    "VersionedForm",
    "WebURLField",
    "bilingual_name",
    "clean_partial_date",
    "ranked_choices",
    "reader_language",
    "text_lines",
]


class _Ranked(Protocol):
    id: str
    rank: int
    name: Bilingual


_PARTIAL_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


def reader_language() -> str:
    """"fr" or "en": the page's language, as the keys of the catalogue's bilingual entries."""
    return "fr" if (get_language() or "fr").startswith("fr") else "en"


def bilingual_name(text: Bilingual) -> str:
    return pick_text(text, reader_language())


def ranked_choices(rungs: Iterable[_Ranked]) -> list[tuple[str, str]]:
    """Choices of an ordinal scale (a typology's ladder or grades) in their order, not alphabetically."""
    return [(r.id, bilingual_name(r.name)) for r in sorted(rungs, key=lambda r: r.rank)]


def clean_partial_date(value: str, label: str) -> str:
    """YYYY, YYYY-MM or YYYY-MM-DD that exists in the calendar (sources are only as precise as they are)."""
    value = (value or "").strip()
    if not _PARTIAL_DATE.match(value):
        raise forms.ValidationError(
            _("%(field)s: use YYYY, YYYY-MM or YYYY-MM-DD (got “%(value)s”)."),
            params={"field": label, "value": value},
            code="date",
        )
    parts = [int(p) for p in value.split("-")]
    try:
        _dt.date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)
    except ValueError:
        raise forms.ValidationError(
            _("%(field)s: “%(value)s” is not a date in the calendar."),
            params={"field": label, "value": value},
            code="date",
        ) from None
    return value


class WebURLField(forms.URLField):
    """A URL field that accepts http(s) with a host only (issue 17), with our message on the field.

    Django's own ``URLValidator`` is replaced, not added to: it lets ``ftp://`` through and would repeat a
    second, vaguer message for ``javascript:``. ``assume_scheme`` still turns ``example.org`` into https.
    """

    default_validators = [validate_web_url]


class VersionedForm(forms.Form):
    """Carries the version the editor started from, and why they changed it (kept in the history)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    comment = forms.CharField(
        label=_("Why this change (kept in the history)"), required=False, max_length=500
    )


def text_lines(value: str) -> list[str]:
    """The non-blank lines of a textarea, stripped: one list item per line."""
    return [line.strip() for line in (value or "").splitlines() if line.strip()]


