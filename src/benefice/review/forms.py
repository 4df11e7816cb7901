"""Forms of the review pages; list fields are typed one item per line and parsed by the services."""

from __future__ import annotations

from pathlib import PurePath

from django import forms
from django.utils.translation import gettext_lazy as _

from benefice.review.active_learning import MODEL_NAMES
from benefice.review.models import DEFAULT_REASONS, Member

MAX_UPLOAD = 200 * 1024 * 1024


class ReviewForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    question = forms.CharField(
        label=_("Review question"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    inclusion_criteria = forms.CharField(
        label=_("Inclusion criteria"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    exclusion_criteria = forms.CharField(
        label=_("Exclusion criteria"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    exclusion_reasons = forms.CharField(
        label=_("Exclusion reasons (one per line)"),
        initial=lambda: "\n".join(str(reason) for reason in DEFAULT_REASONS),
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        help_text=_("Offered when a record is excluded; they are counted in the PRISMA diagram."),
    )
    keywords = forms.CharField(
        label=_("Keywords to highlight (one per line)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    reviewers_per_record = forms.IntegerField(
        label=_("Reviewers per record"),
        min_value=1,
        max_value=3,
        initial=1,
        help_text=_(
            "2 for double screening: a record is decided when two reviewers agree or a lead resolves."
        ),
    )
    blind = forms.BooleanField(
        label=_("Blind screening (a reviewer does not see the others' decisions until reconciled)"),
        required=False,
        initial=True,
    )
    model_name = forms.ChoiceField(
        label=_("Classifier"),
        choices=[
            (m, {"nb": _("naive Bayes"), "logistic": _("logistic regression"), "svm": _("linear SVM")}[m])
            for m in MODEL_NAMES
        ],
        initial="svm",
    )
    retrain_every = forms.IntegerField(
        label=_("Retrain after every N decisions"), min_value=1, max_value=500, initial=1
    )


class SearchReviewForm(ReviewForm):
    """A new review whose records are every publication of a corpus search (the corpus list's button)."""

    field_order = ["title", "database", "query"]

    database = forms.CharField(
        label=_("Source of the records"),
        max_length=120,
        help_text=_("Recorded as the database of the review's first search (PRISMA identification)."),
    )
    query = forms.CharField(
        label=_("Search, as recorded in the protocol"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
    search = forms.CharField(widget=forms.HiddenInput, required=False, max_length=2000)


#: The add-records page offers this many of the latest import batches.
BATCH_CHOICES = 200


def batch_choices() -> list[tuple[int, str]]:
    """The latest finished imports of the corpus as a reader knows them (the file's name or the query, its
    date, what it read), newest first: nobody has to know a batch's number, and no server path is shown."""
    from django.utils.formats import date_format
    from django.utils.translation import ngettext

    from benefice.corpus.models import ImportBatch

    rows = []
    for batch in ImportBatch.objects.filter(status=ImportBatch.Status.DONE).order_by("-pk")[:BATCH_CHOICES]:
        origin = batch.origin if batch.kind not in ("file", "review", "demo") else PurePath(batch.origin).name
        read = ngettext("%(n)s record read", "%(n)s records read", batch.records_read) % {"n": batch.records_read}
        when = date_format(batch.started_at, "SHORT_DATE_FORMAT")
        rows.append((batch.pk, f"{origin[:80] or batch.kind} · {when} · {read}"))
    return rows


class CorpusSearchForm(forms.Form):
    database = forms.CharField(label=_("Database or source name"), max_length=120)
    query = forms.CharField(label=_("Search in the corpus (words)"), required=False, max_length=500)
    batch = forms.TypedChoiceField(
        label=_("Import batch"),
        required=False,
        coerce=int,
        empty_value=None,
        help_text=_("Only the publications brought or found again by this import."),
    )
    year_from = forms.IntegerField(
        label=_("Published from (year)"), required=False, min_value=1000, max_value=2999
    )
    year_to = forms.IntegerField(
        label=_("Published until (year)"), required=False, min_value=1000, max_value=2999
    )
    searched_on = forms.DateField(
        label=_("Date searched"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["batch"].choices = [("", "—"), *batch_choices()]

    def clean(self):
        data = super().clean()
        if (
            not (data.get("query") or "").strip()
            and not data.get("batch")
            and not data.get("year_from")
            and not data.get("year_to")
        ):
            raise forms.ValidationError(_("Give words, an import batch or a year range to select records."))
        if data.get("year_from") and data.get("year_to") and data["year_from"] > data["year_to"]:
            self.add_error("year_to", _("The end year is before the start year."))
        return data


class UploadSearchForm(forms.Form):
    database = forms.CharField(label=_("Database searched"), max_length=120)
    query = forms.CharField(
        label=_("Search query as run"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    searched_on = forms.DateField(
        label=_("Date searched"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_from = forms.CharField(label=_("Publication dates from"), max_length=10, required=False)
    date_to = forms.CharField(label=_("Publication dates to"), max_length=10, required=False)
    file = forms.FileField(label=_("Export file (RIS, BibTeX, PubMed XML, MEDLINE, CSV…)"))
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def clean_file(self):
        f = self.cleaned_data["file"]
        if f.size > MAX_UPLOAD:
            raise forms.ValidationError(_("The file is larger than 200 MB."))
        return f


class MemberForm(forms.Form):
    username = forms.CharField(label=_("User name"), max_length=150)
    role = forms.ChoiceField(label=_("Role in the review"), choices=Member.ROLES, initial=Member.REVIEWER)
