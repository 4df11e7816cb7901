from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "benefice.core"
    verbose_name = "benefice"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from benefice.core.guard import install_progress_handler

        # every SQLite connection checks the request's time budget (see benefice.core.guard)
        connection_created.connect(install_progress_handler, dispatch_uid="benefice-query-budget")
