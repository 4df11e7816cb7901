from django.apps import AppConfig


class ImpactConfig(AppConfig):
    """The former home of cases and indicators, kept only for its migrations.

    Databases created before the split have their tables from ``impact`` 0001–0002; ``impact`` 0003 hands
    the models over to the ``cases`` and ``indicators`` apps (state only: no row is copied or lost) and moves
    content types and audit entries with them. A fresh database runs the same three steps. The app has no
    models, views or templates, and nothing imports it.
    """

    name = "benefice.impact"
    label = "impact"
    verbose_name = "Impact (migrations only)"
    default_auto_field = "django.db.models.BigAutoField"
