"""What the indicator and case pages share: the reader's language, unit names and numbers as people read
them, the optimistic-locking form rebind, and the labels of the catalogue's codes (cases' pages show figures
in the catalogue's units, so they read them from here). A code is never shown raw: an indicator type, a
unit's dimension, a kind of pitfall and a field of the history each have their label in the indicators
catalogue of translations (a test checks that every code of indicators.yaml has one)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from benefice.core.forms import reader_language
from benefice.i18n import pick
from benefice.indicators import services

__all__ = [
    "catalogue_units",
    "dimension_label",
    "fmt_number",
    "history_change",
    "pitfall_label",
    "rebind_version",
    "type_label",
    "unit_name",
]

#: the indicator types of indicators.yaml (``indicator_types``)
TYPE_LABELS = {
    "count": pgettext_lazy("indicator type", "count"),
    "rate": pgettext_lazy("indicator type", "rate or ratio"),
    "duration": pgettext_lazy("indicator type", "duration"),
    "money": pgettext_lazy("indicator type", "amount of money"),
    "ordinal": pgettext_lazy("indicator type", "ordinal scale"),
    "narrative": pgettext_lazy("indicator type", "narrative"),
}

#: the dimensions of the units of indicators.yaml (units of one dimension can be compared or converted)
DIMENSION_LABELS = {
    "count": pgettext_lazy("unit dimension", "count"),
    "count_per_time": pgettext_lazy("unit dimension", "count per unit of time"),
    "proportion": pgettext_lazy("unit dimension", "proportion"),
    "relative_change": pgettext_lazy("unit dimension", "relative change"),
    "difference": pgettext_lazy("unit dimension", "difference"),
    "rate": pgettext_lazy("unit dimension", "rate"),
    "ratio": pgettext_lazy("unit dimension", "ratio"),
    "duration": pgettext_lazy("unit dimension", "duration"),
    "money": pgettext_lazy("unit dimension", "amount of money"),
    "money_per_time": pgettext_lazy("unit dimension", "amount of money per unit of time"),
    "ordinal": pgettext_lazy("unit dimension", "ordinal scale"),
    "narrative": pgettext_lazy("unit dimension", "narrative"),
}

#: the pitfalls every indicator names; a file may add others, shown by their own name
PITFALL_LABELS = {
    "attribution": _("Pitfall: attribution"),
    "counterfactual": _("Pitfall: counterfactual"),
    "double_counting": _("Pitfall: double counting"),
}


#: the keys of a catalogue entry, as the history lists them
FIELD_LABELS = {
    "code": _("Code"),
    "name": _("Name"),
    "definition": _("Definition"),
    "type": _("Type"),
    "units": _("Units"),
    "family": _("Benefit family"),
    "level": _("Impact-ladder level"),
    "categories": _("Categories of use"),
    "how_to_measure": _("How to measure"),
    "data_needed": _("Data needed"),
    "pitfalls": _("Pitfalls"),
    "since": _("In the catalogue since"),
    "changed": _("Later changes"),
}


def history_change(key: str, value: Any, typology: Any) -> tuple[str, str | None]:
    """A field of an audit entry as a person reads it: its label, and its value in the reader's language
    with codes by their names (``None`` when the field was absent, so the history shows a dash)."""
    label = str(FIELD_LABELS.get(key, key))
    if value is None:
        return label, None
    lang = reader_language()

    def text(v: Any) -> str:
        if isinstance(v, dict) and ("fr" in v or "en" in v):
            return pick(str(v.get("fr") or ""), str(v.get("en") or ""), lang)
        return str(v)

    def named(v: Any, names: dict[str, Any]) -> str:
        return pick(names[v].name.fr, names[v].name.en, lang) if v in names else str(v)

    if key == "type":
        return label, type_label(value)
    if key == "units":
        return label, ", ".join(unit_name(u) for u in value)
    if key == "family":
        return label, named(value, typology.families)
    if key == "level":
        return label, named(value, typology.ladder)
    if key == "categories":
        every = str(_("every category"))
        return label, every if value == "all" else ", ".join(named(c, typology.categories) for c in value)
    if key == "pitfalls" and isinstance(value, dict):
        return label, " · ".join(f"{pitfall_label(k)} — {text(v)}" for k, v in value.items())
    if isinstance(value, list):
        return label, "; ".join(text(v) for v in value)
    return label, text(value)


def type_label(code: str) -> str:
    return str(TYPE_LABELS.get(code, code))


def dimension_label(code: str) -> str:
    return str(DIMENSION_LABELS.get(code, code))


def pitfall_label(key: str) -> str:
    if key in PITFALL_LABELS:
        return str(PITFALL_LABELS[key])
    return str(_("Pitfall: %(kind)s") % {"kind": key.replace("_", " ")})


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
