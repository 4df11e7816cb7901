"""Link scoring and recommendation rules (pure)."""

from __future__ import annotations

import pytest

from benefice.custodians.linking import ProjectText, PublicationText, score_links
from benefice.custodians.recommendations import MeasuredFigure, load_rules, parse_rules, recommend
from benefice.errors import BeneficeError

PROJECT = ProjectText(
    "P1",
    "Cyproterone acetate and intracranial meningioma",
    "risk of meningioma in women using high dose cyproterone",
    organisations=("Caisse nationale de l'Assurance maladie",),
    sources=("DCIR",),
    start_year=2019,
)
MATCH = PublicationText(
    1, "Use of high dose cyproterone acetate and risk of intracranial meningioma in women", year=2021,
    affiliations=("Caisse Nationale de l'Assurance Maladie, Paris",), sources=("SNDS",),
)  # fmt: skip
OTHER = PublicationText(2, "Excess body weight and severe COVID-19", year=2021)
TOO_EARLY = PublicationText(3, "Use of high dose cyproterone acetate and risk of meningioma", year=2016)


def family(sid: str) -> set[str]:
    return {"DCIR": {"SNDS", "SNIIRAM"}, "SNDS": {"DCIR"}}.get(sid, set())


def test_the_matching_publication_is_the_candidate_with_its_evidence() -> None:
    (cand,) = score_links([PROJECT], [MATCH, OTHER, TOO_EARLY], family=family)
    assert cand.publication_id == 1
    assert cand.components["people_matched"] == ["Caisse nationale de l'Assurance maladie"]
    assert cand.components["sources_matched"] == ["DCIR"] and cand.components["dates"] == "after start"
    assert cand.score > 0.6


def test_publication_before_the_project_started_is_never_a_candidate() -> None:
    assert score_links([PROJECT], [TOO_EARLY], family=family, threshold=0) == []


def test_missing_affiliations_and_sources_do_not_count_against_a_link() -> None:
    bare = PublicationText(1, MATCH.title, year=2021)
    (cand,) = score_links([PROJECT], [bare], family=family)
    assert cand.components["people"] is None and cand.components["sources"] is None
    assert cand.score == cand.components["text"]


def test_people_and_sources_evidence_raises_the_score() -> None:
    other_sources = PublicationText(
        1, MATCH.title, year=2021, affiliations=("Université X",), sources=("CPRD",)
    )
    weak = score_links([PROJECT], [other_sources], family=family, threshold=0)[0].score
    strong = score_links([PROJECT], [MATCH], family=family, threshold=0)[0].score
    assert strong > weak


def test_bundled_rules_load_and_fire_only_past_threshold_and_min_records() -> None:
    rules = load_rules()
    assert {r.id for r in rules} >= {"recommended_citation", "outcome_declarations", "decision_data_trail"}
    figures = {
        "pubs_source_not_named_in_full": MeasuredFigure(
            "pubs_source_not_named_in_full", 3, 5, "how", ("1", "2", "3")
        ),
        "projects_without_publication": MeasuredFigure(
            "projects_without_publication", 1, 1, "how"
        ),  # too few
        "decisions_without_data_trail": MeasuredFigure("decisions_without_data_trail", 0, 4, "how"),
    }
    fired = [r.rule.id for r in recommend(rules, figures)]
    assert fired == ["recommended_citation"]
    (rec,) = recommend(rules, figures)
    assert rec.figure.value == pytest.approx(0.6) and rec.figure.records == ("1", "2", "3")
    assert "citation" in rec.text("fr") and rec.text("en").startswith("Publish")


@pytest.mark.parametrize(
    ("rule", "field"),
    [
        ({"figure": "x", "operator": ">", "threshold": 1, "text": {"fr": "a", "en": "b"}}, "id"),
        ({"id": "a", "figure": "nope", "threshold": 1, "text": {"fr": "a", "en": "b"}, "rationale": {"fr": "a", "en": "b"}}, "figure"),
        ({"id": "a", "figure": "x", "operator": "=", "threshold": 1}, "operator"),
        ({"id": "a", "figure": "x", "threshold": "high"}, "threshold"),
        ({"id": "a", "figure": "x", "threshold": 1, "text": {"fr": "a"}}, "text"),
    ],
)  # fmt: skip
def test_bad_rules_are_refused_naming_the_field(rule, field) -> None:
    with pytest.raises(BeneficeError) as caught:
        parse_rules({"rules": [rule]}, "rules.yaml", known_figures={"x"})
    assert caught.value.field == field and caught.value.path == "rules.yaml"


def test_people_and_sources_alone_never_propose_a_link() -> None:
    """The same controller and the same source are shared by many unrelated studies: without some textual
    similarity there is no candidate, whatever the other evidence."""
    unrelated = PublicationText(
        4, "Hospital bed capacity planning in winter", year=2021,
        affiliations=("Caisse nationale de l'Assurance maladie",), sources=("DCIR",),
    )  # fmt: skip
    assert score_links([PROJECT], [unrelated], family=family, threshold=0) == []


def test_many_projects_against_many_publications_scales() -> None:
    import time

    projects = [
        ProjectText(f"P{i}", f"study {i} of drug{i} and outcome{i % 50}", start_year=2015)
        for i in range(1500)
    ]
    pubs = [PublicationText(j, f"drug{j} exposure and outcome{j % 50} risk", year=2020) for j in range(3000)]
    started = time.perf_counter()
    candidates = score_links(projects, pubs, threshold=0.3)
    assert time.perf_counter() - started < 30
    best = {c.reference: c.publication_id for c in reversed(candidates)}
    assert best["P7"] == 7 and best["P1234"] == 1234
