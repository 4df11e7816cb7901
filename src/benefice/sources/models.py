"""Database side of the source registry and of source detection.

The registry's truth is the versioned data file (``data/sources.yaml``); it is loaded here so people can edit it
in the web app (every change audited, concurrent edits refused) and export it back. Detection results are stored
per publication so the source pages and the barometer read them without re-running detection.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.signals import pre_delete
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from benefice.corpus.models import Publication
from benefice.i18n import pick
from benefice.sources import labels


class Source(models.Model):
    id = models.CharField(primary_key=True, max_length=40)
    name_fr = models.TextField(blank=True)
    name_en = models.TextField(blank=True)
    kind = models.CharField(max_length=40, blank=True, db_index=True)
    country = models.CharField(max_length=8, blank=True, db_index=True)
    parent_id_value = models.CharField(max_length=40, blank=True, db_index=True)
    custodian_fr = models.TextField(
        blank=True, help_text="the custodian, French first (a proper name is the same)"
    )
    custodian_en = models.TextField(blank=True)
    data = models.JSONField(default=dict, help_text="the whole registry entry, as in the data file")
    version = models.PositiveIntegerField(default=1, help_text="incremented on each save: optimistic locking")
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        ordering = ["id"]
        verbose_name = _("data source")
        verbose_name_plural = _("data sources")

    def __str__(self) -> str:
        return self.id

    def name(self, language: str = "fr") -> str:
        """The registry's name in ``language`` (the other language's when that one is empty), else the id."""
        return pick(self.name_fr, self.name_en, language) or self.id

    def name_language(self, language: str = "fr") -> str:
        """The language of the text :meth:`name` gives for ``language``: a foreign source's name exists in
        English only, and a French page marks it ``lang="en"`` (RGAA 8.7)."""
        french = (language or "fr").lower().startswith("fr")
        if french:
            return "fr" if self.name_fr else "en"
        return "en" if self.name_en else "fr"

    def short_name(self, language: str = "fr") -> str:
        """How a list names this source: its first acronym, else its name (``labels.short_name``), never its id."""
        return labels.short_name(self.id, self.data or {"names": {"fr": self.name_fr, "en": self.name_en}}, language)

    def custodian(self, language: str = "fr") -> str:
        """Who holds the data, in ``language`` (the other language's text when this one is empty)."""
        return pick(self.custodian_fr, self.custodian_en, language)


class PublicationDetection(models.Model):
    """The result of detection for one publication, with the registry version it was computed with.

    ``detected_*``, ``review``, ``decisions`` and ``detected_mentions`` are the machine's result exactly as the
    detector returned it; ``sources_used`` / ``sources_mentioned`` are the *effective* lists, the machine's
    result with people's corrections applied (``corrections.apply_verdicts``). Every figure reads the effective
    lists, so a correction counts everywhere through this one mechanism; the machine's result stays apart so a
    correction can be re-applied after every re-scan, and the trainer can compare the two.
    """

    publication = models.OneToOneField(Publication, on_delete=models.CASCADE, related_name="detection")
    registry_hash = models.CharField(max_length=64, db_index=True)
    sources_used = models.JSONField(default=list, help_text="effective: corrections applied")
    sources_mentioned = models.JSONField(default=list, help_text="effective: corrections applied")
    detected_used = models.JSONField(default=list, help_text="as the detector returned it")
    detected_mentioned = models.JSONField(default=list, help_text="as the detector returned it")
    review = models.JSONField(default=list, help_text="sources the detector was unsure of")
    decisions = models.JSONField(default=list, help_text="the detector's decision per source named")
    detected_mentions = models.JSONField(default=list, help_text="every mention the detector found")
    awaiting_review = models.JSONField(
        default=list, help_text="uncertain sources nobody has decided yet, most informative first"
    )
    review_margin = models.FloatField(
        null=True, blank=True, db_index=True, help_text="smallest |confidence - threshold| awaiting review"
    )
    detected_at = models.DateTimeField(auto_now=True)

    def machine_result(self) -> dict:
        """The stored detector result, in the detector's own shape."""
        return {
            "sources_used": self.detected_used,
            "sources_mentioned": self.detected_mentioned,
            "review": self.review,
            "decisions": self.decisions,
            "mentions": self.detected_mentions,
        }


class SourceCorrection(models.Model):
    """A person's verdict on one source of one publication. Append-only: the latest per (publication, source)
    wins, earlier ones stay as history (and as training examples of disagreement).

    ``publication`` is set to NULL only when a publication is deleted without being merged; a merged
    publication's corrections move to the publication that absorbed its records (``raw_record_ids`` says
    which records the corrected publication had), so nothing a person decided is lost.
    """

    class Verdict(models.TextChoices):
        USED = "used", _("used")
        MENTIONED = "mentioned", _("mentioned only")
        REJECTED = "rejected", pgettext_lazy("verdict on a data source", "rejected")

    publication = models.ForeignKey(
        Publication,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,  # moved or set to NULL by the pre_delete receiver below, never lost
        related_name="source_corrections",
    )
    publication_ref = models.PositiveIntegerField(help_text="id of the publication the person corrected")
    raw_record_ids = models.JSONField(default=list, help_text="its raw records then: to follow a merge")
    source_id = models.CharField(max_length=40, db_index=True)
    verdict = models.CharField(max_length=12, choices=Verdict.choices)
    field = models.CharField(max_length=30, blank=True)
    start = models.PositiveIntegerField(null=True, blank=True)
    end = models.PositiveIntegerField(null=True, blank=True)
    text = models.TextField(blank=True, help_text="the words the person selected")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    concurrent_with = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="another person's correction of the same source saved while this one's page was open",
    )

    class Meta:
        ordering = ["publication_id", "source_id", "pk"]
        indexes = [models.Index(fields=["publication", "source_id"])]
        verbose_name = _("source correction")
        verbose_name_plural = _("source corrections")

    def __str__(self) -> str:
        return f"{self.publication_ref} {self.source_id} {self.verdict}"


class Mention(models.Model):
    """One piece of evidence behind the effective lists: the detector's mentions of the sources that count, with
    the role people gave them, and the words people selected. Rejected and undecided sources have none."""

    publication = models.ForeignKey(Publication, on_delete=models.CASCADE, related_name="mentions")
    source_id = models.CharField(max_length=40, db_index=True)
    field = models.CharField(max_length=30)
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    text = models.TextField()
    form = models.CharField(max_length=30, blank=True)
    role = models.CharField(max_length=20, db_index=True)  # used / mentioned
    confidence = models.FloatField(default=1.0)
    by_person = models.BooleanField(default=False, help_text="words a person selected as evidence")

    class Meta:
        ordering = ["publication_id", "field", "start"]
        indexes = [models.Index(fields=["source_id", "role"])]


@receiver(pre_delete, sender=Publication)
def _keep_corrections(sender, instance: Publication, **kwargs) -> None:
    """A publication is deleted: move its corrections to the publication that now holds its records (a merge),
    or keep them with no publication (``publication_ref`` still says which one) — never delete them."""
    from benefice.sources.services import follow_corrections

    follow_corrections(instance.pk)
