from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SourcesConfig(AppConfig):
    name = "benefice.sources"
    verbose_name = _("Data sources")
    default = True
