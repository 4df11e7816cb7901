"""The indicator catalogue in the database, so people can edit it with a history.

The truth stays in the versioned data file (``data/indicators.yaml``); ``services`` loads it and the export
writes it back. ``data`` keeps each entry exactly as in the file, so what is edited can always be exported
back to a file the strict loader of ``catalogue`` accepts. Every edit bumps ``version`` (optimistic locking).

Every text a reader sees is bilingual, French first: the name, definition and way to measure also have their
``_fr``/``_en`` columns (derived from ``data``, so lists and searches need not open the JSON); each data item
needed and each pitfall is a ``{fr, en}`` mapping inside ``data``. The page shows one language with
``i18n.pick``, which falls back to the other when one is empty (a database migrated from before the
catalogue was bilingual keeps its English, with no French until the next load).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from benefice.i18n import pick
from benefice.indicators import catalogue
from benefice.uses.typology import Typology


class Indicator(models.Model):
    """One indicator of the catalogue; ``data`` is the entry exactly as in indicators.yaml."""

    code = models.CharField(primary_key=True, max_length=20)
    name_fr = models.TextField(blank=True)
    name_en = models.TextField(blank=True)
    definition_fr = models.TextField(blank=True)
    definition_en = models.TextField(blank=True)
    how_to_measure_fr = models.TextField(blank=True)
    how_to_measure_en = models.TextField(blank=True)
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
        return f"{self.code} {self.name(get_language())}"  # a choice in a form: the reader's language

    def name(self, language: str = "fr") -> str:
        return pick(self.name_fr, self.name_en, language)

    def definition(self, language: str = "fr") -> str:
        return pick(self.definition_fr, self.definition_en, language)

    def how_to_measure(self, language: str = "fr") -> str:
        return pick(self.how_to_measure_fr, self.how_to_measure_en, language)

    def data_needed(self, language: str = "fr") -> list[str]:
        return [bilingual(item, language) for item in self.data.get("data_needed") or []]

    def pitfalls(self, language: str = "fr") -> list[tuple[str, str]]:
        """(kind, text) of each pitfall in the file's order: attribution, counterfactual, double counting…"""
        return [(str(k), bilingual(v, language)) for k, v in (self.data.get("pitfalls") or {}).items()]

    @property
    def units(self) -> list[str]:
        return list(self.data.get("units") or [])

    @property
    def all_categories(self) -> bool:
        return self.data.get("categories") == catalogue.ALL

    def categories(self, typology: Typology) -> list[str]:
        cats = self.data.get("categories")
        return list(typology.categories) if cats == catalogue.ALL else list(cats or [])


def bilingual(value: Any, language: str) -> str:
    """A ``{fr, en}`` text of ``data`` in ``language`` (the other one when it is empty)."""
    if isinstance(value, dict):
        return pick(str(value.get("fr") or ""), str(value.get("en") or ""), language)
    return str(value or "")
