"""Review projects: protocol, searches, records, screening decisions with history, rankings.

A review's records point to corpus publications (duplicates are already merged there, so one publication is
one record however many databases returned it) and keep a copy of title and abstract: screening must keep
working, and decisions must keep their text, even if the corpus later merges or splits that publication.

Per record and stage the screening status is kept on the record itself (``ta_status``, ``ft_status``): it is
recomputed in the same transaction as every decision, so listing, "next record" and PRISMA counts never have
to aggregate decisions over 100,000 records.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

TITLE_ABSTRACT, FULL_TEXT = "ta", "ft"
STAGES = ((TITLE_ABSTRACT, _("title and abstract")), (FULL_TEXT, _("full text")))
INCLUDE, EXCLUDE, MAYBE = "include", "exclude", "maybe"
VALUES = ((INCLUDE, _("include")), (EXCLUDE, _("exclude")), (MAYBE, _("maybe")))


class Status(models.TextChoices):
    """Where a record stands in one stage (blank: not eligible for that stage)."""

    NONE = "", _("not eligible")
    PENDING = "pending", _("awaiting screening")
    INCLUDED = "included", _("included")
    EXCLUDED = "excluded", _("excluded")
    MAYBE = "maybe", _("undecided (maybe)")
    CONFLICT = "conflict", _("conflict")


# Offered in the user's language when a review is created, then stored as plain text the lead can edit.
DEFAULT_REASONS = (
    _("Wrong population"),
    _("Wrong intervention or exposure"),
    _("Wrong outcome"),
    _("Wrong study design"),
    _("Not French health data"),
    _("Full text not available"),
)


class Review(models.Model):
    title = models.CharField(_("title"), max_length=300)
    question = models.TextField(_("review question"), blank=True)
    inclusion_criteria = models.TextField(_("inclusion criteria"), blank=True)
    exclusion_criteria = models.TextField(_("exclusion criteria"), blank=True)
    exclusion_reasons = models.JSONField(_("exclusion reasons"), default=list, blank=True)
    keywords = models.JSONField(_("highlighted keywords"), default=list, blank=True)
    reviewers_per_record = models.PositiveSmallIntegerField(_("reviewers per record"), default=1)
    blind = models.BooleanField(_("blind screening"), default=True)
    model_name = models.CharField(_("classifier"), max_length=20, default="svm")
    retrain_every = models.PositiveSmallIntegerField(_("retrain every N decisions"), default=1)
    current_ranking = models.ForeignKey(
        "ScreeningRanking", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ranking_error = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("review")
        verbose_name_plural = _("reviews")

    def __str__(self) -> str:
        return self.title


class Member(models.Model):
    LEAD, REVIEWER = "lead", "reviewer"
    ROLES = ((LEAD, _("lead")), (REVIEWER, _("reviewer")))

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="review_memberships"
    )
    role = models.CharField(max_length=10, choices=ROLES, default=REVIEWER)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["review", "user"], name="review_member_unique")]
        ordering = ["review", "user__username"]


class Search(models.Model):
    """One search of the protocol: the database, its query and dates, and what it brought."""

    FILE, CORPUS = "file", "corpus"
    KINDS = ((FILE, _("file imported")), (CORPUS, _("selected from the corpus")))

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="searches")
    database = models.CharField(_("database"), max_length=120)
    query = models.TextField(_("query"), blank=True)
    searched_on = models.DateField(_("date searched"), null=True, blank=True)
    date_from = models.CharField(_("publication dates from"), max_length=10, blank=True)
    date_to = models.CharField(_("publication dates to"), max_length=10, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    kind = models.CharField(max_length=10, choices=KINDS, default=FILE)
    batch = models.ForeignKey(
        "corpus.ImportBatch", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    records_identified = models.PositiveIntegerField(default=0)
    records_added = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["review", "pk"]


class ReviewRecord(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="records")
    publication = models.ForeignKey(
        "corpus.Publication", null=True, blank=True, on_delete=models.SET_NULL, related_name="review_records"
    )
    search = models.ForeignKey(Search, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    title = models.TextField(blank=True)
    abstract = models.TextField(blank=True)
    authors = models.TextField(blank=True)
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    journal = models.TextField(blank=True)
    doi = models.CharField(max_length=255, blank=True)
    ta_status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    ft_status = models.CharField(max_length=10, choices=Status.choices, default=Status.NONE, blank=True)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["review", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["review", "publication"], name="review_record_publication_unique")
        ]
        indexes = [
            models.Index(fields=["review", "ta_status"], name="review_record_ta"),
            models.Index(fields=["review", "ft_status"], name="review_record_ft"),
        ]

    def __str__(self) -> str:
        return self.title[:120] or f"record {self.pk}"

    def status(self, stage: str) -> str:
        return self.ta_status if stage == TITLE_ABSTRACT else self.ft_status


class ScreeningDecision(models.Model):
    """A reviewer's current decision on a record in a stage; every change is kept in DecisionChange."""

    record = models.ForeignKey(ReviewRecord, on_delete=models.CASCADE, related_name="decisions")
    stage = models.CharField(max_length=2, choices=STAGES)
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    value = models.CharField(max_length=10, choices=VALUES)
    reasons = models.JSONField(default=list, blank=True)
    note = models.TextField(blank=True)
    tags = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["record", "stage", "created_at"]
        constraints = [
            models.UniqueConstraint(fields=["record", "stage", "reviewer"], name="review_decision_unique")
        ]
        indexes = [models.Index(fields=["reviewer", "stage", "created_at"], name="review_decision_by")]


class DecisionChange(models.Model):
    """History: one row each time a decision is made or changed (never updated, never deleted)."""

    decision = models.ForeignKey(ScreeningDecision, on_delete=models.CASCADE, related_name="changes")
    value = models.CharField(max_length=10, choices=VALUES)
    reasons = models.JSONField(default=list, blank=True)
    note = models.TextField(blank=True)
    tags = models.JSONField(default=list, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["changed_at", "pk"]


class Resolution(models.Model):
    """The reconciled decision on a record in a stage (after a conflict or a "maybe")."""

    record = models.ForeignKey(ReviewRecord, on_delete=models.CASCADE, related_name="resolutions")
    stage = models.CharField(max_length=2, choices=STAGES)
    value = models.CharField(max_length=10, choices=VALUES[:2])
    reasons = models.JSONField(default=list, blank=True)
    note = models.TextField(blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["record", "stage"], name="review_resolution_unique")]


class ScreeningRanking(models.Model):
    """One ranking of the title/abstract records awaiting screening, written by the background worker.

    Entries are written in chunks before the ranking becomes the review's ``current_ranking``: a ranking
    being written is never read, and a screener never waits for one.
    """

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="rankings")
    created_at = models.DateTimeField(auto_now_add=True)
    model_name = models.CharField(max_length=40, blank=True)
    decisions = models.PositiveIntegerField(default=0, help_text="title/abstract decisions when trained")
    trained_on = models.PositiveIntegerField(default=0, help_text="labelled records used (0: random order)")
    seconds = models.FloatField(default=0.0)
    size = models.PositiveIntegerField(default=0)
    stats = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-pk"]


class RankingEntry(models.Model):
    ranking = models.ForeignKey(ScreeningRanking, on_delete=models.CASCADE, related_name="entries")
    position = models.PositiveIntegerField()
    record = models.ForeignKey(ReviewRecord, on_delete=models.CASCADE, related_name="+")
    score = models.FloatField(null=True)

    class Meta:
        indexes = [models.Index(fields=["ranking", "position"], name="review_rankingentry_pos")]
