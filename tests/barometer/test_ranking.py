"""The ranking in an edition: what it hands the ranking module (cases as known at the observation date, the
frozen weights file) and what it keeps (rounded, JSON-ready rows, shown on the site and in the data). A
stand-in module with the documented interface of ``benefice.cases.rank`` is used so these rules are tested
whatever the state of that module; the real module is exercised when it is installed."""

from __future__ import annotations

import json
import sys
import types
from dataclasses import dataclass, field

import pytest
from barometer_fixtures import OBSERVED, PUBLICATIONS, YEAR

import benefice.cases
from benefice.barometer.compute import compute
from benefice.barometer.freeze import build, verify
from benefice.barometer.inputs import inputs_from_records


@dataclass
class Row:
    case_id: str
    rank: int
    score: float
    rank_low: int
    rank_high: int
    rank_probabilities: dict = field(default_factory=dict)
    criteria: dict = field(default_factory=dict)


@pytest.fixture
def stand_in(monkeypatch):
    calls: dict = {}

    def load_weights(path=None, *, one_language=False):
        calls["weights"] = open(path, encoding="utf-8").read() if path else None
        calls["one_language"] = one_language
        return {"spec": calls["weights"]}

    def rank_cases(cases, typology, indicators, spec=None, *, samples=1000, seed=0, **_kw):
        calls["cases"] = {c.id: c for c in cases}
        calls["spec"], calls["samples"], calls["seed"] = spec, samples, seed
        ordered = sorted(cases, key=lambda c: (-len(c.decisions), c.id))
        rows = [Row(c.id, i + 1, 1 / (i + 1) + 1e-9, max(1, i), i + 2, {i + 1: 0.6123456}, {"decisions": len(c.decisions)})
                for i, c in enumerate(ordered)]  # fmt: skip
        return types.SimpleNamespace(rows=rows, method="weighted_sum")

    module = types.ModuleType("benefice.cases.rank")
    module.load_weights, module.rank_cases = load_weights, rank_cases
    monkeypatch.setitem(sys.modules, "benefice.cases.rank", module)
    monkeypatch.setattr(benefice.cases, "rank", module, raising=False)
    import benefice.barometer.compute.impact as compute_impact

    monkeypatch.setattr(compute_impact, "rank", module)  # compute.impact imports the module at its top
    return calls


def test_ranking_sees_cases_as_known_at_the_observation_date(stand_in):
    inputs = inputs_from_records([*PUBLICATIONS, {"id": "old", "year": 2010, "sources_used": ["SNDS"]}])
    results = compute(inputs, 2012, "2012-01-01")
    ranking = results["ranking"]
    assert ranking["available"] and ranking["samples"] == 1000 and stand_in["seed"] == 0
    mediator = stand_in["cases"]["mediator_benfluorex"]
    assert [d.date for d in mediator.decisions] == ["2009-11", "2010-06-14"]
    assert all(f.entered_at <= "2012-01-01" for c in stand_in["cases"].values() for f in c.figures)
    later = compute(inputs, YEAR, OBSERVED)["ranking"]
    assert len(stand_in["cases"]["progestogens_meningioma_bmj2024"].decisions) == 1  # 2024 decision now known
    assert [r["case"] for r in later["rows"]] != [] and later["rows"][0]["rank"] == 1
    row = later["rows"][0]
    assert row["score"] == 1.0 and row["rank_probabilities"] == {"1": 0.6123}  # rounded, JSON keys
    json.dumps(later)


def test_frozen_weights_are_used_and_edition_rebuilds_identically(stand_in, tmp_path):
    weights = b"method: weighted_sum\nweights: {decisions: 2}\n"
    inputs = inputs_from_records(PUBLICATIONS, definitions={"ranking.yaml": weights})
    out = build(inputs, YEAR, tmp_path / "ed", OBSERVED, version="test", with_pdf=False)
    assert stand_in["weights"] == weights.decode()
    assert (out / "inputs" / "ranking.yaml").read_bytes() == weights
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert "ranking.yaml" in manifest["inputs"]
    page = (out / "site" / "fr" / "cases.html").read_text(encoding="utf-8")
    assert "Rangs plausibles" in page
    assert (
        (out / "site" / "fr" / "data" / "ranking.csv")
        .read_text(encoding="utf-8")
        .startswith("rank,case,title,score,rank_range\n1,")
    )
    data = (out / "data" / "ranking.csv").read_text(encoding="utf-8").splitlines()
    assert data[0] == "case,case_rank,score,rank_low,rank_high" and len(data) == 1 + len(stand_in["cases"])
    from frictionless import Package

    assert Package(str(out / "data" / "datapackage.json")).validate().valid
    assert verify(out).ok


def test_real_ranking_module_in_an_edition(tmp_path):
    inputs = inputs_from_records(PUBLICATIONS)
    ranking = compute(inputs, YEAR, OBSERVED)["ranking"]
    assert ranking["available"] and ranking["rows"]
    ranks = [r["rank"] for r in ranking["rows"]]
    assert ranks == sorted(ranks) and all(
        r["rank_low"] <= r["rank"] <= r["rank_high"] for r in ranking["rows"]
    )
    assert compute(inputs, YEAR, OBSERVED)["ranking"] == ranking  # fixed seed: the same ranks every time
    out = build(inputs, YEAR, tmp_path / "ed", OBSERVED, version="test", with_pdf=False)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert (
        manifest["versions"]["ranking"] == ranking["weights_version"] and "ranking.yaml" in manifest["inputs"]
    )
    assert (out / "site" / "fr" / "embed" / "ranking.html").is_file()
    assert (out / "site" / "en" / "data" / "ranking.csv").is_file()
    assert verify(out).ok
