"""The barometer's edition messages in the reader's language (issue 19): what a build read from the
database, the refusals of a target or a directory that is not an edition, why a rebuild failed and the
``diff`` report, each in French (typography and plurals) and in English; and editions frozen before the
curated texts were bilingual still load and verify."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml
from barometer_fixtures import OBSERVED, PUBLICATIONS, YEAR, make_edition
from click.testing import CliRunner

from benefice.barometer.db import DatabaseReport
from benefice.barometer.diff import diff, diff_text
from benefice.barometer.freeze import build, check_target, read_manifest, verify
from benefice.barometer.inputs import (
    inputs_from_bytes,
    inputs_from_directory,
    inputs_from_records,
    write_inputs,
)
from benefice.cases.rank import parse_weights
from benefice.errors import BeneficeError
from benefice.paths import package_data

NBSP, NNBSP = "\u00a0", "\u202f"


def run(args: list, lang: str, code: int = 0) -> str:
    from benefice.cli import main

    env = {"LANG": lang, "LANGUAGE": "", "LC_ALL": "", "LC_MESSAGES": ""}
    result = CliRunner().invoke(main, [str(a) for a in args], env=env)
    assert result.exit_code == code, result.output
    return result.output


# ---------------------------------------------------------------------------------------------------------
# What a build from the database read
# ---------------------------------------------------------------------------------------------------------
def test_database_report_lines_are_messages_with_plurals_and_grouped_thousands():
    report = DatabaseReport(publications=12345, records=1, after_edition_year=2, not_scanned=1, not_classified=3)
    lines = report.lines()
    assert [line.localized("fr") for line in lines] == [
        f"1 publication lue dans la base de données (sur 12{NNBSP}345)",
        "2 publications datées d'après l'année de l'édition écartées",
        "1 publication jamais analysée pour ses sources de données compte comme n'en utilisant aucune"
        f"{NBSP}; lancez d'abord `benefice scan`",
        "3 publications utilisant une source n'ont encore aucun usage enregistré et ne comptent dans aucune "
        f"catégorie{NBSP}; lancez d'abord `benefice scan`",
    ]
    assert lines[0].localized("en") == "1 publication read from the database (of 12345)"
    assert lines[1].localized("en") == "2 publications dated after the edition year left out"
    # a line is also its English text, so a build job that stores its step as text keeps working
    assert json.dumps([lines[3]]) == json.dumps([lines[3].localized("en")])
    assert "3 publications using a source have no kinds of use" in lines[3]


def test_the_build_command_prints_the_database_report_in_the_users_locale(tmp_path: Path, monkeypatch):
    from benefice.commands import barometer as command

    said: list = []

    def fake_build(year, observed, *, progress, **_kw):
        report = DatabaseReport(publications=2, records=2, created_after_observation=1)
        for line in report.lines():
            progress(line)
        said.append(True)
        raise BeneficeError("stop here")

    monkeypatch.setattr(command, "_setup_database", lambda: None)
    import benefice.barometer.services as services

    monkeypatch.setattr(services, "build_from_database", fake_build)
    args = ["barometer", "build", "--year", YEAR, "--observed-at", OBSERVED, "--out", tmp_path / "e"]
    french = run(args, "fr_FR.UTF-8", code=2)
    assert "… 2 publications lues dans la base de données (sur 2)" in french
    assert "… 1 publication ajoutée au corpus après la date d'observation écartée" in french
    english = run(args, "C", code=2)
    assert "… 1 publication added to the corpus after the observation date left out" in english
    assert said == [True, True]


# ---------------------------------------------------------------------------------------------------------
# Refusals of a target, of a directory that is not an edition, of a rebuild
# ---------------------------------------------------------------------------------------------------------
def test_check_target_refusals_in_french_and_english(edition: Path, tmp_path: Path):
    with pytest.raises(BeneficeError) as full:
        check_target(edition, YEAR, force_new_dir=True)
    assert (
        f"ce dossier d'édition existe déjà et n'est pas vide{NBSP}; une édition n'est jamais écrasée "
        "(choisissez un autre dossier)"
    ) in full.value.localized("fr")
    assert "this edition directory already exists and is not empty" in full.value.localized("en")
    with pytest.raises(BeneficeError) as twice:
        check_target(edition.parent / "another", YEAR)
    assert twice.value.localized("fr", name_only=True) == (
        f"editions{NBSP}: une édition {YEAR} existe déjà dans {edition.name}{NBSP}; utilisez --force-new-dir "
        "pour en construire une autre à côté"
    )
    assert twice.value.localized("en", name_only=True) == (
        f"editions: an edition for {YEAR} already exists in {edition.name}; use --force-new-dir to build "
        "another one next to it"
    )
    with pytest.raises(BeneficeError) as not_edition:
        read_manifest(tmp_path)
    assert not_edition.value.localized("fr").endswith(f"ce n'est pas une édition{NBSP}: manifest.json est absent")
    assert not_edition.value.localized("en").endswith("not an edition: manifest.json is missing")


def test_a_failed_rebuild_is_said_in_the_users_language(edition: Path, tmp_path: Path):
    copy = tmp_path / "copy"
    shutil.copytree(edition, copy)
    (copy / "inputs" / "cases.yaml").unlink()
    report = verify(copy)
    assert report.rebuild_error.endswith("input file cases.yaml is missing")
    assert report.rebuild_error_in("fr").endswith("le fichier d'entrée cases.yaml est absent")
    assert f"échec de la reconstruction{NBSP}: " in run(["barometer", "verify", copy], "fr_FR.UTF-8", code=1)
    english = run(["barometer", "verify", copy], "C", code=1)
    assert "rebuild failed: " in english and "input file cases.yaml is missing" in english
    assert "missing: inputs/cases.yaml" in english


# ---------------------------------------------------------------------------------------------------------
# benefice barometer diff
# ---------------------------------------------------------------------------------------------------------
def test_diff_report_in_french_and_english(edition: Path, tmp_path: Path):
    more = [*PUBLICATIONS, {"id": "pub-007", "year": 2025, "doi": "10.1/new", "sources_used": ["PMSI"]}]
    b = make_edition(tmp_path, more, name="b", with_pdf=False, force_new_dir=True)
    d = diff(edition, b)
    french = diff_text(d, "fr")
    assert f"Édition A{NBSP}: {YEAR}, observée le {OBSERVED}" in french
    assert f"  5 → 6{NBSP}: 1 nouvelle, 0 retirée" in french or f"{NBSP}: 1 nouvelle, 0 retirée" in french
    assert f"  nouvelles{NBSP}: pub-007" in french
    assert "\nChiffres\n" in french and "\nMéthode\n" in french
    english = diff_text(d, "en")
    assert f"Edition A: {YEAR} observed {OBSERVED}" in english
    assert ": 1 new, 0 removed" in english and "  new: pub-007" in english
    assert "\nFigures\n" in english and "\nMethod\n" in english
    assert f"{NBSP}: 1 nouvelle, 0 retirée" in run(["barometer", "diff", edition, b], "fr_FR.UTF-8")
    assert ": 1 new, 0 removed" in run(["barometer", "diff", edition, b], "C")


def test_use_counts_of_a_diff_in_french():
    from benefice.barometer.diff import _use_text

    counts = {"publications": 1200, "by_person": 1, "by_rule": 2, "by_model": 3, "expected": 4.5, "low": 3, "high": 6}
    assert _use_text(counts, "fr") == (
        f"1{NNBSP}200 (personne 1, règle 2, modèle 3{NBSP}; attendu 4.5, IC à 95{NBSP}% 3–6)"
    )
    assert _use_text(counts, "en") == "1200 (person 1, rule 2, model 3; expected 4.5, 95 % 3–6)"
    assert _use_text(None, "fr") == "non compté"


# ---------------------------------------------------------------------------------------------------------
# Editions frozen before issue 19: English-only cases, indicators, ranking
# ---------------------------------------------------------------------------------------------------------
# a case as cases.yaml 1.0.0 wrote it: a bilingual title, every other prose field an English string
CASES_1_0_0 = """
version: "1.0.0"
changelog:
  - {version: "1.0.0", date: "2026-11-28", author: benefice team, change: First cases.}
defaults:
  entered_by: benefice team
  entered_at: "2026-11-28"
cases:
  - id: mediator_benfluorex
    title:
      fr: "Mediator (benfluorex) : une cohorte de l'Assurance maladie confirme le risque de valvulopathie"
      en: "Mediator (benfluorex): a health-insurance cohort confirms the risk of valvular heart disease"
    summary: >-
      The national health insurance fund followed about one million people with diabetes in SNIIRAM and
      PMSI; those exposed to benfluorex were hospitalised for valvular insufficiency three times as often.
    categories: [pharmacovigilance_drug_safety]
    data_sources: [SNIIRAM, PMSI]
    attribution_grade: reason
    publications:
      - {doi: 10.1002/pds.2044, pmid: "20945504", citation: "Weill A, et al. Pharmacoepidemiol Drug Saf 2010"}
    decisions:
      - agency: AFSSAPS
        date: "2009-11"
        type: withdrawal
        scope: national
        description: Marketing authorisation suspended at the end of November 2009.
        provenance: S-prev
    figures:
      - indicator: R1
        label: People with diabetes aged 40-69 in the 2006 cohort
        value: 1048173
        unit: persons
        population: People with diabetes aged 40-69, France
        period: "2006"
        source: {doi: 10.1002/pds.2044, location: "abstract, population", provenance: S-prev}
        evidence_grade: observed
        attribution_grade: reason
"""


def _english_only(value):
    """A bilingual {fr, en} text as version 1.0.0 wrote it: its English alone."""
    if isinstance(value, dict) and set(value) == {"fr", "en"}:
        return value["en"]
    if isinstance(value, dict):
        return {k: _english_only(v) for k, v in value.items()}
    return value


def _indicators_1_0_0() -> bytes:
    """indicators.yaml in the 1.0.0 shape: names bilingual, definitions, how-to and pitfalls in English."""
    data = yaml.safe_load(package_data("indicators.yaml").read_text(encoding="utf-8"))
    for ind in data["indicators"]:
        for key in ("definition", "how_to_measure", "pitfalls"):
            if key in ind:
                ind[key] = _english_only(ind[key])
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False).encode("utf-8")


def _registry_1_0_0() -> bytes:
    """sources.yaml as the 1.0.0 registry wrote it: access, ambiguity and custodian notes in English."""
    from benefice.sources.registry import PROSE_FIELDS

    data = yaml.safe_load(package_data("sources.yaml").read_text(encoding="utf-8"))
    for source in data["sources"]:
        for key in PROSE_FIELDS:
            if key in source:
                source[key] = _english_only(source[key])
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False).encode("utf-8")


def test_an_edition_frozen_with_english_only_files_still_loads_and_verifies(tmp_path: Path):
    old = {
        "cases.yaml": CASES_1_0_0.encode("utf-8"),
        "indicators.yaml": _indicators_1_0_0(),
        "sources.yaml": _registry_1_0_0(),
    }
    registry = yaml.safe_load(old["sources.yaml"])
    assert any(isinstance(s.get("access"), str) for s in registry["sources"])  # English only, as 1.0.0
    assert not any(isinstance(s.get("access"), dict) for s in registry["sources"])
    with pytest.raises(BeneficeError, match="French"):  # a new edition's definitions need their French
        inputs_from_directory(write_inputs(tmp_path / "inputs", PUBLICATIONS, definitions=old))
    edition = build(
        inputs_from_records(PUBLICATIONS, definitions=old), YEAR, tmp_path / "editions" / "old", OBSERVED,
        version="test", with_pdf=False,
    )  # fmt: skip
    frozen = {p.name: p.read_bytes() for p in (edition / "inputs").iterdir()}
    assert frozen["cases.yaml"] == old["cases.yaml"]
    inputs = inputs_from_bytes(frozen, str(edition / "inputs"))
    summary = inputs.cases.cases["mediator_benfluorex"].summary
    assert summary.en.startswith("The national health insurance fund") and summary.fr == ""
    report = verify(edition)
    assert report.ok, report.lines()


def test_a_ranking_frozen_with_english_only_rationales_is_read_as_english():
    data = yaml.safe_load(package_data("ranking.yaml").read_text(encoding="utf-8"))
    for criterion in data["criteria"]:
        criterion["rationale"] = criterion["rationale"]["en"]  # ranking 1.0.0: rationales in English only
    with pytest.raises(BeneficeError, match="rationale"):
        parse_weights(data, "ranking.yaml")
    spec = parse_weights(data, "ranking.yaml", one_language=True)
    first = spec.criteria[0].rationale
    assert first.en == " ".join(data["criteria"][0]["rationale"].split()) and first.fr == ""


def test_what_the_conversion_left_out_is_said_in_the_readers_language():
    """Issue 19: the build's report lines about records left out were English with "(s)" plurals."""
    from benefice.barometer.records import Skipped

    lines = Skipped(without_year=2, unknown_sources={"GONE": 1}, unknown_forms=1).lines()
    assert lines[0] == "2 publications without a year left out (an edition counts by year)"  # English text
    assert lines[0].localized("fr") == "2 publications sans année laissées de côté (une édition compte par année)"
    assert "(dans 1 détection)" in lines[1].localized("fr") and "'GONE'" in lines[1]
    assert lines[2].localized("fr") == "1 mention sans forme de nom connue ignorée"
