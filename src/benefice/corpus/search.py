"""Full-text search over publications: SQLite FTS5 or PostgreSQL full-text, same interface and results.

``corpus_publication.search_text`` holds the searchable fields already folded (lower case, no accents, words
separated by spaces; see :func:`fold`), so both engines see the same tokens. On SQLite an external-content FTS5
table (kept in sync by triggers created in a migration) indexes it; on PostgreSQL a GIN index over
``to_tsvector('simple', search_text)`` does. Every word typed must match, the last one as a prefix.
"""

from __future__ import annotations

from django.db import connection
from django.db.models import QuerySet

from benefice.corpus.fields import fold  # folding lives with the import's pure code (no Django there)


def tokens(text: str) -> list[str]:
    """The words of a user's query, folded like the indexed text (so no engine operator can get through)."""
    return fold(text).split()


def fts5_query(text: str) -> str:
    """A safe FTS5 query: every word must match (prefix on the last one)."""
    words = tokens(text)
    if not words:
        return ""
    quoted = [f'"{w}"' for w in words]
    quoted[-1] += "*"
    return " ".join(quoted)


def tsquery(text: str) -> str:
    """The same query for PostgreSQL's ``to_tsquery('simple', …)``: AND of words, prefix on the last one."""
    words = tokens(text)
    if not words:
        return ""
    quoted = [f"'{w}'" for w in words]
    quoted[-1] += ":*"
    return " & ".join(quoted)


def search(queryset: QuerySet, text: str) -> QuerySet:
    text = (text or "").strip()
    if not text:
        return queryset
    if connection.vendor == "sqlite":
        query = fts5_query(text)
        if not query:
            return queryset.none()
        return queryset.extra(
            where=[
                "corpus_publication.id IN (SELECT rowid FROM corpus_publication_fts WHERE "
                "corpus_publication_fts MATCH %s)"
            ],
            params=[query],
        )
    if connection.vendor == "postgresql":
        query = tsquery(text)
        if not query:
            return queryset.none()
        # the where expression matches the GIN index of migration 0002, so PostgreSQL can use it; the rank
        # weighs a title match (line 1 of search_text) ten times a match elsewhere, as bm25 does on SQLite
        return queryset.extra(
            select={
                "fts_rank": "ts_rank(to_tsvector('simple'::regconfig, COALESCE(corpus_publication.search_text, "
                "'')), to_tsquery('simple'::regconfig, %s)) + 10 * ts_rank(to_tsvector('simple'::regconfig, "
                "split_part(COALESCE(corpus_publication.search_text, ''), E'\\n', 1)), "
                "to_tsquery('simple'::regconfig, %s))"
            },
            select_params=[query, query],
            where=[
                "to_tsvector('simple'::regconfig, COALESCE(corpus_publication.search_text, '')) "
                "@@ to_tsquery('simple'::regconfig, %s)"
            ],
            params=[query],
        )
    words = tokens(text)
    for word in words:
        queryset = queryset.filter(search_text__contains=word)
    return queryset
