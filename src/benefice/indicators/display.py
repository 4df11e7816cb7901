"""What the indicator and case pages share: the reader's language, unit names and numbers as people read
them, the optimistic-locking form rebind and the history table rows (cases' pages show figures in the
catalogue's units, so they read them from here)."""

from __future__ import annotations

from typing import Any

from benefice.core.forms import reader_language
from benefice.i18n import pick
from benefice.indicators import services

__all__ = ["catalogue_units", "fmt_number", "rebind_version", "unit_name"]

def catalogue_units() -> dict[str, Any]:
    return services.indicator_file_meta(str(services.indicators_path(None))).get("units", {})


def unit_name(unit: str) -> str:
    names = catalogue_units().get(unit) or {}
    return pick(names.get("fr", ""), names.get("en", ""), reader_language()) or unit


def rebind_version(form, form_class, version: int, **kwargs):
    """The same posted text, now based on the current version: saving again is a conscious overwrite."""
    data = form.data.copy()
    data["version"] = str(version)
    new = form_class(data, **kwargs)
    new.is_valid()
    return new


def fmt_number(value: float | None) -> str:
    """A figure as people read it: thousands separated, no spurious decimals, in the page's language."""
    if value is None:
        return ""
    if float(value).is_integer():
        text = f"{int(value):,}"
    else:
        text = f"{value:,.3f}".rstrip("0").rstrip(".")
    if reader_language() == "fr":
        text = text.replace(",", "\u202f").replace(".", ",")
    return text
