"""Use classification: the rule file is strict, rules explain themselves, the model learns from corrections."""

from __future__ import annotations

import functools
import io
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from benefice.errors import BeneficeError, FormatError
from benefice.uses.classify import (
    KindsOfUse,
    UseClassifier,
    load_rules,
    parse_rules,
    record_id,
    record_text,
)
from benefice.uses.jsonl import classify_jsonl, labelled_examples
from benefice.uses.typology import load_typology

CATEGORIES = tuple(load_typology().categories)

GOOD = """
version: "1"
threshold: 1.0
categories:
  crisis_surveillance:
    - {id: c1, lang: any, weight: 1.0, pattern: 'covid'}
    - {id: c2, lang: en, weight: 0.5, pattern: 'surveillance'}
  drug_utilisation:
    - {id: d1, lang: en, weight: 0.5, pattern: 'opioid'}
    - {id: d2, lang: en, weight: 0.5, pattern: 'prescri'}
"""


def test_shipped_rules_cover_every_category_with_unique_ids() -> None:
    rules = load_rules()
    assert {r.category for r in rules.rules} == set(CATEGORIES)
    assert len({r.id for r in rules.rules}) == len(rules.rules)
    assert all(r.weight > 0 for r in rules.rules)


def test_rules_need_enough_weight_and_say_why() -> None:
    rules = parse_rules(GOOD, categories=CATEGORIES)
    labels = rules.apply("Opioid use in France")
    assert labels == []  # one weak cue is not enough
    labels = rules.apply("Opioid prescriptions and COVID-19 surveillance")
    cats = {lab.category: lab for lab in labels}
    assert set(cats) == {"crisis_surveillance", "drug_utilisation"}
    assert cats["drug_utilisation"].method == "rule"
    assert any(e.startswith("d1: 'Opioid'") for e in cats["drug_utilisation"].evidence)
    assert cats["crisis_surveillance"].score == pytest.approx(0.75)  # (1 + 0.5) / (2 * threshold)


def test_shipped_rules_on_french_and_english_text() -> None:
    rules = load_rules()
    fr = {lab.category for lab in rules.apply("Effets indésirables des vaccins : un signal de sécurité")}
    en = {lab.category for lab in rules.apply("Cost-effectiveness and budget impact of a new therapy")}
    assert "pharmacovigilance_drug_safety" in fr
    assert "health_economics" in en
    assert rules.apply("The weather was pleasant.") == []


@pytest.mark.parametrize(
    ("text", "field", "message"),
    [
        ("- a list", None, "mapping at the top"),
        ("version: '1'\ncategories: {}", "categories", "non-empty"),
        ("categories: {crisis_surveillance: [{id: a, weight: 1, pattern: x}]}", "version", "missing"),
        ("version: '1'\ncategories: {nope: [{id: a, weight: 1, pattern: x}]}", "categories.nope", "unknown category"),
        ("version: '1'\ncategories: {effectiveness: [{id: a, weight: 0, pattern: x}]}", "categories.effectiveness[0].weight", "weight"),
        ("version: '1'\ncategories: {effectiveness: [{id: a, weight: 1, pattern: '(x'}]}", "categories.effectiveness[0].pattern", "regular expression"),
        ("version: '1'\ncategories: {effectiveness: [{id: a, weight: 1, pattern: 'x?'}]}", "categories.effectiveness[0].pattern", "empty text"),
        ("version: '1'\ncategories: {effectiveness: [{id: a, weight: 1, pattern: x}, {id: a, weight: 1, pattern: y}]}", "categories.effectiveness[1].id", "duplicate"),
        ("version: '1'\ncategories: {effectiveness: [{id: a, weight: 1, pattern: x, colour: red}]}", "categories.effectiveness[0].colour", "unknown field"),
        ("version: '1'\ncategories: {effectiveness: [{id: a, lang: de, weight: 1, pattern: x}]}", "categories.effectiveness[0].lang", "lang"),
        ("version: '1'\ncategories: {effectiveness: [{id: a, weight: 1, pattern: 'Covid'}]}", "categories.effectiveness[0].pattern", "lower case"),
        ("version: '1'\nthreshold: -1\ncategories: {effectiveness: [{id: a, weight: 1, pattern: x}]}", "threshold", "positive"),
    ],
)  # fmt: skip
def test_malformed_rule_files_name_file_and_field(text: str, field: str | None, message: str) -> None:
    with pytest.raises(FormatError) as info:
        parse_rules(text, path="rules.yaml", categories=CATEGORIES)
    assert info.value.path == "rules.yaml"
    assert info.value.field == field
    assert message in str(info.value)


def test_invalid_yaml_names_the_line() -> None:
    with pytest.raises(FormatError) as info:
        parse_rules("version: '1'\ncategories:\n  a: [\n", path="r.yaml", categories=CATEGORIES)
    assert info.value.line is not None and "r.yaml" in str(info.value)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.fixed_dictionaries(
            {
                "id": st.one_of(st.none(), st.integers(), st.text(max_size=3)),
                "weight": st.one_of(st.none(), st.booleans(), st.floats(allow_nan=True), st.text(max_size=2)),
                "pattern": st.one_of(st.none(), st.integers(), st.text(max_size=4)),
            }
        ),
        min_size=1,
        max_size=3,
    )
)
def test_rule_parser_either_accepts_or_names_the_field(items: list[dict]) -> None:
    import yaml

    text = yaml.safe_dump({"version": "1", "categories": {"effectiveness": items}})
    try:
        rules = parse_rules(text, path="p.yaml", categories=CATEGORIES)
    except FormatError as exc:
        assert exc.path == "p.yaml" and exc.field and exc.field.startswith("categories.effectiveness[")
    else:
        assert len(rules.rules) == len(items)
        assert all(0 < r.weight <= 10 for r in rules.rules)


def _corpus() -> tuple[list[str], list[set[str]]]:
    covid = [f"covid hospital admissions wave {i} lockdown excess" for i in range(6)]
    money = [f"hospital spending euros budget reimbursement year {i}" for i in range(6)]
    other = [f"a descriptive note about topic {i}" for i in range(6)]
    return covid + money + other, [{"crisis_surveillance"}] * 6 + [{"health_economics"}] * 6 + [set()] * 6


def test_model_learns_from_corrections_and_says_so() -> None:
    texts, sets = _corpus()
    empty = parse_rules(GOOD.replace("'covid'", "'zzzz'"), categories=CATEGORIES)
    clf = UseClassifier(empty, mode="model").fit(texts, sets)
    assert clf.fitted
    (labels,) = clf.predict(["budget and spending in euros for reimbursement"])
    assert [lab.category for lab in labels] == ["health_economics"]
    assert labels[0].method == "model" and 0.5 <= labels[0].score <= 1
    assert any("term" in e for e in labels[0].evidence)
    assert clf.predict(["a descriptive note about something"]) == [[]]


def test_rules_and_model_combined_rule_keeps_its_evidence() -> None:
    texts, sets = _corpus()
    rules = parse_rules(GOOD, categories=CATEGORIES)
    clf = UseClassifier(rules).fit(texts, sets)
    (labels,) = clf.predict(["covid lockdown excess admissions"])
    lab = next(lab for lab in labels if lab.category == "crisis_surveillance")
    assert lab.method == "rule" and lab.evidence[0].startswith("c1:")
    assert any(e.startswith("model p=") for e in lab.evidence)
    # unfitted: rules only
    assert UseClassifier(rules).predict(["budget euros"]) == [[]]


def test_fit_refuses_unknown_categories_and_mismatched_lengths() -> None:
    clf = UseClassifier(load_rules())
    with pytest.raises(BeneficeError, match="unknown category"):
        clf.fit(["a", "b"], [{"nope"}, set()])
    with pytest.raises(BeneficeError, match="2 texts but 1"):
        clf.fit(["a", "b"], [set()])
    with pytest.raises(BeneficeError, match="mode"):
        UseClassifier(load_rules(), mode="magic")


def test_record_fields_of_gold_and_export() -> None:
    export = {
        "title": "T",
        "abstract": "A",
        "keywords": ["k1", "k2"],
        "extra": {"benefice_id": 7},
        "doi": "10.1/x",
    }
    assert record_text(export) == "T\nA\nk1; k2"
    assert record_id(export, 3) == "7"
    assert record_id({"doi": "10.1/x"}, 3) == "10.1/x"
    assert record_id({"title": "x"}, 3) == "line-3"
    examples = labelled_examples(
        [
            {"title": "a", "use_category": "not_applicable"},
            {"title": "b", "use_categories": ["effectiveness", "health_economics", "effectiveness"]},
            {"title": "c"},
            {"title": "d", "use_category": "effectiveness", "exclude_from_eval": True},
        ],
        CATEGORIES,
        lambda record: ["SNDS"],
    )
    assert [(r["title"], s, c) for r, s, c in examples] == [
        ("a", ["SNDS"], []),
        ("b", ["SNDS"], ["effectiveness", "health_economics"]),  # main first, duplicates dropped
    ]


def test_classify_jsonl_writes_every_record_and_refuses_bad_lines() -> None:
    lines = [
        {
            "id": "p1",
            "title": "COVID-19 excess mortality in France",
            "abstract": "",
            "sources_used": ["CEPIDC"],
        },
        {
            "title": "Opioid prescriptions",
            "abstract": "Opioid use rose.",
            "doi": "10.1/y",
            "sources_used": ["DCIR"],
        },
        {"id": "p3", "title": "Opioid prescriptions in the UK", "sources_used": ["CPRD"]},
    ]
    source = io.StringIO("\n".join(json.dumps(x) for x in lines) + "\n\n")
    sink = io.StringIO()
    kinds = KindsOfUse(model=None)
    n = classify_jsonl(source, sink, kinds, lambda r: r["sources_used"], path="in.jsonl", batch=1)
    out = [json.loads(x) for x in sink.getvalue().splitlines()]
    assert n == 3 and [o["id"] for o in out] == ["p1", "10.1/y", "p3"]
    assert out[0]["use_categories"] == ["crisis_surveillance"] and out[0]["use_categories_method"] == "rule"
    assert out[0]["use_labels"][0]["main"] and out[0]["use_labels"][0]["evidence"]
    assert "drug_utilisation" in out[1]["use_categories"]
    assert (
        out[2]["use_categories"] == [] and out[2]["use_categories_method"] == "none"
    )  # a foreign source only
    for bad, line, fld in (
        ("{not json", 1, None),
        ('{"id": 1}', 1, "title"),
        ('{"title": 3}', 1, "title"),
        ("[1]", 1, None),
    ):
        with pytest.raises(FormatError) as info:
            classify_jsonl(io.StringIO(bad + "\n"), io.StringIO(), kinds, lambda r: [], path="in.jsonl")
        assert info.value.path == "in.jsonl" and info.value.line == line and info.value.field == fld


def test_patterns_may_use_uppercase_escapes_and_match_any_case() -> None:
    rules = parse_rules(
        "version: '1'\ncategories: {crisis_surveillance: [{id: c, weight: 1, pattern: 'covid\\W?19\\b'}]}",
        categories=CATEGORIES,
    )
    (label,) = rules.apply("COVID-19 in France")
    assert label.evidence == ("c: 'COVID-19'",)


@functools.cache
def _fitted() -> UseClassifier:
    return UseClassifier(load_rules()).fit(*_corpus())


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=400))
def test_any_text_gets_well_formed_labels(text: str) -> None:
    (labels,) = _fitted().predict([text])
    assert len({lab.category for lab in labels}) == len(labels)
    for lab in labels:
        assert lab.category in CATEGORIES and lab.method in ("rule", "model") and 0 <= lab.score <= 1
        assert lab.evidence
    assert [lab.score for lab in labels] == sorted((lab.score for lab in labels), reverse=True)


def test_training_labels_outside_the_typology_are_refused_with_their_line() -> None:
    with pytest.raises(FormatError) as info:
        labelled_examples(
            [
                (1, {"title": "a", "use_category": "other"}),
                (4, {"title": "b", "use_category": "pharmacovigilence"}),
            ],
            CATEGORIES,
            lambda record: [],
            path="train.jsonl",
        )
    message = str(info.value)
    assert "train.jsonl" in message and "4" in message and "use_category" in message
    assert "pharmacovigilence" in message
