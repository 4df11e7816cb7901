"""Load and validate the indicator catalogue (the typology is ``benefice.uses.typology``).

The catalogue is curated knowledge that the web app loads into the database and every case's figures are
coded against. A wrong code or unit would silently distort every barometer built on it, so loading is
strict: anything unknown or inconsistent raises a ``BeneficeError`` naming the file, the indicator and the
field. Every text a reader sees (name, definition, how to measure, each data item needed, each pitfall) is
a ``{fr, en}`` mapping with both languages (French is the original), so no page falls back to the other
language without saying so. Pure Python (no Django).
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
from benefice.uses.typology import Typology, load_typology

ALL = "all"  # an indicator whose `categories` is "all" applies to every category of use


@dataclass(frozen=True)
class Unit:
    id: str
    name: Text
    dimension: str


@dataclass(frozen=True)
class Indicator:
    code: str
    name: Text
    definition: Text
    type: str
    units: tuple[str, ...]
    family: str
    categories: tuple[str, ...]  # every category id when the file says "all"
    level: str
    how_to_measure: Text
    data_needed: tuple[Text, ...]
    pitfalls: dict[str, Text]  # attribution, counterfactual, double_counting (+ optional others)
    since: str
    changed: tuple[str, ...] = ()

    def applies_to(self, categories: tuple[str, ...] | list[str]) -> bool:
        return any(c in self.categories for c in categories)


@dataclass(frozen=True)
class IndicatorCatalogue:
    version: str
    changelog: tuple[ChangeLogEntry, ...]
    units: dict[str, Unit]
    indicators: dict[str, Indicator]


_INDICATOR_KEYS = {
    "code", "name", "definition", "type", "units", "family", "categories", "level",
    "how_to_measure", "data_needed", "pitfalls", "since", "changed",
}  # fmt: skip
_REQUIRED_PITFALLS = ("attribution", "counterfactual", "double_counting")


def _text(value: Any, ctx: Ctx, fld: str, one_language: bool) -> Text:
    """A ``{fr, en}`` text; ``one_language`` accepts a text with one language empty, or a plain string (the
    English of a catalogue written before it was bilingual), see ``parse_indicators``."""
    if one_language and isinstance(value, str) and value.strip():
        return Text(fr="", en=value.strip())
    if one_language and isinstance(value, dict) and any(str(value.get(k) or "").strip() for k in ("fr", "en")):
        return Text(
            fr=as_str(value, "fr", ctx, required=False, fld=f"{fld}.fr"),
            en=as_str(value, "en", ctx, required=False, fld=f"{fld}.en"),
        )
    if not isinstance(value, dict):
        raise ctx.fail("expected a mapping {fr: ..., en: ...} (French first)", fld)
    return as_text({fld: value}, fld, ctx)


def parse_indicators(
    data: dict[str, Any],
    path: Path | str = "<indicators>",
    typology: Typology | None = None,
    *,
    one_language: bool = False,
) -> IndicatorCatalogue:
    """Build and validate the indicator catalogue against the typology (the shipped one by default).

    Every text needs French and English. ``one_language`` lets a text have only one of them, or be a plain
    string read as its English: only for what was written before the catalogue was bilingual (version
    1.0.0), a database migrated since (its English kept, no French yet, until the next load brings the
    French) or the copy of indicators.yaml an edition froze then, so that its figures still compute; the
    shipped file, an export and an edit are always read with both required."""
    typology = typology or load_typology()
    ctx = Ctx(path)
    version, changelog = read_changelog(data, ctx)
    units_raw = as_mapping(data.get("units"), ctx, "units")
    units = {}
    for uid, raw in units_raw.items():
        c = ctx.at(f"unit {uid}")
        d = as_mapping(raw, c, "units")
        units[str(uid)] = Unit(
            str(uid),
            Text(fr=as_str(d, "fr", c, fld="fr"), en=as_str(d, "en", c, fld="en")),
            as_str(d, "dimension", c, fld="dimension"),
        )
    types = tuple(str(t) for t in as_list(data.get("indicator_types"), ctx, "indicator_types"))
    indicators: dict[str, Indicator] = {}
    for i, raw in enumerate(as_list(data.get("indicators"), ctx, "indicators")):
        d = as_mapping(raw, ctx, f"indicators[{i}]")
        code = as_str(d, "code", ctx, fld=f"indicators[{i}].code")
        c = ctx.at(code, i + 1)
        check_keys(d, _INDICATOR_KEYS, c, "indicator")
        if code in indicators:
            raise c.fail("duplicate indicator code", "code")
        itype = one_of(as_str(d, "type", c), types, c, "type", "indicator type")
        iunits = tuple(str(u) for u in as_list(d.get("units"), c, "units"))
        if not iunits:
            raise c.fail("needs at least one unit", "units")
        for u in iunits:
            one_of(u, units, c, "units", "unit")
        cats_raw = d.get("categories")
        if cats_raw == ALL:
            cats = tuple(typology.categories)
        else:
            cats = tuple(
                one_of(str(x), typology.categories, c, "categories", "category of use")
                for x in as_list(cats_raw, c, "categories")
            )
            if not cats:
                raise c.fail("needs at least one category (or 'all')", "categories")
        pit = as_mapping(d.get("pitfalls"), c, "pitfalls")
        for key in _REQUIRED_PITFALLS:
            if key not in pit:
                raise c.fail("missing or empty", f"pitfalls.{key}")
        pitfalls = {
            str(key): _text(pit[key], c, f"pitfalls.{key}", one_language)
            for key in (*_REQUIRED_PITFALLS, *(k for k in pit if k not in _REQUIRED_PITFALLS))
        }
        needed = as_list(d.get("data_needed"), c, "data_needed")
        indicators[code] = Indicator(
            code=code,
            name=_text(d.get("name"), c, "name", one_language),
            definition=_text(d.get("definition"), c, "definition", one_language),
            type=itype,
            units=iunits,
            family=one_of(as_str(d, "family", c), typology.families, c, "family", "benefit family"),
            categories=cats,
            level=one_of(as_str(d, "level", c), typology.ladder, c, "level", "impact-ladder level"),
            how_to_measure=_text(d.get("how_to_measure"), c, "how_to_measure", one_language),
            data_needed=tuple(_text(x, c, f"data_needed[{j}]", one_language) for j, x in enumerate(needed)),
            pitfalls=pitfalls,
            since=as_str(d, "since", c),
            changed=tuple(str(x) for x in as_list(d.get("changed"), c, "changed", required=False)),
        )
    if not indicators:
        raise ctx.fail("no indicators", "indicators")
    return IndicatorCatalogue(version, changelog, units, indicators)


def load_indicators(path: Path | str | None = None, typology: Typology | None = None) -> IndicatorCatalogue:
    """The indicator catalogue shipped with benefice, or the one at `path`."""
    path = Path(path) if path else package_data("indicators.yaml")
    return parse_indicators(read_yaml(path), path, typology)

