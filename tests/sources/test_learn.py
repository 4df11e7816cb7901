"""The learned second stage: features, fitting, cross-validation by record, the model file, retraining."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from benefice.errors import BeneficeError
from benefice.sources import learn
from benefice.sources.detect import Detector
from benefice.sources.learn import (
    Example,
    MentionModel,
    cross_validate,
    examples_from,
    fit,
    gold_labels,
    load_model,
)
from benefice.sources.training import read_gold, train

RULES = Detector(model=None)


def _gold(tmp_path: Path, n: int = 12) -> Path:
    """A small gold file written here: half the records use the PMSI, half only mention the SNDS."""
    lines = []
    for i in range(n):
        if i % 2:
            record = {
                "abstract": f"We used the PMSI to count stays in {2010 + i}.",
                "gold_sources_used": ["PMSI"],
            }
        else:
            record = {
                "abstract": f"Future studies could use the SNDS ({2010 + i}).",
                "gold_sources_used": [],
                "gold_sources_mentioned_only": ["SNDS"],
            }
        lines.append(json.dumps({"id": f"r{i}", "title": "", **record}))
    path = tmp_path / "gold.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_features_do_not_name_the_source() -> None:
    (source, features, rule_used), *_ = RULES.candidates({"id": 1, "abstract": "We used the PMSI."})
    assert source == "PMSI" and rule_used
    assert not any("PMSI" in name for name in features)
    assert features["rule_used"] == 1.0 and features["bias"] == 1.0


def test_fit_learns_and_the_probability_is_applied_by_plain_arithmetic(tmp_path: Path) -> None:
    records = read_gold(_gold(tmp_path))
    examples = examples_from([(r, gold_labels(r)) for r in records], RULES)
    model = fit(examples)
    used = [model.probability(e.features) for e in examples if e.used]
    not_used = [model.probability(e.features) for e in examples if not e.used]
    assert min(used) > 0.5 > max(not_used)


def test_cross_validation_keeps_each_record_out_of_its_own_fit() -> None:
    # each record's label is decided by a feature seen in no other record: out-of-fold, nothing to learn it from
    examples = [
        Example(f"g{i}", "X", {"bias": 1.0, f"only_here_{i}": 1.0}, used=i % 2 == 0, rule_used=True)
        for i in range(20)
    ]
    probabilities = cross_validate(examples, folds=5)
    assert all(abs(p - 0.5) < 0.2 for p in probabilities)
    inside = fit(examples, c=100.0)  # fitted on them, it does learn them
    assert all((inside.probability(e.features) > 0.5) == e.used for e in examples)


def test_corrections_count_only_for_the_sources_judged() -> None:
    record = {"id": 1, "abstract": "We used the PMSI and, unlike the SNDS, the EGB."}
    examples = examples_from([(record, {"PMSI": "rejected"})], RULES)
    assert [(e.source, e.used) for e in examples] == [("PMSI", False)]
    with pytest.raises(BeneficeError, match="not one of"):
        examples_from([(record, {"PMSI": "maybe"})], RULES)


def test_model_file_round_trip_and_bad_files(tmp_path: Path) -> None:
    model = MentionModel({"bias": 0.5, "rule_used": 2.0}, 0.3, 0.7, "v1", {"examples": 3})
    path = tmp_path / "m.json"
    model.save(path)
    again = load_model(path)
    assert again == model and not path.with_suffix(".tmp").exists()
    path.write_text("{", encoding="utf-8")
    with pytest.raises(BeneficeError, match="not valid JSON"):
        load_model(path)
    path.write_text(json.dumps({"format": 1, "weights": {"a": "x"}}), encoding="utf-8")
    with pytest.raises(BeneficeError, match="weights"):
        load_model(path)
    with pytest.raises(BeneficeError, match="not found"):
        load_model(tmp_path / "absent.json")


def test_shipped_model_loads_and_states_its_training_data() -> None:
    model = load_model()
    assert model.weights and model.provenance["examples"] > 0
    assert {f["file"] for f in model.provenance["files"]} == {"gold_dev.jsonl", "gold_dev_2.jsonl"}


def test_the_model_scores_and_sends_uncertain_sources_to_review() -> None:
    # a model unsure of everything sends every source to review: none counts in a figure
    unsure = MentionModel({"bias": 0.0}, 0.35, 0.65, "unsure")
    result = Detector(model=unsure).detect({"id": 1, "abstract": "We used the PMSI."})
    assert result["sources_used"] == [] and result["review"] == ["PMSI"]
    (decision,) = result["decisions"]
    assert decision["role"] == "used" and decision["score"] == 0.5 and decision["model"] == "unsure"
    sure = MentionModel({"bias": 5.0}, 0.35, 0.65, "sure")
    result = Detector(model=sure).detect({"id": 1, "abstract": "We used the PMSI."})
    assert result["sources_used"] == ["PMSI"] and result["decisions"][0]["confidence"] > 0.99


def test_a_retrained_model_in_the_data_directory_takes_over(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("BENEFICE_HOME", str(tmp_path))
    shipped = learn.default_model()
    assert shipped is not None and shipped.version == load_model().version
    MentionModel({"bias": 1.0}, version="mine").save(tmp_path / "models" / learn.MODEL_FILE)
    assert learn.default_model().version == "mine"


def test_train_reports_cross_validation_and_names_bad_gold_lines(tmp_path: Path) -> None:
    model, report = train([_gold(tmp_path)], detector=RULES)
    assert report["examples"] == 12 and 0 <= report["cv_accuracy"] <= 1 and model.provenance["files"]
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"gold_sources_used": []}\nnot json\n', encoding="utf-8")
    with pytest.raises(BeneficeError, match="line 2"):
        read_gold(bad)


def test_cli_train_writes_the_model(tmp_path: Path, monkeypatch) -> None:
    from benefice.cli import main

    monkeypatch.setenv("BENEFICE_HOME", str(tmp_path))
    out = tmp_path / "model.json"
    result = CliRunner().invoke(
        main, ["sources", "train", "--gold", str(_gold(tmp_path)), "--no-corrections", "--output", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "12 examples" in result.output and load_model(out).weights
    result = CliRunner().invoke(main, ["sources", "train", "--no-corrections"])
    assert result.exit_code == 2 and "nothing to learn from" in result.output


def test_a_source_a_person_added_where_the_rules_propose_nothing_is_reported_not_learnt(
    tmp_path: Path,
) -> None:
    # the learned stage scores the rules' candidates: a source with no candidate gives it no features to learn
    # from, so it is counted and listed (with the words selected) as a description the grammar lacks
    added = {"id": "c1", "abstract": "We counted every dispensing in the pharmacists' claims files."}
    learnable = {"id": "c2", "abstract": "We used the PMSI to count stays."}
    corrections = [
        (added, {"SNDS": "used", "__evidence__": {"SNDS": ["the pharmacists' claims files"]}}),
        (learnable, {"PMSI": "rejected"}),
    ]
    assert "SNDS" not in {source for source, _f, _u in RULES.candidates(added)}
    model, report = train([_gold(tmp_path)], corrections, detector=RULES)
    assert report["corrections"] == 1 and report["examples"] == 13
    assert report["added_not_learnable"] == 1
    assert report["added_sources"] == [
        {"record": "c1", "source": "SNDS", "verdict": "used", "words": ["the pharmacists' claims files"]}
    ]
    # the count goes into the model's provenance, people's selections do not
    assert model.provenance["added_not_learnable"] == 1 and "added_sources" not in model.provenance
    # a rejection of a source the rules do not propose adds nothing either, and is not an "added" source
    assert learn.added_sources([(added, {"SNDS": "rejected"})], RULES) == []
    # gold labels are complete, not corrections
    assert learn.added_sources([(added, {"__complete__": True, "SNDS": "used"})], RULES) == []
