"""Full-text search over publications: SQLite FTS5 or PostgreSQL full-text, same interface and results.

``corpus_publication.search_text`` holds the searchable fields already folded (lower case, no accents, words
separated by spaces; see :func:`fold`), so both engines see the same tokens. On SQLite an external-content FTS5
table (kept in sync by triggers created in migration 0002) indexes it; on PostgreSQL a stored generated
``tsvector`` column with a GIN index (migration 0008) does. The query language is :func:`parse`'s: words (all
must match, the last one also as a prefix), ``"phrases in quotes"`` and ``prefix*``. There is no stemming:
the engines stem differently (and SQLite's only stemmer is English), and the same query must find the same
publications on both; ``prefix*`` finds a word's variants (``hospitali*``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db import connection
from django.db.models import QuerySet

from benefice.corpus.fields import fold  # folding lives with the import's pure code (no Django there)

#: A query's terms: a phrase in double quotes, or a run of non-space characters (a word, ``word*``).
_TERM = re.compile(r'"([^"]*)"?|(\S+)')


@dataclass(frozen=True)
class Term:
    """One term of a query: folded words that must follow each other, the last one a prefix or not."""

    words: tuple[str, ...]
    prefix: bool = False


def parse(text: str) -> list[Term]:
    """The terms of a user's query, folded like the indexed text (so no engine operator can get through).

    ``"a phrase"`` matches those words in that order; ``word*`` matches every word starting with ``word``;
    other words must all appear, anywhere, and the last one typed is read as a prefix too (search as you
    type). Case and accents do not matter; punctuation separates words (``covid-19`` is the phrase
    ``covid 19``)."""
    terms: list[Term] = []
    matches = list(_TERM.finditer(text or ""))
    for i, match in enumerate(matches):
        phrase, bare = match.group(1), match.group(2)
        raw = phrase if phrase is not None else bare
        words = tuple(fold(raw).split())
        if not words:
            continue
        if phrase is not None:
            prefix = raw.rstrip().endswith("*")
        else:
            prefix = raw.endswith("*") or i == len(matches) - 1
        terms.append(Term(words, prefix))
    return terms


def tokens(text: str) -> list[str]:
    """Every word of a user's query, folded."""
    return [word for term in parse(text) for word in term.words]


def fts5_query(text: str) -> str:
    """A safe FTS5 query: every term must match (phrases in order, prefixes marked ``*``)."""
    parts = []
    for term in parse(text):
        parts.append('"' + " ".join(term.words) + '"' + ("*" if term.prefix else ""))
    return " ".join(parts)


def tsquery(text: str) -> str:
    """The same query for PostgreSQL's ``to_tsquery('simple', …)``: AND of terms, ``<->`` inside phrases."""
    parts = []
    for term in parse(text):
        lexemes = [f"'{w}'" for w in term.words]
        if term.prefix:
            lexemes[-1] += ":*"
        parts.append(lexemes[0] if len(lexemes) == 1 else "(" + " <-> ".join(lexemes) + ")")
    return " & ".join(parts)


#: PostgreSQL: the stored, weighted vector of migration 0008 (title line weight A, the whole text weight D)
PG_VECTOR = "corpus_publication.search_vector"
PG_QUERY = "to_tsquery('simple'::regconfig, %s)"


def search(queryset: QuerySet, text: str) -> QuerySet:
    """The publications of ``queryset`` matching ``text`` (unordered; safe to nest in another query)."""
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
        # the GIN index of migration 0008 serves this condition
        return queryset.extra(where=[f"{PG_VECTOR} @@ {PG_QUERY}"], params=[query])
    words = tokens(text)
    for word in words:
        queryset = queryset.filter(search_text__contains=word)
    return queryset


def ranked(queryset: QuerySet, text: str) -> QuerySet:
    """The publications of ``queryset`` matching ``text``, most relevant first, ranked inside the index.

    A title match weighs ten times a match elsewhere. SQLite joins the FTS5 table and orders by its
    ``bm25`` (lower is better), which FTS5 computes once per match while it reads its doclists; PostgreSQL
    orders by ``ts_rank`` of the stored vector (higher is better). Slice the result (a page): the engine
    then keeps only the top rows while it sorts. Not for nesting in another query (it names its tables)."""
    text = (text or "").strip()
    if connection.vendor == "sqlite":
        query = fts5_query(text)
        if not query:
            return queryset.none()
        return queryset.extra(
            select={"fts_rank": "bm25(corpus_publication_fts, 10.0, 1.0)"},
            tables=["corpus_publication_fts"],
            # "+ 0": the join may not be read from the publication side. Given a facet filter (a year), SQLite
            # would otherwise loop over that year's rows and run the whole MATCH again for each (7 s at
            # 100,000 publications); this way the index drives and each match is looked up by primary key
            where=[
                "(corpus_publication_fts.rowid + 0) = corpus_publication.id",
                "corpus_publication_fts MATCH %s",
            ],
            params=[query],
            order_by=["fts_rank", "-year", "id"],
        )
    if connection.vendor == "postgresql":
        query = tsquery(text)
        if not query:
            return queryset.none()
        return queryset.extra(
            select={"fts_rank": f"ts_rank({PG_VECTOR}, {PG_QUERY})"},
            select_params=[query],
            where=[f"{PG_VECTOR} @@ {PG_QUERY}"],
            params=[query],
            order_by=["-fts_rank", "-year", "id"],
        )
    return search(queryset, text).order_by("-year", "pk")


def engine() -> str:
    """What indexes the corpus on this database, in words."""
    return {
        "sqlite": "SQLite FTS5, unicode61 remove_diacritics 2",
        "postgresql": "PostgreSQL tsvector 'simple' with a GIN index",
    }.get(connection.vendor, "no full-text index: substring search")


def rebuild_index() -> int:
    """Rebuild the full-text index from the stored search texts (after a restore, or to be sure); returns
    the number of publications indexed. Triggers (SQLite) and a generated column (PostgreSQL) keep it in
    step with every write, bulk ones included, so this is a repair tool, not a routine step."""
    from benefice.corpus.models import Publication

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("INSERT INTO corpus_publication_fts(corpus_publication_fts) VALUES ('rebuild')")
        elif connection.vendor == "postgresql":
            cursor.execute("REINDEX INDEX corpus_publication_search_vector_gin")
    return Publication.objects.count()
