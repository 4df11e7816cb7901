"""The typology of benefits: benefit families, categories of use, the impact ladder, decision types and grades.

The categories of use are what ``benefice.uses`` classifies publications into; the rest of the file is the
frame the impact cases and indicators are written in. Curated data, loaded strictly: anything unknown or
inconsistent raises a ``BeneficeError`` naming the file, the record id and the field. Pure Python (no Django).
"""

from __future__ import annotations

from dataclasses import dataclass
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
    categories: dict[str, Category] = {}
    for i, raw in enumerate(as_list(data.get("categories"), ctx, "categories")):
        d = as_mapping(raw, ctx, f"categories[{i}]")
        cid = as_str(d, "id", ctx, fld=f"categories[{i}].id")
        c = ctx.at(cid, i + 1)
        check_keys(d, {"id", "name", "definition", "families", "cues"}, c, "category")
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
        categories[cid] = Category(cid, as_text(d, "name", c), as_text(d, "definition", c), fams, cues)
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
