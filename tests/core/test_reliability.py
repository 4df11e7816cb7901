"""Errors logged and honest; web writes during a long writer wait, retry or are refused clearly (issue 17)."""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.test import Client
from django.urls import path

from benefice.core.reliability import HomeFileHandler
from benefice.core.roles import EDITOR
from benefice.core.users import ensure_user

PASSWORD = "correct horse battery staple"


def _boom(request):
    raise RuntimeError("deliberate failure for the log")


urlpatterns = [path("boom/", _boom)]
handler500 = "benefice.core.reliability.server_error"


@pytest.fixture(autouse=True)
def fast_hashing(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.mark.django_db
def test_a_500_is_logged_with_its_traceback_and_the_page_shows_the_request_id(settings) -> None:
    settings.ROOT_URLCONF = __name__
    settings.DEBUG = False
    client = Client(raise_request_exception=False)
    response = client.get("/boom/", HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 500
    request_id = response["X-Request-ID"]
    page = response.content.decode()
    assert request_id in page and "Erreur du serveur" in page
    files = [h for h in logging.getLogger().handlers if isinstance(h, HomeFileHandler)]
    assert files, "no log file handler"
    files[0].flush()
    assert Path(files[0].baseFilename).parent == Path(django_settings.HOME) / "logs"
    log = Path(files[0].baseFilename).read_text(encoding="utf-8")
    entry = log[log.index(f"[{request_id}]") :]
    assert "Internal Server Error: /boom/" in entry
    assert "Traceback" in entry and "deliberate failure for the log" in entry


def _hold_write_lock(seconds: float, started: threading.Event) -> threading.Thread:
    """Another process's writer (an import's batch) holding SQLite's write lock for ``seconds``."""

    def body() -> None:
        db = sqlite3.connect(connection.settings_dict["NAME"], isolation_level=None, timeout=30)
        db.execute("BEGIN IMMEDIATE")
        started.set()
        time.sleep(seconds)
        db.execute("ROLLBACK")
        db.close()

    thread = threading.Thread(target=body)
    thread.start()
    return thread


sqlite_only = pytest.mark.skipif(
    "sqlite" not in django_settings.DATABASES["default"]["ENGINE"], reason="SQLite's write lock"
)


@sqlite_only
@pytest.mark.django_db(transaction=True)
def test_a_sign_in_during_a_writers_batch_succeeds_after_it(settings) -> None:
    settings.WEB_BUSY_TIMEOUT_SECONDS = 3
    ensure_user("ed", PASSWORD, EDITOR)
    started = threading.Event()
    writer = _hold_write_lock(1.0, started)
    started.wait(5)
    begun = time.monotonic()
    response = Client().post("/login/", {"username": "ed", "password": PASSWORD})
    writer.join()
    assert response.status_code == 302, response.content[:500]
    assert time.monotonic() - begun >= 0.5  # it waited for the batch, then went through


@sqlite_only
@pytest.mark.django_db(transaction=True)
def test_a_write_while_the_database_stays_locked_is_refused_with_a_message_never_a_500(settings) -> None:
    settings.WEB_BUSY_TIMEOUT_SECONDS = 0.2
    settings.WEB_BUSY_RETRIES = 1
    ensure_user("ed", PASSWORD, EDITOR)
    started = threading.Event()
    writer = _hold_write_lock(3.0, started)
    started.wait(5)
    client = Client(raise_request_exception=False)
    response = client.post("/login/", {"username": "ed", "password": PASSWORD}, HTTP_ACCEPT_LANGUAGE="fr")
    writer.join()
    assert response.status_code == 503
    page = response.content.decode()
    assert "PAS été enregistrée" in page and response["Retry-After"]
