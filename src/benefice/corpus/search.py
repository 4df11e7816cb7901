"""Full-text search over publications: SQLite FTS5 or PostgreSQL full-text, same interface.

The FTS5 table is external-content (it indexes ``corpus_publication.search_text`` and ``title`` kept in sync
by triggers created in a migration), so it holds no second copy of the text.
"""

from __future__ import annotations

import re

from django.db import connection
from django.db.models import QuerySet

_TOKEN = re.compile(r"[\w\-']+", re.UNICODE)


def fts5_query(text: str) -> str:
    """Turn what a user typed into a safe FTS5 query: every word must match (prefix on the last one)."""
    tokens = [t.replace('"', "") for t in _TOKEN.findall(text)]
    if not tokens:
        return ""
    quoted = [f'"{t}"' for t in tokens]
    quoted[-1] += "*"
    return " ".join(quoted)


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
        from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector

        vector = SearchVector("search_text", config="simple")
        sq = SearchQuery(text, config="simple", search_type="websearch")
        return queryset.annotate(_rank=SearchRank(vector, sq)).filter(_rank__gt=0).order_by("-_rank", "-year")
    return queryset.filter(search_text__icontains=text)
