from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewConfig(AppConfig):
    """Systematic reviews: protocol, screening with active learning, team screening, PRISMA, exports."""

    name = "benefice.review"
    label = "review"
    verbose_name = _("Reviews")
    default_auto_field = "django.db.models.BigAutoField"
