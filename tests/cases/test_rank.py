"""Ranking of impact cases: published weights, criteria with their origin, methods, weight sensitivity."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from benefice.cases import rank
from benefice.cases.catalogue import load_cases
from benefice.errors import BeneficeError, FormatError
from benefice.indicators.catalogue import load_indicators
from benefice.paths import package_data
from benefice.uses.typology import load_typology

TYPOLOGY = load_typology()
INDICATORS = load_indicators(typology=TYPOLOGY)
CASES = list(load_cases(typology=TYPOLOGY, indicators=INDICATORS).cases.values())
SPEC_DATA = yaml.safe_load(package_data("ranking.yaml").read_text(encoding="utf-8"))


def _spec(**changes) -> rank.RankingSpec:
    data = yaml.safe_load(yaml.safe_dump(SPEC_DATA))
    data.update(changes)
    return rank.parse_weights(data, "w.yaml")


def test_published_weights_load_with_rationale_and_changelog() -> None:
    spec = rank.load_weights()
    assert spec.version == SPEC_DATA["version"] and spec.changelog
    assert len(spec.criteria) >= 6 and all(c.rationale and c.definition.fr for c in spec.criteria)
    assert spec.weights.sum() == pytest.approx(1.0)
    kinds = {c.kind for c in spec.criteria}
    assert {"decision_type", "attribution_grade", "figure", "evidence_grade", "data_sources"} <= kinds


@pytest.mark.parametrize("method", rank.METHODS)
def test_ranking_shape_and_api(method: str) -> None:
    r = rank.rank_cases(CASES, TYPOLOGY, INDICATORS, method=method, samples=300, seed=3)
    n = len(CASES)
    assert r.method == method and r.samples == 300 and r.seed == 3 and r.spec_version == SPEC_DATA["version"]
    assert [row.rank for row in r.rows] == list(range(1, n + 1))
    assert {row.case_id for row in r.rows} == {c.id for c in CASES}
    scores = [row.score for row in r.rows]
    assert scores == sorted(scores, reverse=True)
    for row in r.rows:
        assert row.rank_low <= row.rank <= row.rank_high
        assert len(row.rank_probabilities) == n and sum(row.rank_probabilities) == pytest.approx(1.0)
        assert set(row.criteria) == {c.id for c in rank.load_weights().criteria}
    for k in range(n):
        assert sum(row.rank_probabilities[k] for row in r.rows) == pytest.approx(1.0)


def test_same_seed_same_ranking_and_concentration_narrows_intervals() -> None:
    a = rank.rank_cases(CASES, TYPOLOGY, INDICATORS, samples=200, seed=7)
    b = rank.rank_cases(CASES, TYPOLOGY, INDICATORS, samples=200, seed=7)
    assert a.rows == b.rows
    loose = rank.rank_cases(CASES, TYPOLOGY, INDICATORS, samples=400, concentration=2.0)
    tight = rank.rank_cases(CASES, TYPOLOGY, INDICATORS, samples=400, concentration=5000.0)
    width = lambda r: sum(row.rank_high - row.rank_low for row in r.rows)  # noqa: E731
    assert width(tight) < width(loose)
    assert all(
        row.rank_low == row.rank_high == row.rank for row in tight.rows if max(row.rank_probabilities) > 0.99
    )


def test_criteria_say_where_they_come_from() -> None:
    spec = rank.load_weights()
    m = rank.criteria_matrix(CASES, TYPOLOGY, INDICATORS, spec)
    med = m.cells["mediator_benfluorex"]
    assert med["decision_strength"].value == TYPOLOGY.decision_types["withdrawal"].rank
    assert med["decision_strength"].refs == ("mediator_benfluorex#decision-0",)
    assert med["attribution"].value == 3
    people = med["people_reached"]
    assert people.raw == 43044 and people.value == pytest.approx(np.log10(43045))
    assert people.refs == ("mediator_benfluorex#figure-1",) and "A1" in people.source
    # a case without any matching figure gets the worst value among the cases, flagged
    assert med["time_to_decision"].missing and "worst value" in med["time_to_decision"].source
    row = rank.rank_cases(CASES, TYPOLOGY, INDICATORS, samples=10).rows
    by_id = {r.case_id: r for r in row}
    assert by_id["mediator_benfluorex"].criteria == m.row("mediator_benfluorex")


def test_unverified_decisions_are_left_out_unless_the_spec_says_so() -> None:
    case = next(c for c in CASES if c.decisions)
    hidden = dataclasses.replace(
        case, id="hidden", decisions=tuple(dataclasses.replace(d, verified=False) for d in case.decisions)
    )
    strict = rank.criteria_matrix([case, hidden], TYPOLOGY, INDICATORS, _spec())
    assert strict.cells["hidden"]["decision_strength"].value == 0
    loose = rank.criteria_matrix([case, hidden], TYPOLOGY, INDICATORS, _spec(include_unverified=True))
    assert loose.cells["hidden"]["decision_strength"].value == loose.cells[case.id]["decision_strength"].value


def test_stronger_case_ranks_higher() -> None:
    weak = next(c for c in CASES if c.id == "ecigarette_constances")
    strong = next(c for c in CASES if c.id == "mediator_benfluorex")
    for method in rank.METHODS:
        r = rank.rank_cases([weak, strong], TYPOLOGY, INDICATORS, method=method, samples=50)
        assert [row.case_id for row in r.rows] == ["mediator_benfluorex", "ecigarette_constances"]


def test_ranking_within_a_category() -> None:
    r = rank.rank_cases(CASES, TYPOLOGY, INDICATORS, category="crisis_surveillance", samples=100)
    assert r.category == "crisis_surveillance"
    assert {row.case_id for row in r.rows} == {c.id for c in CASES if "crisis_surveillance" in c.categories}
    assert rank.rank_cases(CASES, TYPOLOGY, INDICATORS, category="rare_diseases").rows == []
    with pytest.raises(BeneficeError, match="unknown category of use 'nope'"):
        rank.rank_cases(CASES, TYPOLOGY, INDICATORS, category="nope")


def test_topsis_equals_pymcdm() -> None:
    from pymcdm.methods import TOPSIS
    from pymcdm.normalizations import vector_normalization

    rng = np.random.default_rng(1)
    values = rng.uniform(0.5, 10, size=(9, 5))
    signs = np.array([1.0, 1.0, -1.0, 1.0, -1.0])
    w = rng.dirichlet(np.ones(5))
    ours = rank.topsis_scores(values, signs, w)
    theirs = TOPSIS(normalization_function=vector_normalization)(values, w, signs.astype(int))
    assert np.allclose(ours, theirs)


def test_promethee_equals_pymcdm_usual_preference_with_ties() -> None:
    from pymcdm.methods import PROMETHEE_II

    rng = np.random.default_rng(2)
    values = rng.integers(0, 5, size=(10, 4)).astype(float)  # small integers: many ties, like ordinal grades
    signs = np.array([1, -1, 1, 1])
    w = rng.dirichlet(np.ones(4))
    assert np.allclose(
        rank.promethee_scores(values, signs.astype(float), w), PROMETHEE_II("usual")(values, w, signs)
    )


def test_promethee_counts_who_beats_whom_not_by_how_much() -> None:
    values = np.array([[100.0, 0.0], [1.0, 1.0], [0.0, 1.0]])
    s = rank.promethee_scores(values, np.array([1.0, 1.0]), np.array([0.5, 0.5]))
    assert s.sum() == pytest.approx(0.0)
    assert s[1] > s[0] > s[2]  # the huge lead of case 0 on criterion 1 counts as one win


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"criteria": []}, "criteria", "non-empty"),
        ({"version": ""}, "version", "missing"),
        ({"include_unverified": "yes"}, "include_unverified", "true or false"),
    ],
)
def test_bad_top_level_fields(change: dict, field: str, message: str) -> None:
    with pytest.raises(FormatError) as info:
        _spec(**change)
    assert info.value.path == "w.yaml" and info.value.field == field and message in str(info.value)


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("weight", "heavy", "must be a number"),
        ("weight", -0.1, "negative"),
        ("weight", float("nan"), "must be a number"),
        ("direction", "up", "max or min"),
        ("kind", "vibes", "unknown kind"),
        ("rationale", "", "rationale"),
        ("name", {"fr": "x"}, "French and English"),
        ("units", {"persons": 0}, "positive factor"),
        ("transform", "sqrt", "transform"),
        ("aggregate", "sum", "aggregate"),
    ],
)
def test_bad_criterion_fields_name_the_criterion(key: str, value, message: str) -> None:
    data = yaml.safe_load(yaml.safe_dump(SPEC_DATA))
    idx = next(i for i, c in enumerate(data["criteria"]) if c["kind"] == "figure")
    data["criteria"][idx][key] = value
    with pytest.raises(FormatError) as info:
        rank.parse_weights(data, "w.yaml")
    assert info.value.field.startswith(f"criteria[{idx}] ({data['criteria'][idx]['id']}).{key}")
    assert message in str(info.value)


def test_weights_summing_to_zero_and_files_that_do_not_parse(tmp_path: Path) -> None:
    data = yaml.safe_load(yaml.safe_dump(SPEC_DATA))
    for c in data["criteria"]:
        c["weight"] = 0
    with pytest.raises(FormatError, match="sum to zero"):
        rank.parse_weights(data, "w.yaml")
    bad = tmp_path / "w.yaml"
    bad.write_text("version: 1\ncriteria: [\n", encoding="utf-8")
    with pytest.raises(FormatError) as info:
        rank.load_weights(bad)
    assert info.value.path == str(bad) and info.value.line
    with pytest.raises(BeneficeError, match="cannot read"):
        rank.load_weights(tmp_path / "absent.yaml")


def test_spec_naming_unknown_indicator_or_unit_is_refused() -> None:
    data = yaml.safe_load(yaml.safe_dump(SPEC_DATA))
    idx = next(i for i, c in enumerate(data["criteria"]) if c["kind"] == "figure")
    data["criteria"][idx]["indicators"] = ["ZZ9"]
    with pytest.raises(FormatError, match="unknown indicator 'ZZ9'"):
        rank.rank_cases(CASES, TYPOLOGY, INDICATORS, rank.parse_weights(data, "w.yaml"))
    data["criteria"][idx]["indicators"] = ["A1"]
    data["criteria"][idx]["units"] = {"furlongs": 1}
    with pytest.raises(FormatError, match="unknown unit 'furlongs'"):
        rank.criteria_matrix(CASES, TYPOLOGY, INDICATORS, rank.parse_weights(data, "w.yaml"))


def test_cases_with_unknown_grades_or_decision_types_are_refused_by_name() -> None:
    case = next(c for c in CASES if c.decisions)
    odd = dataclasses.replace(case, attribution_grade="hearsay")
    with pytest.raises(BeneficeError, match=f"case {case.id}: unknown attribution grade 'hearsay'"):
        rank.rank_cases([odd, CASES[-1]], TYPOLOGY, INDICATORS, samples=5)
    odd = dataclasses.replace(case, decisions=(dataclasses.replace(case.decisions[0], type="tweet"),))
    with pytest.raises(BeneficeError, match=f"case {case.id}, decision 1: unknown decision type 'tweet'"):
        rank.rank_cases([odd], TYPOLOGY, INDICATORS, samples=5)


def test_bad_arguments() -> None:
    with pytest.raises(BeneficeError, match="unknown ranking method"):
        rank.rank_cases(CASES, TYPOLOGY, INDICATORS, method="borda")
    with pytest.raises(BeneficeError, match="samples"):
        rank.rank_cases(CASES, TYPOLOGY, INDICATORS, samples=0)
    with pytest.raises(BeneficeError, match="concentration"):
        rank.rank_cases(CASES, TYPOLOGY, INDICATORS, concentration=0)
    with pytest.raises(BeneficeError, match="listed twice"):
        rank.rank_cases([CASES[0], CASES[0]], TYPOLOGY, INDICATORS)
    assert rank.rank_cases([], TYPOLOGY, INDICATORS).rows == []


@settings(max_examples=40, deadline=None)
@given(
    st.integers(min_value=1, max_value=8),
    st.integers(min_value=0, max_value=10_000),
    st.sampled_from(rank.METHODS),
    st.floats(min_value=0.5, max_value=500),
    st.integers(min_value=1, max_value=60),
)
def test_rank_probabilities_sum_to_one_per_case_and_per_rank(
    n: int, seed: int, method: str, concentration: float, samples: int
) -> None:
    rng = np.random.default_rng(seed)
    subset = [CASES[i] for i in rng.choice(len(CASES), size=n, replace=False)]
    r = rank.rank_cases(
        subset, TYPOLOGY, INDICATORS, method=method, samples=samples, seed=seed, concentration=concentration
    )
    probs = np.array([row.rank_probabilities for row in r.rows])
    assert probs.shape == (n, n)
    assert np.allclose(probs.sum(axis=1), 1.0) and np.allclose(probs.sum(axis=0), 1.0)
    assert np.all(np.isclose(probs * samples, np.round(probs * samples)))  # counts of draws
    for row in r.rows:
        assert 1 <= row.rank_low <= row.rank <= row.rank_high <= n


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(min_value=0, max_value=1e6), min_size=6, max_size=6), st.sampled_from(rank.METHODS))
def test_vectorised_scores_equal_one_weight_vector_scores(values: list[float], method: str) -> None:
    matrix = np.array(values).reshape(3, 2)
    signs = np.array([1.0, -1.0])
    w = np.array([0.3, 0.7])
    a = rank.SCORERS[method](matrix, signs, w)
    b = rank.SCORERS[method](matrix, signs, np.stack([w, w], axis=1))
    assert np.allclose(b[:, 0], a) and np.allclose(b[:, 1], a)


def test_spec_defaults_for_draws_and_bad_values() -> None:
    spec = rank.load_weights()
    assert spec.samples == SPEC_DATA["samples"] and spec.concentration == SPEC_DATA["concentration"]
    assert rank.rank_cases(CASES[:3], TYPOLOGY, INDICATORS, spec, samples=5).spec is spec
    for key, value in (("samples", 0), ("samples", 2.5), ("concentration", -1), ("concentration", "x")):
        with pytest.raises(FormatError) as info:
            _spec(**{key: value})
        assert info.value.field == key
