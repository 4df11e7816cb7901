from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImpactConfig(AppConfig):
    """Impact cases, the indicator catalogue and the ranking built on them (pure core in catalogue/rank)."""

    name = "benefice.impact"
    label = "impact"
    verbose_name = _("Impact")
    default_auto_field = "django.db.models.BigAutoField"
