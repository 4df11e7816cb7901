from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InterviewsConfig(AppConfig):
    """The qualitative workspace: interview projects, pseudonymised transcripts, coding, agreement."""

    name = "benefice.interviews"
    label = "interviews"
    verbose_name = _("Interviews")
    default = True
