"""Forms of the corpus pages: the search (a GET form whose fields are also the facet links) and the upload."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from benefice.corpus.templatetags.corpus_tags import FORMAT_LABELS

# The formats a user may force on upload, as named by ``benefice import --format`` (``auto`` detects).
IMPORT_FORMATS = ("ris", "bibtex", "pubmed_xml", "medline", "openalex", "wos", "scopus_csv", "csv", "xlsx")

SORTS = {
    # key: (label, ordering); "relevance" is ordered by the search backend itself.
    "relevance": (_("Relevance"), None),  # newest first when there is no query
    "newest": (_("Newest first"), ("-year", "-date", "title", "pk")),
    "oldest": (_("Oldest first"), ("year", "date", "title", "pk")),
    "title": (_("Title (A–Z)"), ("title", "pk")),
    "cited": (_("Most cited"), ("-cited_by_count", "-year", "pk")),
}
PAGE_SIZES = (10, 25, 50, 100)


class SearchForm(forms.Form):
    """What the corpus browser reads from the query string; invalid values are ignored, never an error page."""

    q = forms.CharField(
        label=_("Search the corpus"),
        required=False,
        max_length=500,
        strip=True,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    year = forms.IntegerField(required=False, min_value=0, max_value=32767)
    source = forms.CharField(required=False, max_length=40)
    type = forms.CharField(required=False, max_length=40)
    lang = forms.CharField(required=False, max_length=12)
    used = forms.CharField(required=False, max_length=40)  # a data source (registry id) used
    mentioned = forms.CharField(required=False, max_length=40)  # a data source only mentioned
    sort = forms.ChoiceField(
        label=_("Sort by"), required=False, choices=[(k, label) for k, (label, _o) in SORTS.items()]
    )
    size = forms.TypedChoiceField(
        label=_("Per page"), required=False, coerce=int, empty_value=25, choices=[(n, n) for n in PAGE_SIZES]
    )

    def values(self) -> dict:
        """Cleaned values, dropping the invalid ones (a bad ``year=abc`` in a link must not break the page)."""
        self.is_valid()
        data = {name: self.cleaned_data.get(name) for name in self.fields if name not in self.errors}
        data["q"] = data.get("q") or ""
        # "relevance" is the default and what the sort menu shows; without words to rank by it means
        # newest first, so that typing a query after browsing ranks the results without touching the menu
        data["sort_choice"] = data.get("sort") or "relevance"
        data["sort"] = data["sort_choice"]
        if data["sort"] == "relevance" and not data["q"]:
            data["sort"] = "newest"
        data["size"] = data.get("size") or 25
        return data


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Bibliographic file"),
        help_text=_(
            "RIS, BibTeX, PubMed XML, MEDLINE/nbib, OpenAlex JSON/JSONL or zip, "
            "Web of Science, Scopus CSV, CSV/TSV or XLSX."
        ),
    )
    format = forms.ChoiceField(
        label=_("Format"),
        initial="auto",
        choices=[("auto", _("Detect automatically")), *((f, FORMAT_LABELS[f]) for f in IMPORT_FORMATS)],
    )
