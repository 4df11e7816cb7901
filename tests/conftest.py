"""Fixtures shared by the whole suite.

Tests must never touch a user's real data directory. ``BENEFICE_HOME`` is therefore pointed at a fresh
temporary directory here, unless the caller set one (CI does). pytest-django imports the settings before
any conftest runs, so the settings module has already computed its paths from the default directory when
this file is imported: the paths derived from ``HOME`` (SQLite database and test database, uploads,
static files) are moved into the test home as well. The ``DATABASES`` dictionaries are updated in place
because Django's connection handler holds these very objects and reads ``TEST["NAME"]`` only when the test
database is created, after this module has run.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

import pytest

#: the browser tests' shared fixtures (``browser``, ``demo_corpus``), registered once for the whole suite;
#: pytest reads ``pytest_plugins`` only in this top-level conftest. ``tests/`` is on ``sys.path`` (pytest
#: puts the directory of this conftest there, ``tests/`` having no ``__init__.py``), hence ``support.…``.
pytest_plugins = ["support.browser"]

if not os.environ.get("BENEFICE_HOME"):
    _TEMP_HOME = tempfile.mkdtemp(prefix="benefice-test-")
    os.environ["BENEFICE_HOME"] = _TEMP_HOME
    atexit.register(shutil.rmtree, _TEMP_HOME, ignore_errors=True)

# Commands speak the user's locale (i18n.cli_language reads LANGUAGE, LC_ALL, LC_MESSAGES, LANG): the suite
# asserts on English output unless a test sets a French LANG itself, so a developer's French shell must not
# change what the commands print here.
for _name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
    os.environ.pop(_name, None)
os.environ["LANG"] = "C.UTF-8"

SHARED_DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data"


def _rebase_settings_on_home() -> None:
    from django.conf import settings

    if not settings.configured:
        return  # settings not loaded yet: they will read BENEFICE_HOME themselves
    _rebase(settings)
    # whitenoise warns on every request when STATIC_ROOT does not exist (nothing is collected in tests)
    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)


def _rebase(settings) -> None:
    new_home = Path(os.environ["BENEFICE_HOME"]).expanduser()
    old_home = Path(settings.HOME)
    if old_home == new_home:
        return
    new_home.mkdir(parents=True, exist_ok=True)

    def moved(value: object) -> object:
        path = Path(str(value))
        try:
            return str(new_home / path.relative_to(old_home))
        except ValueError:
            return value  # not under the old home (a DATABASE_URL, an explicit path): leave it

    settings.HOME = new_home
    settings.MEDIA_ROOT = Path(moved(settings.MEDIA_ROOT))
    settings.STATIC_ROOT = Path(moved(settings.STATIC_ROOT))
    for database in settings.DATABASES.values():
        if "sqlite" not in database.get("ENGINE", ""):
            continue
        database["NAME"] = moved(database["NAME"])
        test = database.setdefault("TEST", {})
        if test.get("NAME"):
            test["NAME"] = moved(test["NAME"])


_rebase_settings_on_home()


def _tasks_run_where_queued() -> None:
    """The suite runs queued tasks at once, in the process that queues them (django-tasks' immediate
    backend), so a test sees a job's outcome as soon as the request that started it returns. The database
    queue and the worker are tested on their own, in tests/core/test_worker.py, which switches back."""
    from django.conf import settings

    if settings.configured:
        settings.TASKS = {
            "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": ["default"]}
        }


_tasks_run_where_queued()


@pytest.fixture
def shared_dir() -> Path:
    """The read-only third-party data in ``../shared/data`` (skips the test when it is absent)."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"shared data directory {SHARED_DATA} is absent (third-party fixtures are not shipped)")
    return SHARED_DATA


class DatabaseQueue:
    """The real queue of a deployment (django-tasks' database backend) for one test; ``run()`` does what
    ``benefice worker --batch`` does, in the test's process and database."""

    def run(self) -> str:
        from benefice.core import jobs

        return jobs.run_worker(batch=True, interval=0)


@pytest.fixture
def database_queue(settings) -> DatabaseQueue:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    return DatabaseQueue()
