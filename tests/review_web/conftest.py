"""Fixtures: a lead (editor), two reviewers (viewers), an outsider; a review over a small synthetic corpus.

Publications are written straight to the corpus table (the importers are tested by the corpus tests); the
review takes them through ``add_from_corpus`` like the page does. Retraining runs where it is queued (the
suite's immediate task backend), at once, so that it sees the test transaction.
"""

from __future__ import annotations

import pytest
from django.test import Client

from benefice.core.roles import EDITOR, VIEWER
from benefice.core.users import ensure_user
from benefice.corpus.models import Publication
from benefice.corpus.services import build_search_text
from benefice.review import services, worker
from benefice.review.models import Member
from benefice.review.services import decisions, records

PASSWORD = "correct horse battery staple"

RELEVANT = "Nationwide cohort from the SNDS claims database on drug safety of {} in France"
IRRELEVANT = "Laboratory study of {} crystal growth under low temperature conditions"
TOPICS = [
    "valproate",
    "statins",
    "opioids",
    "anticoagulants",
    "vaccines",
    "insulin",
    "antibiotics",
    "isotretinoin",
]


@pytest.fixture(autouse=True)
def fast_password_hashing(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def synchronous_worker(monkeypatch) -> None:
    """Queue the retraining at once instead of on commit: a test's transaction never commits, so on_commit
    never fires (test_worker.py checks the real path, on_commit then the database queue and a worker, with
    a transactional database)."""
    for module in (records, decisions):  # where the services that schedule a retraining look it up
        monkeypatch.setattr(module, "_schedule", lambda review: worker.schedule(review.pk))
    worker._features.clear()
    worker._classifiers.clear()


@pytest.fixture
def people(db) -> dict:
    return {
        "lead": ensure_user("lead", PASSWORD, EDITOR),
        "alice": ensure_user("alice", PASSWORD, VIEWER),
        "bob": ensure_user("bob", PASSWORD, VIEWER),
        "outsider": ensure_user("outsider", PASSWORD, VIEWER),
    }


def client_for(user, language: str = "en") -> Client:
    from django.conf import settings

    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def make_publications(n_relevant: int = 8, n_irrelevant: int = 24, year: int = 2020) -> list[Publication]:
    pubs = []
    for i in range(n_relevant):
        topic = TOPICS[i % len(TOPICS)]
        pubs.append(
            Publication(
                title=RELEVANT.format(topic) + f" ({i})",
                abstract=(
                    f"We used the French national health data system (SNDS) to study {topic} exposure and "
                    "hospitalisation outcomes in a nationwide cohort of patients."
                ),
                year=year,
            )
        )
    for i in range(n_irrelevant):
        topic = TOPICS[i % len(TOPICS)]
        pubs.append(
            Publication(
                title=IRRELEVANT.format(topic) + f" ({i})",
                abstract=(
                    f"Crystals of {topic} were grown in the laboratory and observed with X-ray diffraction "
                    "at several temperatures."
                ),
                year=year,
            )
        )
    for pub in pubs:
        pub.search_text = build_search_text(pub)
        pub.save()
    return pubs


@pytest.fixture
def review(people):
    make_publications()
    review = services.create_review(
        "SNDS drug safety",
        people["lead"],
        keywords=["SNDS", "cohort"],
        question="Which studies use the SNDS?",
    )
    services.set_member(review, people["alice"], Member.REVIEWER, people["lead"])
    services.set_member(review, people["bob"], Member.REVIEWER, people["lead"])
    services.add_from_corpus(review, people["lead"], database="Corpus", year_from=2020)
    return review
