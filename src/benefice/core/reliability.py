"""Errors logged and honest, and web writes that wait for a busy database instead of failing (issue 17).

* Every request gets an id (``request.id``, the ``X-Request-ID`` response header), put on every log line
  written while it runs (:class:`RequestIdFilter`); the 500 page shows it, so a user can quote it and an
  administrator can find the traceback in the log (stderr and ``$BENEFICE_HOME/logs/benefice.log``).
* A web request waits at most ``WEB_BUSY_TIMEOUT_SECONDS`` for SQLite's write lock (the CLI keeps the longer
  timeout of the settings: a batch of an import holds the lock for a fraction of a second). When a view
  fails because the database stayed locked, it is run again, up to ``WEB_BUSY_RETRIES`` times, provided it
  had written nothing (each write statement that succeeded is noted, so a half-done view is never re-run).
  When the database stays busy, the answer is a 503 page saying the action was *not* recorded and to try
  again, never a 500 (:func:`server_error` catches a lock error raised anywhere, session saving included).
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from logging.handlers import RotatingFileHandler
from pathlib import Path

from django.conf import settings
from django.db import OperationalError, connection
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

log = logging.getLogger("benefice.web")

_state = threading.local()
_WRITES = ("insert", "update", "delete", "replace")


def current_request_id() -> str:
    return getattr(_state, "request_id", "-")


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` to every record ("-" outside a web request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id()
        return True


class HomeFileHandler(RotatingFileHandler):
    """A rotating log file in ``$BENEFICE_HOME/logs/``, opened at the first record.

    The path is read from the settings when the file is first opened, not when logging is configured, so a
    home moved after start-up (the test suite does) is the one written to.
    """

    def __init__(self, name: str = "benefice.log", **kwargs) -> None:
        self._name = name
        kwargs.setdefault("maxBytes", 10 * 1024 * 1024)
        kwargs.setdefault("backupCount", 5)
        super().__init__(name, delay=True, encoding="utf-8", **kwargs)

    def _open(self):
        directory = Path(settings.HOME) / "logs"
        directory.mkdir(parents=True, exist_ok=True)
        self.baseFilename = str(directory / self._name)
        return super()._open()


def is_busy(exc: BaseException | None) -> bool:
    """True for SQLite's "database is locked/busy" (PostgreSQL waits for row locks instead of failing)."""
    if not isinstance(exc, OperationalError):
        return False
    text = str(exc).lower()
    return "database is locked" in text or "database is busy" in text or "database table is locked" in text


def _note_writes(execute, sql, params, many, context):
    result = execute(sql, params, many, context)
    if sql.lstrip()[:7].lower().startswith(_WRITES):
        _state.wrote = True
    return result


def _set_busy_timeout(seconds: float) -> None:
    if connection.vendor != "sqlite":
        return
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute(f"PRAGMA busy_timeout = {int(seconds * 1000)}")


class RequestMiddleware:
    """Outermost middleware: request id, log context, short busy timeout and retries for web writes."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.id = uuid.uuid4().hex[:12]
        _state.request_id = request.id
        _state.wrote = False
        try:
            _set_busy_timeout(getattr(settings, "WEB_BUSY_TIMEOUT_SECONDS", 5.0))
        except OperationalError:
            pass
        try:
            with connection.execute_wrapper(_note_writes):
                response = self.get_response(request)
        finally:
            _state.request_id = "-"
            try:
                timeout = settings.DATABASES["default"].get("OPTIONS", {}).get("timeout", 5)
                if connection.connection is not None:
                    _set_busy_timeout(timeout)
            except Exception:  # noqa: BLE001 - the connection is being closed anyway
                pass
        response["X-Request-ID"] = request.id
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        """Run the view again when it failed on a locked database before writing anything."""
        if not is_busy(exception) or request.resolver_match is None:
            return None
        match = request.resolver_match
        retries = getattr(settings, "WEB_BUSY_RETRIES", 2)
        for attempt in range(1, retries + 1):
            if getattr(_state, "wrote", False) or connection.in_atomic_block:
                break
            log.warning("database busy, retrying %s %s (attempt %d)", request.method, request.path, attempt)
            time.sleep(0.05 * attempt)
            try:
                return match.func(request, *match.args, **match.kwargs)
            except OperationalError as exc:
                if not is_busy(exc):
                    raise
        return busy_response(request)


def busy_response(request: HttpRequest) -> HttpResponse:
    log.warning("database busy: %s %s refused with 503 (nothing recorded)", request.method, request.path)
    body = render_to_string(
        "busy.html",
        {"request_id": getattr(request, "id", current_request_id()), "post": request.method == "POST"},
        request=request,
    )
    response = HttpResponse(body, status=503)
    response["Retry-After"] = "5"
    return response


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: Django has logged the traceback (``django.request``); show its id, or say "busy"."""
    import sys

    exc = sys.exc_info()[1]
    if is_busy(exc):
        return busy_response(request)
    try:
        body = render_to_string("500.html", {"request_id": getattr(request, "id", current_request_id())})
    except Exception:  # noqa: BLE001 - the error page itself must not fail
        body = f"<h1>Erreur du serveur / Server error</h1><p>{getattr(request, 'id', '')}</p>"
    return HttpResponse(body, status=500)
