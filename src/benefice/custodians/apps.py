from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustodiansConfig(AppConfig):
    """Data custodians: their directory of projects, links to publications, benefit records, reports."""

    name = "benefice.custodians"
    label = "custodians"
    verbose_name = _("Custodians")
    default = True
