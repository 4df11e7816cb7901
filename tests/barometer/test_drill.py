"""Drill-down: the publications listed under a figure are exactly those the figure counts, for every source
(family, own, mentioned only), custodian, category of use, year, citation flag and naming quality — on
the hand-written edition and on a random corpus of a few hundred publications."""

from __future__ import annotations

import json
import random

import pytest
from barometer_fixtures import OBSERVED, YEAR

from benefice.barometer import drill
from benefice.barometer.compute import compute
from benefice.barometer.inputs import inputs_from_directory, inputs_from_records
from benefice.errors import BeneficeError
from benefice.sources.registry import FORMS


def _check_every_count(inputs, results) -> int:
    def count(key: str, year: int | None = None) -> int:
        return drill.select(inputs, results, key, year).num_rows

    checked = 0
    for row in results["sources"]:
        assert count(f"source:{row['source']}") == row["publications_family"], row["source"]
        assert count(f"source-own:{row['source']}") == row["publications_own"], row["source"]
        assert count(f"mentioned:{row['source']}") == row["mentioned_only"], row["source"]
        checked += row["publications_family"] + row["mentioned_only"]
    for row in results["custodians"]:
        assert count(f"custodian:{row['custodian_slug']}") == row["publications"], row["custodian"]
    for row in results["categories"]:
        assert count(f"category:{row['category']}") == row["publications"], row["category"]
    for row in results["publications_by_year"]:
        assert count("perimeter", row["year"]) == row["publications"]
        assert count("any", row["year"]) == row["using_any_source"]
        assert count("french", row["year"]) == row["using_french_source"]
    p = results["perimeter"]
    assert count("perimeter") == p["in_perimeter"]
    assert count("any") == p["using_any_source"] and count("none") == p["no_source_used"]
    assert count("french") == p["using_french_source"]
    assert count("authorisation") == p["citing_authorisation"]
    assert count("documentation") == p["citing_documentation"]
    assert count("custodian-cited") == p["citing_custodian"]
    return checked


def test_hand_written_edition(edition):
    inputs = inputs_from_directory(edition / "inputs")
    results = json.loads((edition / "results.json").read_text(encoding="utf-8"))
    assert _check_every_count(inputs, results) > 0
    # pub-003 names the PMSI only by a description: the one publication behind "vague naming"
    vague = drill.publications_for(inputs, results, "vague")
    assert [r["id"] for r in vague] == ["pub-003"]
    assert results["evidence"]["vague_naming"] == ["doi:10.1002/pds.2044"]
    assert [r["id"] for r in drill.publications_for(inputs, results, "source:SNDS", 2025)] == ["pub-005"]
    with pytest.raises(BeneficeError, match="outside the edition's perimeter"):
        drill.select(inputs, results, "perimeter", 1999)
    with pytest.raises(BeneficeError, match="unknown figure"):
        drill.parse_key("source")
    with pytest.raises(BeneficeError, match="no custodian"):
        drill.select(inputs, results, "custodian:nobody")


def test_random_corpus_every_count_matches():
    from benefice.sources.registry import load_registry
    from benefice.uses.typology import load_typology

    rng = random.Random(11)
    registry = load_registry()
    sources = sorted(s.id for s in registry if not s.is_actor)
    categories = sorted(load_typology().categories)
    pubs = []
    for i in range(400):
        used = rng.sample(sources, rng.choice([0, 0, 1, 1, 2, 3]))
        mentioned = rng.sample(sources, rng.choice([0, 0, 1]))
        pubs.append(
            {
                "id": f"p{i:04d}",
                "year": rng.randint(2008, 2026),
                "sources_used": used,
                "sources_mentioned": mentioned,
                "forms": {s: rng.sample(FORMS, rng.choice([1, 1, 2])) for s in used if rng.random() < 0.8},
                "categories": rng.sample(categories, rng.choice([0, 1, 2])),
                "cites_authorisation": rng.random() < 0.3,
                "cites_documentation": rng.random() < 0.2,
                "cites_custodian": rng.random() < 0.4,
            }
        )
    inputs = inputs_from_records(pubs)
    results = compute(inputs, YEAR, OBSERVED)
    assert _check_every_count(inputs, results) > 300
    p = results["perimeter"]
    precise = drill.select(inputs, results, "precise").num_rows
    vague = drill.select(inputs, results, "vague").num_rows
    assert 0 < precise <= p["pairs_precise"] and 0 < vague <= p["pairs_with_forms"] - p["pairs_precise"]
