"""The indicator catalogue in the database, so people can edit it with a history.

The truth stays in the versioned data file (``data/indicators.yaml``); ``services`` loads it and the export
writes it back. ``data`` keeps each entry exactly as in the file, so what is edited can always be exported
back to a file the strict loader of ``catalogue`` accepts. Every edit bumps ``version`` (optimistic locking).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from benefice.i18n import pick
from benefice.indicators import catalogue
from benefice.uses.typology import Typology


class Indicator(models.Model):
    """One indicator of the catalogue; ``data`` is the entry exactly as in indicators.yaml."""

    code = models.CharField(primary_key=True, max_length=20)
    name_fr = models.TextField(blank=True)
    name_en = models.TextField(blank=True)
    family = models.CharField(max_length=40, blank=True, db_index=True)
    level = models.CharField(max_length=40, blank=True)
    type = models.CharField(max_length=20, blank=True)
    position = models.PositiveIntegerField(default=0, help_text="order in the data file")
    data = models.JSONField(default=dict, help_text="the whole catalogue entry, as in the data file")
    file_version = models.CharField(max_length=40, blank=True, help_text="catalogue version last loaded")
    edited = models.BooleanField(default=False, help_text="changed in the web app since the last load")
    version = models.PositiveIntegerField(default=1, help_text="incremented on each save: optimistic locking")
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")

    def __str__(self) -> str:
        return f"{self.code} {self.name_en}"

    def name(self, language: str = "fr") -> str:
        return pick(self.name_fr, self.name_en, language)

    @property
    def units(self) -> list[str]:
        return list(self.data.get("units") or [])

    @property
    def all_categories(self) -> bool:
        return self.data.get("categories") == catalogue.ALL

    def categories(self, typology: Typology) -> list[str]:
        cats = self.data.get("categories")
        return list(typology.categories) if cats == catalogue.ALL else list(cats or [])
