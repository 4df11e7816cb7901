"""The registry's prose in French first (issue 19): the file must give every note a reader sees in French and
in English; older registries (frozen editions, databases) still read, their English kept; codes shown as words."""

from __future__ import annotations

import copy

import pytest
import yaml

from benefice.errors import BeneficeError
from benefice.paths import package_data
from benefice.sources import charts
from benefice.sources.labels import COUNTRY_LABELS, FORM_LABELS, country_label, form_label, kind_label
from benefice.sources.registry import (
    FORMS,
    KINDS,
    export_registry,
    load_registry,
    registry_from_dict,
    text_in,
)


def _shipped() -> dict:
    return yaml.safe_load(package_data("sources.yaml").read_text(encoding="utf-8"))


def _with(tmp_path, edit) -> str:
    data = _shipped()
    edit(next(s for s in data["sources"] if s["id"] == "SNDS"))
    path = tmp_path / "sources.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return str(path)


@pytest.mark.parametrize(
    ("edit", "field"),
    [
        (lambda s: s.update(access={"en": s["access"]["en"]}), "access.fr"),
        (lambda s: s.update(ambiguity={"fr": "", "en": s["ambiguity"]["en"]}), "ambiguity.fr"),
        (lambda s: s.update(access=s["access"]["en"]), "access"),  # a plain text: not said in French
        (lambda s: s["history"][0].update(event={"en": "SNIIRAM created"}), "history[0].event.fr"),
        (lambda s: s.update(custodian={"en": "CNAM"}), "custodian.fr"),
        (lambda s: s.update(access={"fr": "Par le SNDS.", "en": "Through the SNDS.", "de": "x"}), "access"),
    ],
)
def test_the_file_refuses_a_note_without_its_french(tmp_path, edit, field) -> None:
    path = _with(tmp_path, edit)
    with pytest.raises(BeneficeError) as caught:
        load_registry(path)
    assert caught.value.field == field and caught.value.path == path and "SNDS" in str(caught.value)


def test_the_shipped_registry_is_french_first() -> None:
    registry = load_registry()
    snds = registry["SNDS"]
    assert snds.access.fr.startswith("Accès permanent") and snds.access.en.startswith("Permanent access")
    assert "\u00a0;" in snds.access.fr  # French typography: a no-break space before the semicolon
    assert snds.history[0]["event"]["fr"].startswith("Création du SNIIRAM")
    # a French institution's proper name stays French in both languages; a note about it is translated
    assert registry["PMSI"].custodian_text.fr == registry["PMSI"].custodian_text.en
    assert registry["EDS_OTHER"].custodian_text.fr != registry["EDS_OTHER"].custodian_text.en
    # the barometer and the citation statistics group and match custodians by the French text
    assert registry["SNIIRAM"].custodian == "Caisse nationale de l'Assurance maladie (CNAM)"


def test_the_yaml_export_reads_back_the_same() -> None:
    registry = load_registry()
    again = registry_from_dict(yaml.safe_load(export_registry(registry, "yaml")), bilingual=True)
    assert again.to_records() == registry.to_records()
    header = export_registry(registry, "csv").splitlines()[0].split(",")
    assert {"access_fr", "access_en", "ambiguity_fr", "custodian_fr"} <= set(header)


def test_an_older_registry_still_reads_and_keeps_its_english() -> None:
    data = copy.deepcopy(_shipped())
    snds = next(s for s in data["sources"] if s["id"] == "SNDS")
    snds.update(access="Through the Health Data Hub.", ambiguity="", custodian="CNAM")
    snds["history"] = [{"year": 2016, "event": "SNDS created"}]
    registry = registry_from_dict(data, "edition/sources.yaml")  # a frozen edition: not bilingual
    source = registry["SNDS"]
    assert (source.access.fr, source.access.en) == ("", "Through the Health Data Hub.")
    assert text_in(source.to_dict()["access"], "fr") == "Through the Health Data Hub."  # shown, not lost
    assert source.history == [{"year": 2016, "event": {"fr": "", "en": "SNDS created"}}]
    with pytest.raises(BeneficeError, match="plain text"):
        registry_from_dict(data, "sources.yaml", bilingual=True)


def test_text_in_picks_the_readers_language() -> None:
    value = {"fr": "Par le SNDS.", "en": "Through the SNDS."}
    assert text_in(value, "fr") == "Par le SNDS." and text_in(value, "en") == "Through the SNDS."
    assert text_in({"fr": "", "en": "Through the SNDS."}, "fr") == "Through the SNDS."
    assert text_in("Cegedim", "en") == "Cegedim" and text_in(None, "fr") == ""


def test_codes_have_french_words() -> None:
    for kind in KINDS:
        assert kind_label(kind, "fr") not in (kind, kind_label(kind, "en")), kind
    assert kind_label("linked_database", "fr") == "Base de données chaînée"
    assert set(FORM_LABELS) == set(FORMS)
    assert [form_label(f, "fr") for f in FORMS] == [
        "acronyme",
        "nom officiel",
        "traduction",
        "ancien nom",
        "description",
    ]
    assert country_label("GB", "fr") == "Royaume-Uni" and country_label("GB", "en") == "United Kingdom"
    assert country_label("ZZ", "fr") == "ZZ"  # a code nobody labelled yet is shown as written, not hidden
    registry = load_registry()
    assert {s.country for s in registry} <= set(COUNTRY_LABELS)


def test_the_naming_chart_legend_shows_words_not_codes() -> None:
    variants = [
        {"text": "SNDS", "form": "acronym", "count": 5},
        {"text": "Système national des données de santé", "form": "official_name", "count": 2},
    ]
    french = charts.variants_spec(variants, "fr")
    assert [v["form"] for v in french["data"]["values"]] == ["acronyme", "nom officiel"]
    english = charts.variants_spec(variants, "en")
    assert [v["form"] for v in english["data"]["values"]] == ["acronym", "official name"]
    assert french["encoding"]["x"]["axis"]["tickMinStep"] == 1  # whole mentions, no 0.5 tick


def test_vega_writes_no_english_aria_labels_on_french_pages():
    """Vega generates "X-axis titled … for a discrete scale" for each axis and legend, in English whatever
    the page: the specs turn that off, the page labels the whole SVG in its language (issue 19)."""
    rows = [{"year": 2020, "used": 1, "mentioned": 0}]
    for spec in (
        charts.timeline_spec(rows, "fr"),
        charts.variants_spec([{"text": "SNDS", "form": "acronym", "count": 2}], "fr"),
        charts.co_use_spec([{"source": "PMSI", "count": 1}], "fr"),
    ):
        assert spec["config"]["aria"] is False
