"""What every impact page shares: the reader's language, unit names and numbers as people read them,
the optimistic-locking form rebind and the history table rows."""

from __future__ import annotations

from typing import Any

from django.utils.translation import get_language

from benefice.i18n import pick
from benefice.impact import services

RANK_METHODS = ("weighted_sum", "topsis", "promethee")  # those of benefice.impact.rank.METHODS


def _lang() -> str:
    return "fr" if (get_language() or "fr").startswith("fr") else "en"


def _units() -> dict[str, Any]:
    return services._indicator_file_meta(str(services._indicators_path(None))).get("units", {})


def unit_name(unit: str) -> str:
    names = _units().get(unit) or {}
    return pick(names.get("fr", ""), names.get("en", ""), _lang()) or unit


def _rebind_version(form, form_class, version: int, **kwargs):
    """The same posted text, now based on the current version: saving again is a conscious overwrite."""
    data = form.data.copy()
    data["version"] = str(version)
    new = form_class(data, **kwargs)
    new.is_valid()
    return new


def _history_rows(entries) -> list[dict[str, Any]]:
    return [
        {
            "entry": e,
            "changes": [(f, (e.before or {}).get(f), (e.after or {}).get(f)) for f in e.changed_fields],
        }
        for e in entries
    ]


def fmt_number(value: float | None) -> str:
    """A figure as people read it: thousands separated, no spurious decimals, in the page's language."""
    if value is None:
        return ""
    if float(value).is_integer():
        text = f"{int(value):,}"
    else:
        text = f"{value:,.3f}".rstrip("0").rstrip(".")
    if _lang() == "fr":
        text = text.replace(",", "\u202f").replace(".", ",")
    return text
