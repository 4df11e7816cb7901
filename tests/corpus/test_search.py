"""The query language of the corpus search, the index kept in step with bulk writes, and the query guard."""

from __future__ import annotations

import pytest
from django.db import connection

from benefice.core import guard
from benefice.corpus import search
from benefice.corpus.models import Publication


def test_query_language_words_phrases_prefixes() -> None:
    terms = search.parse('Cohorte "données de santé" hospitali* Évaluation')
    assert terms == [
        search.Term(("cohorte",), prefix=False),
        search.Term(("donnees", "de", "sante"), prefix=False),
        search.Term(("hospitali",), prefix=True),
        search.Term(("evaluation",), prefix=True),  # the last word typed is a prefix (search as you type)
    ]
    assert search.fts5_query('cohort "heart failure" surv*') == '"cohort" "heart failure" "surv"*'
    assert search.tsquery('cohort "heart failure" surv*') == "'cohort' & ('heart' <-> 'failure') & 'surv':*"
    # punctuation separates words and no engine operator gets through
    assert search.fts5_query('covid-19 AND "x" OR NEAR(') == '"covid 19" "and" "x" "or" "near"*'
    assert search.fts5_query('"" * -') == ""


def _pub(title: str, **fields) -> Publication:
    from benefice.corpus import fields as corpus_fields

    values = {"title": title, "authors": [], "keywords": [], "mesh": [], **fields}
    return Publication(
        title=title, search_text=corpus_fields.search_text(lambda f: values.get(f, "")), **fields
    )


@pytest.mark.django_db
def test_phrases_prefixes_and_accents_on_this_database() -> None:
    Publication.objects.bulk_create(
        [
            _pub("Insuffisance cardiaque et hospitalisation"),
            _pub("Cardiaque, insuffisance rénale"),
            _pub("Hospitalised heart failure patients"),
        ]
    )

    def titles(text: str) -> set[str]:
        return set(search.search(Publication.objects.all(), text).values_list("title", flat=True))

    assert titles('"insuffisance cardiaque"') == {"Insuffisance cardiaque et hospitalisation"}
    assert titles("insuffisance cardiaque") == {
        "Insuffisance cardiaque et hospitalisation",
        "Cardiaque, insuffisance rénale",
    }
    assert titles("renale") == {"Cardiaque, insuffisance rénale"}  # accents do not matter
    assert titles("hospitali* cardiaque") == {"Insuffisance cardiaque et hospitalisation"}
    assert titles("hospitali*") == {
        "Insuffisance cardiaque et hospitalisation",
        "Hospitalised heart failure patients",
    }
    ranked = list(search.ranked(Publication.objects.all(), "hospitali").values_list("title", flat=True))
    assert len(ranked) == 2


@pytest.mark.django_db
def test_bulk_writes_keep_the_index_and_it_can_be_rebuilt() -> None:
    pubs = Publication.objects.bulk_create([_pub("Kawasaki disease in France"), _pub("Other")])
    assert search.search(Publication.objects.all(), "kawasaki").count() == 1
    pubs[1].title, pubs[1].search_text = "Kawasaki again", "kawasaki again"
    Publication.objects.bulk_update([pubs[1]], ["title", "search_text"])
    assert search.search(Publication.objects.all(), "kawasaki").count() == 2
    Publication.objects.filter(pk=pubs[0].pk).delete()
    assert search.search(Publication.objects.all(), "kawasaki").count() == 1
    assert search.rebuild_index() == 1
    assert search.search(Publication.objects.all(), "kawasaki").count() == 1


RUNAWAY = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 1000000000) SELECT count(*) FROM c"


@pytest.mark.django_db
def test_budget_stops_a_runaway_query_and_the_connection_stays_usable() -> None:
    with pytest.raises(guard.BudgetExceeded) as stopped:
        with guard.budget(0.05):
            with connection.cursor() as cursor:
                cursor.execute(RUNAWAY)
    assert stopped.value.reason == "time"
    assert Publication.objects.count() == 0  # the savepoint was rolled back, the connection still works
    with connection.cursor() as cursor:  # outside a budget nothing is limited (the CLI, imports)
        cursor.execute("SELECT 1")
        assert cursor.fetchone()[0] == 1
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW statement_timeout")
            assert cursor.fetchone()[0] == "0"
