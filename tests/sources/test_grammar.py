"""The description grammar: wordings no list foresees, written here from how French epidemiology describes its
data (none taken from the development gold files), and the sentences that must not match."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from benefice.errors import BeneficeError
from benefice.sources.detect import Detector, detect
from benefice.sources.grammar import parse_rules, study_year
from benefice.sources.registry import load_registry, registry_from_dict


def used(**record) -> list[str]:
    return sorted(detect({"id": "t", **record})["sources_used"])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # claims data, after 2016 (SNDS)
        ("We analysed reimbursement data of the French national health insurance for 2018-2021.", ["SNDS"]),
        ("Data were drawn from the nationwide French claims database covering 2017 to 2020.", ["SNDS"]),
        (
            "Les données de remboursement de l'Assurance maladie de 2019 ont été analysées en France.",
            ["SNDS"],
        ),
        ("Nous avons utilisé les bases médico-administratives nationales de France (2017-2022).", ["SNDS"]),
        # the same description before 2016 is the SNIIRAM
        ("In France, we used national health insurance claims data from 2008 to 2012.", ["SNIIRAM"]),
        # hospital stays (PMSI)
        ("All hospital stays in public and private hospitals in France in 2019 were extracted.", ["PMSI"]),
        ("We used the French nationwide hospital discharge summaries (2015-2019).", ["PMSI"]),
        ("Les séjours ont été extraits de la base nationale des hospitalisations en France.", ["PMSI"]),
        ("Hospitalisations were identified in the national hospital database, France.", ["PMSI"]),
        # causes of death (CépiDc)
        (
            "Underlying causes of death were obtained from the national database of death certificates in France.",
            ["CEPIDC"],
        ),
        ("Les causes médicales de décès de 2015 ont été analysées en France.", ["CEPIDC"]),
        # a representative sample of the insured (EGB)
        ("We used a representative sample of French health insurance beneficiaries.", ["EGB"]),
        (
            "Nous avons analysé les données de l'Assurance maladie de 2020.",
            ["SNDS"],
        ),  # French, language unset
        ("Mortality data by cause were provided by Inserm for France in 2016.", ["CEPIDC"]),
        ("Patients were identified in the electronic health records of the AP-HP, 2020.", ["EDS_APHP"]),
        # hospital warehouses
        (
            "Records were queried in the clinical data warehouse of the Greater Paris University Hospitals.",
            ["EDS_APHP"],
        ),
        (
            "Patients were identified in the biomedical data warehouse of Rennes university hospital.",
            ["EDS_OTHER"],
        ),
    ],
)
def test_described_sources_are_found(text: str, expected: list[str]) -> None:
    assert used(abstract=text) == expected


@pytest.mark.parametrize(
    "text",
    [
        # foreign data described in the same words
        "We used the Korean National Health Insurance claims database (2010-2019).",
        "Reimbursement data of the national health insurance of Taiwan were analysed in 2018.",
        "Hospital discharge data from the United States were analysed, nationwide.",
        # hospital data that are not the national database
        "Data were collected in three French hospitals in 2019.",
        # a cause of death as a topic, not a source
        "Cardiovascular disease is the leading cause of death in France.",
        # an actor, not data
        "This work was funded by the French national health insurance.",
        # a description with no scope at all, in a record not about France
        "We used claims data from a commercial insurer.",
    ],
)
def test_non_descriptions_are_not_found(text: str) -> None:
    assert used(abstract=text) == []


def test_the_record_s_country_settles_an_unscoped_description() -> None:
    text = "Hospitalisations were extracted from the national hospital discharge database for 2019."
    assert used(abstract=text, title="Hip fracture in France") == ["PMSI"]
    assert used(abstract=text, title="Hip fracture", language="fr") == ["PMSI"]
    assert used(abstract=text, title="Hip fracture in Denmark") == []  # no French context


def test_foreign_word_in_the_sentence_vetoes_unless_the_phrase_is_french() -> None:
    assert used(abstract="The French national claims database was compared with data of 2019.") == ["SNDS"]
    assert used(abstract="As in Denmark, the national claims database of 2019 covers everyone.") == []


def test_named_sources_settle_the_period_and_the_family() -> None:
    # the text names the SNDS: a pre-2016 description of claims data is the SNDS, not the SNIIRAM
    text = "In France, national health insurance claims data (2010-2014) were read in the SNDS."
    assert used(abstract=text) == ["SNDS"]
    # a component described in a sentence of its own is used beside its named parent
    text = "We used the SNDS. Hospital discharge data of all French hospitals were linked in 2019."
    assert used(abstract=text) == ["PMSI", "SNDS"]
    # a component described in the parent's sentence says which part of the parent was read
    assert used(abstract="Les données hospitalières de 2019 ont été extraites du SNDS en France.") == ["SNDS"]
    # a description of the parent of a named component refers to the component
    text = "Health care reimbursement data in France: we used the Permanent Sample of Beneficiaries."
    assert used(abstract=text) == ["EGB"]


def test_keywords_and_mesh_are_read() -> None:
    assert used(title="Hip fracture", keywords=["PMSI", "elderly"]) == ["PMSI"]
    assert used(title="Hip fracture", mesh=["Cohort Studies"], keywords="E3N; ageing") == ["E3N"]
    mentions = detect({"id": 1, "keywords": ["elderly", "PMSI"]})["mentions"]
    assert (
        mentions[0]["field"] == "keywords"
        and "elderly; PMSI"[mentions[0]["start"] : mentions[0]["end"]] == "PMSI"
    )


def test_affiliations_never_name_a_source_but_say_the_record_is_french() -> None:
    assert used(affiliations=["CNAM, Paris, France"], abstract="") == []
    text = "Hospitalisations were extracted from the national hospital discharge database for 2019."
    assert used(abstract=text, affiliations=["Inserm, Université de Bordeaux, France"]) == ["PMSI"]


def test_study_year_is_the_latest_year_not_after_publication() -> None:
    assert study_year({"abstract": "From 2008 to 2013, and in 2030 projections.", "year": 2016}) == 2013
    assert study_year({"abstract": "No year.", "year": 2014}) == 2014
    assert study_year({"abstract": ""}) is None


def test_bad_grammar_rules_are_named() -> None:
    with pytest.raises(BeneficeError, match="unknown slot"):
        parse_rules([{"slots": ["nonsense"]}], where="source 'X'")
    with pytest.raises(BeneficeError, match="scope must be"):
        parse_rules([{"slots": ["data"], "scope": "world"}], where="source 'X'")
    with pytest.raises(BeneficeError, match="period must be"):
        parse_rules([{"slots": ["data"], "period": {"before": "2016"}}], where="source 'X'")
    data = {"version": "t", "sources": [s.to_dict() for s in load_registry()]}
    data["sources"][0]["grammar"] = [{"slots": ["data"], "period": {"before": 2016, "source": "NOPE"}}]
    with pytest.raises(BeneficeError, match="NOPE"):
        registry_from_dict(data)


def test_grammar_round_trips_through_the_registry_export() -> None:
    registry = load_registry()
    again = registry_from_dict({"version": "x", "sources": [s.to_dict() for s in registry]})
    assert [s.grammar for s in again] == [s.grammar for s in registry]


_WORDS = st.sampled_from(
    "French national nationwide health insurance claims data database hospital discharge stays "
    "causes of death certificates sample representative beneficiaries warehouse AP-HP données base "
    "nationale séjours décès Korea the in of and 2012 2019 . , ; ( ) <i> </i> &amp;".split()
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_WORDS, max_size=40), st.sampled_from(["en", "fr", ""]))
def test_every_described_mention_points_into_its_text(words: list[str], language: str) -> None:
    text = " ".join(words)
    result = detect({"id": 1, "abstract": text, "language": language})
    for mention in result["mentions"]:
        assert text[mention["start"] : mention["end"]] == mention["text"]
    assert set(result["sources_used"]).isdisjoint(result["sources_mentioned"])


@pytest.mark.parametrize(
    ("title", "used_", "mentioned"),
    [
        ("Future trajectories of depression in the CONSTANCES cohort", ["CONSTANCES"], []),
        ("Could statins prevent dementia? Evidence in the French E3N cohort", ["E3N"], []),
        ("Alimentation et cancer au sein de la cohorte NutriNet-Santé", ["NUTRINET"], []),
        ("Potential of the SNDS for cancer epidemiology", [], ["SNDS"]),
    ],
)
def test_a_title_names_its_study_population_with_a_preposition(title, used_, mentioned) -> None:
    result = Detector(model=None).detect({"id": 1, "title": title, "abstract": ""})
    assert result["sources_used"] == used_ and result["sources_mentioned"] == mentioned
