"""A review made from the corpus list's current search (issue 19, item 4): the button carries the search,
the form comes filled, every publication of the search on all its pages becomes a record (by a job of the
queue), and the reader lands on the review."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from benefice.corpus.models import Publication
from benefice.review.models import Review, Search

from .conftest import client_for, make_publications


def _button_url(html: str) -> str:
    match = re.search(r'<a class="button" href="([^"]*from-search/[^"]*)"', html)
    assert match, "no 'create a review from these results' button"
    return unescape(match.group(1))


@pytest.fixture
def corpus(db) -> list[Publication]:
    pubs = make_publications(n_relevant=30, n_irrelevant=6, year=2020)  # 30 match SNDS: two pages of 25
    make_publications(n_relevant=4, n_irrelevant=0, year=2019)  # SNDS too, another year
    Publication.objects.filter(pk=pubs[0].pk).update(language="fr")
    return pubs


def test_the_button_creates_a_review_holding_every_page_of_the_search(people, corpus) -> None:
    from benefice.corpus.forms import SearchForm
    from benefice.corpus.views import _results

    lead = client_for(people["lead"], "fr")
    listing = lead.get(reverse("corpus:list"), {"q": "SNDS", "year": "2020", "size": "25", "sort": "oldest"})
    html = listing.content.decode()
    assert "Créer une revue à partir de ces résultats" in html
    url = _button_url(html)
    assert "q=SNDS" in url and "year=2020" in url and "size" not in url and "sort" not in url

    form_page = lead.get(url)
    page = form_page.content.decode()
    assert form_page.status_code == 200
    assert "30\u00a0publications" in page or "30 publications" in page  # every page, not the 25 shown
    form = form_page.context["form"]
    assert "SNDS" in form.initial["title"] and "2020" in form.initial["query"]
    assert "Année\u00a0: 2020" in form.initial["query"]  # French typography in the recorded search

    data = {k: v for k, v in form.initial.items()}
    data.update(reviewers_per_record=1, model_name="svm", retrain_every=1, blind="on")
    data["exclusion_reasons"] = "Hors sujet"
    data["keywords"] = ""
    data["question"] = ""
    data["inclusion_criteria"] = data["exclusion_criteria"] = ""
    response = lead.post(urlsplit(url).path, data, follow=True)
    review = Review.objects.get()
    assert response.redirect_chain[-1][0] == reverse("review:detail", args=[review.pk])  # lands on the review
    expected = set(_results(SearchForm({"q": "SNDS", "year": "2020"}).values())[1].values_list("pk", flat=True))
    assert len(expected) == 30
    assert set(review.records.values_list("publication_id", flat=True)) == expected
    search = review.searches.get()
    assert search.kind == Search.CORPUS and search.records_identified == 30 and search.date_from == "2020"
    assert "q=SNDS" in search.notes and "SNDS" in search.query
    assert "30 références identifiées, 30 ajoutées" in " ".join(response.content.decode().split())


def test_facet_filters_narrow_the_review_as_they_narrow_the_list(people, corpus) -> None:
    from benefice.corpus.forms import SearchForm
    from benefice.corpus.views import _results
    from benefice.review import services

    for query in ({"q": "SNDS"}, {"q": "SNDS", "lang": "fr"}, {"year": "2019"}, {"q": "crystal", "year": "2020"}):
        listed = set(_results(SearchForm(query).values())[1].values_list("pk", flat=True))
        assert set(services.search_selection(query).values_list("pk", flat=True)) == listed, query


@pytest.mark.django_db(transaction=True)
def test_the_records_are_added_by_the_worker_then_the_page_opens_the_review(people, database_queue) -> None:
    make_publications(n_relevant=3, n_irrelevant=0)
    lead = client_for(people["lead"])
    url = reverse("review:from_search") + "?q=SNDS"
    form = lead.get(url).context["form"]
    data = {**form.initial, "reviewers_per_record": 1, "model_name": "svm", "retrain_every": 1}
    response = lead.post(reverse("review:from_search"), data)
    review = Review.objects.get()
    job_url = response["Location"]
    assert review.records.count() == 0  # the request only queued the job
    assert 'hx-trigger="every 1s"' in lead.get(job_url).content.decode()
    database_queue.run()
    status = lead.get(job_url + "status/", HTTP_HX_REQUEST="true")
    assert status["HX-Redirect"] == job_url
    assert lead.get(job_url)["Location"] == reverse("review:detail", args=[review.pk])
    assert review.records.count() == 3


def test_readers_get_no_button_and_cannot_create(people, corpus) -> None:
    alice = client_for(people["alice"])
    assert "from-search" not in alice.get(reverse("corpus:list"), {"q": "SNDS"}).content.decode()
    assert alice.get(reverse("review:from_search") + "?q=SNDS").status_code == 403


def test_a_search_without_results_says_so_and_offers_no_form(people, corpus) -> None:
    lead = client_for(people["lead"], "fr")
    page = lead.get(reverse("review:from_search") + "?q=zzzzunfound").content.decode()
    assert "Aucune publication du corpus" in page and "review-from-search-form" not in page
    assert lead.post(reverse("review:from_search"), {"search": "q=zzzzunfound", "title": "x"}).status_code == 200
    assert not Review.objects.exists()
