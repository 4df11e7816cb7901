"""The impact commands: rank and values write complete files or nothing, and name bad input."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from benefice.cases import rank
from benefice.cases.catalogue import load_cases
from benefice.cli import main
from benefice.indicators.catalogue import load_indicators
from benefice.paths import package_data
from benefice.uses.typology import load_typology


@pytest.fixture
def stored(db) -> None:
    """The bundled cases loaded into the database, as `benefice init` does: what rank and values read when
    no --cases file is given (the web pages read the same rows)."""
    from benefice.cases import services as case_services
    from benefice.indicators import services as indicator_services

    indicator_services.sync_indicators()
    case_services.sync_cases()


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_commands_are_registered() -> None:
    for name in ("rank", "values"):
        code, out = run(name, "--help")
        assert code == 0, out


def test_rank_writes_the_ranking_module_result(tmp_path: Path, stored) -> None:
    out = tmp_path / "ranking.csv"
    code, text = run("rank", "--output", str(out), "--method", "topsis", "--samples", "120", "--seed", "4")
    assert code == 0, text
    rows = read_csv(out)
    typology = load_typology()
    indicators = load_indicators(typology=typology)
    cases = list(load_cases(typology=typology, indicators=indicators).cases.values())
    expected = rank.rank_cases(cases, typology, indicators, method="topsis", samples=120, seed=4)
    assert [r["case_id"] for r in rows] == [r.case_id for r in expected.rows]
    assert [int(r["rank"]) for r in rows] == list(range(1, len(cases) + 1))
    for row, exp in zip(rows, expected.rows, strict=True):
        assert (int(row["rank_low"]), int(row["rank_high"])) == (exp.rank_low, exp.rank_high)
        assert float(row["score"]) == pytest.approx(exp.score, abs=1e-6)
        assert row["method"] == "topsis" and row["category"] == "all"


def test_rank_within_a_category_and_bad_input(tmp_path: Path, stored) -> None:
    out = tmp_path / "r.csv"
    code, _ = run("rank", "--output", str(out), "--category", "crisis_surveillance", "--samples", "50")
    assert code == 0 and {r["category"] for r in read_csv(out)} == {"crisis_surveillance"}
    out.unlink()
    code, text = run("rank", "--output", str(out), "--category", "astrology")
    assert code == 2 and "unknown category of use 'astrology'" in text and not out.exists()
    code, text = run("rank", "--output", str(out), "--category", "rare_diseases")
    assert code == 2 and "no case in category" in text and not out.exists()
    weights = tmp_path / "w.yaml"
    data = yaml.safe_load(package_data("ranking.yaml").read_text(encoding="utf-8"))
    data["criteria"][0]["weight"] = "lots"
    weights.write_text(yaml.safe_dump(data), encoding="utf-8")
    code, text = run("rank", "--output", str(out), "--weights", str(weights))
    assert code == 2 and str(weights) in text and "weight" in text and not out.exists()
    assert list(tmp_path.glob(".*.tmp")) == []


def test_rank_overall_and_within_each_category(tmp_path: Path, stored) -> None:
    out = tmp_path / "r.csv"
    code, text = run(
        "rank", "--output", str(out), "--each-category", "--samples", "30", "--method", "promethee"
    )
    assert code == 0, text
    rows = read_csv(out)
    typology = load_typology()
    cases = list(load_cases(typology=typology).cases.values())
    used = {c for case in cases for c in case.categories}
    assert {r["category"] for r in rows} == used | {"all"}
    for cat in used:
        ranks = [int(r["rank"]) for r in rows if r["category"] == cat]
        assert ranks == list(range(1, sum(cat in case.categories for case in cases) + 1))
    code, text = run("rank", "--output", str(out), "--each-category", "--category", "effectiveness")
    assert code != 0 and "alternatives" in text


def test_values_by_source(tmp_path: Path, stored) -> None:
    out = tmp_path / "v.csv"
    code, text = run("values", "--output", str(out), "--by", "source")
    assert code == 0, text
    rows = read_csv(out)
    assert rows and all(r["by"] == "source" and r["figure_refs"] for r in rows)
    assert all(float(r["low"]) <= float(r["high"]) for r in rows)


@pytest.mark.django_db
def test_rank_and_values_read_the_stored_cases_as_edited_on_the_web(tmp_path: Path, stored) -> None:
    """The command and the web page rank the same data: a case edited in the database moves in both."""
    from benefice.cases.models import Case
    from benefice.cases.operations import rank as rank_stored
    from benefice.cases.operations import stored_cases

    out = tmp_path / "r.csv"
    assert run("rank", "--output", str(out), "--samples", "20")[0] == 0
    before = [r["case_id"] for r in read_csv(out)]
    last = Case.objects.get(pk=before[-1])
    Case.objects.filter(pk=last.pk).delete()  # an editor removes the last case
    assert run("rank", "--output", str(out), "--samples", "20")[0] == 0
    after = [r["case_id"] for r in read_csv(out)]
    assert sorted(after) == sorted(before[:-1])  # the others re-ranked without it (scores are relative)
    page = rank_stored(stored_cases(), samples=20)  # what the ranking page computes
    assert [r.case_id for r in page.rows] == after
    file_out = tmp_path / "f.csv"  # an explicit cases file is still ranked whole
    code, text = run(
        "rank", "--output", str(file_out), "--samples", "20", "--cases", str(package_data("cases.yaml"))
    )
    assert code == 0 and [r["case_id"] for r in read_csv(file_out)] == before, text


@pytest.mark.django_db
def test_rank_on_an_empty_database_says_what_to_run(tmp_path: Path) -> None:
    code, text = run("rank", "--output", str(tmp_path / "r.csv"))
    assert code != 0 and "benefice init" in text and "--cases" in text


def test_values_refuses_a_cases_file_with_an_inconsistent_range(tmp_path: Path) -> None:
    data = yaml.safe_load(package_data("cases.yaml").read_text(encoding="utf-8"))
    data["cases"][0]["figures"][2]["low"] = 99
    bad = tmp_path / "cases.yaml"
    bad.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    out = tmp_path / "v.csv"
    code, text = run("values", "--output", str(out), "--cases", str(bad))
    assert code == 2 and str(bad) in text and not out.exists()


def _jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path
