"""Mention detection on sentences written for the purpose (French and English), plus property tests."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benefice.sources.detect import Detector, default_detector, detect, fold_text

_RULES = Detector(model=None)  # these tests are about the rules; the learned stage has tests of its own


def run(title: str = "", abstract: str = "", **fields) -> dict:
    return detect({"id": "x", "title": title, "abstract": abstract, **fields}, _RULES)


def used(title: str = "", abstract: str = "", **fields) -> list[str]:
    return sorted(run(title, abstract, **fields)["sources_used"])


# ------------------------------------------------------------------------------------------- names
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Étude à partir des données du Système national des données de santé.", ["SNDS"]),
        ("Etude a partir des donnees du SYSTEME NATIONAL DES DONNEES DE SANTE.", ["SNDS"]),
        ("We used the French National Health Data System.", ["SNDS"]),
        ("Data were extracted from the French hospital discharge database.", ["PMSI"]),
        ("Les séjours ont été extraits du Programme de médicalisation des systèmes d’information.", ["PMSI"]),
        ("Deaths were obtained from the CépiDc.", ["CEPIDC"]),
        ("Deaths were obtained from the CEPIDC-Inserm database.", ["CEPIDC"]),
        ("Participants of the NutriNet-Santé cohort.", ["NUTRINET"]),
        ("Participants of the Nutrinet Santé cohort.", ["NUTRINET"]),
        ("Women of the E3N cohort.", ["E3N"]),
        ("We used the Échantillon généraliste de bénéficiaires.", ["EGB"]),
        ("Données du réseau Francim.", ["FRANCIM"]),
        ("Données des registres SI-VIC et SI-DEP.", ["SI_DEP", "SI_VIC"]),
    ],
)
def test_names_forms_and_languages(text: str, expected: list[str]) -> None:
    assert used(abstract=text) == expected


def test_forms_are_reported() -> None:
    mentions = run(abstract="We used the Système national des données de santé (SNDS).")["mentions"]
    assert [(m["text"], m["form"]) for m in mentions] == [
        ("Système national des données de santé", "official_name"),
        ("SNDS", "acronym"),
    ]
    forms = {m["form"] for m in run(abstract="Data from the French hospital discharge database.")["mentions"]}
    assert forms == {"translation"}


# ------------------------------------------------------------------------------------------- ambiguity
def test_constances_word_versus_cohort() -> None:
    assert used(abstract="Les constances biologiques restent stables chez ces patients.") == []
    assert used(abstract="Les Constances de la physiologie.") == []  # capitalised, but no cohort context
    assert used(abstract="Participants of the Constances cohort were included.") == ["CONSTANCES"]
    assert used(abstract="We analysed CONSTANCES data.") == ["CONSTANCES"]


def test_constances_in_all_capitals_needs_context() -> None:
    assert used(title="LES CONSTANCES DU MILIEU INTERIEUR") == []
    assert used(title="ASTHMA IN THE CONSTANCES COHORT") == ["CONSTANCES"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Inhibitors of the 3C-like protease of SARS-CoV-2.", []),
        ("Tumours of grade 3C were excluded.", []),
        ("Participants of the 3C study in Bordeaux, Dijon and Montpellier.", ["3C"]),
        ("The canto of the poem.", []),
        ("Breast cancer survivors of the CANTO cohort.", ["CANTO"]),
        ("Une elfe dans la forêt.", []),
        ("Infant feeding in the Elfe cohort.", ["ELFE"]),
        ("La greffe de rein chez l'adulte.", []),
        ("Patients on dialysis recorded in the REIN registry.", ["REIN"]),
        ("Patients with an EGB sample extraction.", ["EGB"]),
    ],
)
def test_ambiguous_acronyms(text: str, expected: list[str]) -> None:
    assert used(abstract=text) == expected


def test_ambiguous_form_confirmed_by_unambiguous_name_elsewhere() -> None:
    result = run(
        title="Elfe: first results",
        abstract="The Étude longitudinale française depuis l'enfance follows 18,000 children.",
    )
    assert result["sources_used"] == ["ELFE"]
    assert {m["field"] for m in result["mentions"]} == {"title", "abstract"}


# ------------------------------------------------------------------------------------------- hierarchy
def test_component_does_not_add_parent_and_vice_versa() -> None:
    assert used(abstract="We used the PMSI.") == ["PMSI"]
    assert used(abstract="We used the SNDS.") == ["SNDS"]
    assert used(abstract="We used the SNDS (DCIR and PMSI).") == ["DCIR", "PMSI", "SNDS"]


def test_compound_name_names_its_parent() -> None:
    assert used(abstract="Stays were selected in the PMSI-MCO.") == ["PMSI", "PMSI_MCO"]


def test_parent_describing_a_component_is_only_mentioned() -> None:
    result = run(
        abstract="We used the Permanent Sample of Beneficiaries, a representative sample of the SNIIRAM."
    )
    assert result["sources_used"] == ["EGB"]
    assert result["sources_mentioned"] == ["SNIIRAM"]


def test_description_introducing_a_named_source_is_dropped() -> None:
    assert used(abstract="We used the French national medico-administrative databases (PMSI).") == ["PMSI"]


def test_description_needs_its_cue() -> None:
    assert used(abstract="We used a hospital discharge database from Ohio.") == []
    assert used(abstract="We used the French hospital discharge database.") == ["PMSI"]
    assert used(title="Stroke in France", abstract="We used a hospital discharge database.") == ["PMSI"]


# ------------------------------------------------------------------------------------------- roles
@pytest.mark.parametrize(
    ("text", "role"),
    [
        ("We used the SNDS to identify all users.", "used"),
        ("Data were extracted from the SNDS.", "used"),
        ("Les données ont été extraites du SNDS.", "used"),
        ("Unlike the SNDS, our registry records clinical data.", "mentioned"),
        ("Our results were compared with those from the SNDS.", "mentioned"),
        ("Future studies could use the SNDS.", "mentioned"),
        ("Une étude future pourrait utiliser le SNDS.", "mentioned"),
        ("Other databases such as the SNDS exist.", "mentioned"),
    ],
)
def test_roles(text: str, role: str) -> None:
    mentions = run(abstract=text)["mentions"]
    assert [m["role"] for m in mentions] == [role]


def test_comparison_after_the_mention_is_within_the_data() -> None:
    mentions = run(abstract="In the CONSTANCES cohort, compared with non-users, users were older.")[
        "mentions"
    ]
    assert [m["role"] for m in mentions] == ["used"]


def test_review_mentions_sources() -> None:
    result = run(
        title="Use of the SNDS in pharmacoepidemiology",
        abstract="We conducted a systematic literature review of studies using the SNDS.",
    )
    assert result["sources_used"] == [] and result["sources_mentioned"] == ["SNDS"]


def test_used_wins_over_mentioned() -> None:
    result = run(abstract="Unlike the PMSI, the SNDS covers outpatient care. We used the PMSI.")
    assert result["sources_used"] == ["PMSI"] and result["sources_mentioned"] == ["SNDS"]


def test_foreign_source_is_recognised_as_foreign() -> None:
    result = run(abstract="We used the Clinical Practice Research Datalink (CPRD).")
    assert result["sources_used"] == ["CPRD"]
    assert default_detector().registry["CPRD"].country == "GB"


def test_epiphare_is_reported_as_an_actor_without_adding_the_snds() -> None:
    assert used(abstract="EPI-PHARE publishes a report on drug dispensing in pharmacies.") == ["EPIPHARE"]


# ------------------------------------------------------------------------------------------- markup and fields
def test_markup_is_stripped_and_offsets_point_into_the_original() -> None:
    text = "<jats:p>Data from the <italic>Syst&egrave;me national</italic> des donn&#233;es de sant&eacute; (SNDS).</jats:p>"
    result = run(abstract=text)
    assert result["sources_used"] == ["SNDS"]
    for mention in result["mentions"]:
        assert text[mention["start"] : mention["end"]] == mention["text"]
    assert result["mentions"][0]["text"].startswith("Syst&egrave;me national</italic>")
    assert result["mentions"][0]["text"].endswith("sant&eacute;")


def test_hyphenation_and_line_breaks() -> None:
    assert used(abstract="Données du Système national\n des données   de santé.") == ["SNDS"]
    assert used(abstract="Cohorte NutriNet–Santé (tiret demi-cadratin).") == ["NUTRINET"]


def test_all_fields_and_missing_fields() -> None:
    result = detect(
        {
            "id": 1,
            "title": None,
            "full_text": "Methods. We used the PMSI.",
            "acknowledgements": "Funded by CNAM.",
        }
    )
    assert result["sources_used"] == ["PMSI"] and result["mentions"][0]["field"] == "full_text"
    assert detect({"id": 2})["mentions"] == []
    assert detect({"id": 3, "title": 42, "abstract": ["not", "text"]})["mentions"] == []


def test_large_text() -> None:
    text = ("Lorem ipsum dolor sit amet. " * 40000) + "We used the SNDS."
    assert len(text) > 1_000_000
    result = run(abstract=text)
    assert result["sources_used"] == ["SNDS"]
    assert text[result["mentions"][0]["start"] : result["mentions"][0]["end"]] == "SNDS"


# ------------------------------------------------------------------------------------------- properties
_alphabet = st.characters(blacklist_categories=("Cs",)) | st.sampled_from(list("<>&;#- ()’–\n\t"))
_fragments = st.sampled_from(
    [
        "SNDS",
        "PMSI-MCO",
        "CONSTANCES",
        "Constances",
        "3C",
        "cohort",
        "<i>",
        "</i>",
        "&eacute;",
        "&#233;",
        "é",
        "  ",
    ]
)
_texts = st.lists(st.text(_alphabet, max_size=20) | _fragments, max_size=30).map("".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(title=_texts, abstract=_texts)
def test_arbitrary_text_spans_are_valid(title: str, abstract: str) -> None:
    record = {"id": "p", "title": title, "abstract": abstract}
    result = detect(record)
    for mention in result["mentions"]:
        text = record[mention["field"]]
        assert 0 <= mention["start"] < mention["end"] <= len(text)
        assert text[mention["start"] : mention["end"]] == mention["text"]
        assert mention["role"] in ("used", "mentioned")
        assert 0 < mention["confidence"] <= 1
    assert not set(result["sources_used"]) & set(result["sources_mentioned"])


@settings(max_examples=200, deadline=None)
@given(prefix=_texts, suffix=_texts)
def test_unambiguous_acronym_found_whatever_surrounds_it(prefix: str, suffix: str) -> None:
    text = f"{prefix} We used the SNDS. {suffix}"
    result = detect({"id": "p", "abstract": text})
    assert "SNDS" in result["sources_used"] + result["sources_mentioned"]


@given(st.text(_alphabet, max_size=200))
def test_folding_keeps_a_valid_offset_map(text: str) -> None:
    folded = fold_text(text)
    assert folded.folded.startswith(" ") and folded.folded.endswith(" ")
    assert "  " not in folded.folded.strip() or not folded.folded.strip()
    if folded.folded.strip():
        start, end = folded.span(1, len(folded.folded) - 1)
        assert 0 <= start <= end <= len(text)


_PUNCTUATED = st.text(alphabet=" ab.\n\t?!;:–—-", max_size=120)


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=" ab", max_size=120))
def test_space_runs_collapse_as_a_regex_would_with_the_same_offset_map(folded: str) -> None:
    # the single str.find pass (a speed-up) must give what re.sub and the per-run map gave before it
    import re

    from benefice.sources.detect.folding import collapse_spaces

    collapsed, starts, shifts = collapse_spaces(folded)
    assert collapsed == re.sub(" {2,}", " ", folded)
    removed, want_starts, want_shifts = 0, [], []
    for run in re.finditer(" {2,}", folded):
        removed += run.end() - run.start() - 1
        want_starts.append(run.end() - removed)
        want_shifts.append(removed)
    assert (starts, shifts) == (want_starts, want_shifts)


@settings(max_examples=500, deadline=None)
@given(text=_PUNCTUATED, data=st.data())
def test_sentence_bounds_are_those_of_the_nearest_separator_on_each_side(text: str, data) -> None:
    # two regex searches (forwards, and backwards in the reversed text) must give what twenty find/rfind did
    from benefice.sources.detect.roles import SEPARATORS, sentence_span

    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    left = max(
        text.rfind(sep, 0, start) + len(sep) if text.rfind(sep, 0, start) >= 0 else 0 for sep in SEPARATORS
    )
    rights = [i for i in (text.find(sep, end) for sep in SEPARATORS) if i >= 0]
    assert sentence_span(text, start, end) == (left, min(rights) + 1 if rights else len(text))


def test_use_cue_between_comparison_and_mention_wins() -> None:
    text = "Deaths in 2020 were compared with the 2014-2019 cohorts using data from the SNDS."
    assert [m["role"] for m in run(abstract=text)["mentions"]] == ["used"]


def test_inventory_of_data_sources_only_mentions_them() -> None:
    result = run(
        title="Nouvelles sources de données pour la couverture vaccinale",
        abstract="Nous avons recensé les sources de données et décrit leurs avantages et inconvénients. "
        "Les données issues du SNIIRAM et de l'EGB permettent d'estimer la couverture.",
    )
    assert result["sources_used"] == [] and sorted(result["sources_mentioned"]) == ["EGB", "SNIIRAM"]


def test_methods_guidance_only_mentions_sources() -> None:
    result = run(title="A tutorial on the SNDS for pharmacoepidemiologists")
    assert result["sources_used"] == [] and result["sources_mentioned"] == ["SNDS"]


def test_names_inside_urls_are_ignored() -> None:
    assert run(abstract="See https://documentation-snds.health-data-hub.fr for details.")["mentions"] == []


def test_generic_description_of_a_named_family_adds_nothing() -> None:
    text = "We used French health insurance databases: the SNIIRAM and its sample, the EGB."
    assert used(abstract=text) == ["EGB", "SNIIRAM"]
    assert used(abstract="We used French health insurance databases.") == ["SNDS"]


def test_shared_description_goes_to_the_source_whose_cue_is_near() -> None:
    assert used(abstract="Data from the clinical data warehouse of the AP-HP.") == ["EDS_APHP"]
    assert used(abstract="Data from the clinical data warehouse of Lille University Hospital.") == [
        "EDS_OTHER"
    ]
    assert used(abstract="Patients with EDS were seen in Lyon.") == []


def test_background_statements_only_mention() -> None:
    assert run(abstract="The SNDS has been widely used for drug safety studies.")["sources_mentioned"] == [
        "SNDS"
    ]


def test_acronym_defined_as_something_else_is_not_the_source() -> None:
    result = run(
        title="Ramipril Efficacy In Nephropathy (REIN) trial: renal outcomes",
        abstract="Patients with chronic nephropathy enrolled in the REIN study.",
    )
    assert result["mentions"] == []
    assert used(abstract="Patients recorded in the Renal Epidemiology and Information Network (REIN).") == [
        "REIN"
    ]
    assert used(abstract="Données du Système national des données de santé (SNDS).") == ["SNDS"]


def test_mco_stays_are_pmsi_but_managed_care_is_not() -> None:
    assert used(abstract="En 2007, 77 300 séjours en médecine, chirurgie, obstétrique (MCO).") == ["PMSI"]
    assert used(abstract="Medicaid MCO enrollees had fewer hospitalizations.") == ["MEDICAID"]


def test_ehis_needs_a_french_context() -> None:
    assert used(abstract="EHIS wave 2 survey data from 28 European countries.") == []
    assert used(abstract="Données de l'enquête EHIS 2019 (DREES).") == ["ESPS_EHIS"]


def test_how_to_titles_are_methods_guidance() -> None:
    result = run(
        title="Performing studies using the French health insurance data warehouse (SNDS): how to start"
    )
    assert result["sources_used"] == [] and result["sources_mentioned"] == ["SNDS"]


def test_unlisted_spelling_of_the_own_name_still_defines_the_source() -> None:
    assert used(abstract="Data from the Système National De Données De Santé Français (SNDS).") == ["SNDS"]
    assert used(abstract="We used the Systeme National Des Donnees De Sante (SNDS).") == ["SNDS"]
    assert used(abstract="Data from the Système National de Données Santé (SNDS).") == ["SNDS"]


@pytest.mark.parametrize(
    ("text", "roles"),
    [
        # the yardstick of a one-way comparison, written as a noun: mentioned, as after "compared with"
        ("Comparaison des cas notifiés aux données PMSI de mortalité.", {"PMSI": "mentioned"}),
        ("Comparison of notified cases with the PMSI.", {"PMSI": "mentioned"}),
        # a use cue between the comparison and the source still wins, as after "compared with"
        ("Comparison of notified cases with data from the PMSI.", {"PMSI": "used"}),
        # the compared part keeps its role
        ("Comparaison des données du SNDS aux enquêtes déclaratives.", {"SNDS": "used"}),
        # a symmetric comparison analyses both sources
        ("Comparison between the PMSI and the CepiDc data on suicide.", {"PMSI": "used", "CEPIDC": "used"}),
        # more than five words between noun and preposition: not read as a comparison's yardstick
        (
            "Comparison of the risk of bleeding in elderly patients treated with anticoagulants in the SNDS.",
            {"SNDS": "used"},
        ),
    ],
)
def test_directed_comparison_marks_its_yardstick(text: str, roles: dict[str, str]) -> None:
    mentions = run(abstract=text)["mentions"]
    assert {m["source"]: m["role"] for m in mentions if m["source"] in roles} == roles
