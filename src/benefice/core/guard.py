"""Bounded work per request: a time budget on every query a web request makes, on both databases.

A request runs under :class:`RequestBudgetMiddleware`: its queries may use ``REQUEST_BUDGET_SECONDS`` in all
(default 10 s), and none goes on once the client has gone (waitress tells through
``waitress.client_disconnected``). Inside it, :func:`budget` sets a tighter limit around one piece of work
(the facets of a broad search) and raises :class:`BudgetExceeded` when it runs out, after rolling that
work back to a savepoint, so the caller can do something cheaper instead.

How each database stops a query:

* **SQLite**: a progress handler, installed on every connection, is called every few thousand virtual
  machine instructions; when the thread's deadline has passed (or its client has left) it returns non-zero
  and SQLite aborts the statement with ``OperationalError: interrupted``.
* **PostgreSQL**: ``statement_timeout`` (set for the request, and with ``SET LOCAL`` inside a budget)
  makes the server cancel the statement (``QueryCanceled``).

On both, every statement of a request is refused before it starts once the time is spent or the client has
gone (an ``execute_wrapper``); on PostgreSQL a statement already running then ends by its timeout.

Outside a web request (the CLI, imports, scans) nothing is limited: no deadline is set.

The middleware turns a budget that ran out into a 503 page saying what happened and what to do (narrow the
search), never a 500.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

#: SQLite calls the progress handler every this many virtual machine instructions (about 0.1 ms of work)
PROGRESS_STEPS = 2000

_state = threading.local()


class BudgetExceeded(Exception):
    """A query of this request was stopped: its time budget ran out or its client left."""

    def __init__(self, reason: str = "time") -> None:
        super().__init__(reason)
        self.reason = reason  # "time" or "disconnected"


def _deadlines() -> list[float]:
    stack = getattr(_state, "deadlines", None)
    if stack is None:
        stack = _state.deadlines = []
    return stack


def deadline() -> float | None:
    """The earliest deadline in force on this thread (``time.monotonic()`` scale), or None."""
    stack = _deadlines()
    return min(stack) if stack else None


def remaining() -> float | None:
    limit = deadline()
    return None if limit is None else limit - time.monotonic()


def client_gone() -> bool:
    check: Callable[[], bool] | None = getattr(_state, "disconnected", None)
    try:
        return bool(check and check())
    except Exception:  # noqa: BLE001 - a server's probe must never break a query
        return False


def stopped_reason() -> str | None:
    """Why the work of this thread must stop now (``"time"``, ``"disconnected"``), or None."""
    limit = deadline()
    if limit is not None and time.monotonic() >= limit:
        return "time"
    if client_gone():
        return "disconnected"
    return None


def _progress() -> int:
    return 1 if stopped_reason() else 0


def install_progress_handler(sender, connection, **kwargs) -> None:  # noqa: ARG001 - signal API
    """``connection_created`` receiver: every SQLite connection checks this thread's deadline."""
    if connection.vendor == "sqlite":
        connection.connection.set_progress_handler(_progress, PROGRESS_STEPS)


def is_stopped_query(exc: BaseException) -> bool:
    """Whether a database error is our guard stopping a query (and not a real failure)."""
    if connection.vendor == "sqlite":
        return "interrupted" in str(exc)
    if connection.vendor == "postgresql":
        cause = getattr(exc, "__cause__", None)
        return getattr(cause, "pgcode", None) == "57014" or "canceling statement" in str(exc)
    return False


def _pg_timeout(seconds: float | None, *, local: bool) -> None:
    ms = 0 if seconds is None else max(1, int(seconds * 1000))
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('statement_timeout', %s, %s)", [f"{ms}ms", local])


@contextmanager
def budget(seconds: float) -> Iterator[None]:
    """Run the block with at most ``seconds`` of database time (and within the request's own budget).

    Raises :class:`BudgetExceeded` when a query of the block was stopped. On PostgreSQL the block runs in a
    savepoint (rolled back then); on SQLite in no transaction at all: meant for reads."""
    stack = _deadlines()
    if connection.vendor != "postgresql":
        # no transaction on SQLite: ours begin IMMEDIATE (the write lock), which would make every budgeted read
        # wait for an import's write and for each other; an interrupted SELECT leaves nothing to roll back
        stack.append(time.monotonic() + seconds)
        try:
            yield
        except DatabaseError as exc:
            if is_stopped_query(exc):
                raise BudgetExceeded(stopped_reason() or "time") from exc
            raise
        finally:
            stack.pop()
        return
    try:
        with transaction.atomic():
            stack.append(time.monotonic() + seconds)
            try:
                _pg_timeout(max(remaining() or seconds, 0.001), local=True)
                yield
            finally:
                stack.pop()  # before the savepoint is released or rolled back
            _pg_timeout(_outer_seconds(stack), local=True)  # RELEASE SAVEPOINT would keep the tighter one
    except DatabaseError as exc:
        if is_stopped_query(exc):
            raise BudgetExceeded(stopped_reason() or "time") from exc
        raise


def _outer_seconds(stack: list[float]) -> float | None:
    return max(min(stack) - time.monotonic(), 0.001) if stack else None


def _before_query(execute, sql, params, many, context):
    """Between two statements: a request whose client has gone, or whose time is spent, runs no more
    (except what undoes its work: a rollback, a savepoint released)."""
    if not sql.lstrip()[:8].upper().startswith(("ROLLBACK", "RELEASE")):
        check()
    return execute(sql, params, many, context)


def check() -> None:
    """Raise :class:`BudgetExceeded` if this thread's work should stop (between two pieces of work)."""
    reason = stopped_reason()
    if reason:
        raise BudgetExceeded(reason)


class RequestBudgetMiddleware:
    """Every web request gets ``REQUEST_BUDGET_SECONDS`` of database time and stops if its client leaves."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        seconds = float(getattr(settings, "REQUEST_BUDGET_SECONDS", 10.0) or 0)
        if seconds <= 0:
            return self.get_response(request)
        stack = _deadlines()
        stack.append(time.monotonic() + seconds)
        _state.disconnected = request.META.get("waitress.client_disconnected")
        postgres = connection.vendor == "postgresql"
        try:
            if postgres:
                _pg_timeout(seconds, local=False)
            with connection.execute_wrapper(_before_query):
                return self.get_response(request)
        finally:
            stack.pop()
            _state.disconnected = None
            if postgres:
                try:
                    _pg_timeout(None, local=False)
                except DatabaseError:  # an aborted transaction: Django closes or rolls it back anyway
                    pass

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, BudgetExceeded) or (
            isinstance(exception, DatabaseError) and is_stopped_query(exception)
        ):
            return too_long(request)
        return None


def too_long(request: HttpRequest) -> HttpResponse:
    """The page shown when a request ran out of time: what happened and what to do, status 503."""
    # rendered without the request's context processors: they query the database, whose budget is spent
    seconds = getattr(settings, "REQUEST_BUDGET_SECONDS", 10)
    html = render_to_string("too_long.html", {"budget": seconds})
    response = HttpResponse(html, status=503)
    response["Retry-After"] = "5"
    return response
