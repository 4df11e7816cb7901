"""Database side of the source registry and of source detection.

The registry's truth is the versioned data file (``data/sources.yaml``); it is loaded here so people can edit it
in the web app (every change audited, concurrent edits refused) and export it back. Detection results are stored
per publication so the source pages and the barometer read them without re-running detection.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from benefice.corpus.models import Publication


class Source(models.Model):
    id = models.CharField(primary_key=True, max_length=40)
    name_fr = models.TextField(blank=True)
    name_en = models.TextField(blank=True)
    kind = models.CharField(max_length=40, blank=True, db_index=True)
    country = models.CharField(max_length=8, blank=True, db_index=True)
    parent_id_value = models.CharField(max_length=40, blank=True, db_index=True)
    custodian = models.TextField(blank=True)
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
        return (
            (self.name_fr if language.startswith("fr") else self.name_en)
            or self.name_en
            or self.name_fr
            or self.id
        )


class PublicationDetection(models.Model):
    """The result of detection for one publication, with the registry version it was computed with."""

    publication = models.OneToOneField(Publication, on_delete=models.CASCADE, related_name="detection")
    registry_hash = models.CharField(max_length=64, db_index=True)
    sources_used = models.JSONField(default=list)
    sources_mentioned = models.JSONField(default=list)
    detected_at = models.DateTimeField(auto_now=True)


class Mention(models.Model):
    publication = models.ForeignKey(Publication, on_delete=models.CASCADE, related_name="mentions")
    source_id = models.CharField(max_length=40, db_index=True)
    field = models.CharField(max_length=30)
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    text = models.TextField()
    form = models.CharField(max_length=30, blank=True)
    role = models.CharField(max_length=20, db_index=True)  # used / mentioned
    confidence = models.FloatField(default=1.0)

    class Meta:
        ordering = ["publication_id", "field", "start"]
        indexes = [models.Index(fields=["source_id", "role"])]
