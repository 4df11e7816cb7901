"""The typology of benefits: benefit families, categories of use, the impact ladder, decision types and grades.

The categories of use are what ``benefice.uses`` classifies publications into; the rest of the file is the
frame the impact cases and indicators are written in. Curated data, loaded strictly: anything unknown or
inconsistent raises a ``BeneficeError`` naming the file, the record id and the field. Pure Python (no Django).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benefice.curated import (
    ChangeLogEntry,
    Ctx,
    Text,
    as_list,
    as_mapping,
    as_str,
    as_text,
    check_keys,
    one_of,
    read_changelog,
    read_yaml,
)
from benefice.paths import package_data


@dataclass(frozen=True)
class Family:
    id: str
    name: Text
    definition: Text
    frameworks: dict[str, str]


@dataclass(frozen=True)
class Category:
    id: str
    name: Text
    definition: Text
    families: tuple[str, ...]
    cues: dict[str, tuple[str, ...]]  # language -> lower-case keywords for the rule-based classifier
    description: Description | None = None  # what such a study is about (the classifier's reference)


LANGUAGES = ("fr", "en")
DESCRIPTION_PARTS = ("objects", "outcomes", "actors")


@dataclass(frozen=True)
class Description:
    """What a study of one kind of use is about, in the words such studies use (French and English).

    ``designs`` are ids of the typology's study designs, ``source_kinds`` registry kinds (claims, cohort...); ``objects``, ``outcomes`` and ``actors`` map a part
    to {language: lower-case phrases}. Written from the category's definition and the field's vocabulary."""

    designs: tuple[str, ...]
    parts: dict[str, dict[str, tuple[str, ...]]]
    source_kinds: tuple[str, ...] = ()  # registry kinds such studies typically use
    #: situations that set a study in its context without being what it studies (the COVID-19 epidemic):
    #: evidence of this category only where no other category's aim is stated
    context: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def phrases(self, part: str | None = None) -> tuple[str, ...]:
        """Every phrase of one part (or of all parts), both languages."""
        parts = [part] if part else list(self.parts)
        return tuple(w for p in parts for lang in LANGUAGES for w in self.parts.get(p, {}).get(lang, ()))


@dataclass(frozen=True)
class StudyDesign:
    """A study design and the phrases that name it in titles and abstracts (French and English)."""

    id: str
    name: Text
    phrases: dict[str, tuple[str, ...]]


@dataclass(frozen=True)
class Rung:
    """An ordered level (impact ladder, decision type, grade): `rank` orders them, higher is stronger."""

    id: str
    rank: int
    name: Text
    definition: Text


@dataclass(frozen=True)
class Typology:
    version: str
    changelog: tuple[ChangeLogEntry, ...]
    families: dict[str, Family]
    categories: dict[str, Category]
    ladder: dict[str, Rung]
    decision_types: dict[str, Rung]
    evidence_grades: dict[str, Rung]
    attribution_grades: dict[str, Rung]
    data_sources: dict[str, Text]
    study_designs: dict[str, StudyDesign] = field(default_factory=dict)


# --------------------------------------------------------------------------------------------------
# Typology
# --------------------------------------------------------------------------------------------------
def _rungs(data: dict[str, Any], key: str, ctx: Ctx, *, ranked: bool = True) -> dict[str, Rung]:
    out: dict[str, Rung] = {}
    for i, raw in enumerate(as_list(data.get(key), ctx, key)):
        d = as_mapping(raw, ctx, f"{key}[{i}]")
        rid = as_str(d, "id", ctx, fld=f"{key}[{i}].id")
        c = ctx.at(rid, i + 1)
        rank = d.get("rank", i)
        if ranked and (not isinstance(rank, int) or isinstance(rank, bool)):
            raise c.fail("rank must be an integer", f"{key}.rank")
        if rid in out:
            raise c.fail(f"duplicate id in {key}", f"{key}.id")
        out[rid] = Rung(rid, int(rank), as_text(d, "name", c), as_text(d, "definition", c))
    return out


def _phrases(raw: Any, ctx: Ctx, fld: str) -> dict[str, tuple[str, ...]]:
    """{fr: [...], en: [...]}: non-empty lists of lower-case phrases in both languages."""
    raw = as_mapping(raw, ctx, fld)
    check_keys(raw, set(LANGUAGES), ctx, fld)
    out = {}
    for lang in LANGUAGES:
        words = as_list(raw.get(lang), ctx, f"{fld}.{lang}")
        if not words or not all(isinstance(w, str) and w.strip() for w in words):
            raise ctx.fail("needs a non-empty list of phrases", f"{fld}.{lang}")
        if any(w != w.lower() for w in words):
            raise ctx.fail("phrases must be lower case", f"{fld}.{lang}")
        out[lang] = tuple(w.strip() for w in words)
    return out


def _study_designs(data: dict[str, Any], ctx: Ctx) -> dict[str, StudyDesign]:
    """The optional ``study_designs`` list (older typology files, kept in past editions, have none)."""
    out: dict[str, StudyDesign] = {}
    for i, raw in enumerate(as_list(data.get("study_designs"), ctx, "study_designs", required=False)):
        d = as_mapping(raw, ctx, f"study_designs[{i}]")
        did = as_str(d, "id", ctx, fld=f"study_designs[{i}].id")
        c = ctx.at(did, i + 1)
        check_keys(d, {"id", "name", "phrases"}, c, "study design")
        if did in out:
            raise c.fail("duplicate study design id", "id")
        out[did] = StudyDesign(did, as_text(d, "name", c), _phrases(d.get("phrases"), c, "phrases"))
    return out


def _description(raw: Any, c: Ctx, designs: dict[str, StudyDesign]) -> Description:
    d = as_mapping(raw, c, "description")
    check_keys(d, {"designs", "sources", "context", *DESCRIPTION_PARTS}, c, "description")
    ids = tuple(
        one_of(str(x), designs, c, "description.designs", "study design")
        for x in as_list(d.get("designs"), c, "description.designs")
    )
    parts = {part: _phrases(d.get(part), c, f"description.{part}") for part in DESCRIPTION_PARTS}
    kinds = tuple(str(k) for k in as_list(d.get("sources"), c, "description.sources", required=False))
    context = _phrases(d["context"], c, "description.context") if d.get("context") is not None else {}
    return Description(ids, parts, kinds, context)


def parse_typology(data: dict[str, Any], path: Path | str = "<typology>") -> Typology:
    """Build and validate a Typology from already-parsed YAML (the web app's import uses this too)."""
    ctx = Ctx(path)
    version, changelog = read_changelog(data, ctx)
    families: dict[str, Family] = {}
    for i, raw in enumerate(as_list(data.get("families"), ctx, "families")):
        d = as_mapping(raw, ctx, f"families[{i}]")
        fid = as_str(d, "id", ctx, fld=f"families[{i}].id")
        c = ctx.at(fid, i + 1)
        if fid in families:
            raise c.fail("duplicate family id", "id")
        frameworks = {str(k): str(v) for k, v in (d.get("frameworks") or {}).items()}
        families[fid] = Family(fid, as_text(d, "name", c), as_text(d, "definition", c), frameworks)
    designs = _study_designs(data, ctx)
    categories: dict[str, Category] = {}
    for i, raw in enumerate(as_list(data.get("categories"), ctx, "categories")):
        d = as_mapping(raw, ctx, f"categories[{i}]")
        cid = as_str(d, "id", ctx, fld=f"categories[{i}].id")
        c = ctx.at(cid, i + 1)
        check_keys(d, {"id", "name", "definition", "families", "cues", "description"}, c, "category")
        if cid in categories:
            raise c.fail("duplicate category id", "id")
        fams = tuple(
            one_of(str(f), families, c, "families", "benefit family")
            for f in as_list(d.get("families"), c, "families")
        )
        cues_raw = as_mapping(d.get("cues"), c, "cues")
        cues = {}
        for lang in ("fr", "en"):
            words = as_list(cues_raw.get(lang), c, f"cues.{lang}")
            if not words or not all(isinstance(w, str) and w.strip() for w in words):
                raise c.fail("needs a non-empty list of keywords", f"cues.{lang}")
            if any(w != w.lower() for w in words):
                raise c.fail("keywords must be lower case", f"cues.{lang}")
            cues[lang] = tuple(w.strip() for w in words)
        description = _description(d["description"], c, designs) if d.get("description") is not None else None
        categories[cid] = Category(
            cid, as_text(d, "name", c), as_text(d, "definition", c), fams, cues, description
        )
    sources_raw = as_mapping(data.get("data_sources"), ctx, "data_sources")
    data_sources = {str(k): as_text(sources_raw, k, ctx.at(str(k))) for k in sources_raw}
    typology = Typology(
        version=version,
        changelog=changelog,
        families=families,
        categories=categories,
        ladder=_rungs(data, "ladder", ctx),
        decision_types=_rungs(data, "decision_types", ctx),
        evidence_grades=_rungs(data, "evidence_grades", ctx, ranked=False),
        attribution_grades=_rungs(data, "attribution_grades", ctx),
        data_sources=data_sources,
        study_designs=designs,
    )
    for key in (
        "families",
        "categories",
        "ladder",
        "decision_types",
        "evidence_grades",
        "attribution_grades",
    ):
        if not getattr(typology, key):
            raise ctx.fail("must not be empty", key)
    return typology


def load_typology(path: Path | str | None = None) -> Typology:
    """The typology shipped with benefice, or the one at `path`."""
    path = Path(path) if path else package_data("typology.yaml")
    return parse_typology(read_yaml(path), path)


@functools.lru_cache(maxsize=4)
def _typology_at(path: str) -> Typology:
    return load_typology(path)


def shipped_typology() -> Typology:
    """The shipped typology, read once per process: the web app does not edit it, and the case and indicator
    services validate every edit against it."""
    return _typology_at(str(package_data("typology.yaml")))
