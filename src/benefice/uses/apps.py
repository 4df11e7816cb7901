from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UsesConfig(AppConfig):
    """Kinds of use of each publication, stored with their evidence (pure core in typology/classify)."""

    name = "benefice.uses"
    label = "uses"
    verbose_name = _("Kinds of use")
    default_auto_field = "django.db.models.BigAutoField"
