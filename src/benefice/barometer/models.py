"""Editions known to the web app.

An edition is a directory (see ``benefice.barometer.freeze``); the database only registers it, so the web app
can list editions, say who built them and when, and notice when a directory was changed or removed after it
was registered (the content hash is the SHA-256 of its manifest, which holds the hash of every file).
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Edition(models.Model):
    year = models.PositiveSmallIntegerField(_("year"), db_index=True)
    directory = models.TextField(_("directory"), unique=True)
    observed_at = models.CharField(_("observation date"), max_length=10)
    built_at = models.DateTimeField(_("built at"))
    code_version = models.CharField(_("code version"), max_length=120, blank=True)
    content_hash = models.CharField(_("content hash"), max_length=64, help_text="SHA-256 of manifest.json")
    publications = models.PositiveIntegerField(_("publications in the perimeter"), default=0)
    with_pdf = models.BooleanField(default=True)
    built_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    registered_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-year", "-built_at", "-pk"]
        verbose_name = _("barometer edition")
        verbose_name_plural = _("barometer editions")

    def __str__(self) -> str:
        return f"{self.year} ({self.observed_at})"

    @property
    def path(self) -> Path:
        return Path(self.directory)
