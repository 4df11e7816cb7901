"""Kinds of use from the database in an edition (issue 16): each publication's effective PublicationUses
(methods and calibrated probabilities) read in bulk, the cases' categories kept apart, a person's correction
changing the next edition's count, unknown categories reported, and the pages that show and drill them."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from benefice.barometer import db, drill, services
from benefice.barometer.compute import compute
from benefice.uses.models import PublicationUses
from benefice.uses.services import record_use_correction

from .conftest import OBSERVED, YEAR, client_for

pytestmark = pytest.mark.django_db

BENFLUOREX = "Benfluorex and valvular heart disease: a cohort study of a million people with diabetes"
COVID = "Risk factors of mortality among patients hospitalised with COVID-19"
STATINS = "Statin use in France"


def _label(category, method, score, main=False):
    return {"category": category, "method": method, "score": score, "evidence": [], "main": main,
            "rule": "r1" if method == "rule" else "", "model_version": "m1" if method == "model" else "",
            "review": False}  # fmt: skip


def _set_uses(pub, labels, probabilities, *, by_person=False):
    PublicationUses.objects.update_or_create(
        publication=pub,
        defaults={
            "categories": [lab["category"] for lab in labels],
            "labels": labels,
            "detected": [] if by_person else labels,
            "probabilities": probabilities,
            "classifier_version": "test",
            "by_person": by_person,
        },
    )


@pytest.fixture
def labelled(corpus):
    by_title = {p.title: p for p in corpus}
    _set_uses(
        by_title[BENFLUOREX],
        [
            _label("pharmacovigilance_drug_safety", "rule", 0.9, True),
            _label("drug_utilisation", "model", 0.4),
        ],
        {"pharmacovigilance_drug_safety": 0.8, "drug_utilisation": 0.4, "effectiveness": 0.1},
    )
    _set_uses(by_title[COVID], [_label("crisis_surveillance", "person", 1.0, True)], {}, by_person=True)
    _set_uses(by_title[STATINS], [_label("drug_utilisation", "rule", 0.5, True)], {"drug_utilisation": 0.5})
    # the scan classified every publication using a source; CONSTANCES is made "not classified yet"
    PublicationUses.objects.filter(publication=by_title["Cohort profile: the CONSTANCES cohort"]).delete()
    return by_title


def _rows(inputs) -> dict[str, dict]:
    return {r["title"]: r for r in inputs.publications.to_pylist()}


def test_records_carry_effective_uses_and_keep_case_categories_apart(labelled):
    report = db.DatabaseReport()
    with CaptureQueriesContext(connection) as queries:
        inputs = db.inputs_from_database(YEAR, OBSERVED, report=report)
    uses_queries = [q["sql"] for q in queries.captured_queries if "uses_publicationuses" in q["sql"]]
    assert len(uses_queries) == 1  # one set-based query per chunk, never one per publication
    rows = _rows(inputs)
    benfluorex = rows[BENFLUOREX]
    assert benfluorex["categories"] == ["drug_utilisation", "pharmacovigilance_drug_safety"]
    assert benfluorex["use_methods"] == ["model", "rule"]
    # the calibrated probability wins over the label's score; a category without a label is not counted
    assert benfluorex["use_probabilities"] == [0.4, 0.8]
    # the shipped Mediator case cites this DOI: the case's category, in its own column
    assert benfluorex["case_categories"] == ["pharmacovigilance_drug_safety"]
    assert rows[COVID]["use_methods"] == ["person"] and rows[COVID]["use_probabilities"] == [1.0]
    constances = rows["Cohort profile: the CONSTANCES cohort"]
    assert constances["categories"] == [] and constances["use_methods"] == []
    assert report.not_classified == 1  # CONSTANCES uses a source and has no stored kinds of use
    assert any("no kinds of use stored" in line for line in report.lines())


def test_edition_counts_by_method_with_ranges_and_a_correction_changes_the_next_edition(labelled, home):
    edition = services.build_from_database(YEAR, OBSERVED, with_pdf=False)
    results = services.results(edition)
    cats = {r["category"]: r for r in results["categories"]}
    drug = cats["drug_utilisation"]
    assert (drug["publications"], drug["by_person"], drug["by_rule"], drug["by_model"]) == (2, 0, 1, 1)
    # p = 0.4 and 0.5: expected 0.9; P(0) = 0.3, P(1) = 0.5, P(2) = 0.2 -> interval 0 to 2
    assert drug["expected"] == 0.9 and (drug["low"], drug["high"]) == (0, 2)
    assert cats["crisis_surveillance"]["by_person"] == 1 and cats["crisis_surveillance"]["expected"] == 1.0
    assert cats["rare_diseases"]["publications"] == 0  # shown, as zero
    pv = cats["pharmacovigilance_drug_safety"]
    assert pv["cases"] >= 1 and pv["publications_in_cases"] >= 1 and pv["publications"] == 1
    pairs = {(r["source"], r["category"], r["basis"]): r for r in results["sources_by_category"]}
    assert pairs[("SNDS", "drug_utilisation", "family")]["publications"] == 2
    inputs = services.inputs(edition)
    for row in results["categories"]:
        assert (
            len(drill.publications_for(inputs, results, f"category:{row['category']}")) == row["publications"]
        )

    # a person corrects the statins publication (as the web page does): drug_utilisation becomes a person's
    # label, the next edition counts it as certain
    record_use_correction(labelled[STATINS], ["drug_utilisation"], retrain=False)
    later = compute(db.inputs_from_database(YEAR, OBSERVED), YEAR, OBSERVED)
    drug = next(r for r in later["categories"] if r["category"] == "drug_utilisation")
    assert (drug["by_person"], drug["by_rule"], drug["by_model"]) == (1, 0, 1)
    assert drug["expected"] == 1.4 and (drug["low"], drug["high"]) == (1, 2)


def test_category_no_longer_in_the_typology_is_reported_not_counted(labelled):
    _set_uses(labelled[STATINS], [_label("astrology", "rule", 0.9, True)], {"astrology": 0.9})
    report = db.DatabaseReport()
    inputs = db.inputs_from_database(YEAR, OBSERVED, report=report)
    assert _rows(inputs)[STATINS]["categories"] == []
    assert report.skipped.unknown_categories == {"astrology": 1}
    assert any("'astrology'" in line and "typology" in line for line in report.lines())


def test_pages_show_corpus_and_cases_apart_and_drill_shows_the_method(labelled, home, people):
    edition = services.build_from_database(YEAR, OBSERVED, with_pdf=False)
    viewer = client_for(people["viewer"])
    page = viewer.get(reverse("barometer:edition", args=[edition.pk]), HTTP_ACCEPT_LANGUAGE="en")
    text = page.content.decode()
    assert "Publications (corpus)" in text and "95 % interval" in text
    assert (
        "figure=source-category%3ASNDS~drug_utilisation" in text
        or "source-category:SNDS~drug_utilisation" in text
    )
    url = reverse("barometer:publications", args=[edition.pk])
    drilled = viewer.get(
        url, {"figure": "category:drug_utilisation"}, HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "Label set by" in drilled and "the model" in drilled and "a rule" in drilled
    pair = viewer.get(url, {"figure": "source-category:SNDS~drug_utilisation"}).content.decode()
    assert STATINS in pair and BENFLUOREX.split(":")[0] in pair
    cases = viewer.get(url, {"figure": "case-category:pharmacovigilance_drug_safety"}).content.decode()
    assert "Benfluorex" in cases
    assert viewer.get(url, {"figure": "source-category:SNDS~nope"}).status_code == 400
