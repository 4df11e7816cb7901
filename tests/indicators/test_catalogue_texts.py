"""The indicator catalogue is bilingual, French first: every text a reader sees has both languages, and
the strict loader refuses an indicator whose French (or English) is missing, naming the field."""

from __future__ import annotations

import copy
import re

import pytest
import yaml

from benefice.curated import Text
from benefice.errors import BeneficeError
from benefice.indicators.catalogue import load_indicators, parse_indicators
from benefice.paths import package_data
from benefice.uses.typology import load_typology

TYPOLOGY = load_typology()
RAW = yaml.safe_load(package_data("indicators.yaml").read_text(encoding="utf-8"))
A2_EN = next(e for e in RAW["indicators"] if e["code"] == "A2")

#: where each text of an indicator lives in its entry (a path of keys and list indexes)
TEXT_PATHS = [
    ("name",),
    ("definition",),
    ("how_to_measure",),
    ("data_needed", 0),
    ("pitfalls", "attribution"),
    ("pitfalls", "counterfactual"),
    ("pitfalls", "double_counting"),
]


def _field(path: tuple) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else (f".{p}" if i else p) for i, p in enumerate(path))


def _texts(ind) -> list[Text]:
    return [ind.name, ind.definition, ind.how_to_measure, *ind.data_needed, *ind.pitfalls.values()]


def _without(path: tuple, lang: str, code: str = "A2", value=None) -> dict:
    data = copy.deepcopy(RAW)
    entry = next(e for e in data["indicators"] if e["code"] == code)
    target = entry
    for key in path:
        target = target[key]
    if value is None:
        del target[lang]
    else:
        target[lang] = value
    return data


def test_every_shipped_text_has_french_and_english() -> None:
    catalogue = load_indicators(typology=TYPOLOGY)
    for ind in catalogue.indicators.values():
        texts = _texts(ind)
        assert len(texts) >= 7 and all(t.fr and t.en for t in texts), ind.code
        # written in French, not copied from the English (names of databases excepted)
        prose = [t for t in (ind.definition, ind.how_to_measure, *ind.pitfalls.values())]
        assert all(t.fr != t.en for t in prose), ind.code


def test_french_typography_of_the_catalogue() -> None:
    for ind in load_indicators(typology=TYPOLOGY).indicators.values():
        for text in _texts(ind):
            # a non-breaking space before : ; ! ? (never a plain one, never none) and before %
            assert not re.search(r"(?<=\S)[;:!?](?=\s|$)", text.fr), (ind.code, text.fr)
            assert not re.search(r" [;:!?%]", text.fr), (ind.code, text.fr)


@pytest.mark.parametrize("path", TEXT_PATHS, ids=_field)
@pytest.mark.parametrize("lang", ["fr", "en"])
def test_an_indicator_lacking_one_language_is_refused(path, lang) -> None:
    with pytest.raises(BeneficeError) as info:
        parse_indicators(_without(path, lang), "indicators.yaml", TYPOLOGY)
    assert info.value.field == f"{_field(path)}.{lang}"
    assert "A2" in info.value.message and info.value.path == "indicators.yaml"


@pytest.mark.parametrize("path", TEXT_PATHS, ids=_field)
def test_an_empty_french_text_is_refused(path) -> None:
    with pytest.raises(BeneficeError) as info:
        parse_indicators(_without(path, "fr", value="  "), "indicators.yaml", TYPOLOGY)
    assert info.value.field == f"{_field(path)}.fr"


def test_a_plain_string_is_refused_with_the_expected_form() -> None:
    data = copy.deepcopy(RAW)
    data["indicators"][0]["definition"] = "English only."
    with pytest.raises(BeneficeError) as info:
        parse_indicators(data, "indicators.yaml", TYPOLOGY)
    assert info.value.field == "definition" and "{fr: ..., en: ...}" in info.value.message


def test_an_extra_pitfall_is_bilingual_too() -> None:
    data = copy.deepcopy(RAW)
    data["indicators"][0]["pitfalls"]["timing"] = "English only."
    with pytest.raises(BeneficeError) as info:
        parse_indicators(data, "indicators.yaml", TYPOLOGY)
    assert info.value.field == "pitfalls.timing"
    data["indicators"][0]["pitfalls"]["timing"] = {"fr": "Décalage.", "en": "Lag."}
    ind = parse_indicators(data, "indicators.yaml", TYPOLOGY).indicators[data["indicators"][0]["code"]]
    assert ind.pitfalls["timing"] == Text(fr="Décalage.", en="Lag.")


def test_a_migrated_database_may_lack_french_but_never_both() -> None:
    """``one_language`` is for rows migrated from an English-only database: one language is enough, none is not."""
    data = _without(("definition",), "fr", value="")
    ind = parse_indicators(data, "database catalogue", TYPOLOGY, one_language=True).indicators["A2"]
    assert ind.definition.fr == "" and ind.definition.en.startswith("Excess events")
    with pytest.raises(BeneficeError) as info:
        empty = _without(("definition",), "en", value="")
        parse_indicators(_without_in(empty, ("definition",), "fr"), "database catalogue", TYPOLOGY, one_language=True)
    assert info.value.field == "definition.fr"


def _without_in(data: dict, path: tuple, lang: str) -> dict:
    entry = next(e for e in data["indicators"] if e["code"] == "A2")
    target = entry
    for key in path:
        target = target[key]
    target[lang] = ""
    return data


def test_a_catalogue_from_before_the_french_reads_as_english_only() -> None:
    """The English-only catalogue (1.0.0) that a database or a frozen edition still holds: plain strings."""
    data = copy.deepcopy(RAW)
    for entry in data["indicators"]:
        for key in ("definition", "how_to_measure"):
            entry[key] = entry[key]["en"]
        entry["data_needed"] = [item["en"] for item in entry["data_needed"]]
        entry["pitfalls"] = {k: v["en"] for k, v in entry["pitfalls"].items()}
    with pytest.raises(BeneficeError):
        parse_indicators(data, "edition/indicators.yaml", TYPOLOGY)
    old = parse_indicators(data, "edition/indicators.yaml", TYPOLOGY, one_language=True).indicators["A2"]
    assert old.definition == Text(fr="", en=A2_EN["definition"]["en"]) and old.data_needed[0] == Text(fr="", en="DCIR")
    assert old.pitfalls["attribution"].en == A2_EN["pitfalls"]["attribution"]["en"]
