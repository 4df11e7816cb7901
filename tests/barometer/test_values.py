"""Indicator values per data source and per category in an edition (``benefice.indicators.values``): every
value names the edition's figures it adds up, as known at the observation date, and is published in the
data package."""

from __future__ import annotations

from barometer_fixtures import OBSERVED, PUBLICATIONS, YEAR

from benefice.barometer.compute import compute
from benefice.barometer.inputs import inputs_from_records
from benefice.barometer.opendata import build_opendata


def test_values_name_the_figures_they_add_up():
    inputs = inputs_from_records(PUBLICATIONS)
    results = compute(inputs, YEAR, OBSERVED)
    values = results["impact_values"]
    assert values["available"] and values["by_source"] and values["by_category"]
    figures = {f["figure_id"]: f for f in results["figures"]}
    for row in values["by_source"] + values["by_category"]:
        ids = row["figure_ids"].split("|")
        assert ids and all(i in figures for i in ids), row
        assert {figures[i]["case"] for i in ids} == set(row["case_ids"].split("|"))
        assert all(figures[i]["included"] for i in ids)  # unverified figures stay out
        assert row["low"] <= row["high"]
    csv = build_opendata(results, inputs.publications, inputs.hashes())["impact_values.csv"].decode()
    assert csv.count("\n") == 1 + len(values["by_source"]) + len(values["by_category"])


def test_values_follow_the_observation_date():
    inputs = inputs_from_records([*PUBLICATIONS, {"id": "old", "year": 2012, "sources_used": ["SNDS"]}])
    early = compute(inputs, 2014, "2014-01-01")["impact_values"]
    late = compute(inputs, YEAR, OBSERVED)["impact_values"]
    n_early = sum(r["n_figures"] for r in early["by_category"])
    n_late = sum(r["n_figures"] for r in late["by_category"])
    assert n_early < n_late
