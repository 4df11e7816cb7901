from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    """Impact cases and their ranking; the tables were created by the former ``impact`` app (see its
    migrations), this app took them over in its migration 0001 without touching the data."""

    name = "benefice.cases"
    label = "cases"
    verbose_name = _("Impact cases")
    default_auto_field = "django.db.models.BigAutoField"
