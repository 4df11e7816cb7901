"""The kinds-of-use panel shows words, not codes (issue 19): study designs and kinds of source by their names."""

from __future__ import annotations

from django.utils import translation

from benefice.uses.pages import evidence_item, provenance


def test_evidence_names_designs_and_kinds_of_source() -> None:
    design = evidence_item("design: case_control, cohort", "fr")
    assert design["kind"] == "design" and design["names"] == "Étude cas-témoins, Étude de cohorte"
    kinds = evidence_item("source kind: claims, primary_care", "fr")
    assert kinds["names"] == "Données de remboursement, Dossiers de soins primaires"
    assert evidence_item("source kind: claims", "en")["names"] == "Claims data"
    rule = evidence_item("pv.adverse_event: 'adverse event'", "fr")
    assert rule["kind"] == "rule" and rule["words"] == ["adverse event"]
    assert evidence_item("words: 'valproate', 'pregnancy'", "fr")["kind"] == "words"
    person = evidence_item("the exposure in pregnancy", "fr", by_person=True)
    assert person["kind"] == "person" and person["words"] == ["the exposure in pregnancy"]


def test_the_classifiers_version_is_said_in_words() -> None:
    with translation.override("fr"):
        assert (
            provenance("rules 1.1.0, typology 1.1.0, use_model 1 bc2a")
            == "règles 1.1.0, typologie 1.1.0, modèle 1 bc2a"
        )
    with translation.override("en"):
        assert provenance("rules 1.1.0, use_model 2 ff") == "rules 1.1.0, model 2 ff"
    assert provenance("") == ""
