from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "benefice.core"
    verbose_name = "benefice"
