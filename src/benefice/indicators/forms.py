"""The form editing one indicator of the catalogue: every rule a person can break gets a message on its own
field, in the reader's language; the service then re-validates the whole catalogue with the file loader."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from benefice.core.forms import VersionedForm, bilingual_name, ranked_choices, reader_language, text_lines
from benefice.indicators import catalogue
from benefice.indicators.models import Indicator
from benefice.uses.typology import Typology


class IndicatorForm(VersionedForm):
    name_fr = forms.CharField(label=_("Name (French)"), max_length=300)
    name_en = forms.CharField(label=_("Name (English)"), max_length=300)
    definition = forms.CharField(label=_("Definition"), widget=forms.Textarea(attrs={"rows": 3}))
    type = forms.ChoiceField(label=_("Type"))
    units = forms.MultipleChoiceField(label=_("Units allowed"), widget=forms.CheckboxSelectMultiple)
    family = forms.ChoiceField(label=_("Benefit family"))
    level = forms.ChoiceField(label=_("Impact-ladder level"))
    all_categories = forms.BooleanField(label=_("Applies to every category of use"), required=False)
    categories = forms.MultipleChoiceField(
        label=_("Categories of use"), required=False, widget=forms.CheckboxSelectMultiple
    )
    how_to_measure = forms.CharField(label=_("How to measure"), widget=forms.Textarea(attrs={"rows": 3}))
    data_needed = forms.CharField(
        label=_("Data needed (one per line)"), widget=forms.Textarea(attrs={"rows": 3})
    )
    pitfall_attribution = forms.CharField(
        label=_("Pitfall: attribution"), widget=forms.Textarea(attrs={"rows": 2})
    )
    pitfall_counterfactual = forms.CharField(
        label=_("Pitfall: counterfactual"), widget=forms.Textarea(attrs={"rows": 2})
    )
    pitfall_double_counting = forms.CharField(
        label=_("Pitfall: double counting"), widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, typology: Typology, meta: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["type"].choices = [(t, t) for t in meta.get("indicator_types", [])]
        units = meta.get("units", {})
        self.fields["units"].choices = [(u, f"{d.get(reader_language(), u)} ({u})") for u, d in units.items()]
        self.fields["family"].choices = [(f.id, bilingual_name(f.name)) for f in typology.families.values()]
        self.fields["level"].choices = ranked_choices(typology.ladder.values())
        self.fields["categories"].choices = [(c.id, bilingual_name(c.name)) for c in typology.categories.values()]

    @classmethod
    def initial_for(cls, ind: Indicator) -> dict[str, Any]:
        d = ind.data
        cats = d.get("categories")
        pit = d.get("pitfalls") or {}
        return {
            "version": ind.version,
            "name_fr": (d.get("name") or {}).get("fr", ""),
            "name_en": (d.get("name") or {}).get("en", ""),
            "definition": d.get("definition", ""),
            "type": d.get("type", ""),
            "units": d.get("units", []),
            "family": d.get("family", ""),
            "level": d.get("level", ""),
            "all_categories": cats == catalogue.ALL,
            "categories": [] if cats == catalogue.ALL else cats,
            "how_to_measure": d.get("how_to_measure", ""),
            "data_needed": "\n".join(d.get("data_needed") or []),
            "pitfall_attribution": pit.get("attribution", ""),
            "pitfall_counterfactual": pit.get("counterfactual", ""),
            "pitfall_double_counting": pit.get("double_counting", ""),
        }

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if (
            not cleaned.get("all_categories")
            and not cleaned.get("categories")
            and "categories" not in self.errors
        ):
            self.add_error("categories", _("Choose at least one category of use, or tick “every category”."))
        return cleaned

    def to_data(self, existing: dict[str, Any]) -> dict[str, Any]:
        """The catalogue entry with this form's changes (fields the form does not show are kept)."""
        c = self.cleaned_data
        pitfalls = dict(existing.get("pitfalls") or {})
        pitfalls.update(
            attribution=c["pitfall_attribution"].strip(),
            counterfactual=c["pitfall_counterfactual"].strip(),
            double_counting=c["pitfall_double_counting"].strip(),
        )
        return {
            **existing,
            "name": {"fr": c["name_fr"].strip(), "en": c["name_en"].strip()},
            "definition": c["definition"].strip(),
            "type": c["type"],
            "units": list(c["units"]),
            "family": c["family"],
            "categories": catalogue.ALL if c["all_categories"] else list(c["categories"]),
            "level": c["level"],
            "how_to_measure": c["how_to_measure"].strip(),
            "data_needed": text_lines(c["data_needed"]),
            "pitfalls": pitfalls,
        }
