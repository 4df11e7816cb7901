import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benefice.settings")
if not os.environ.get("BENEFICE_SECRET_KEY"):
    from benefice.paths import ensure_secret_key

    ensure_secret_key()  # before the settings are read: every worker signs with the same key
application = get_wsgi_application()

from benefice.corpus.jobs import mark_stale_batches  # noqa: E402 - needs the app registry loaded above

mark_stale_batches()  # batches left "running" by a killed process are marked interrupted (issue 17)
