import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benefice.settings")
application = get_wsgi_application()

from benefice.corpus.jobs import mark_stale_batches  # noqa: E402 - needs the app registry loaded above

mark_stale_batches()  # batches left "running" by a killed process are marked interrupted (issue 17)
