"""The corpus list's counts and facets are computed once per state of the corpus (issue 17, load), and a write
by any path makes the next reader recompute: the cache is keyed by a token that database triggers change in
the writer's transaction (``corpus.listcache``, ``CorpusGeneration``)."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from benefice.corpus import fields, listcache
from benefice.corpus.models import CorpusGeneration, ImportBatch, Publication, RawRecord
from benefice.sources.models import PublicationDetection

LIST = "/corpus/"


@pytest.fixture(autouse=True)
def token_row(db) -> None:
    CorpusGeneration.objects.get_or_create(id=1, defaults={"token": "start"})  # a flush may have removed it


def publication(title: str, year: int = 2020) -> Publication:
    values = {"title": title, "authors": [], "keywords": [], "mesh": []}
    return Publication.objects.create(
        title=title, year=year, search_text=fields.search_text(lambda f, v=values: v.get(f, ""))
    )


@pytest.mark.django_db
def test_every_write_to_the_tables_the_list_reads_changes_the_token() -> None:
    seen = {listcache.generation()}

    def changed() -> bool:
        token = listcache.generation()
        new = token not in seen
        seen.add(token)
        return new

    pub = publication("Cohort of the SNDS")
    assert changed()
    Publication.objects.filter(pk=pub.pk).update(year=2001)
    assert changed()
    batch = ImportBatch.objects.create(kind="file", origin="x.ris", format="ris")
    assert not changed()  # a batch alone changes no list figure
    RawRecord.objects.create(batch=batch, publication=pub, source_format="ris", position=1, raw="TY  - JOUR")
    assert changed()
    PublicationDetection.objects.create(publication=pub, registry_hash="h", sources_used=["PMSI"])
    assert changed()
    PublicationDetection.objects.filter(publication=pub).update(sources_used=["DCIR"])
    assert changed()
    with connection.cursor() as cursor:  # raw SQL too: the triggers are in the database
        cursor.execute("UPDATE corpus_publication SET language = 'fr' WHERE id = %s", [pub.pk])
    assert changed()
    RawRecord.objects.filter(publication=pub).delete()
    assert changed()
    Publication.objects.filter(pk=pub.pk).delete()
    assert changed()


@pytest.mark.django_db
def test_a_rolled_back_write_never_gives_its_token_to_a_later_corpus() -> None:
    before = listcache.generation()
    with pytest.raises(RuntimeError), transaction.atomic():
        publication("Rolled back")
        inside = listcache.generation()
        raise RuntimeError
    assert listcache.generation() == before
    publication("Committed")
    assert listcache.generation() not in (before, inside)


@pytest.mark.django_db
def test_the_list_is_computed_once_then_recomputed_after_an_import(viewer: Client) -> None:
    for i in range(30):
        publication(f"Cohort study {i}", year=2000 + i % 3)
    first = viewer.get(LIST, {"q": "cohort"}).content.decode()
    assert "30" in first
    with CaptureQueriesContext(connection) as queries:
        again = viewer.get(LIST, {"q": "cohort"}).content.decode()
    strip = __import__("re").compile(r'X-CSRFToken": "[^"]+"|name="csrfmiddlewaretoken" value="[^"]+"')
    assert strip.sub("", again) == strip.sub("", first)
    grouped = [q["sql"] for q in queries.captured_queries if "GROUP BY" in q["sql"] or "COUNT(" in q["sql"]]
    assert grouped == []  # counts and facets came from the cache
    publication("Cohort study 30", year=2002)
    fresh = viewer.get(LIST, {"q": "cohort"}).content.decode()
    assert "31" in fresh and fresh != first


@pytest.mark.django_db
def test_without_the_token_row_nothing_is_cached() -> None:
    CorpusGeneration.objects.all().delete()
    calls = []
    for _ in range(2):
        listcache.cached("probe", {}, lambda: calls.append(1) or len(calls))
    assert len(calls) == 2


@pytest.mark.django_db
def test_readers_missing_together_wait_for_one_computation() -> None:
    """While one reader computes the figures (it holds the lock), another waits for its result instead of
    computing the same figures beside it."""
    import threading

    from django.core.cache import cache

    token = listcache.generation()
    started, release, calls = threading.Event(), threading.Event(), []

    def slow() -> int:
        calls.append(1)
        started.set()
        release.wait(5)
        return 42

    first = threading.Thread(target=lambda: listcache.cached("probe-wait", {}, slow, token=token))
    first.start()
    assert started.wait(5)
    results = []
    second = threading.Thread(
        target=lambda: results.append(
            listcache.cached("probe-wait", {}, lambda: calls.append(2) or 0, token=token)
        )
    )
    second.start()
    release.set()
    first.join(5)
    second.join(10)
    assert results == [42] and calls == [1]
    cache.clear()
