"""Citation statistics computed from detection results on publications written for the purpose."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benefice.sources.citation import citation_stats, co_use_pairs, variant_rows, yearly_rows
from benefice.sources.detect import detect

RECORDS = [
    {
        "id": "p1",
        "year": 2015,
        "title": "Statins in the SNIIRAM",
        "abstract": "We used the SNIIRAM and the PMSI. The study was authorised by the CNIL.",
    },
    {
        "id": "p2",
        "year": 2019,
        "title": "Stroke care pathways",
        "abstract": "Data from the Système national des données de santé (SNDS) of the Caisse nationale de "
        "l'Assurance maladie were analysed after approval of the CESREES and the CNIL.",
    },
    {
        "id": "p3",
        "year": 2021,
        "title": "Vaccination and the SNDS",
        "abstract": "We used the SNDS and the PMSI (see documentation-snds.health-data-hub.fr).",
    },
    {
        "id": "p4",
        "year": 2022,
        "title": "A registry study",
        "abstract": "Unlike the SNDS, our registry records clinical data. We used the REIN registry.",
    },
    {"id": "p5", "year": 2022, "title": "Nothing to see", "abstract": "A trial."},
]


@pytest.fixture(scope="module")
def stats():
    return citation_stats((r, detect(r)) for r in RECORDS)


def test_counts_years_and_roles(stats) -> None:
    snds = stats["SNDS"]
    assert (snds.publications, snds.used, snds.mentioned) == (3, 2, 1)
    assert (snds.first_year, snds.last_year) == (2019, 2022)
    assert dict(snds.by_year[2022]) == {"publications": 1, "mentioned": 1}
    assert "p5" not in {r["source"] for r in yearly_rows(stats)}
    assert {"source": "PMSI", "year": 2015, "publications": 1, "used": 1, "mentioned": 0} in yearly_rows(
        stats
    )


def test_variants_and_acronym_only(stats) -> None:
    snds = stats["SNDS"]
    shares = {v: (n, round(s, 2)) for v, n, s in snds.variant_shares()}
    assert shares == {"SNDS": (4, 0.8), "Système national des données de santé": (1, 0.2)}
    assert snds.acronym_only == 2 and snds.named_in_full == 1
    assert stats["PMSI"].acronym_only == 2


def test_custodian_authorisation_and_documentation(stats) -> None:
    snds = stats["SNDS"]
    assert snds.custodian_cited == 1  # "Caisse nationale de l'Assurance maladie" in p2
    assert dict(snds.authorisations) == {"CESREES": 1, "CNIL": 1} and snds.any_authorisation == 1
    assert stats["SNIIRAM"].authorisations["CNIL"] == 1
    assert snds.documentation_cited == 1  # p3 cites the SNDS documentation site
    assert stats["REIN"].custodian_cited == 0


def test_co_use(stats) -> None:
    assert stats["PMSI"].co_used == {"SNIIRAM": 1, "SNDS": 1}
    pairs = co_use_pairs(detect(r) for r in RECORDS)
    assert pairs == {("PMSI", "SNIIRAM"): 1, ("PMSI", "SNDS"): 1}
    json.dumps(stats["SNDS"].to_dict())  # serialisable for the web app


def test_on_the_gold_set_every_used_source_is_counted() -> None:
    gold = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "mentions" / "gold_dev.jsonl"
    if not gold.exists():
        pytest.skip("../shared absent: gold_dev.jsonl not available")
    records = [json.loads(line) for line in gold.read_text(encoding="utf-8").splitlines()]
    detections = [detect(r) for r in records]
    stats = citation_stats(zip(records, detections, strict=True))
    used = sum(len(d["sources_used"]) for d in detections)
    assert sum(s.used for s in stats.values()) == used
    for s in stats.values():
        assert s.publications == s.used + s.mentioned
        assert abs(sum(share for _v, _n, share in s.variant_shares()) - 1) < 1e-9


def test_variants_per_year(stats) -> None:
    rows = [r for r in variant_rows(stats) if r["source"] == "SNDS"]
    assert {(r["year"], r["variant"], r["mentions"], r["share"]) for r in rows} == {
        (2019, "Système national des données de santé", 1, 0.5),
        (2019, "SNDS", 1, 0.5),
        (2021, "SNDS", 2, 1.0),
        (2022, "SNDS", 1, 1.0),
    }
