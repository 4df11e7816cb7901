"""A small corpus in the database, scanned for sources, for building editions from the database.

The publications are written for these tests: their abstracts name sources in the ways the detector knows
(acronym, official name, generic description), an authorisation body, a custodian, and two of them carry the
DOIs of publications the shipped impact cases cite, so they take those cases' categories of use.
"""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from django.test import Client

from benefice.core.roles import EDITOR, VIEWER
from benefice.core.users import ensure_user
from benefice.corpus.models import Publication
from benefice.sources import services as sources

PASSWORD = "correct horse battery staple"
YEAR = 2026
OBSERVED = datetime.date.today().isoformat()  # publications added after it are left out

PUBLICATIONS = [
    dict(
        title="Benfluorex and valvular heart disease: a cohort study of a million people with diabetes",
        year=2021,
        doi="10.1002/pds.2044",
        journal="Pharmacoepidemiol Drug Saf",
        abstract="We used the French national health data system (SNDS) and the PMSI hospital discharge "
        "database. The study was authorised by the CNIL.",
    ),
    dict(
        title="Risk factors of mortality among patients hospitalised with COVID-19",
        year=2023,
        journal="BMJ Open Respir Res",
        abstract="Hospital stays were extracted from the PMSI. Data were provided by the ATIH.",
    ),
    dict(
        title="Cohort profile: the CONSTANCES cohort",
        year=2024,
        doi="10.1093/ije/dyu184",
        journal="Int J Epidemiol",
        abstract="CONSTANCES is a population-based cohort of 200,000 adults in France.",
    ),
    dict(
        title="Statin use in France",
        year=2025,
        journal="Therapie",
        abstract="Reimbursement data from the SNDS were analysed for 2010-2020. Results were compared with a "
        "study in the CPRD.",
    ),
    dict(title="A trial of a new inhaler", year=2025, abstract="A randomised trial in 300 patients."),
    dict(title="Undated editorial", year=None, abstract="Comment."),
    dict(title="Too recent for the edition", year=2027, abstract="We used the SNDS."),
]


@pytest.fixture(autouse=True)
def fast_password_hashing(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def home(settings, tmp_path) -> Path:
    """A fresh BENEFICE_HOME for each test, so editions of one test are not seen by the next."""
    settings.HOME = tmp_path / "home"
    settings.HOME.mkdir()
    return settings.HOME


@pytest.fixture
def corpus(db) -> list[Publication]:
    sources.sync_registry()
    pubs = [Publication.objects.create(**data) for data in PUBLICATIONS]
    sources.scan_database()
    return pubs


@pytest.fixture
def people(db) -> dict:
    return {
        "editor": ensure_user("editor", PASSWORD, EDITOR),
        "viewer": ensure_user("viewer", PASSWORD, VIEWER),
    }


def client_for(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client
