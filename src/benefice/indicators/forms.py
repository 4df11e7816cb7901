"""The form editing one indicator of the catalogue: every rule a person can break gets a message on its own
field, in the reader's language; the service then re-validates the whole catalogue with the file loader.

Every text is edited in French and in English, French first (French is the original of the catalogue);
both are required, as the file loader requires them."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from benefice.core.forms import VersionedForm, bilingual_name, ranked_choices, reader_language, text_lines
from benefice.indicators import catalogue
from benefice.indicators.display import type_label
from benefice.indicators.models import Indicator
from benefice.uses.typology import Typology

PITFALLS = ("attribution", "counterfactual", "double_counting")


def _area(label, lang: str, rows: int = 3) -> forms.CharField:
    """A text in one language; ``lang`` on the field, so a screen reader reads the English in English."""
    return forms.CharField(label=label, widget=forms.Textarea(attrs={"rows": rows, "lang": lang}))


def _side(value: Any, lang: str) -> str:
    return str(value.get(lang) or "") if isinstance(value, dict) else str(value or "")


class IndicatorForm(VersionedForm):
    name_fr = forms.CharField(label=_("Name (French)"), max_length=300, widget=forms.TextInput(attrs={"lang": "fr"}))
    name_en = forms.CharField(label=_("Name (English)"), max_length=300, widget=forms.TextInput(attrs={"lang": "en"}))
    definition_fr = _area(_("Definition (French)"), "fr")
    definition_en = _area(_("Definition (English)"), "en")
    type = forms.ChoiceField(label=_("Type"))
    units = forms.MultipleChoiceField(label=_("Units allowed"), widget=forms.CheckboxSelectMultiple)
    family = forms.ChoiceField(label=_("Benefit family"))
    level = forms.ChoiceField(label=_("Impact-ladder level"))
    all_categories = forms.BooleanField(label=_("Applies to every category of use"), required=False)
    categories = forms.MultipleChoiceField(
        label=_("Categories of use"), required=False, widget=forms.CheckboxSelectMultiple
    )
    how_to_measure_fr = _area(_("How to measure (French)"), "fr")
    how_to_measure_en = _area(_("How to measure (English)"), "en")
    data_needed_fr = _area(_("Data needed, in French (one per line)"), "fr")
    data_needed_en = _area(_("Data needed, in English (one per line, in the same order)"), "en")
    pitfall_attribution_fr = _area(_("Pitfall: attribution (French)"), "fr", 2)
    pitfall_attribution_en = _area(_("Pitfall: attribution (English)"), "en", 2)
    pitfall_counterfactual_fr = _area(_("Pitfall: counterfactual (French)"), "fr", 2)
    pitfall_counterfactual_en = _area(_("Pitfall: counterfactual (English)"), "en", 2)
    pitfall_double_counting_fr = _area(_("Pitfall: double counting (French)"), "fr", 2)
    pitfall_double_counting_en = _area(_("Pitfall: double counting (English)"), "en", 2)

    def __init__(self, *args: Any, typology: Typology, meta: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["type"].choices = [(t, type_label(t)) for t in meta.get("indicator_types", [])]
        units = meta.get("units", {})
        lang = reader_language()
        self.fields["units"].choices = [(u, d.get(lang) or d.get("en") or u) for u, d in units.items()]
        self.fields["family"].choices = [(f.id, bilingual_name(f.name)) for f in typology.families.values()]
        self.fields["level"].choices = ranked_choices(typology.ladder.values())
        self.fields["categories"].choices = [(c.id, bilingual_name(c.name)) for c in typology.categories.values()]

    @classmethod
    def initial_for(cls, ind: Indicator) -> dict[str, Any]:
        d = ind.data
        cats = d.get("categories")
        pit = d.get("pitfalls") or {}
        needed = d.get("data_needed") or []
        initial: dict[str, Any] = {
            "version": ind.version,
            "type": d.get("type", ""),
            "units": d.get("units", []),
            "family": d.get("family", ""),
            "level": d.get("level", ""),
            "all_categories": cats == catalogue.ALL,
            "categories": [] if cats == catalogue.ALL else cats,
        }
        for lang in ("fr", "en"):
            for key in ("name", "definition", "how_to_measure"):
                initial[f"{key}_{lang}"] = _side(d.get(key), lang)
            initial[f"data_needed_{lang}"] = "\n".join(_side(x, lang) for x in needed)
            for key in PITFALLS:
                initial[f"pitfall_{key}_{lang}"] = _side(pit.get(key), lang)
        return initial

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if (
            not cleaned.get("all_categories")
            and not cleaned.get("categories")
            and "categories" not in self.errors
        ):
            self.add_error("categories", _("Choose at least one category of use, or tick “every category”."))
        if "data_needed_fr" in cleaned and "data_needed_en" in cleaned:
            fr, en = text_lines(cleaned["data_needed_fr"]), text_lines(cleaned["data_needed_en"])
            if len(fr) != len(en):
                self.add_error(
                    "data_needed_en",
                    _("The French and English lists need the same number of lines (French: %(fr)s, English: %(en)s).")
                    % {"fr": len(fr), "en": len(en)},
                )
        return cleaned

    def to_data(self, existing: dict[str, Any]) -> dict[str, Any]:
        """The catalogue entry with this form's changes (fields the form does not show are kept)."""
        c = self.cleaned_data

        def text(key: str) -> dict[str, str]:
            return {"fr": c[f"{key}_fr"].strip(), "en": c[f"{key}_en"].strip()}

        pitfalls = dict(existing.get("pitfalls") or {})
        pitfalls.update({key: text(f"pitfall_{key}") for key in PITFALLS})
        needed = zip(text_lines(c["data_needed_fr"]), text_lines(c["data_needed_en"]), strict=True)
        return {
            **existing,
            "name": text("name"),
            "definition": text("definition"),
            "type": c["type"],
            "units": list(c["units"]),
            "family": c["family"],
            "categories": catalogue.ALL if c["all_categories"] else list(c["categories"]),
            "level": c["level"],
            "how_to_measure": text("how_to_measure"),
            "data_needed": [{"fr": fr, "en": en} for fr, en in needed],
            "pitfalls": pitfalls,
        }
