"""The check that a French page holds no English sentence and no raw code (tests/support/french.py): it
must flag what it is for and pass French text, titles in French that contain English loanwords, and
identifiers that are not codes (DOIs, e-mail addresses, file names, URLs)."""

from __future__ import annotations

import pytest

from support.french import is_english, problems, raw_codes


@pytest.mark.parametrize(
    "text",
    [
        "Why this weight",
        "same PMID as the record above",
        "No code or quote from your interview projects",
        "unsupported format: not RIS, BibTeX or CSV",
        "this edition directory already exists",
        "Share of the publications that use a French source",
    ],
)
def test_english_prose_is_flagged(text):
    assert is_english(text)


@pytest.mark.parametrize(
    "text",
    [
        "Pourquoi ce poids",
        "Même PMID que la notice ci-dessus",
        "Aucun code ni citation de vos projets d'entretiens",
        "Format non reconnu : ni RIS, ni BibTeX, ni CSV",
        "Part des publications qui utilisent une source française",
        "Le big data en santé : un nouveau paradigme",
        "Plus de 3 millions de personnes, via le SNDS ou le PMSI, on a compté",
        "Type de document",
        "Open data",
        "RIS, BibTeX, MEDLINE, Web of Science, CSV Scopus ou XLSX.",
        "International Journal of Epidemiology",
    ],
)
def test_french_text_passes(text):
    assert not is_english(text)


def test_raw_codes_are_flagged_and_other_identifiers_are_not():
    assert raw_codes("Type : linked_database") == ["linked_database"]
    assert raw_codes("ERA_REGISTRY progresse le plus") == ["ERA_REGISTRY"]
    assert raw_codes("Catégorie pharmacovigilance_drug_safety, soins primary_care") == [
        "pharmacovigilance_drug_safety",
        "primary_care",
    ]
    for text in ("[PERSONNE_1] a dit", "10.1002/pds_2044", "jean_dupont@example.org", "export_2024.csv", "https://x.org/a_b", "EDS AP-HP"):
        assert raw_codes(text) == [], text


def test_text_in_another_language_marked_with_lang_is_left_out():
    runs = [
        {"text": "Risk of meningioma with the use of cyproterone", "lang": "en", "tag": "h3"},
        {"text": "Risk of meningioma with the use of cyproterone", "lang": "fr", "tag": "h3"},
        {"text": "Sources de données", "lang": "fr", "tag": "h1"},
    ]
    found = problems(runs)
    assert len(found) == 1 and found[0].startswith("English (h3)")
