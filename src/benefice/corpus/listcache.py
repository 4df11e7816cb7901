"""Counts and facets of the corpus list, computed once per state of the corpus (issue 17, load).

Opening the corpus page, or searching a common word, counts up to 10,001 matches and groups the results by
year, format, type, language and data source: 50–150 ms of database work on a 100,000-publication corpus,
for figures that are the same for every reader until the corpus changes. Under 50 readers that work, done
again for each, is what filled the processors. So the figures are kept in Django's cache under a key made of
the request's search and filters and of the corpus *generation token* (``CorpusGeneration``), which
database triggers change in the same transaction as any write to publications, raw records or detections.
A reader who sees a token therefore sees the data computed under it: a cached figure is never stale, and a
write by any process or path (an import, a merge, a correction) makes the next reader recompute.

When the token row is absent (a database emptied by a test's flush, a restore of an older dump) nothing is
cached: correctness first. The cache is Django's default one, files in ``$BENEFICE_HOME/cache`` shared by
every process of the server (settings ``CACHES``); entries are small (a few kilobytes) and bounded in number
by the cache backend.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache import cache
from django.db import DatabaseError, connection

T = TypeVar("T")
TIMEOUT_SECONDS = 3600  # an unused entry goes after an hour; a changed corpus never reads it again
#: How long a reader waits for another's computation of the same figures. Measured with benchmarks/load.py
#: (100,000 publications, 50 users, an import running): under gunicorn (5 processes) waiting 1 s gave p95
#: 177 ms for pages and 382 ms for searches, against 695 ms and 2.6 s without waiting (every process
#: computing the same facets after each import chunk). In one waitress process the same wait made the
#: server stall (53 requests past 30 s) where not waiting gave none, for a reason not yet understood, so
#: ``benefice serve`` sets it to 0.
WAIT_SECONDS = 1.0
POLL_SECONDS = 0.05


def generation() -> str | None:
    """The corpus generation token, or None when it cannot be read (then nothing is cached)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT token FROM corpus_generation WHERE id = 1")
            row = cursor.fetchone()
    except DatabaseError:  # table not there yet (a database before migration 0010)
        return None
    return row[0] if row else None


def cached(kind: str, parts: dict[str, Any], compute: Callable[[], T], *, token: str | None = None) -> T:
    """``compute()``, or what it gave for the same ``kind`` and ``parts`` under the current token.

    ``parts`` must hold everything the result depends on besides the corpus (search, filters, language);
    ``token`` lets a caller read the generation once for several figures of one page."""
    token = token if token is not None else generation()
    if token is None:
        return compute()
    database = connection.settings_dict.get("NAME")
    digest = hashlib.sha256(
        json.dumps([str(database), kind, parts], sort_keys=True, default=str).encode()
    ).hexdigest()
    key = f"benefice:corpus-list:{token}:{digest}"
    value = cache.get(key)
    if value is not None:
        return value
    # After a write, every reader of the same page misses at once. One of them computes (it holds the
    # lock, an entry only one process can add); the others wait for its result a little, polling, rather
    # than computing the same figures side by side on processors the import already uses.
    lock = key + ":computing"
    holder = WAIT_SECONDS > 0 and cache.add(lock, 1, WAIT_SECONDS * 2)
    if WAIT_SECONDS > 0 and not holder:
        deadline = time.monotonic() + WAIT_SECONDS
        while time.monotonic() < deadline:
            time.sleep(POLL_SECONDS)
            value = cache.get(key)
            if value is not None:
                return value
    try:
        value = compute()
        cache.set(key, value, TIMEOUT_SECONDS)
    finally:
        if holder:
            cache.delete(lock)
    return value
