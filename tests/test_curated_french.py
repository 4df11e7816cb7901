"""Issue 19: every text of the curated data that a reader sees exists in French, written first.

The loaders refuse a bilingual field without its French (``curated.as_text``); this test guards what no
loader can: a prose field still written as a bare English string, which a loader reading it with
``as_str`` takes without complaint and every French page then shows in English. It walks every curated
file of ``benefice/data`` and flags, outside ``{fr:, en:}`` mappings, any text that reads as English prose
(the rule of tests/support/french.py). Left out, each for a reason stated with it, are the fields that are
not prose for a reader: the words detection and classification match (they are written in the language
of the texts they find), bibliographic citations (a reference is quoted as published), proper names of
the impact frameworks' categories, and the files' change logs (notes for curators).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from benefice.paths import package_data
from support.french import is_english

DATA = Path(package_data("sources.yaml")).parent

#: keys whose values are not prose shown to a reader, and why
NOT_PROSE = {
    "names": "a source's proper name, as its owners write it (a foreign source has no French name)",
    "variants": "names detection matches, in the language of the texts",
    "translations": "names detection matches, in the language of the texts",
    "acronyms": "names detection matches",
    "ambiguous": "names detection matches",
    "former_names": "names a source had, as they were written",
    "context": "words detection looks for around an ambiguous name",
    "descriptions": "wordings detection matches",
    "requires": "words detection looks for",
    "slots": "the description grammar's words, matched against texts",
    "pattern": "a classification rule's regular expression, matched against texts",
    "citation": "a bibliographic reference, quoted as published",
    "frameworks": "the names of other frameworks' categories, as those frameworks write them",
    "changelog": "a curated file's history, notes for its curators",
    "changes": "a curated file's history, notes for its curators",
}


def english_prose(node: Any, path: str = "") -> list[str]:
    """The paths of English prose strings outside bilingual mappings in a curated file's data."""
    found: list[str] = []
    if isinstance(node, dict):
        if set(node) >= {"fr", "en"}:
            if not str(node["fr"] or "").strip():
                found.append(f"{path}: empty French")
            return found
        for key, value in node.items():
            if key in NOT_PROSE:
                continue
            found += english_prose(value, f"{path}.{key}" if path else str(key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found += english_prose(value, f"{path}[{i}]")
    elif isinstance(node, str) and is_english(node):
        found.append(f"{path}: {node[:80]!r}")
    return found


@pytest.mark.parametrize("name", sorted(p.name for p in DATA.glob("*.yaml")))
def test_every_curated_text_a_reader_sees_is_in_french(name):
    data = yaml.safe_load((DATA / name).read_text(encoding="utf-8"))
    found = english_prose(data)
    assert not found, f"{name}: {len(found)} text(s) in English only, e.g.\n" + "\n".join(found[:15])


def test_the_walk_finds_an_english_only_field_and_a_missing_french():
    data = {
        "cases": [
            {"id": "x", "summary": "The study changed the guideline of the agency.", "title": {"fr": "", "en": "A"}},
            {"id": "y", "summary": {"fr": "L'étude a changé la recommandation.", "en": "The study changed it."}},
        ],
        "variants": ["the national health insurance claims"],
    }
    assert english_prose(data) == [
        "cases[0].summary: 'The study changed the guideline of the agency.'",
        "cases[0].title: empty French",
    ]
