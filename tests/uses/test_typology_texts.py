"""The typology's texts a reader sees (issue 19): every {fr, en} mapping holds exactly its two texts.

A comma in a YAML flow mapping (``{fr: Accès, projets, appariements, en: …}``) silently made each word after
the first a key of its own, so the French definition shown was "Accès"; this reads the file as written."""

from __future__ import annotations

from typing import Any

import yaml

from benefice.paths import package_data
from benefice.uses.typology import load_typology


def _text_mappings(node: Any, where: str = ""):
    if isinstance(node, dict):
        if "fr" in node or "en" in node:
            yield where, node
        for key, value in node.items():
            yield from _text_mappings(value, f"{where}.{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _text_mappings(value, f"{where}[{i}]")


def test_every_text_mapping_has_exactly_french_and_english() -> None:
    data = yaml.safe_load(package_data("typology.yaml").read_text(encoding="utf-8"))
    bad = [where for where, mapping in _text_mappings(data) if set(mapping) != {"fr", "en"}]
    assert bad == []


def test_definitions_are_whole_sentences() -> None:
    typology = load_typology()
    assert (
        typology.ladder["data_activity"].definition.fr
        == "Accès, projets, appariements, cohortes constituées."
    )
    rungs = [
        *typology.ladder.values(),
        *typology.decision_types.values(),
        *typology.evidence_grades.values(),
        *typology.attribution_grades.values(),
    ]
    for rung in rungs:
        assert rung.definition.fr.endswith(".") and rung.definition.en.endswith("."), rung.id
        assert " ;" not in rung.definition.fr, rung.id  # a no-break space before the semicolon
    other = typology.data_sources["OTHER_FR"]
    assert other.fr.endswith("pharmacovigilance…)") and other.en.endswith("pharmacovigilance…)")
