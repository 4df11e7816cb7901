from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BarometerConfig(AppConfig):
    """The annual barometer: frozen editions registered for browsing (the computations live in plain
    modules of this package, importable without Django)."""

    name = "benefice.barometer"
    label = "barometer"
    verbose_name = _("Barometer")
    default_auto_field = "django.db.models.BigAutoField"
