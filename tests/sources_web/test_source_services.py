"""Registry in the database, detection over the corpus, source pages and audited edits."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from benefice.core.models import AuditEntry
from benefice.core.roles import ADMIN, VIEWER
from benefice.core.users import ensure_user
from benefice.corpus.models import Publication
from benefice.errors import BeneficeError
from benefice.sources import services
from benefice.sources.models import Mention, PublicationDetection, Source

pytestmark = pytest.mark.django_db


@pytest.fixture
def corpus():
    services.sync_registry()
    pubs = [
        Publication.objects.create(
            title="Valproate exposure in pregnancy: a cohort study in the SNDS",
            year=2018,
            abstract="We used the French national health data system (SNDS) and the PMSI hospital discharge "
            "database to follow 1.7 million pregnancies.",
        ),
        Publication.objects.create(
            title="Anticoagulants after stroke",
            year=2020,
            abstract="Data were extracted from the SNDS. Results were compared with a study in the CPRD.",
        ),
        Publication.objects.create(title="A trial of a new inhaler", year=2021, abstract="Randomised trial."),
    ]
    return pubs


def test_sync_is_idempotent_and_keeps_person_edits(corpus):
    again = services.sync_registry()
    assert not again.created and not again.updated and again.unchanged == Source.objects.count()
    assert Source.objects.filter(pk="SNDS", country="FR").exists()
    snds = Source.objects.get(pk="SNDS")
    data = dict(snds.data, custodian="Caisse nationale de l'Assurance maladie (edited)")
    services.update_source("SNDS", data, expected_version=snds.version)
    report = services.sync_registry()
    assert "SNDS" in report.kept_edited
    assert "edited" in Source.objects.get(pk="SNDS").custodian("fr")


def test_scan_detects_and_resumes(corpus):
    report = services.scan_database()
    assert report.scanned == 3
    det = PublicationDetection.objects.get(publication=corpus[0])
    assert "SNDS" in det.sources_used and "PMSI" in det.sources_used
    assert Mention.objects.filter(publication=corpus[0], source_id="SNDS").exists()
    m = Mention.objects.filter(publication=corpus[0]).first()
    text = getattr(corpus[0], m.field)
    assert text[m.start : m.end] == m.text
    again = services.scan_database()
    assert again.scanned == 0 and again.skipped == 3
    stats = services.source_statistics("SNDS")
    assert stats["used"] == 2 and stats["first_year"] == 2018 and stats["last_year"] == 2020
    assert any(c["source"] == "PMSI" for c in stats["co_use"])
    assert abs(sum(v["share"] for v in stats["variants"]) - 1) < 1e-9


def test_edit_validates_whole_registry_and_detects_conflicts(corpus):
    pmsi = Source.objects.get(pk="PMSI")
    bad = dict(pmsi.data, acronyms=[*pmsi.data["acronyms"], "SNDS"])  # alias of another source
    with pytest.raises(BeneficeError) as info:
        services.update_source("PMSI", bad, expected_version=pmsi.version)
    assert "SNDS" in str(info.value)
    cycle = dict(Source.objects.get(pk="SNDS").data, parent="PMSI")
    with pytest.raises(BeneficeError):
        services.update_source("SNDS", cycle, expected_version=Source.objects.get(pk="SNDS").version)
    ok = dict(pmsi.data, citation="Please cite the PMSI as ATIH, PMSI MCO, year.")
    saved = services.update_source("PMSI", ok, expected_version=pmsi.version, comment="citation")
    assert saved.version == pmsi.version + 1
    with pytest.raises(services.EditConflict):
        services.update_source("PMSI", ok, expected_version=pmsi.version)
    entry = AuditEntry.objects.filter(object_id="PMSI", action="update").get()
    assert entry.changed_fields == ["citation"] and entry.comment == "citation"


def test_source_pages_and_permissions(corpus):
    services.scan_database()
    ensure_user("ed", "pw", ADMIN)
    ensure_user("viewer", "pw", VIEWER)
    client = Client()
    assert client.get("/sources/").status_code == 302  # login required
    client.login(username="viewer", password="pw")
    page = client.get("/sources/SNDS/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "spec-timeline" in html and "<mark>" in html and "vega-embed.min.js" in html
    assert client.get("/sources/SNDS/edit/").status_code == 403
    csv_text = b"".join(client.get("/sources/SNDS/mentions.csv").streaming_content).decode()
    assert csv_text.splitlines()[0].startswith("source,publication_id") and "SNDS" in csv_text
    assert "used_per_year,2018" in client.get("/sources/SNDS/citation.csv").content.decode()

    editor = Client()
    editor.login(username="ed", password="pw")
    src = Source.objects.get(pk="REIN")
    form = {
        "version": src.version,
        "name_fr": src.data["names"]["fr"],
        "name_en": src.data["names"]["en"],
        "kind": src.data["kind"],
        "country": "FR",
        "acronyms": "REIN",
        "comment": "test",
    }
    response = editor.post("/sources/REIN/edit/", form)
    assert response.status_code == 302
    stale = editor.post("/sources/REIN/edit/", form)
    assert stale.status_code == 409
    assert User.objects.count() == 2
    assert "test" in editor.get("/sources/REIN/history/").content.decode()


def test_citation_practices_on_the_source_page_and_csv():
    services.sync_registry()
    Publication.objects.create(
        title="Statins and dementia",
        year=2019,
        abstract="We used the Système national des données de santé (SNDS) of the Caisse nationale de "
        "l'Assurance maladie. The study was authorised by the CNIL.",
    )
    Publication.objects.create(title="Opioids in France", year=2020, abstract="Data came from the SNDS.")
    services.scan_database()
    practices = services.source_statistics("SNDS")["practices"]
    assert practices["publications"] == 2
    rows = {r["key"]: r for r in practices["rows"]}
    assert rows["named_in_full"]["count"] == 1 and rows["acronym_only"]["count"] == 1
    assert rows["authorisation_cited"]["count"] == 1 and rows["authorisation_cited"]["share"] == 0.5
    assert rows["custodian_cited"]["count"] == 1
    assert [a["body"] for a in practices["authorisations"]] == ["CNIL"]
    ensure_user("viewer", "pw", VIEWER)
    client = Client()
    client.login(username="viewer", password="pw")
    html = client.get("/sources/SNDS/").content.decode()
    assert "Citation practice in the 2 publications" in html or "publications qui nomment" in html
    body = client.get("/sources/SNDS/citation.csv").content.decode()
    assert "citation_practice,authorisation_cited,,1,0.5000" in body
    assert "authorisation,CNIL,,1,0.5000" in body


def test_scan_command_without_input_scans_the_database(corpus):
    from click.testing import CliRunner

    from benefice.cli import main

    first = CliRunner().invoke(main, ["scan"])
    assert first.exit_code == 0, first.output
    assert "3 publications scanned, 2 name a data source" in " ".join(first.output.split())
    assert PublicationDetection.objects.count() == 3
    again = CliRunner().invoke(main, ["scan"])
    assert "0 publications scanned" in again.output and "3 already scanned" in " ".join(
        again.output.split()
    )
    half = CliRunner().invoke(main, ["scan", "--output", "somewhere"])
    assert half.exit_code != 0 and "needs both --input and --output" in half.output


def test_an_account_without_a_role_cannot_read_source_pages(corpus):
    User.objects.create_user("nobody", password="pw")
    client = Client()
    client.login(username="nobody", password="pw")
    assert client.get("/sources/").status_code == 403
    assert client.get("/sources/SNDS/citation.csv").status_code == 403


def test_init_loads_the_reference_data_once():
    from click.testing import CliRunner

    from benefice.cases.models import Case
    from benefice.cli import main
    from benefice.indicators.models import Indicator

    first = CliRunner().invoke(main, ["init"])
    assert first.exit_code == 0, first.output
    assert Source.objects.count() > 50 and Indicator.objects.count() >= 30 and Case.objects.count() >= 12
    again = CliRunner().invoke(main, ["init"])
    assert "0 sources, 0 indicators and 0 impact cases added" in again.output
