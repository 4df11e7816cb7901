"""Editions built from the database: records, what is left out and why, the CLI, refusals, and the whole
edition (site, PDF, data package validated by frictionless) from a small scanned corpus."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from benefice.barometer import db, services
from benefice.barometer.freeze import verify
from benefice.commands import barometer as barometer_cli
from benefice.corpus.models import Publication
from benefice.errors import BeneficeError
from benefice.sources.models import Source

from .conftest import OBSERVED, YEAR

pytestmark = pytest.mark.django_db


def _rows(inputs) -> dict[str, dict]:
    return {r["title"]: r for r in inputs.publications.to_pylist()}


def test_records_from_detections_mentions_and_cases(corpus):
    report = db.DatabaseReport()
    inputs = db.inputs_from_database(YEAR, OBSERVED, report=report)
    rows = _rows(inputs)
    assert len(rows) == 5 and report.records == 5 and report.publications == 7
    assert report.after_edition_year == 1 and report.skipped.without_year == 1
    benfluorex = rows[
        "Benfluorex and valvular heart disease: a cohort study of a million people with diabetes"
    ]
    assert benfluorex["id"] == str(corpus[0].pk)
    assert benfluorex["sources_used"] == ["PMSI", "SNDS"]
    assert {"source": "PMSI", "form": "description"} in benfluorex["forms"]
    assert benfluorex["cites_authorisation"] is True  # "authorised by the CNIL"
    # the shipped Mediator case cites this DOI: the publication takes the case's categories of use, kept
    # apart from its own kinds of use in the corpus (PublicationUses)
    assert benfluorex["case_categories"] == ["pharmacovigilance_drug_safety"]
    covid = rows["Risk factors of mortality among patients hospitalised with COVID-19"]
    assert (
        covid["cites_custodian"] is True and covid["cites_authorisation"] is False
    )  # "provided by the ATIH"
    statins = rows["Statin use in France"]
    assert statins["sources_used"] == ["SNDS"] and statins["sources_mentioned"] == ["CPRD"]
    assert rows["A trial of a new inhaler"]["sources_used"] == []
    assert inputs.registry.version == services_registry_version()
    assert "without a year" in " ".join(report.lines())


def services_registry_version() -> str:
    from benefice.sources.registry import load_registry

    return load_registry().version


def test_observation_date_leaves_out_publications_added_later(corpus):
    Publication.objects.filter(pk=corpus[3].pk).update(created_at="2030-01-02T10:00:00+00:00")
    report = db.DatabaseReport()
    inputs = db.inputs_from_database(YEAR, OBSERVED, report=report)
    assert report.created_after_observation == 1
    assert "Statin use in France" not in _rows(inputs)
    with pytest.raises(BeneficeError, match="YYYY-MM-DD"):
        db.inputs_from_database(YEAR, "28/11/2026")


def test_unscanned_publication_counts_as_using_nothing_and_is_reported(corpus):
    late = Publication.objects.create(title="Scanned later", year=2024, abstract="We used the SNDS.")
    report = db.DatabaseReport()
    rows = _rows(db.inputs_from_database(YEAR, OBSERVED, report=report))
    assert rows["Scanned later"]["sources_used"] == [] and report.not_scanned == 1
    assert any("benefice scan" in line for line in report.lines())
    assert late.pk


def test_edited_registry_is_exported_with_its_own_version(corpus):
    from benefice.sources.services import update_source

    snds = Source.objects.get(pk="SNDS")
    update_source(
        "SNDS", dict(snds.data, custodian="Caisse nationale (edited)"), expected_version=snds.version
    )
    inputs = db.inputs_from_database(YEAR, OBSERVED)
    assert inputs.registry.version.startswith(services_registry_version() + "+db.")
    assert inputs.registry["SNDS"].custodian == "Caisse nationale (edited)"
    assert b"Caisse nationale (edited)" in inputs.files["sources.yaml"]


def test_empty_corpus_is_a_clear_message(db):
    with pytest.raises(BeneficeError, match="no publication") as info:
        db_inputs = db  # noqa: F841 - the fixture only provides database access
        from benefice.barometer.db import inputs_from_database

        inputs_from_database(YEAR, OBSERVED)
    assert "benefice import" in str(info.value)
    Publication.objects.create(title="Old", year=2001)
    Publication.objects.create(title="Undated")
    with pytest.raises(BeneficeError, match="without a year") as left_out:
        inputs_from_database(2001 - 1, OBSERVED)
    # said in the reader's language, what was left out included (a plural where the count asks for one)
    french = left_out.value.localized("fr")
    assert french.startswith(
        "le corpus ne contient aucune publication datée de 2000 ou avant (2 dans la base de données\u00a0; "
        "1 publication datée d'après l'année de l'édition écartée"
    )
    assert "\u00a0: importez d'abord des publications" in french
    assert "(2 in the database; 1 publication dated after the edition year left out" in left_out.value.localized("en")


@pytest.fixture
def no_migrate(monkeypatch):
    """The CLI upgrades the schema first; the test database is already current (and inside a transaction)."""
    monkeypatch.setattr(barometer_cli, "_setup_database", lambda: None)


def test_cli_builds_from_the_database_by_default_and_refuses_a_second_build(corpus, home, no_migrate):
    runner = CliRunner()
    args = ["build", "--year", str(YEAR), "--observed-at", OBSERVED]
    result = runner.invoke(barometer_cli.barometer, args)
    assert result.exit_code == 0, result.output + repr(result.exception)
    out = home / "barometer" / str(YEAR)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["publications"] == {"file": "publications.jsonl", "count": 5, "in_perimeter": 5}
    assert "5 publications read from the database (of 7)" in result.output  # a plural, not "(s)"
    assert services.discover_editions()[0].directory == str(out.resolve())  # registered for the web app
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}

    again = runner.invoke(barometer_cli.barometer, args)
    assert again.exit_code != 0 and "never overwritten" in str(again.exception)
    elsewhere = runner.invoke(barometer_cli.barometer, [*args, "--out", str(home / "barometer" / "other")])
    assert elsewhere.exit_code != 0 and f"an edition for {YEAR} already exists" in str(elsewhere.exception)
    assert not (home / "barometer" / "other").exists()
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert [p.name for p in (home / "barometer").iterdir()] == [str(YEAR)]  # no staging left behind


def test_cli_empty_corpus_fails_cleanly(db, home, no_migrate):
    result = CliRunner().invoke(
        barometer_cli.barometer, ["build", "--year", str(YEAR), "--observed-at", OBSERVED]
    )
    assert result.exit_code != 0 and "no publication" in str(result.exception)
    assert not (home / "barometer" / str(YEAR)).exists()


def test_end_to_end_site_pdf_and_datapackage(corpus, home):
    """What CI runs on the demo database: site, PDF and a data package that frictionless validates."""
    from frictionless import Package

    edition = services.build_from_database(YEAR, OBSERVED)
    out = edition.path
    assert edition.year == YEAR and edition.publications == 5 and services.status(edition) == services.OK
    for page in ("index.html", "fr/index.html", "en/index.html", "fr/charts.html", "fr/methodology.html",
                 "fr/custodians/index.html"):  # fmt: skip
        assert (out / "site" / page).is_file(), page
    assert (out / "report" / f"barometre-{YEAR}-fr.pdf").read_bytes().startswith(b"%PDF")
    assert (out / "report" / f"barometer-{YEAR}-en.pdf").read_bytes().startswith(b"%PDF")
    report = Package(str(out / "data" / "datapackage.json")).validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "message"])[:5]
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    snds = next(r for r in results["sources"] if r["source"] == "SNDS")
    # own: the 2021 and 2025 publications (the 2027 one is after the year); family adds the 2023 PMSI one
    assert (snds["publications_own"], snds["publications_family"]) == (2, 3)
    assert results["perimeter"]["citing_authorisation"] == 1
    assert verify(out).ok


def test_a_build_error_keeps_its_parts_without_the_server_folders(settings, tmp_path):
    """Issue 19: a failed web build's error is said in the reader's language, and names no server folder."""
    from benefice.barometer import services
    from benefice.errors import BeneficeError
    from benefice.i18n import gettext_noop

    settings.HOME = tmp_path
    exc = BeneficeError(
        gettext_noop("cannot read file: %(reason)s"),
        params={"reason": f"{services.editions_root()}/2026 is busy"},
        path=str(services.editions_root() / "2026" / "inputs" / "cases.yaml"),
    )
    shown = services._without_server_paths(exc)
    assert str(tmp_path) not in (shown.path or "") and str(tmp_path) not in str(shown.params)
    french, english = shown.localized("fr", name_only=True), shown.localized("en", name_only=True)
    assert "cases.yaml" in french and french != english and str(tmp_path) not in french
