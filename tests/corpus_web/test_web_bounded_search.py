"""Bounded work per request (issue 17): a search for a word in most of a large corpus reads one page, counts
within a bound, samples its facets; a runaway query or a client that left stops with a clear page, not a 500.

Assertions are on the work done (queries, their limits, rows read), never on wall-clock time."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from benefice.core.paging import COUNT_LIMIT
from benefice.corpus import fields, search, views
from benefice.corpus.models import Publication

LIST = "/corpus/"
N = 20_000


def build_large_corpus(n: int = N) -> None:
    rows = []
    for i in range(n):
        title = f"Cohort study number {i} of {'diabetes' if i % 2 else 'stroke'}"
        if i % 1000 == 0:
            title += " kawasaki"
        values = {"title": title, "authors": [], "keywords": [], "mesh": []}
        rows.append(
            Publication(
                title=title,
                year=2000 + i % 20,
                language="en",
                doc_type="article",
                search_text=fields.search_text(lambda f, v=values: v.get(f, "")),
            )
        )
    Publication.objects.bulk_create(rows, batch_size=2000)


@pytest.mark.django_db
def test_a_word_in_every_title_gives_one_bounded_page(viewer: Client) -> None:
    build_large_corpus()
    with CaptureQueriesContext(connection) as queries:
        response = viewer.get(LIST, {"q": "cohort"})
    assert response.status_code == 200
    html = response.content.decode()
    assert len(re.findall(r'<li class="result">', html)) == 25
    assert "Plus de 10" in html and "publications correspondent" in html  # not an exact count
    assert "échantillon de 2" in html  # facets counted over a sample, and the page says so
    sqls = [q["sql"] for q in queries.captured_queries]
    assert len(sqls) < 30  # as many as for a corpus of ten publications
    # the count stops at the bound, the page is read by key, the facets read a bounded sample
    assert any(f"LIMIT {COUNT_LIMIT + 1}" in sql for sql in sqls)
    reading = [sql for sql in sqls if '"corpus_publication"."title"' in sql and "COUNT" not in sql]
    assert reading and all(" IN (" in sql or "LIMIT" in sql for sql in reading)
    # every other search query of the page is limited or grouped (facets); the one unbounded count is the
    # estimate ("about N"), which runs under its own small budget (ESTIMATE_BUDGET_SECONDS) on SQLite
    unbounded = [
        sql
        for sql in sqls
        if "corpus_publication_fts MATCH" in sql and "GROUP BY" not in sql and "LIMIT" not in sql
    ]
    assert len(unbounded) <= 1 and all(sql.upper().startswith("SELECT COUNT(*)") for sql in unbounded)
    # relevance is computed inside the index: no per-row sub-select of the rank any more
    assert not any("SELECT bm25" in sql for sql in sqls)
    # a deep page link stops at the bound (bounded offset)
    deep = viewer.get(LIST, {"q": "cohort", "page": 10_000}).content.decode()
    assert (
        f"Page {COUNT_LIMIT // 25} sur {COUNT_LIMIT // 25}" in deep or f"Page {COUNT_LIMIT // 25} of" in deep
    )


@pytest.mark.django_db
def test_a_rare_word_is_counted_exactly_with_exact_facets(viewer: Client) -> None:
    build_large_corpus(3000)
    html = viewer.get(LIST, {"q": "kawasaki"}).content.decode()
    assert "3 publications correspondent" in html
    assert "échantillon" not in html


@pytest.mark.django_db
def test_a_runaway_query_gives_a_clear_page_not_a_500(viewer: Client, settings, monkeypatch) -> None:
    build_large_corpus(100)
    settings.REQUEST_BUDGET_SECONDS = 0.3
    runaway = (
        "(WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 1000000000) "
        "SELECT count(*) FROM c) > 0"
    )
    real_ranked = search.ranked
    monkeypatch.setattr(search, "ranked", lambda qs, text: real_ranked(qs, text).extra(where=[runaway]))
    response = viewer.get(LIST, {"q": "cohort"})
    assert response.status_code == 503
    html = response.content.decode()
    assert "Cette requête a pris trop de temps" in html
    assert "précisez-la" in html


@pytest.mark.django_db
def test_facets_that_run_out_of_budget_fall_back_to_a_sample(viewer: Client, settings, monkeypatch) -> None:
    build_large_corpus(300)
    settings.FACET_BUDGET_SECONDS = 0.05

    def slow_facets(searched, params):
        with connection.cursor() as cursor:
            cursor.execute(
                "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 1000000000) "
                "SELECT count(*) FROM c"
            )
        return []

    real = views.build_facets
    calls = []

    def facets(searched, params):
        calls.append(params.get("sample"))
        return real(searched, params) if params.get("sample") else slow_facets(searched, params)

    monkeypatch.setattr(views, "build_facets", facets)
    response = viewer.get(LIST, {"q": "cohort"})
    assert response.status_code == 200
    assert calls == [None, True]
    assert "échantillon de 300" in response.content.decode()


@pytest.mark.django_db
def test_no_query_runs_once_the_client_has_gone(viewer: Client) -> None:
    build_large_corpus(100)
    with CaptureQueriesContext(connection) as queries:
        response = viewer.get(LIST, {"q": "cohort"}, **{"waitress.client_disconnected": lambda: True})
    assert response.status_code == 503
    assert not any("corpus_publication" in (q["sql"] or "") for q in queries.captured_queries)
