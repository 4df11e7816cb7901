"""The kind-of-use classifier: features read a publication against the typology's descriptions, one set of
weights ranks every category, the model file is strict, and the command trains, saves and classifies."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from benefice.cli import main
from benefice.errors import BeneficeError
from benefice.paths import package_data
from benefice.uses.classify import MAX_LABELS, KindsOfUse, default_classifier
from benefice.uses.features import FEATURES, Lexicon, fold, record_parts, tokens
from benefice.uses.learn import UseModel, fit_rows, load_model, retrain
from benefice.uses.typology import load_typology, parse_typology

TYPOLOGY = load_typology()
SHIPPED = KindsOfUse()


def _row(kinds: KindsOfUse, record: dict, sources: list[str], category: str) -> dict[str, float]:
    return next(r.values for r in kinds.rows(record, sources) if r.category == category)


def test_every_category_has_a_description_in_both_languages() -> None:
    assert TYPOLOGY.study_designs
    for cid, cat in TYPOLOGY.categories.items():
        assert cat.description is not None, cid
        assert cat.description.designs and set(cat.description.designs) <= set(TYPOLOGY.study_designs)
        for part in ("objects", "outcomes", "actors"):
            assert cat.description.parts[part]["fr"] and cat.description.parts[part]["en"], (cid, part)


def _typology_with(change) -> dict:
    data = yaml.safe_load(package_data("typology.yaml").read_text(encoding="utf-8"))
    change(data)
    return data


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda d: d["categories"][0]["description"].update(designs=["astrology"]), "description.designs"),
        (lambda d: d["categories"][0]["description"]["objects"].pop("fr"), "description.objects.fr"),
        (
            lambda d: d["categories"][0]["description"]["outcomes"].update(en=["Upper"]),
            "description.outcomes.en",
        ),
        (lambda d: d["categories"][0]["description"].update(colour="red"), "colour"),
        (lambda d: d["study_designs"].append(dict(d["study_designs"][0])), "id"),
    ],
)
def test_bad_descriptions_name_the_field(change, field: str) -> None:
    with pytest.raises(BeneficeError) as info:
        parse_typology(_typology_with(change), "typology.yaml")
    assert info.value.field == field and "typology.yaml" in str(info.value)


def test_a_typology_without_descriptions_still_loads() -> None:
    """Past editions keep the typology they were built with (version 1.0.0 had no descriptions)."""

    def strip(d: dict) -> None:
        d.pop("study_designs")
        for cat in d["categories"]:
            cat.pop("description")

    typology = parse_typology(_typology_with(strip))
    assert typology.study_designs == {} and all(c.description is None for c in typology.categories.values())
    kinds = KindsOfUse(typology=typology, model=SHIPPED.model)
    assert kinds.classify({"title": "Opioid prescriptions in France"}, ["DCIR"]).labels


def test_folding_and_tokens_meet_across_accents_and_plurals() -> None:
    assert fold("Pharmaco-épidémiologie’s – Île") == "pharmaco-epidemiologie's - ile"
    assert tokens(fold("Les coûts des hospitalisations")) == ["cout", "hospitalisation"]


def test_the_longest_phrase_reads_the_words() -> None:
    lexicon = Lexicon([("vaccine", ("phrase", "a")), ("vaccine safety", ("phrase", "b"))])
    whole, title = lexicon.scan("vaccine safety of x; a vaccine", title_end=14)
    assert whole == {("phrase", "b"): {"vaccine safety"}, ("phrase", "a"): {"vaccine"}}
    assert title == {("phrase", "b"): {"vaccine safety"}}


def test_aim_sentences_are_found_in_french_and_english() -> None:
    parts = record_parts(
        {
            "title": "T",
            "abstract": "Le cancer est fréquent. L'objectif de cette étude était de décrire les coûts. Résultats.",
        }
    )
    assert parts.aim == "l'objectif de cette etude etait de decrire les couts."
    assert record_parts({"title": "T", "abstract": "A short summary. More."}).aim == "a short summary."


def test_title_and_aim_count_apart_from_the_rest() -> None:
    record = {
        "title": "Costs of hospital care for heart failure in France",
        "abstract": "Background: the COVID-19 pandemic changed care. We aimed to estimate the annual cost.",
    }
    economics = _row(SHIPPED, record, ["SNDS"], "health_economics")
    assert economics["cue_title"] >= 1 and economics["cue_aim"] >= 1 and economics["top_match"] == 1
    assert economics["design_aim"] >= 1  # a cost analysis is the design health economics lists
    crisis = _row(SHIPPED, record, ["SNDS"], "crisis_surveillance")
    assert crisis["cue_title"] == 0


def test_a_period_is_context_not_aim() -> None:
    record = {"title": "Antibiotic dispensing during the COVID-19 pandemic", "abstract": ""}
    crisis = _row(SHIPPED, record, ["DCIR"], "crisis_surveillance")
    assert crisis["context"] == 1 and crisis["context_focus"] == 1
    assert _row(SHIPPED, record, ["DCIR"], "drug_utilisation")["context"] == 0


def test_a_title_about_a_source_is_a_data_resource_description() -> None:
    profile = {"title": "The CONSTANCES cohort: design, inclusion and follow-up", "abstract": ""}
    using = {"title": "Occupational noise and hearing loss in the CONSTANCES cohort", "abstract": ""}
    assert _row(SHIPPED, profile, ["CONSTANCES"], "methods_data_quality")["design_title"] == 1
    assert _row(SHIPPED, using, ["CONSTANCES"], "methods_data_quality")["design_title"] == 0


def test_source_kinds_count_for_the_categories_that_list_them() -> None:
    record = {"title": "Air pollution and asthma", "abstract": ""}
    assert _row(SHIPPED, record, ["CONSTANCES"], "environment_social_determinants")["source_kind"] == 1
    assert _row(SHIPPED, record, ["CONSTANCES"], "ai_algorithms")["source_kind"] == 0


def test_no_french_source_no_kind_of_use() -> None:
    record = {"title": "Risk of meningioma with cyproterone acetate: a cohort study"}
    assert SHIPPED.classify(record, []).labels == ()
    assert SHIPPED.classify(record, ["CPRD"]).labels == ()  # a foreign source only
    result = SHIPPED.classify(record, ["SNDS"])
    assert result.categories[0] == "pharmacovigilance_drug_safety"
    main_label = result.labels[0]
    assert (
        main_label.main and main_label.method == "model" and main_label.model_version == SHIPPED.model.version
    )
    assert any(e.startswith("words:") for e in main_label.evidence) and "pv." in main_label.rule
    assert set(result.probabilities) == set(TYPOLOGY.categories)


@settings(max_examples=60, deadline=None)
@given(
    title=st.text(max_size=200),
    abstract=st.text(max_size=600),
    keywords=st.lists(st.text(max_size=30), max_size=4),
)
def test_any_text_gets_well_formed_labels(title: str, abstract: str, keywords: list[str]) -> None:
    result = SHIPPED.classify({"title": title, "abstract": abstract, "keywords": keywords}, ["SNDS"])
    assert 1 <= len(result.labels) <= MAX_LABELS
    assert result.labels[0].main and not any(lab.main for lab in result.labels[1:])
    assert len(set(result.categories)) == len(result.categories)
    scores = [lab.score for lab in result.labels]
    assert scores == sorted(scores, reverse=True) and all(0 <= s <= 1 for s in scores)
    assert result.margin is not None and result.margin >= 0
    assert all(0 <= p <= 1 for p in result.probabilities.values())


def test_close_calls_go_to_review() -> None:
    flat = UseModel(dict.fromkeys(FEATURES, 0.0))  # every category at p = 0.5: the closest call there is
    kinds = KindsOfUse(model=flat)
    result = kinds.classify({"title": "anything"}, ["SNDS"])
    assert result.review and result.labels[0].review and result.margin == 0


def test_the_model_learns_one_set_of_weights_from_labelled_records(tmp_path: Path) -> None:
    kinds = KindsOfUse(model=None)
    examples = [
        (
            {"title": f"Costs of care for condition {i}: annual cost per patient"},
            ["SNDS"],
            ["health_economics"],
        )
        for i in range(6)
    ] + [
        ({"title": f"Excess mortality during the heatwave {i}"}, ["CEPIDC"], ["crisis_surveillance"])
        for i in range(6)
    ]
    model = fit_rows([kinds.rows(r, s) for r, s, _ in examples], [c for _, _, c in examples])
    assert set(model.weights) == set(FEATURES)
    kinds.model = model
    assert kinds.classify({"title": "Annual cost of dialysis"}, ["SNDS"]).categories[0] == "health_economics"
    with pytest.raises(BeneficeError, match="too few"):
        fit_rows([kinds.rows({"title": "x"}, ["SNDS"])], [[]])
    path = retrain(examples, path=tmp_path / "m.json", prior=None, files={"corrections": 12})
    again = load_model(path)
    assert again.weights == pytest.approx(model.weights, abs=1e-5) and again.trained_on["files"]
    # with no prior the fit is scikit-learn's L2 logistic regression (C = 1, bias not penalised)
    from sklearn.linear_model import LogisticRegression

    rows = [row for r, s, _ in examples for row in kinds.rows(r, s)]
    cats = [c for r, s, c in examples for _ in TYPOLOGY.categories]
    x = [[row.values[n] for n in FEATURES[1:]] for row in rows]
    y = [int(row.category in c) for row, c in zip(rows, cats, strict=True)]
    lr = LogisticRegression(C=1.0, max_iter=5000, tol=1e-10).fit(x, y)
    assert model.weights["bias"] == pytest.approx(lr.intercept_[0], abs=1e-3)
    assert [model.weights[n] for n in FEATURES[1:]] == pytest.approx(list(lr.coef_[0]), abs=1e-3)
    # corrections refine the shipped model rather than replace it: the default prior pulls towards it
    shipped = load_model()
    refined = load_model(retrain(examples, path=tmp_path / "r.json"))
    assert refined.trained_on["prior"] == shipped.version

    def distance(m: UseModel) -> float:
        return sum((m.weights[n] - shipped.weights[n]) ** 2 for n in FEATURES)

    assert distance(refined) < distance(model)


def test_model_files_are_strict(tmp_path: Path) -> None:
    path = tmp_path / "m.json"
    for content, field in (
        ("{not json", None),
        (json.dumps({"format": 9}), "format"),
        (json.dumps({"format": 1, "features": list(FEATURES), "weights": {"bias": "x"}}), "weights"),
        (json.dumps({"format": 1, "features": ["bias"], "weights": {"bias": 1}}), "features"),
    ):
        path.write_text(content, encoding="utf-8")
        with pytest.raises(BeneficeError) as info:
            load_model(path)
        assert str(path) in str(info.value) and info.value.field == field
    with pytest.raises(BeneficeError, match="not found"):
        load_model(tmp_path / "absent.json")


def test_a_retrained_model_in_the_data_directory_is_put_in_force(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("BENEFICE_HOME", str(tmp_path))
    shipped = default_classifier()
    assert shipped.model is not None and shipped.model.version == load_model().version
    weights = dict(shipped.model.weights, bias=shipped.model.weights["bias"] - 1.0)
    UseModel(weights).save(tmp_path / "models" / "use_model.json")
    retrained = default_classifier()
    assert retrained.model.version != shipped.model.version and retrained.version.endswith(
        retrained.model.version
    )


def _jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def test_classify_command_rules_model_and_training(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("BENEFICE_HOME", str(tmp_path))
    src = _jsonl(
        tmp_path / "in.jsonl",
        [
            {"id": "a", "title": "COVID-19 excess mortality in France: data of the CépiDc", "abstract": ""},
            {"title": "Hospital spending in euros", "abstract": "budget", "extra": {"benefice_id": 9}},
            {"id": "c", "title": "Annual cost of dialysis", "sources_used": ["SNDS"]},
        ],
    )
    out = tmp_path / "out.jsonl"
    code, text = run("classify", "--input", str(src), "--output", str(out), "--mode", "rules")
    assert code == 0, text
    rows = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in rows] == ["a", "9", "c"]
    assert rows[0]["sources_used"] == ["CEPIDC"] and rows[0]["use_categories"] == ["crisis_surveillance"]
    assert rows[1]["sources_used"] == [] and rows[1]["use_categories"] == []  # no source: no kind of use
    code, text = run("classify", "--input", str(src), "--output", str(out))
    assert code == 0, text
    rows = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert rows[0]["use_labels"][0]["method"] == "model" and "use_model" in rows[0]["use_classifier"]
    train = _jsonl(
        tmp_path / "train.jsonl",
        [
            {
                "title": f"Cost per patient {i}",
                "use_categories": ["health_economics"],
                "sources_used": ["SNDS"],
            }
            for i in range(4)
        ]
        + [
            {"title": f"Excess deaths {i}", "use_category": "crisis_surveillance", "sources_used": ["CEPIDC"]}
            for i in range(4)
        ]
        + [{"title": "unrelated", "use_category": "not_applicable"}],
    )
    saved = tmp_path / "models" / "use_model.json"
    code, text = run(
        "classify",
        "--input",
        str(src),
        "--output",
        str(out),
        "--train",
        str(train),
        "--save-model",
        str(saved),
    )
    assert code == 0, text
    assert "8 labelled records" in text and load_model(saved).trained_on["files"]
    rows = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert rows[2]["use_categories"][0] == "health_economics"


def test_classify_command_bad_input_leaves_no_output(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text('{"id": "a", "title": "fine"}\n{"id": "b", "title": \n', encoding="utf-8")
    out = tmp_path / "out.jsonl"
    code, text = run("classify", "--input", str(src), "--output", str(out))
    assert code == 2 and "line 2" in text and str(src) in text and not out.exists()
    code, text = run("classify", "--input", str(tmp_path / "absent.jsonl"), "--output", str(out))
    assert code == 2 and "not found" in text
    code, text = run("classify", "--input", str(src), "--output", str(out), "--save-model", "m.json")
    assert code != 0 and "--train" in text
    bad = _jsonl(tmp_path / "train.jsonl", [{"title": "x", "use_category": "astrology"}])
    code, text = run("classify", "--input", str(src), "--output", str(out), "--train", str(bad))
    assert code == 2 and "astrology" in text and "line 1" in text and "use_category" in text
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        "version: '1'\ncategories: {astrology: [{id: a, weight: 1, pattern: x}]}\n", encoding="utf-8"
    )
    code, text = run("classify", "--input", str(src), "--output", str(out), "--rules", str(rules))
    assert code == 2 and "categories.astrology" in text and str(rules) in text
    assert list(tmp_path.glob(".*.tmp")) == []
