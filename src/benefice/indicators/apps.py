from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    """The indicator catalogue; its table was created by the former ``impact`` app (see its migrations),
    this app took it over in its migration 0001 without touching the data."""

    name = "benefice.indicators"
    label = "indicators"
    verbose_name = _("Indicators")
    default_auto_field = "django.db.models.BigAutoField"
