"""Fixtures for the web tests: one user per role and a small corpus built through the import service.

The corpus goes through ``services.import_records`` (not bare ORM rows) so publications carry the same
provenance as real imports: raw records, ``field_sources`` and a merge event for the duplicate.
"""

from __future__ import annotations

import pytest
from django.test import Client

from benefice.core.roles import ADMIN, EDITOR, VIEWER
from benefice.core.users import ensure_user
from benefice.corpus import services
from benefice.corpus.models import ImportBatch, Publication
from benefice.corpus.record import Author, Record

PASSWORD = "correct horse battery staple"

# Real bibliographic facts (titles, authors, journals, years, DOIs) of studies on French health data.
CORPUS = [
    dict(
        title="Benfluorex and valvular heart disease: a cohort study of a million people with diabetes mellitus",
        authors=[
            ("Weill", "Alain", "0000-0002-1825-0097", ["CNAMTS, Paris, France"]),
            ("Païta", "Michel", "", []),
        ],
        year=2010,
        journal="Pharmacoepidemiology and Drug Safety",
        doi="10.1002/pds.2044",
        doc_type="article",
        language="en",
        keywords=["benfluorex", "valvulopathy", "SNIIRAM"],
    ),
    dict(
        title="Pioglitazone and risk of bladder cancer among diabetic patients in France",
        authors=[("Neumann", "Anke", "", ["CNAMTS"]), ("Weill", "Alain", "", [])],
        year=2012,
        journal="Diabetologia",
        doi="10.1007/s00125-012-2538-9",
        doc_type="article",
        language="en",
    ),
    dict(
        title="Use of cyproterone acetate and risk of intracranial meningioma",
        authors=[("Weill", "Alain", "", []), ("Nguyen", "Pauline", "", [])],
        year=2021,
        journal="BMJ",
        doi="10.1136/bmj.n37",
        doc_type="article",
        language="en",
    ),
    dict(
        title="Le Système national des données de santé (SNDS) : une base médico-administrative",
        authors=[("Tuppin", "Philippe", "", [])],
        year=2017,
        journal="Revue d'Épidémiologie et de Santé Publique",
        doi="10.1016/j.respe.2017.05.004",
        doc_type="review",
        language="fr",
    ),
]


def ris_text(data: dict) -> str:
    lines = ["TY  - JOUR", f"TI  - {data['title']}"]
    lines += [f"AU  - {family}, {given}" for family, given, *_ in data["authors"]]
    lines += [f"PY  - {data['year']}", f"T2  - {data['journal']}", f"DO  - {data['doi']}", "ER  - "]
    return "\n".join(lines) + "\n"


def record(n: int, data: dict, *, source_format: str = "ris", **changes) -> Record:
    fields = {**data, **changes}
    authors = [
        Author(name=f"{f}, {g}", family=f, given=g, orcid=o, affiliations=list(a))
        for f, g, o, a in fields.pop("authors")
    ]
    return Record(
        source_format=source_format,
        position=n,
        line=1 + 8 * (n - 1),
        raw=ris_text(data),
        authors=authors,
        **fields,
    )


def build_corpus() -> dict[str, Publication]:
    """Four publications from a RIS batch, then a MEDLINE record of the first merged into it by DOI."""
    batch = ImportBatch.objects.create(kind="file", origin="corpus.ris", format="ris")
    services.import_records([record(n, data) for n, data in enumerate(CORPUS, 1)], batch, origin="corpus.ris")
    pubmed = ImportBatch.objects.create(kind="file", origin="one.nbib", format="medline")
    duplicate = Record(
        source_format="medline",
        position=1,
        line=1,
        raw="PMID- 20681016\nTI  - Benfluorex and valvular heart disease.\nLID - 10.1002/pds.2044 [doi]\n",
        title="Benfluorex and valvular heart disease.",
        doi="10.1002/pds.2044",
        pmid="20681016",
        abstract="A short abstract written for this test.",
        year=2010,
    )
    counts = services.import_records([duplicate], pubmed, origin="one.nbib")
    assert counts.duplicates_merged == 1
    return {
        "benfluorex": Publication.objects.get(doi="10.1002/pds.2044"),
        "pioglitazone": Publication.objects.get(doi="10.1007/s00125-012-2538-9"),
        "cyproterone": Publication.objects.get(doi="10.1136/bmj.n37"),
        "snds": Publication.objects.get(doi="10.1016/j.respe.2017.05.004"),
    }


@pytest.fixture(autouse=True)
def fast_password_hashing(settings) -> None:
    """Sign-ins in every test: the production hasher is slow on purpose, tests need not be."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def corpus(db) -> dict[str, Publication]:
    return build_corpus()


def _client_for(role: str, **extra) -> Client:
    ensure_user(role, PASSWORD, role, **extra)
    client = Client()
    assert client.login(username=role, password=PASSWORD)
    return client


@pytest.fixture
def viewer(db) -> Client:
    return _client_for(VIEWER)


@pytest.fixture
def editor(db) -> Client:
    return _client_for(EDITOR)


@pytest.fixture
def admin_client_(db) -> Client:
    return _client_for(ADMIN, superuser=True)
