"""Editions: figures, freezing, verification, byte-identical rebuilds, diffs, bad input, open data."""

from __future__ import annotations

import csv
import json
import re
import shutil
from pathlib import Path

import pytest
from barometer_fixtures import OBSERVED, PUBLICATIONS, YEAR, make_edition
from click.testing import CliRunner

from benefice.barometer.compute import compute, interval_sum
from benefice.barometer.diff import diff, diff_text
from benefice.barometer.freeze import build, verify
from benefice.barometer.inputs import inputs_from_directory, inputs_from_records, write_inputs
from benefice.commands.barometer import barometer
from benefice.errors import BeneficeError
from benefice.paths import package_data


def _results(edition: Path) -> dict:
    return json.loads((edition / "results.json").read_text(encoding="utf-8"))


# ---------------------------------------------------------------------------------------------------------
# Figures
# ---------------------------------------------------------------------------------------------------------
def test_perimeter_keeps_publication_year_apart_from_observation(edition):
    r = _results(edition)
    assert r["edition"] == {
        "year": 2026,
        "observed_at": "2026-11-28",
        "first_publication_year": 2011,
        "last_publication_year": 2025,
    }
    # pub-006 (2026) is after the perimeter: counted, not silently dropped.
    assert r["perimeter"]["after_perimeter"] == 1
    assert r["perimeter"]["in_perimeter"] == 5
    # pub-002 only mentions the SNDS: it does not count as a use.
    assert r["perimeter"]["using_any_source"] == 4


def test_own_and_family_counts(edition):
    sources = {row["source"]: row for row in _results(edition)["sources"]}
    # DCIR (pub-003) counts for itself; SNIIRAM's family = pub-003 (via DCIR) + pub-005 (named).
    assert sources["DCIR"]["publications_own"] == 1
    assert sources["SNIIRAM"]["publications_own"] == 1
    assert sources["SNIIRAM"]["publications_family"] == 2
    # SNDS family: pub-001 (PMSI), pub-003 (DCIR and PMSI: counted once), pub-005 (SNDS and SNIIRAM: once).
    assert sources["SNDS"]["publications_family"] == 3
    assert sources["SNDS"]["mentioned_only"] == 1
    # A source with no publication is shown, as zero.
    assert sources["CPRD"]["publications_family"] == 0
    assert sources["CPRD"]["precise_share"] is None


def test_citation_quality_and_custodians(edition):
    r = _results(edition)
    sources = {row["source"]: row for row in r["sources"]}
    assert sources["PMSI"]["precise_share"] == 0.5  # acronym in pub-001, description only in pub-003
    assert sources["PMSI"]["authorisation_share"] == 1.0
    assert r["perimeter"]["pairs_precise"] == 5 and r["perimeter"]["pairs_with_forms"] == 6
    cnam = next(
        c for c in r["custodians"] if c["custodian"] == "Caisse nationale de l'Assurance maladie (CNAM)"
    )
    assert cnam["publications"] == 2  # pub-003 (DCIR) and pub-005 (SNIIRAM), once each
    by_year = {row["year"]: row for row in r["publications_by_year"]}
    assert by_year[2025]["using_french_source"] == 2
    assert by_year[2025]["change"] == 1 and by_year[2025]["change_pct"] == 1.0


def test_cases_decisions_and_ranges_as_of_observation(edition):
    r = _results(edition)
    assert len(r["cases"]) >= 18
    assert all(d["date"][:4] <= "2026" for d in r["decisions"])
    people = next(x for x in r["impact_ranges"] if x["measure"] == "people" and x["unit"] == "persons")
    assert people["low"] <= people["high"]
    delays = {d["case"]: d for d in r["delays"]}
    # valproate: ANSM/CNAMTS report 2016-08-24, EU programme 2018-06 -> 22 months.
    assert delays["valproate_pregnancy"]["months_low"] == 22
    # isotretinoin: review dated "2014" (twelve possible months) -> restriction 2015-05.
    assert (
        delays["isotretinoin_pregnancy_prevention"]["months_low"],
        delays["isotretinoin_pregnancy_prevention"]["months_high"],
    ) == (5, 16)
    assert {h["id"] for h in r["headline"]} >= {"publications", "top_source", "precise_naming", "cases"}
    assert all(h["comment_fr"] and h["comment_en"] and h["evidence"] for h in r["headline"])


def test_earlier_observation_excludes_later_decisions_and_figures(tmp_path):
    inputs = inputs_from_records([*PUBLICATIONS, {"id": "old", "year": 2012, "sources_used": ["SNDS"]}])
    early = compute(inputs, 2015, "2015-06-30")
    assert early["perimeter"]["in_perimeter"] == 1
    assert all(d["date"] <= "2015-06-30" for d in early["decisions"])
    assert early["figures"] == []  # every shipped figure was entered in 2026
    assert early["impact_ranges"] == []


def test_interval_sum_overlap_rule():
    rows = [
        {"case": "a", "figure_id": "a/X1/1", "low": 10.0, "value": 12.0, "high": 20.0},
        {"case": "a", "figure_id": "a/X1/2", "low": None, "value": 5.0, "high": None},
        {"case": "b", "figure_id": "b/A1/1", "low": 1.0, "value": None, "high": 3.0},
    ]
    out = interval_sum(rows)
    # case a: low = largest low (10), high = 20 + 5; case b: 1..3, no central value -> none overall.
    assert (out["low"], out["high"], out["value"]) == (11.0, 28.0, None)
    assert out["cases"] == 2 and out["figures"] == 3


# ---------------------------------------------------------------------------------------------------------
# Freezing and verifying
# ---------------------------------------------------------------------------------------------------------
def test_manifest_records_inputs_versions_and_outputs(edition):
    manifest = json.loads((edition / "manifest.json").read_text(encoding="utf-8"))
    ranking = {"ranking.yaml"} if package_data("ranking.yaml").is_file() else set()  # frozen when shipped
    assert set(manifest["inputs"]) == {
        "sources.yaml", "typology.yaml", "indicators.yaml", "cases.yaml", "params.json", "publications.jsonl",
    } | ranking  # fmt: skip
    assert manifest["versions"]["registry"] and manifest["code_version"] == "test"
    for rel in manifest["outputs"]:
        assert (edition / rel).is_file(), rel
    assert (
        "site/fr/index.html" in manifest["outputs"] and "report/barometer-2026-en.pdf" in manifest["outputs"]
    )
    assert "data/datapackage.json" in manifest["outputs"]
    assert (edition / "site/assets/vega.min.js").is_file()


def test_verify_passes_then_names_edited_and_missing_files(tmp_path, edition):
    copy = tmp_path / "copy"
    shutil.copytree(edition, copy)
    assert verify(copy).ok
    page = copy / "site" / "en" / "index.html"
    page.write_text(page.read_text(encoding="utf-8").replace("Key figures", "Key figurez"), encoding="utf-8")
    (copy / "data" / "sources.csv").unlink()
    (copy / "inputs" / "cases.yaml").write_text("version: tampered\n", encoding="utf-8")
    report = verify(copy)
    assert not report.ok
    assert report.edited == ["inputs/cases.yaml", "site/en/index.html"]
    assert report.missing == ["data/sources.csv"]
    assert "cases.yaml" in report.rebuild_error  # the tampered input no longer parses: said, not crashed
    result = CliRunner().invoke(barometer, ["verify", str(copy)])
    assert result.exit_code == 1
    assert "site/en/index.html" in result.output and "data/sources.csv" in result.output


def test_verify_detects_output_that_rebuild_does_not_reproduce(tmp_path, edition):
    copy = tmp_path / "copy"
    shutil.copytree(edition, copy)
    manifest_path = copy / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    target = copy / "results.json"
    target.write_bytes(
        target.read_bytes().replace(b'"observed_at": "2026-11-28"', b'"observed_at": "2026-11-29"')
    )
    import hashlib

    manifest["outputs"]["results.json"] = hashlib.sha256(target.read_bytes()).hexdigest()
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")  # forged manifest
    report = verify(copy)
    assert "results.json" in report.rebuild_differs


def test_rebuild_is_byte_identical(tmp_path):
    first = make_edition(tmp_path / "a")
    second = make_edition(tmp_path / "b")
    files_a = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    files_b = sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    assert files_a == files_b
    different = [str(p) for p in files_a if (first / p).read_bytes() != (second / p).read_bytes()]
    assert different == []


def test_refuses_overwrite_and_same_year_twice(tmp_path):
    edition = make_edition(tmp_path, with_pdf=False)
    inputs = inputs_from_directory(tmp_path / "inputs")
    before = (edition / "manifest.json").read_bytes()
    with pytest.raises(BeneficeError, match="never overwritten"):
        build(inputs, YEAR, edition, OBSERVED, version="test", with_pdf=False)
    assert (edition / "manifest.json").read_bytes() == before
    with pytest.raises(BeneficeError, match="already exists"):
        build(inputs, YEAR, edition.parent / "other", OBSERVED, version="test", with_pdf=False)
    assert not (edition.parent / "other").exists()
    build(
        inputs, YEAR, edition.parent / "other", OBSERVED, version="test", with_pdf=False, force_new_dir=True
    )
    assert verify(edition.parent / "other").ok
    result = CliRunner().invoke(
        barometer,
        [
            "build",
            "--year",
            str(YEAR),
            "--out",
            str(edition),
            "--inputs",
            str(tmp_path / "inputs"),
            "--no-pdf",
        ],
    )
    assert result.exit_code != 0 and "never overwritten" in str(result.exception)


def test_empty_corpus_and_bad_publications_are_clear_errors(tmp_path):
    with pytest.raises(BeneficeError, match="empty"):
        make_edition(tmp_path, [])
    assert not (tmp_path / "editions" / "edition").exists()
    with pytest.raises(BeneficeError, match="perimeter"):
        make_edition(tmp_path, [{"id": "x", "year": 1990, "sources_used": ["SNDS"]}], inputs_name="old")
    bad = tmp_path / "bad"
    write_inputs(bad, PUBLICATIONS)
    with (bad / "publications.jsonl").open("a", encoding="utf-8") as handle:
        handle.write(json.dumps({"id": "z", "year": 2020, "sources_used": ["NOT_A_SOURCE"]}) + "\n")
    with pytest.raises(BeneficeError, match="NOT_A_SOURCE"):
        inputs_from_directory(bad)
    (bad / "publications.jsonl").write_text('{"id": "z", "year": "soon"}\n', encoding="utf-8")
    with pytest.raises(BeneficeError) as info:
        inputs_from_directory(bad)
    assert info.value.line == 1 and info.value.field == "year"


def test_cli_build_from_inputs_dir_and_missing_database_module(tmp_path):
    write_inputs(tmp_path / "in", PUBLICATIONS)
    out = tmp_path / "ed"
    result = CliRunner().invoke(
        barometer,
        ["build", "--year", "2026", "--observed-at", OBSERVED, "--out", str(out), "--inputs", str(tmp_path / "in"),
         "--no-pdf"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert (out / "site" / "index.html").is_file() and not (out / "report").exists()
    assert CliRunner().invoke(barometer, ["verify", str(out)]).exit_code == 0
    try:
        import benefice.barometer.db  # noqa: F401
    except ModuleNotFoundError:
        result = CliRunner().invoke(barometer, ["build", "--year", "2026", "--out", str(tmp_path / "db")])
        assert "benefice.barometer.db" in str(result.exception)


# ---------------------------------------------------------------------------------------------------------
# Diff
# ---------------------------------------------------------------------------------------------------------
def test_diff_reports_new_publication_revised_figure_and_method(tmp_path):
    a = make_edition(tmp_path, name="a", inputs_name="in_a", with_pdf=False)
    cases = Path(tmp_path / "in_a" / "cases.yaml").read_text(encoding="utf-8")
    assert "value: 1048173" in cases
    shipped = re.search(r'^version: "(\d+)\.(\d+)\.(\d+)"', cases, re.MULTILINE)
    before = ".".join(shipped.groups())
    after = f"{shipped[1]}.{shipped[2]}.{int(shipped[3]) + 1}"  # whatever the shipped catalogue's version
    revised = cases.replace("value: 1048173", "value: 1048200").replace(
        f'version: "{before}"', f'version: "{after}"', 1
    )
    revised = revised.replace(
        "changelog:\n",
        f'changelog:\n  - version: "{after}"\n    date: "2026-11-28"\n    author: test\n    change: revised\n',
        1,
    )
    more = [*PUBLICATIONS, {"id": "pub-007", "year": 2025, "doi": "10.1/new", "sources_used": ["PMSI"]}]
    write_inputs(
        tmp_path / "in_b", more, definitions={"cases.yaml": revised.encode("utf-8")}, params={"span": 10}
    )
    b = build(inputs_from_directory(tmp_path / "in_b"), YEAR, tmp_path / "editions" / "b", OBSERVED,
              version="test", with_pdf=False, force_new_dir=True)  # fmt: skip
    d = diff(a, b)
    assert d["publications"]["new_ids"] == ["pub-007"] and d["publications"]["removed"] == 0
    revised_ids = {r["figure_id"]: r["changes"] for r in d["figures"]["revised"]}
    assert revised_ids["mediator_benfluorex/R1/1"] == {"value": [1048173.0, 1048200.0]}
    assert d["method"]["versions"] == {"cases": [before, after]}
    assert d["method"]["params"] == {"span": [15, 10]}
    assert "cases.yaml" in d["method"]["inputs"]
    text = diff_text(d)
    assert "pub-007" in text and "revised mediator_benfluorex/R1/1" in text and "span" in text
    result = CliRunner().invoke(barometer, ["diff", str(a), str(b), "--json"])
    assert result.exit_code == 0 and json.loads(result.output)["publications"]["new"] == 1


# ---------------------------------------------------------------------------------------------------------
# Outputs
# ---------------------------------------------------------------------------------------------------------
def test_datapackage_validates_with_frictionless(edition):
    frictionless = pytest.importorskip("frictionless", reason="frictionless is not installed")
    report = frictionless.validate(str(edition / "data" / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:10]
    package = json.loads((edition / "data" / "datapackage.json").read_text(encoding="utf-8"))
    assert package["licenses"][0]["name"] == "etalab-2.0"
    assert all(f["description"] for r in package["resources"] for f in r["schema"]["fields"])
    rows = (edition / "data" / "publications.csv").read_text(encoding="utf-8").splitlines()
    assert len(rows) == 1 + 5  # header + the perimeter's publications


def test_datapackage_validation_catches_a_broken_file(tmp_path, edition):
    frictionless = pytest.importorskip("frictionless", reason="frictionless is not installed")
    copy = tmp_path / "data"
    shutil.copytree(edition / "data", copy)
    path = copy / "sources.csv"
    path.write_text(path.read_text(encoding="utf-8").replace(",0,0,", ",zero,0,", 1), encoding="utf-8")
    assert not frictionless.validate(str(copy / "datapackage.json")).valid


def test_site_pages_charts_and_local_barometers(edition):
    site = edition / "site"
    for lang in ("fr", "en"):
        charts = (site / lang / "charts.html").read_text(encoding="utf-8")
        assert f'<html lang="{lang}">' in charts
        assert charts.count('class="chart"') >= 9
        assert "<iframe" not in charts.replace("&lt;iframe", "")  # snippet shown escaped, not embedded
        assert "&lt;iframe src=&#34;embed/publications_by_year.html&#34;" in charts
        assert (site / lang / "data" / "publications_by_year.csv").is_file()
        methodology = (site / lang / "methodology.html").read_text(encoding="utf-8")
        assert "DCIR" in methodology and "R1" in methodology
    assert (
        "https://" not in (site / "fr" / "charts.html").read_text(encoding="utf-8").split("<script type")[0]
    )
    local = site / "fr" / "custodians" / "caisse-nationale-de-l-assurance-maladie-cnam" / "index.html"
    text = local.read_text(encoding="utf-8")
    assert "DCIR" in text and "CONSTANCES" not in text
    from benefice.sources.labels import short_name
    from benefice.sources.registry import load_registry

    members = [  # a chart's data names sources as the chart does (acronym, else name), never by their ids
        short_name(s.id, s.to_dict(), "fr")
        for s in load_registry()
        if s.custodian == "Caisse nationale de l'Assurance maladie (CNAM)"
    ]
    lines = (local.parent / "data" / "local_sources.csv").read_text(encoding="utf-8").splitlines()
    assert sorted(next(csv.reader([line]))[0] for line in lines[1:]) == sorted(members)  # zeros included
    # the report is a PDF in both languages
    assert (edition / "report" / "barometre-2026-fr.pdf").read_bytes().startswith(b"%PDF")


def test_parquet_input_gives_the_same_figures_as_jsonl(tmp_path):
    import pyarrow as pa

    from benefice.barometer.inputs import normalise_publication

    jsonl = inputs_from_records(PUBLICATIONS)
    table = pa.Table.from_pylist([normalise_publication(p) for p in reversed(PUBLICATIONS)])
    write_inputs(tmp_path / "pq", table)
    parquet = inputs_from_directory(tmp_path / "pq")
    assert parquet.publications_file == "publications.parquet"
    a, b = compute(jsonl, YEAR, OBSERVED), compute(parquet, YEAR, OBSERVED)
    assert a["sources"] == b["sources"] and a["publications_by_year"] == b["publications_by_year"]


def test_cli_lists_local_barometers_per_custodian(edition):
    result = CliRunner().invoke(barometer, ["custodians", str(edition)])
    assert result.exit_code == 0, result.output
    results = json.loads((edition / "results.json").read_text(encoding="utf-8"))
    lines = result.output.strip().splitlines()
    assert len(lines) == len(results["custodians"])
    slug, name, _sources, count, page = lines[0].split("\t")
    top = max(results["custodians"], key=lambda r: r["publications"])
    noun = "publication" if top["publications"] == 1 else "publications"
    assert (slug, count) == (top["custodian_slug"], f"{top['publications']} {noun}")
    assert Path(page).is_file() and Path(page).parts[-4:-2] == ("fr", "custodians")
    one = CliRunner().invoke(
        barometer, ["custodians", str(edition), "--custodian", name.upper(), "--lang", "en"]
    )
    assert one.exit_code == 0 and one.output.count("\n") == 1 and "/site/en/custodians/" in one.output
    missing = CliRunner().invoke(barometer, ["custodians", str(edition), "--custodian", "nobody"])
    assert missing.exit_code != 0 and "no custodian 'nobody'" in str(missing.exception)


def test_an_edition_of_a_year_after_its_observation_is_refused():
    """Issue 19: an edition is observed in its own year or later (the 2026 edition counts publications up
    to 2025, observed in 2026); a later year is a future edition and is refused, naming the field."""
    from benefice.barometer.compute import window_for
    from benefice.errors import BeneficeError

    assert window_for(2026, "2026-12-07", {"span": 5}).last == 2025
    assert window_for(2025, "2026-12-07", {"span": 5}).last == 2024  # a past edition, observed later
    with pytest.raises(BeneficeError, match="the 2027 edition is in the future") as refused:
        window_for(2027, "2026-12-07", {"span": 5})
    assert refused.value.field == "year"
