"""Kinds of use from the whole corpus in an edition (issue 16): counts per category, per category and year and
per source and category, split by how each label was set, with the expected count and its 95 % interval;
input validation of the parallel method / probability lists; cases kept apart; drill-down; open data."""

from __future__ import annotations

import csv
import io
import json

import numpy as np
import pyarrow.parquet as pq
import pytest
from barometer_fixtures import OBSERVED, YEAR

from benefice.barometer.compute import (
    EXACT_MAX,
    compute,
    normal_interval,
    poisson_binomial_interval,
    poisson_binomial_pmf,
    use_stats,
)
from benefice.barometer.drill import publications_for
from benefice.barometer.freeze import edition_files
from benefice.barometer.inputs import inputs_from_directory, inputs_from_records, write_inputs
from benefice.errors import BeneficeError


def _pub(pid, year, used, cats=(), methods=None, probs=None, **extra):
    row = {"id": pid, "year": year, "sources_used": list(used), "categories": list(cats), **extra}
    if methods is not None:
        row["use_methods"] = list(methods)
    if probs is not None:
        row["use_probabilities"] = list(probs)
    return row


# Hand-made corpus: q-001..q-004 label drug_utilisation (person, rule 0.5, model 0.2, rule 1.0 on DCIR).
CORPUS = [
    _pub("q-001", 2024, ["SNDS"], ["drug_utilisation"], ["person"], [1.0]),
    _pub("q-002", 2024, ["PMSI"], ["drug_utilisation", "effectiveness"], ["rule", "model"], [0.5, 0.8]),
    _pub("q-003", 2025, ["DCIR", "PMSI"], ["drug_utilisation"], ["model"], [0.2]),
    _pub("q-004", 2025, ["CONSTANCES"], ["drug_utilisation"], ["rule"], [1.0]),
    _pub("q-005", 2025, ["SNDS"], [], case_categories=["crisis_surveillance"]),
    _pub("q-006", 2023, [], ["methods_data_quality"]),  # no method given: a person's (older files)
]


@pytest.fixture(scope="module")
def results():
    inputs = inputs_from_records(CORPUS)
    return inputs, compute(inputs, YEAR, OBSERVED)


# ---------------------------------------------------------------------------------------------------------
# The distribution
# ---------------------------------------------------------------------------------------------------------
def test_three_labels_expected_count_and_exact_interval():
    # p = 0.2, 0.5, 1.0: expected 1.7; the 1.0 label is certain, the other two give P(0) = 0.4,
    # P(1) = 0.5, P(2) = 0.1 -> cumulative 0.4, 0.9, 1.0: 2.5 % reached at 0, 97.5 % at 2 -> [1, 3].
    pmf = poisson_binomial_pmf(np.array([0.2, 0.5]))
    assert pmf.tolist() == pytest.approx([0.4, 0.5, 0.1])
    assert poisson_binomial_interval(np.array([0.2, 0.5])) == (0, 2)
    row = use_stats(np.zeros(3, np.int64), 1, np.array([2, 1, 1]), np.array([2000, 5000, 10000]))[0]
    assert row == {
        "publications": 3,
        "by_person": 0,
        "by_rule": 2,
        "by_model": 1,
        "expected": 1.7,
        "low": 1,
        "high": 3,
        "interval": "exact",
    }


def test_person_labels_are_certain_and_an_empty_figure_is_zero():
    rows = use_stats(np.array([0, 0]), 2, np.array([0, 0]), np.array([10000, 10000]))
    assert rows[0] | {} == {
        "publications": 2, "by_person": 2, "by_rule": 0, "by_model": 0,
        "expected": 2.0, "low": 2, "high": 2, "interval": "exact",
    }  # fmt: skip
    assert rows[1]["publications"] == 0 and (rows[1]["low"], rows[1]["high"]) == (0, 0)


def test_normal_approximation_beyond_the_exact_limit_is_within_one_of_the_exact_interval():
    rng = np.random.default_rng(3)
    for m in (EXACT_MAX + 1, 400):
        p = np.round(rng.uniform(0.3, 0.95, m), 4)
        exact = poisson_binomial_interval(p)
        approx = normal_interval(float(p.sum()), float((p * (1 - p)).sum()), m)
        assert abs(exact[0] - approx[0]) <= 1 and abs(exact[1] - approx[1]) <= 1, (m, exact, approx)
        units = np.rint(p * 10000).astype(np.int64)
        row = use_stats(np.zeros(m, np.int64), 1, np.full(m, 2), units)[0]
        assert row["interval"] == "normal" and (row["low"], row["high"]) == approx
    # 10 labels at 0.5: exact binomial(10, 0.5) quantiles are 2 and 8.
    assert poisson_binomial_interval(np.full(10, 0.5)) == (2, 8)


# ---------------------------------------------------------------------------------------------------------
# In an edition
# ---------------------------------------------------------------------------------------------------------
def test_per_category_counts_methods_ranges_and_zero_categories(results):
    _inputs, r = results
    cats = {row["category"]: row for row in r["categories"]}
    drug = cats["drug_utilisation"]
    assert (drug["publications"], drug["by_person"], drug["by_rule"], drug["by_model"]) == (4, 1, 2, 1)
    # certain: person + rule at 1.0 = 2; uncertain 0.5 and 0.2 -> [0, 2]; expected 1 + 0.5 + 0.2 + 1 = 2.7
    assert drug["expected"] == 2.7 and (drug["low"], drug["high"]) == (2, 4)
    eff = cats["effectiveness"]
    assert (eff["publications"], eff["by_model"], eff["expected"], eff["low"], eff["high"]) == (
        1,
        1,
        0.8,
        0,
        1,
    )
    assert cats["methods_data_quality"]["by_person"] == 1
    # every category of the typology appears, with zero when nothing is labelled
    assert cats["rare_diseases"]["publications"] == 0 and cats["rare_diseases"]["expected"] == 0
    assert len(cats) == len(_inputs.typology.categories)
    # cases keep their own categories: the case count and the corpus count are separate columns
    assert cats["crisis_surveillance"]["publications"] == 0
    assert cats["crisis_surveillance"]["publications_in_cases"] == 1
    assert cats["crisis_surveillance"]["cases"] >= 1
    assert r["perimeter"]["labels"] == 6 and r["perimeter"]["labels_by_person"] == 2
    assert r["perimeter"]["publications_with_category"] == 5
    headline = next(h for h in r["headline"] if h["id"] == "kinds_of_use")
    # evidence: the smallest ids of the most frequent category's publications
    assert headline["value_en"] == "5" and headline["evidence"] == ["q-001", "q-002", "q-003", "q-004"]
    assert "2.7" in headline["comment_en"] and "2,7" in headline["comment_fr"]
    # 2 of the 6 labels by a person, 2 by a rule, 2 by the model
    assert "33.3% were set by a person, 33.3% by a rule and 33.3% by the model" in headline["comment_en"]
    assert "33,3\u202f% ont été posées par une personne" in headline["comment_fr"]
    assert "«\u00a0Utilisation" in headline["comment_fr"] and "\u00a0;" in headline["comment_fr"]


def test_per_year_and_per_source_own_and_family(results):
    _inputs, r = results
    by_year = {(row["category"], row["year"]): row for row in r["categories_by_year"]}
    assert by_year[("drug_utilisation", 2024)]["publications"] == 2
    assert by_year[("drug_utilisation", 2024)]["expected"] == 1.5
    assert by_year[("drug_utilisation", 2025)] | {} == by_year[("drug_utilisation", 2025)] | {
        "publications": 2, "by_rule": 1, "by_model": 1, "expected": 1.2, "low": 1, "high": 2,
    }  # fmt: skip
    assert by_year[("drug_utilisation", 2011)]["publications"] == 0
    pairs = {(row["source"], row["category"], row["basis"]): row for row in r["sources_by_category"]}
    # SNDS own: q-001 only; family: q-001, q-002 (PMSI), q-003 (DCIR and PMSI: once)
    assert pairs[("SNDS", "drug_utilisation", "own")]["publications"] == 1
    family = pairs[("SNDS", "drug_utilisation", "family")]
    assert (family["publications"], family["by_person"], family["by_rule"], family["by_model"]) == (
        3,
        1,
        1,
        1,
    )
    assert family["expected"] == 1.7 and (family["low"], family["high"]) == (1, 3)
    assert pairs[("PMSI", "drug_utilisation", "own")]["publications"] == 2
    assert pairs[("CPRD", "drug_utilisation", "family")]["publications"] == 0


def test_drill_down_lists_corpus_publications_with_their_method(results):
    inputs, r = results
    rows = publications_for(inputs, r, "category:drug_utilisation")
    assert [(x["id"], x["use_method"], x["use_probability"]) for x in rows] == [
        ("q-001", "person", 1.0),
        ("q-002", "rule", 0.5),
        ("q-003", "model", 0.2),
        ("q-004", "rule", 1.0),
    ]
    family = publications_for(inputs, r, "source-category:SNDS~drug_utilisation")
    assert [x["id"] for x in family] == ["q-001", "q-002", "q-003"]
    own = publications_for(inputs, r, "source-own-category:PMSI~drug_utilisation", year=2025)
    assert [x["id"] for x in own] == ["q-003"]
    assert [x["id"] for x in publications_for(inputs, r, "case-category:crisis_surveillance")] == ["q-005"]
    for row in r["sources_by_category"]:
        kind = "source-category" if row["basis"] == "family" else "source-own-category"
        if row["publications"]:
            key = f"{kind}:{row['source']}~{row['category']}"
            assert len(publications_for(inputs, r, key)) == row["publications"], key
    with pytest.raises(BeneficeError, match="no category of use"):
        publications_for(inputs, r, "source-category:SNDS~nothing")


def test_open_data_charts_and_rebuild_are_byte_identical(results):
    inputs, _r = results
    first = edition_files(inputs, YEAR, OBSERVED, "test", with_pdf=False)
    second = edition_files(inputs, YEAR, OBSERVED, "test", with_pdf=False)
    assert first == second
    table = list(csv.DictReader(io.StringIO(first["data/sources_by_category.csv"].decode("utf-8"))))
    assert len(table) == len(inputs.registry.sources) * len(inputs.typology.categories) * 2
    cats = {
        row["category"]: row for row in csv.DictReader(io.StringIO(first["data/categories.csv"].decode()))
    }
    assert cats["drug_utilisation"]["expected"] == "2.7" and cats["drug_utilisation"]["by_rule"] == "2"
    package = json.loads(first["data/datapackage.json"])
    names = {res["name"] for res in package["resources"]}
    assert {"sources-by-category", "categories", "categories-by-year"} <= names
    fr = first["site/fr/charts.html"].decode("utf-8") + first["site/fr/methodology.html"].decode("utf-8")
    assert "publications du corpus" in fr.lower() and "Poisson" in fr
    assert "\u00a0:" in fr or "\u202f:" in fr  # French typography before a colon
    en = first["site/en/methodology.html"].decode("utf-8")
    assert "Poisson-binomial" in en and "continuity correction" in en


# ---------------------------------------------------------------------------------------------------------
# Bad input
# ---------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("extra", "field", "message"),
    [
        ({"use_methods": ["rule", "model"]}, "use_methods", "2 item"),
        ({"use_methods": ["guess"]}, "use_methods", "unknown method"),
        ({"use_methods": ["rule"]}, "use_probabilities", "needs its probability"),
        ({"use_methods": ["model"], "use_probabilities": [1.5]}, "use_probabilities", "between 0 and 1"),
        ({"use_methods": ["person"], "use_probabilities": [0.4]}, "use_probabilities", "certain"),
        ({"use_probabilities": [0.4]}, "use_methods", "without use_methods"),
    ],
)
def test_bad_use_columns_are_refused_naming_line_and_field(extra, field, message):
    rows = [_pub("x-1", 2024, ["SNDS"]), {**_pub("x-2", 2024, ["SNDS"], ["drug_utilisation"]), **extra}]
    with pytest.raises(BeneficeError, match=message) as info:
        inputs_from_records(rows)
    assert info.value.field == field and info.value.line == 2


def test_unknown_case_category_is_refused():
    with pytest.raises(BeneficeError, match="unknown category") as info:
        inputs_from_records([_pub("x-1", 2024, ["SNDS"], case_categories=["nope"])])
    assert info.value.field == "case_categories"


def test_parquet_without_use_columns_counts_as_person_and_bad_parquet_is_refused(tmp_path):
    table = inputs_from_records(CORPUS).publications
    legacy = table.drop_columns(["use_methods", "use_probabilities", "case_categories"])
    directory = write_inputs(tmp_path / "legacy", legacy)
    inputs = inputs_from_directory(directory)
    methods = inputs.publications.column("use_methods").to_pylist()
    assert methods[1] == ["person", "person"] and inputs.publications.column("use_probabilities")[
        1
    ].as_py() == [
        1.0,
        1.0,
    ]
    r = compute(inputs, YEAR, OBSERVED)
    drug = next(c for c in r["categories"] if c["category"] == "drug_utilisation")
    assert (drug["by_person"], drug["expected"], drug["low"], drug["high"]) == (4, 4.0, 4, 4)

    import pyarrow as pa

    probs = table.column("use_probabilities").to_pylist()
    probs[1] = [0.5]  # one probability for two categories
    bad = table.set_column(
        table.schema.get_field_index("use_probabilities"),
        "use_probabilities",
        pa.array(probs, pa.list_(pa.float64())),
    )
    path = tmp_path / "bad"
    write_inputs(path, bad)
    with pytest.raises(BeneficeError, match="one item per category") as info:
        inputs_from_directory(path)
    assert info.value.field == "use_probabilities" and "publications.parquet" in str(info.value)
    pq.read_table(path / "publications.parquet")  # the file itself is readable: the refusal is ours


def test_diff_between_editions_shows_kinds_of_use_that_changed(tmp_path):
    """A correction that changes a publication's kind of use shows in the next edition's diff (issue 16)."""
    from barometer_fixtures import make_edition

    from benefice.barometer.diff import diff, diff_text

    a = make_edition(tmp_path, CORPUS, name="a", inputs_name="in_a", with_pdf=False)
    corrected = [dict(p) for p in CORPUS]
    corrected[2] = _pub("q-003", 2025, ["DCIR", "PMSI"], ["effectiveness"], ["person"], [1.0])
    b = make_edition(tmp_path, corrected, name="b", inputs_name="in_b", with_pdf=False, force_new_dir=True)
    changes = {r["category"]: r for r in diff(a, b)["kinds_of_use"]}
    assert set(changes) == {"drug_utilisation", "effectiveness"}
    drug, eff = changes["drug_utilisation"], changes["effectiveness"]
    assert (drug["a"]["publications"], drug["b"]["publications"]) == (4, 3)
    assert (drug["a"]["by_model"], drug["b"]["by_model"]) == (1, 0)
    assert (eff["a"]["publications"], eff["b"]["publications"], eff["b"]["by_person"]) == (1, 2, 1)
    text = diff_text(diff(a, b))
    assert "Publications per kind of use" in text and "drug_utilisation: 4 (person 1, rule 2, model 1" in text
    assert diff(a, a)["kinds_of_use"] == []


def test_diff_with_an_edition_that_counted_no_kinds_of_use_says_not_counted(tmp_path):
    from barometer_fixtures import make_edition

    from benefice.barometer.diff import diff, diff_text

    a = make_edition(tmp_path, CORPUS, name="a", inputs_name="in_a", with_pdf=False)
    results = a / "results.json"
    old = json.loads(results.read_text(encoding="utf-8"))
    for row in old["categories"]:  # as an edition built before kinds of use were counted from the corpus
        for key in ("publications", "by_person", "by_rule", "by_model", "expected", "low", "high"):
            row.pop(key, None)
    results.write_text(json.dumps(old), encoding="utf-8")
    b = make_edition(tmp_path, CORPUS, name="b", inputs_name="in_b", with_pdf=False, force_new_dir=True)
    rows = diff(a, b)["kinds_of_use"]
    assert rows and all(r["a"] is None for r in rows)
    assert "not counted →" in diff_text(diff(a, b))
