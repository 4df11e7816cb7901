"""Forms for the cases, their figures, decisions, publications and timeline: every rule a person can break gets a message on its own field.

The services re-validate the whole case with the file loader before saving (so nothing invalid is stored);
these forms exist so that, in the common cases, the message is in the user's language and sits next to
the field to fix: low ≤ value ≤ high, a real date, a source with a place in it, an indicator that applies
to the case's categories, a unit that is the indicator's.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from benefice.cases.catalogue import TIMELINE_KINDS
from benefice.cases.labels import SCOPE_NAMES, source_label, timeline_kind_name
from benefice.cases.models import Case
from benefice.core.forms import (
    VersionedForm,
    WebURLField,
    bilingual_name,
    clean_partial_date,
    ranked_choices,
    reader_language,
)
from benefice.corpus.identifiers import normalise_doi
from benefice.indicators.models import Indicator
from benefice.uses.typology import Typology


def both_or_neither(form: forms.Form, cleaned: dict[str, Any], name: str, *, required: bool = False) -> None:
    """A prose field is written in French and English (French first): the side left empty gets the message.

    ``required`` fields need both; optional ones need both or neither (the file has no half-translated text)."""
    fr, en = cleaned.get(f"{name}_fr"), cleaned.get(f"{name}_en")
    if f"{name}_fr" in form.errors or f"{name}_en" in form.errors:
        return
    if not (fr or en) and not required:
        return
    if not fr:
        form.add_error(f"{name}_fr", _("Write the French text (French is the original of every case text)."))
    if not en:
        form.add_error(f"{name}_en", _("Write the English text as well."))


def same_if_one(values: dict[str, Any], name: str) -> None:
    """A name or a period given in one language only reads the same in the other (``ANSM``, ``2007-2014``)."""
    fr, en = values.get(f"{name}_fr", ""), values.get(f"{name}_en", "")
    values[f"{name}_fr"], values[f"{name}_en"] = fr or en, en or fr


def _text_pair(
    label_fr: Any, label_en: Any, *, rows: int = 0, required: bool = False, max_length: int | None = None
) -> tuple[forms.CharField, forms.CharField]:
    """The French and the English field of one text, French first; each input says its language (``lang``)."""

    def widget(lang: str) -> forms.Widget:
        if rows:
            return forms.Textarea(attrs={"rows": rows, "lang": lang})
        return forms.TextInput(attrs={"lang": lang})

    kwargs: dict[str, Any] = {"required": required, "max_length": max_length}
    return (
        forms.CharField(label=label_fr, widget=widget("fr"), **kwargs),
        forms.CharField(label=label_en, widget=widget("en"), **kwargs),
    )


class CaseForm(VersionedForm):
    title_fr = forms.CharField(label=_("Title (French)"), max_length=500)
    title_en = forms.CharField(label=_("Title (English)"), max_length=500)
    summary_fr, summary_en = _text_pair(_("Summary (French)"), _("Summary (English)"), rows=6, required=True)
    categories = forms.MultipleChoiceField(label=_("Categories of use"), widget=forms.CheckboxSelectMultiple)
    data_sources = forms.MultipleChoiceField(
        label=_("Data sources"), required=False, widget=forms.CheckboxSelectMultiple
    )
    attribution_grade = forms.ChoiceField(label=_("Attribution grade of the case"))
    notes_fr, notes_en = _text_pair(_("Notes (French)"), _("Notes (English)"), rows=3)

    FIELDS = (
        "title_fr", "title_en", "summary_fr", "summary_en", "categories", "data_sources", "attribution_grade",
        "notes_fr", "notes_en",
    )  # fmt: skip

    def __init__(self, *args: Any, typology: Typology, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.case = case
        self.fields["categories"].choices = [(c.id, bilingual_name(c.name)) for c in typology.categories.values()]
        self.fields["data_sources"].choices = [
            (k, _source_choice(k, str(bilingual_name(t)))) for k, t in typology.data_sources.items()
        ]
        self.fields["attribution_grade"].choices = ranked_choices(typology.attribution_grades.values())[::-1]

    @classmethod
    def initial_for(cls, case: Case) -> dict[str, Any]:
        return {"version": case.version, **{f: getattr(case, f) for f in cls.FIELDS}}

    def clean_categories(self) -> list[str]:
        cats = list(self.cleaned_data["categories"])
        for fig in self.case.figures.select_related("indicator"):
            allowed = fig.indicator.categories(_typology_of(self))
            if not any(c in allowed for c in cats):
                raise forms.ValidationError(
                    _(
                        "Figure “%(label)s” uses indicator %(code)s, which applies to none of these categories."
                    ),
                    params={"label": fig.label, "code": fig.indicator_id},
                )
        return cats

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        both_or_neither(self, cleaned, "summary", required=True)
        both_or_neither(self, cleaned, "notes")
        return cleaned

    def values(self) -> dict[str, Any]:
        c = self.cleaned_data
        return {f: (c[f].strip() if isinstance(c[f], str) else list(c[f])) for f in self.FIELDS}


def _source_choice(source_id: str, name: str) -> str:
    """"SNDS — Système national…" for an acronym; the name alone for an id that is a code (OTHER_FR)."""
    label = source_label(source_id, name)
    return f"{label} — {name}" if label != name else name


def _typology_of(form: forms.Form) -> Typology:
    from benefice.uses.typology import shipped_typology

    return shipped_typology()


class SourceMixin(forms.Form):
    """The evidence behind a figure or a decision; at least a DOI or a URL."""

    source_doi = forms.CharField(label=_("Source DOI"), required=False, max_length=255)
    source_url = WebURLField(label=_("Source URL"), required=False, max_length=1000, assume_scheme="https")
    source_location_fr, source_location_en = _text_pair(
        _("Where in the source (page, table, paragraph), in French"),
        _("Where in the source, in English"),
        max_length=1000,
    )
    source_quote = forms.CharField(
        label=_("Exact quote"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    source_provenance = forms.ChoiceField(
        label=_("Provenance of the source"),
        required=False,
        choices=[
            ("", _("entered from the source itself")),
            ("S", _("S: found in an archived copy of the source")),
            ("S-prev", _("S-prev: from an earlier compilation of archived pages")),
            ("M", _("M: not checked in a source (unverified)")),
        ],
    )
    verified = forms.BooleanField(label=_("Checked against the source"), required=False, initial=True)

    need_location = True

    def clean_source_doi(self) -> str:
        raw = self.cleaned_data.get("source_doi", "").strip()
        if not raw:
            return ""
        doi = normalise_doi(raw)
        if not doi:
            raise forms.ValidationError(_("Not a DOI: a DOI looks like 10.1234/abc."))
        return doi

    def clean_sources(self, cleaned: dict[str, Any]) -> None:
        if not (cleaned.get("source_doi") or cleaned.get("source_url")):
            if "source_doi" not in self.errors and "source_url" not in self.errors:
                self.add_error(
                    "source_doi",
                    _(
                        "A source is required: give its DOI or its URL (a figure without a source is refused)."
                    ),
                )
        located = cleaned.get("source_location_fr") or cleaned.get("source_location_en")
        if self.need_location and not (located or cleaned.get("source_quote")):
            self.add_error(
                "source_location_fr", _("Say where in the source the number is, or paste the exact quote.")
            )
        both_or_neither(self, cleaned, "source_location")
        if cleaned.get("source_provenance") == "M" and cleaned.get("verified"):
            self.add_error(
                "verified",
                _(
                    "A source tagged M has not been checked: untick “checked against the source” or change the tag."
                ),
            )


class FigureForm(SourceMixin, VersionedForm):
    indicator = forms.ChoiceField(label=_("Indicator"))
    label_fr, label_en = _text_pair(
        _("What the number is (French)"), _("What the number is (English)"), required=True, max_length=1000
    )
    value = forms.FloatField(label=_("Value"), required=False)
    low = forms.FloatField(label=_("Low (lower bound)"), required=False)
    high = forms.FloatField(label=_("High (upper bound)"), required=False)
    unit = forms.ChoiceField(label=_("Unit"))
    text_fr, text_en = _text_pair(
        _("Text, in French (narrative indicators only)"), _("Text, in English"), rows=3
    )
    population_fr, population_en = _text_pair(
        _("Population (French)"), _("Population (English)"), max_length=1000
    )
    period_fr, period_en = _text_pair(
        _("Period (French, or a date range for both)"), _("Period (English)"), max_length=100
    )
    evidence_grade = forms.ChoiceField(label=_("Evidence grade"))
    attribution_grade = forms.ChoiceField(label=_("Attribution grade"))

    field_order = [
        "indicator", "label_fr", "label_en", "value", "low", "high", "unit", "text_fr", "text_en",
        "population_fr", "population_en", "period_fr", "period_en", "source_doi", "source_url",
        "source_location_fr", "source_location_en", "source_quote", "source_provenance", "verified",
        "evidence_grade", "attribution_grade", "comment", "version",
    ]  # fmt: skip

    def __init__(
        self,
        *args: Any,
        typology: Typology,
        case: Case,
        units: dict[str, Any],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.typology, self.case = typology, case
        self.indicators = {i.code: i for i in Indicator.objects.all()}
        self.fields["indicator"].choices = [
            (code, f"{code} — {ind.name(reader_language())}")
            for code, ind in self.indicators.items()
            if any(c in ind.categories(typology) for c in case.categories)
        ]
        self.fields["unit"].choices = [(u, f"{d.get(reader_language(), u)} ({u})") for u, d in units.items()]
        self.fields["evidence_grade"].choices = [
            (g.id, bilingual_name(g.name)) for g in typology.evidence_grades.values()
        ]
        self.fields["attribution_grade"].choices = ranked_choices(typology.attribution_grades.values())[::-1]

    def clean_indicator(self) -> str:
        code = self.cleaned_data["indicator"]
        ind = self.indicators.get(code)
        if ind is None or not any(c in ind.categories(self.typology) for c in self.case.categories):
            raise forms.ValidationError(
                _("Indicator %(code)s does not apply to this case's categories."), params={"code": code}
            )
        return code

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        ind = self.indicators.get(cleaned.get("indicator", ""))
        unit = cleaned.get("unit")
        if ind is not None and unit and unit not in ind.units:
            self.add_error(
                "unit",
                _("Unit “%(unit)s” is not a unit of indicator %(code)s (allowed: %(units)s).")
                % {"unit": unit, "code": ind.code, "units": ", ".join(ind.units)},
            )
        value, low, high = cleaned.get("value"), cleaned.get("low"), cleaned.get("high")
        narrative = ind is not None and ind.type == "narrative" and unit == "text"
        both_or_neither(self, cleaned, "label", required=True)
        both_or_neither(self, cleaned, "population")
        if narrative:
            if not (cleaned.get("text_fr") or cleaned.get("text_en")):
                self.add_error("text_fr", _("A narrative figure needs its text."))
            else:
                both_or_neither(self, cleaned, "text")
            if value is not None or low is not None or high is not None:
                self.add_error("value", _("A narrative figure has a text and no value, low or high."))
        elif (
            value is None
            and (low is None or high is None)
            and not {"value", "low", "high"} & set(self.errors)
        ):
            self.add_error("value", _("Give a value, or both a low and a high bound."))
        if low is not None and high is not None and low > high:
            self.add_error(
                "low",
                _("Low (%(low)s) is greater than high (%(high)s).")
                % {"low": f"{low:g}", "high": f"{high:g}"},
            )
        if value is not None and low is not None and value < low:
            self.add_error(
                "value", _("Value (%(v)s) is below low (%(low)s).") % {"v": f"{value:g}", "low": f"{low:g}"}
            )
        if value is not None and high is not None and value > high:
            self.add_error(
                "value",
                _("Value (%(v)s) is above high (%(high)s).") % {"v": f"{value:g}", "high": f"{high:g}"},
            )
        self.clean_sources(cleaned)
        return cleaned

    VALUES = (
        "indicator", "label_fr", "label_en", "value", "low", "high", "unit", "text_fr", "text_en",
        "population_fr", "population_en", "period_fr", "period_en", "source_doi", "source_url",
        "source_location_fr", "source_location_en", "source_quote", "source_provenance", "verified",
        "evidence_grade", "attribution_grade",
    )  # fmt: skip

    def values(self) -> dict[str, Any]:
        c = self.cleaned_data
        out = {k: (c[k].strip() if isinstance(c[k], str) else c[k]) for k in self.VALUES}
        out["indicator_id"] = out.pop("indicator")
        same_if_one(out, "period")
        return out


class DecisionForm(SourceMixin, VersionedForm):
    agency_fr, agency_en = _text_pair(
        _("Agency (French, or its acronym)"), _("Agency (English, if it differs)"), max_length=200
    )
    date = forms.CharField(label=_("Date (YYYY, YYYY-MM or YYYY-MM-DD)"), max_length=10)
    type = forms.ChoiceField(label=_("Type of decision (weakest to strongest)"))
    scope = forms.ChoiceField(label=_("Scope"))
    description_fr, description_en = _text_pair(
        _("Description (French)"), _("Description (English)"), rows=3, required=True
    )
    provenance = forms.ChoiceField(
        label=_("Provenance of the decision"),
        required=False,
        choices=SourceMixin.base_fields["source_provenance"].choices,
    )

    need_location = False
    field_order = [
        "agency_fr", "agency_en", "date", "type", "scope", "description_fr", "description_en", "provenance",
        "source_doi", "source_url", "source_location_fr", "source_location_en", "source_quote",
        "source_provenance", "verified", "comment", "version",
    ]  # fmt: skip
    VALUES = (
        "agency_fr", "agency_en", "date", "type", "scope", "description_fr", "description_en", "provenance",
        "source_doi", "source_url", "source_location_fr", "source_location_en", "source_quote",
        "source_provenance", "verified",
    )  # fmt: skip

    def __init__(self, *args: Any, typology: Typology, **kwargs: Any) -> None:
        kwargs.pop("case", None)
        kwargs.pop("units", None)
        super().__init__(*args, **kwargs)
        self.fields["type"].choices = ranked_choices(typology.decision_types.values())
        self.fields["scope"].choices = list(SCOPE_NAMES.items())
        self.fields["source_doi"].label = _("Reference DOI (optional)")
        self.fields["source_url"].label = _("Reference URL (optional)")

    def clean_date(self) -> str:
        return clean_partial_date(self.cleaned_data["date"], str(self.fields["date"].label))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if not (cleaned.get("agency_fr") or cleaned.get("agency_en")):
            self.add_error("agency_fr", _("Name the agency (its acronym is enough when it is the same in both languages)."))
        both_or_neither(self, cleaned, "description", required=True)
        both_or_neither(self, cleaned, "source_location")
        has_ref = any(
            cleaned.get(k)
            for k in ("source_doi", "source_url", "source_location_fr", "source_location_en", "source_quote")
        )
        if has_ref and not (cleaned.get("source_doi") or cleaned.get("source_url")):
            self.add_error("source_url", _("A reference needs a DOI or a URL."))
        if cleaned.get("provenance") == "M" and cleaned.get("verified"):
            self.add_error("verified", _("A decision tagged M has not been checked: untick “checked”."))
        return cleaned

    def values(self) -> dict[str, Any]:
        c = self.cleaned_data
        out = {k: (c[k].strip() if isinstance(c[k], str) else c[k]) for k in self.VALUES}
        same_if_one(out, "agency")
        return out


class PublicationForm(VersionedForm):
    citation = forms.CharField(label=_("Citation"), widget=forms.Textarea(attrs={"rows": 2}))
    doi = forms.CharField(label=_("DOI"), required=False, max_length=255)
    pmid = forms.CharField(label=_("PMID"), required=False, max_length=20)
    url = WebURLField(label=_("URL"), required=False, max_length=1000, assume_scheme="https")
    language = forms.RegexField(
        label=_("Language of the publication (two letters: en, fr), if known"),
        regex=r"^[a-zA-Z]{2}$",
        required=False,
        max_length=2,
        error_messages={"invalid": _("Give the language as two letters (en, fr), or leave it empty.")},
    )
    verified = forms.BooleanField(label=_("Checked against the source"), required=False, initial=True)
    outside_corpus = forms.BooleanField(
        label=_("Keep it although the corpus does not hold this DOI or PMID"), required=False
    )
    VALUES = ("citation", "doi", "pmid", "url", "language", "verified")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        for k in ("typology", "case", "units"):
            kwargs.pop(k, None)
        super().__init__(*args, **kwargs)
        self.corpus_publication = None

    def clean_doi(self) -> str:
        raw = self.cleaned_data.get("doi", "").strip()
        if raw and not normalise_doi(raw):
            raise forms.ValidationError(_("Not a DOI: a DOI looks like 10.1234/abc."))
        return normalise_doi(raw)

    def clean_language(self) -> str:
        return self.cleaned_data.get("language", "").strip().lower()

    def clean_pmid(self) -> str:
        raw = self.cleaned_data.get("pmid", "").strip()
        if raw and not (raw.isascii() and raw.isdigit()):
            raise forms.ValidationError(_("A PMID is a number."))
        return raw

    def clean(self) -> dict[str, Any]:
        from benefice.cases.services import find_in_corpus

        cleaned = super().clean()
        doi, pmid = cleaned.get("doi", ""), cleaned.get("pmid", "")
        if not (doi or pmid or cleaned.get("url")) and cleaned.get("verified"):
            self.add_error(
                "doi", _("Give a DOI, PMID or URL, or untick “checked” (the publication is unverified).")
            )
        if (doi or pmid) and not self.errors:
            self.corpus_publication = find_in_corpus(doi, pmid)
            if self.corpus_publication is None and not cleaned.get("outside_corpus"):
                self.add_error(
                    "doi",
                    _(
                        "The corpus holds no publication with this DOI or PMID. Import it into the corpus first, "
                        "or tick “keep it although the corpus does not hold it”."
                    ),
                )
        return cleaned

    def values(self) -> dict[str, Any]:
        c = self.cleaned_data
        return {k: (c[k].strip() if isinstance(c[k], str) else c[k]) for k in self.VALUES}


class TimelineForm(VersionedForm):
    date = forms.CharField(label=_("Date (YYYY, YYYY-MM or YYYY-MM-DD)"), max_length=10)
    kind = forms.ChoiceField(
        label=_("What this step is"),
        initial="other",
        help_text=_("The delay from study to decision starts at the case's first step marked “study”."),
    )
    event_fr, event_en = _text_pair(_("Event (French)"), _("Event (English)"), rows=2, required=True)
    verified = forms.BooleanField(label=_("Checked against the source"), required=False, initial=True)
    VALUES = ("date", "kind", "event_fr", "event_en", "verified")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        for k in ("typology", "case", "units"):
            kwargs.pop(k, None)
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(k, timeline_kind_name(k)) for k in TIMELINE_KINDS]

    def clean_date(self) -> str:
        return clean_partial_date(self.cleaned_data["date"], str(self.fields["date"].label))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        both_or_neither(self, cleaned, "event", required=True)
        return cleaned

    def values(self) -> dict[str, Any]:
        c = self.cleaned_data
        return {k: (c[k].strip() if isinstance(c[k], str) else c[k]) for k in self.VALUES}


CHILD_FORMS = {
    "figures": FigureForm,
    "decisions": DecisionForm,
    "publications": PublicationForm,
    "timeline": TimelineForm,
}
