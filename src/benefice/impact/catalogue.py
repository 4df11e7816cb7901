"""Load and validate the impact framework data: typology, indicator catalogue and impact cases.

These three YAML files are curated knowledge that the web app loads into the database, the classifier
reads cues from, and the ranking computes on. A wrong id or an unsourced figure would silently distort
every barometer built on them, so loading is strict: anything unknown or inconsistent raises a
``BeneficeError`` naming the file, the record id and the field. Pure Python (no Django).
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from benefice.errors import BeneficeError
from benefice.paths import package_data

ALL = "all"  # an indicator whose `categories` is "all" applies to every category of use
PROVENANCE_TAGS = ("S", "S-prev", "M")
DECISION_SCOPES = ("national", "eu", "international")
_DATE_RE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
_DOI_RE = re.compile(r"^10\.\d{4,9}/\S+$")


# --------------------------------------------------------------------------------------------------
# Data classes
# --------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Text:
    """A text in French and English; both are required so the UI never falls back silently."""

    fr: str
    en: str


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
class ChangeLogEntry:
    version: str
    date: str
    author: str
    change: str


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


@dataclass(frozen=True)
class Unit:
    id: str
    name: Text
    dimension: str


@dataclass(frozen=True)
class Indicator:
    code: str
    name: Text
    definition: str
    type: str
    units: tuple[str, ...]
    family: str
    categories: tuple[str, ...]  # every category id when the file says "all"
    level: str
    how_to_measure: str
    data_needed: tuple[str, ...]
    pitfalls: dict[str, str]  # attribution, counterfactual, double_counting (+ optional others)
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


@dataclass(frozen=True)
class Source:
    """Where a figure or decision comes from: a DOI or URL, and where in it (location) or a quote."""

    doi: str = ""
    url: str = ""
    pmid: str = ""
    location: str = ""
    quote: str = ""
    provenance: str = ""


@dataclass(frozen=True)
class Figure:
    indicator: str
    label: str
    unit: str
    source: Source
    evidence_grade: str
    attribution_grade: str
    entered_by: str
    entered_at: str
    value: float | None = None
    low: float | None = None
    high: float | None = None
    text: str = ""
    population: str = ""
    period: str = ""
    verified: bool = True


@dataclass(frozen=True)
class Decision:
    agency: str
    date: str
    type: str
    description: str
    scope: str = "national"
    reference: Source | None = None
    provenance: str = ""
    verified: bool = True


@dataclass(frozen=True)
class Publication:
    citation: str
    doi: str = ""
    pmid: str = ""
    url: str = ""
    verified: bool = True


@dataclass(frozen=True)
class TimelineEvent:
    date: str
    event: str
    verified: bool = True


@dataclass(frozen=True)
class Case:
    id: str
    title: Text
    summary: str
    categories: tuple[str, ...]
    data_sources: tuple[str, ...]
    attribution_grade: str
    publications: tuple[Publication, ...]
    decisions: tuple[Decision, ...]
    figures: tuple[Figure, ...]
    timeline: tuple[TimelineEvent, ...]
    notes: str = ""


@dataclass(frozen=True)
class CaseBook:
    version: str
    changelog: tuple[ChangeLogEntry, ...]
    cases: dict[str, Case] = field(default_factory=dict)


# --------------------------------------------------------------------------------------------------
# Reading helpers: each knows the file and the place, so every error names both
# --------------------------------------------------------------------------------------------------
class _Ctx:
    def __init__(self, path: Path | str, record: str = "", record_no: int | None = None) -> None:
        self.path = str(path)
        self.record = record
        self.record_no = record_no

    def at(self, record: str, record_no: int | None = None) -> _Ctx:
        return _Ctx(self.path, record, record_no)

    def fail(self, message: str, fld: str | None = None) -> BeneficeError:
        prefix = f"{self.record}: " if self.record else ""
        return BeneficeError(prefix + message, path=self.path, record=self.record_no, field=fld)


def _read_yaml(path: Path | str) -> dict[str, Any]:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise BeneficeError(f"cannot read file: {exc.strerror or exc}", path=str(path)) from exc
    except UnicodeDecodeError as exc:
        raise BeneficeError("file is not UTF-8", path=str(path)) from exc
    return _parse_yaml(text, path)


def _parse_yaml(text: str, path: Path | str) -> dict[str, Any]:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise BeneficeError(
            f"invalid YAML: {getattr(exc, 'problem', None) or exc}",
            path=str(path),
            line=mark.line + 1 if mark else None,
        ) from exc
    if not isinstance(data, dict):
        raise BeneficeError("expected a mapping at the top of the file", path=str(path))
    return data


def _check_keys(d: dict[str, Any], allowed: set[str], ctx: _Ctx, where: str) -> None:
    unknown = sorted(set(d) - allowed)
    if unknown:
        raise ctx.fail(f"unknown field(s) {', '.join(unknown)} in {where}", unknown[0])


def _mapping(value: Any, ctx: _Ctx, fld: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ctx.fail("expected a mapping", fld)
    return value


def _list(value: Any, ctx: _Ctx, fld: str, *, required: bool = True) -> list[Any]:
    if value is None and not required:
        return []
    if not isinstance(value, list):
        raise ctx.fail("expected a list", fld)
    return value


def _str(d: dict[str, Any], key: str, ctx: _Ctx, *, required: bool = True, fld: str | None = None) -> str:
    value = d.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise ctx.fail("missing or empty", fld or key)
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ctx.fail("expected text", fld or key)
    return str(value).strip()


def _text(d: dict[str, Any], key: str, ctx: _Ctx) -> Text:
    value = _mapping(d.get(key), ctx, key)
    return Text(fr=_str(value, "fr", ctx, fld=f"{key}.fr"), en=_str(value, "en", ctx, fld=f"{key}.en"))


def _number(d: dict[str, Any], key: str, ctx: _Ctx, fld: str) -> float | None:
    value = d.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ctx.fail(f"expected a number, got {value!r}", fld)
    return float(value)


def _bool(d: dict[str, Any], key: str, ctx: _Ctx, fld: str, default: bool = True) -> bool:
    value = d.get(key, default)
    if not isinstance(value, bool):
        raise ctx.fail("expected true or false", fld)
    return value


def _date(value: Any, ctx: _Ctx, fld: str) -> str:
    """An ISO date as precise as known: YYYY, YYYY-MM or YYYY-MM-DD (a real calendar date)."""
    if isinstance(value, _dt.datetime):
        return value.date().isoformat()
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not _DATE_RE.match(value.strip()):
        raise ctx.fail(f"bad date {value!r}: use YYYY, YYYY-MM or YYYY-MM-DD", fld)
    value = value.strip()
    parts = [int(p) for p in value.split("-")]
    try:
        _dt.date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)
    except ValueError as exc:
        raise ctx.fail(f"bad date {value!r}: {exc}", fld) from exc
    return value


def _one_of(value: str, allowed: Any, ctx: _Ctx, fld: str, what: str) -> str:
    if value not in allowed:
        raise ctx.fail(f"unknown {what} {value!r} (known: {', '.join(sorted(allowed))})", fld)
    return value


def _changelog(data: dict[str, Any], ctx: _Ctx) -> tuple[str, tuple[ChangeLogEntry, ...]]:
    version = _str(data, "version", ctx)
    entries = []
    for i, raw in enumerate(_list(data.get("changelog"), ctx, "changelog")):
        e = _mapping(raw, ctx, f"changelog[{i}]")
        entries.append(
            ChangeLogEntry(
                version=_str(e, "version", ctx, fld=f"changelog[{i}].version"),
                date=_date(e.get("date"), ctx, f"changelog[{i}].date"),
                author=_str(e, "author", ctx, fld=f"changelog[{i}].author"),
                change=_str(e, "change", ctx, fld=f"changelog[{i}].change"),
            )
        )
    if not entries:
        raise ctx.fail("the changelog must have at least one entry", "changelog")
    if version not in {e.version for e in entries}:
        raise ctx.fail(f"version {version!r} has no changelog entry", "version")
    return version, tuple(entries)


def _unique(ids: list[str], ctx: _Ctx, what: str) -> None:
    seen: set[str] = set()
    for i in ids:
        if i in seen:
            raise ctx.fail(f"duplicate {what} {i!r}", what)
        seen.add(i)


# --------------------------------------------------------------------------------------------------
# Typology
# --------------------------------------------------------------------------------------------------
def _rungs(data: dict[str, Any], key: str, ctx: _Ctx, *, ranked: bool = True) -> dict[str, Rung]:
    out: dict[str, Rung] = {}
    for i, raw in enumerate(_list(data.get(key), ctx, key)):
        d = _mapping(raw, ctx, f"{key}[{i}]")
        rid = _str(d, "id", ctx, fld=f"{key}[{i}].id")
        c = ctx.at(rid, i + 1)
        rank = d.get("rank", i)
        if ranked and (not isinstance(rank, int) or isinstance(rank, bool)):
            raise c.fail("rank must be an integer", f"{key}.rank")
        if rid in out:
            raise c.fail(f"duplicate id in {key}", f"{key}.id")
        out[rid] = Rung(rid, int(rank), _text(d, "name", c), _text(d, "definition", c))
    return out


def parse_typology(data: dict[str, Any], path: Path | str = "<typology>") -> Typology:
    """Build and validate a Typology from already-parsed YAML (the web app's import uses this too)."""
    ctx = _Ctx(path)
    version, changelog = _changelog(data, ctx)
    families: dict[str, Family] = {}
    for i, raw in enumerate(_list(data.get("families"), ctx, "families")):
        d = _mapping(raw, ctx, f"families[{i}]")
        fid = _str(d, "id", ctx, fld=f"families[{i}].id")
        c = ctx.at(fid, i + 1)
        if fid in families:
            raise c.fail("duplicate family id", "id")
        frameworks = {str(k): str(v) for k, v in (d.get("frameworks") or {}).items()}
        families[fid] = Family(fid, _text(d, "name", c), _text(d, "definition", c), frameworks)
    categories: dict[str, Category] = {}
    for i, raw in enumerate(_list(data.get("categories"), ctx, "categories")):
        d = _mapping(raw, ctx, f"categories[{i}]")
        cid = _str(d, "id", ctx, fld=f"categories[{i}].id")
        c = ctx.at(cid, i + 1)
        _check_keys(d, {"id", "name", "definition", "families", "cues"}, c, "category")
        if cid in categories:
            raise c.fail("duplicate category id", "id")
        fams = tuple(
            _one_of(str(f), families, c, "families", "benefit family")
            for f in _list(d.get("families"), c, "families")
        )
        cues_raw = _mapping(d.get("cues"), c, "cues")
        cues = {}
        for lang in ("fr", "en"):
            words = _list(cues_raw.get(lang), c, f"cues.{lang}")
            if not words or not all(isinstance(w, str) and w.strip() for w in words):
                raise c.fail("needs a non-empty list of keywords", f"cues.{lang}")
            if any(w != w.lower() for w in words):
                raise c.fail("keywords must be lower case", f"cues.{lang}")
            cues[lang] = tuple(w.strip() for w in words)
        categories[cid] = Category(cid, _text(d, "name", c), _text(d, "definition", c), fams, cues)
    sources_raw = _mapping(data.get("data_sources"), ctx, "data_sources")
    data_sources = {str(k): _text(sources_raw, k, ctx.at(str(k))) for k in sources_raw}
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
    return parse_typology(_read_yaml(path), path)


# --------------------------------------------------------------------------------------------------
# Indicators
# --------------------------------------------------------------------------------------------------
_INDICATOR_KEYS = {
    "code", "name", "definition", "type", "units", "family", "categories", "level",
    "how_to_measure", "data_needed", "pitfalls", "since", "changed",
}  # fmt: skip
_REQUIRED_PITFALLS = ("attribution", "counterfactual", "double_counting")


def parse_indicators(
    data: dict[str, Any], path: Path | str = "<indicators>", typology: Typology | None = None
) -> IndicatorCatalogue:
    """Build and validate the indicator catalogue against the typology (the shipped one by default)."""
    typology = typology or load_typology()
    ctx = _Ctx(path)
    version, changelog = _changelog(data, ctx)
    units_raw = _mapping(data.get("units"), ctx, "units")
    units = {}
    for uid, raw in units_raw.items():
        c = ctx.at(f"unit {uid}")
        d = _mapping(raw, c, "units")
        units[str(uid)] = Unit(
            str(uid),
            Text(fr=_str(d, "fr", c, fld="fr"), en=_str(d, "en", c, fld="en")),
            _str(d, "dimension", c, fld="dimension"),
        )
    types = tuple(str(t) for t in _list(data.get("indicator_types"), ctx, "indicator_types"))
    indicators: dict[str, Indicator] = {}
    for i, raw in enumerate(_list(data.get("indicators"), ctx, "indicators")):
        d = _mapping(raw, ctx, f"indicators[{i}]")
        code = _str(d, "code", ctx, fld=f"indicators[{i}].code")
        c = ctx.at(code, i + 1)
        _check_keys(d, _INDICATOR_KEYS, c, "indicator")
        if code in indicators:
            raise c.fail("duplicate indicator code", "code")
        itype = _one_of(_str(d, "type", c), types, c, "type", "indicator type")
        iunits = tuple(str(u) for u in _list(d.get("units"), c, "units"))
        if not iunits:
            raise c.fail("needs at least one unit", "units")
        for u in iunits:
            _one_of(u, units, c, "units", "unit")
        cats_raw = d.get("categories")
        if cats_raw == ALL:
            cats = tuple(typology.categories)
        else:
            cats = tuple(
                _one_of(str(x), typology.categories, c, "categories", "category of use")
                for x in _list(cats_raw, c, "categories")
            )
            if not cats:
                raise c.fail("needs at least one category (or 'all')", "categories")
        pit = _mapping(d.get("pitfalls"), c, "pitfalls")
        pitfalls = {}
        for key in _REQUIRED_PITFALLS:
            pitfalls[key] = _str(pit, key, c, fld=f"pitfalls.{key}")
        for key, value in pit.items():
            pitfalls.setdefault(str(key), str(value))
        indicators[code] = Indicator(
            code=code,
            name=_text(d, "name", c),
            definition=_str(d, "definition", c),
            type=itype,
            units=iunits,
            family=_one_of(_str(d, "family", c), typology.families, c, "family", "benefit family"),
            categories=cats,
            level=_one_of(_str(d, "level", c), typology.ladder, c, "level", "impact-ladder level"),
            how_to_measure=_str(d, "how_to_measure", c),
            data_needed=tuple(str(x) for x in _list(d.get("data_needed"), c, "data_needed")),
            pitfalls=pitfalls,
            since=_str(d, "since", c),
            changed=tuple(str(x) for x in _list(d.get("changed"), c, "changed", required=False)),
        )
    if not indicators:
        raise ctx.fail("no indicators", "indicators")
    return IndicatorCatalogue(version, changelog, units, indicators)


def load_indicators(path: Path | str | None = None, typology: Typology | None = None) -> IndicatorCatalogue:
    """The indicator catalogue shipped with benefice, or the one at `path`."""
    path = Path(path) if path else package_data("indicators.yaml")
    return parse_indicators(_read_yaml(path), path, typology)


# --------------------------------------------------------------------------------------------------
# Cases
# --------------------------------------------------------------------------------------------------
_CASE_KEYS = {
    "id", "title", "summary", "categories", "data_sources", "attribution_grade", "publications",
    "decisions", "figures", "timeline", "notes",
}  # fmt: skip
_FIGURE_KEYS = {
    "indicator", "label", "value", "low", "high", "unit", "text", "population", "period", "source",
    "evidence_grade", "attribution_grade", "entered_by", "entered_at", "verified",
}  # fmt: skip
_SOURCE_KEYS = {"doi", "url", "pmid", "location", "quote", "provenance"}


def _source(raw: Any, c: _Ctx, fld: str, *, need_location: bool) -> Source:
    if raw is None or raw == {}:
        raise c.fail("a source is required (doi or url, with location or quote)", fld)
    d = _mapping(raw, c, fld)
    _check_keys(d, _SOURCE_KEYS, c, fld)
    src = Source(
        doi=_str(d, "doi", c, required=False, fld=f"{fld}.doi").lower(),
        url=_str(d, "url", c, required=False, fld=f"{fld}.url"),
        pmid=_str(d, "pmid", c, required=False, fld=f"{fld}.pmid"),
        location=_str(d, "location", c, required=False, fld=f"{fld}.location"),
        quote=_str(d, "quote", c, required=False, fld=f"{fld}.quote"),
        provenance=_str(d, "provenance", c, required=False, fld=f"{fld}.provenance"),
    )
    if not (src.doi or src.url):
        raise c.fail("a source needs a doi or a url", fld)
    if src.doi and not _DOI_RE.match(src.doi):
        raise c.fail(f"invalid DOI {src.doi!r}", f"{fld}.doi")
    if src.url and not src.url.startswith(("http://", "https://")):
        raise c.fail(f"invalid URL {src.url!r}", f"{fld}.url")
    if need_location and not (src.location or src.quote):
        raise c.fail("a source needs a location or a quote", fld)
    if src.provenance:
        _one_of(src.provenance, PROVENANCE_TAGS, c, f"{fld}.provenance", "provenance tag")
    return src


def _figure(
    d: dict[str, Any],
    c: _Ctx,
    fld: str,
    case_categories: tuple[str, ...],
    typology: Typology,
    catalogue: IndicatorCatalogue,
    defaults: dict[str, Any],
) -> Figure:
    _check_keys(d, _FIGURE_KEYS, c, fld)
    code = _str(d, "indicator", c, fld=f"{fld}.indicator")
    indicator = catalogue.indicators.get(code)
    if indicator is None:
        raise c.fail(f"unknown indicator {code!r}", f"{fld}.indicator")
    if not indicator.applies_to(case_categories):
        raise c.fail(
            f"indicator {code} applies to {', '.join(indicator.categories)}, not to this case's categories "
            f"({', '.join(case_categories)})",
            f"{fld}.indicator",
        )
    unit = _str(d, "unit", c, fld=f"{fld}.unit")
    if unit not in catalogue.units:
        raise c.fail(f"unknown unit {unit!r}", f"{fld}.unit")
    if unit not in indicator.units:
        raise c.fail(
            f"unit {unit!r} is not a unit of indicator {code} ({', '.join(indicator.units)})", f"{fld}.unit"
        )
    value = _number(d, "value", c, f"{fld}.value")
    low = _number(d, "low", c, f"{fld}.low")
    high = _number(d, "high", c, f"{fld}.high")
    text = _str(d, "text", c, required=False, fld=f"{fld}.text")
    if indicator.type == "narrative" and unit == "text":
        if not text or value is not None or low is not None or high is not None:
            raise c.fail("a narrative figure has a text and no value, low or high", f"{fld}.text")
    elif value is None and (low is None or high is None):
        raise c.fail("a figure needs a value, or both low and high", f"{fld}.value")
    if low is not None and high is not None and low > high:
        raise c.fail(f"low {low:g} is greater than high {high:g}", f"{fld}.low")
    if value is not None and low is not None and value < low:
        raise c.fail(f"value {value:g} is below low {low:g}", f"{fld}.value")
    if value is not None and high is not None and value > high:
        raise c.fail(f"value {value:g} is above high {high:g}", f"{fld}.value")
    src = _source(d.get("source"), c, f"{fld}.source", need_location=True)
    verified = _bool(d, "verified", c, f"{fld}.verified")
    if src.provenance == "M" and verified:
        raise c.fail("a figure whose source is tagged M must say verified: false", f"{fld}.verified")
    entered_by = d.get("entered_by", defaults.get("entered_by"))
    entered_at = d.get("entered_at", defaults.get("entered_at"))
    if not entered_by:
        raise c.fail("missing", f"{fld}.entered_by")
    return Figure(
        indicator=code,
        label=_str(d, "label", c, fld=f"{fld}.label"),
        unit=unit,
        source=src,
        evidence_grade=_one_of(
            _str(d, "evidence_grade", c, fld=f"{fld}.evidence_grade"),
            typology.evidence_grades,
            c,
            f"{fld}.evidence_grade",
            "evidence grade",
        ),
        attribution_grade=_one_of(
            _str(d, "attribution_grade", c, fld=f"{fld}.attribution_grade"),
            typology.attribution_grades,
            c,
            f"{fld}.attribution_grade",
            "attribution grade",
        ),
        entered_by=str(entered_by),
        entered_at=_date(entered_at, c, f"{fld}.entered_at"),
        value=value,
        low=low,
        high=high,
        text=text,
        population=_str(d, "population", c, required=False, fld=f"{fld}.population"),
        period=_str(d, "period", c, required=False, fld=f"{fld}.period"),
        verified=verified,
    )


def _decision(d: dict[str, Any], c: _Ctx, fld: str, typology: Typology) -> Decision:
    _check_keys(
        d, {"agency", "date", "type", "scope", "description", "reference", "provenance", "verified"}, c, fld
    )
    provenance = _str(d, "provenance", c, required=False, fld=f"{fld}.provenance")
    if provenance:
        _one_of(provenance, PROVENANCE_TAGS, c, f"{fld}.provenance", "provenance tag")
    verified = _bool(d, "verified", c, f"{fld}.verified")
    if provenance == "M" and verified:
        raise c.fail("a decision tagged M must say verified: false", f"{fld}.verified")
    ref = d.get("reference")
    return Decision(
        agency=_str(d, "agency", c, fld=f"{fld}.agency"),
        date=_date(d.get("date"), c, f"{fld}.date"),
        type=_one_of(
            _str(d, "type", c, fld=f"{fld}.type"), typology.decision_types, c, f"{fld}.type", "decision type"
        ),
        description=_str(d, "description", c, fld=f"{fld}.description"),
        scope=_one_of(
            _str(d, "scope", c, required=False, fld=f"{fld}.scope") or "national",
            DECISION_SCOPES,
            c,
            f"{fld}.scope",
            "scope",
        ),
        reference=_source(ref, c, f"{fld}.reference", need_location=False) if ref else None,
        provenance=provenance,
        verified=verified,
    )


def _publication(d: dict[str, Any], c: _Ctx, fld: str) -> Publication:
    _check_keys(d, {"citation", "doi", "pmid", "url", "verified"}, c, fld)
    pub = Publication(
        citation=_str(d, "citation", c, fld=f"{fld}.citation"),
        doi=_str(d, "doi", c, required=False, fld=f"{fld}.doi").lower(),
        pmid=_str(d, "pmid", c, required=False, fld=f"{fld}.pmid"),
        url=_str(d, "url", c, required=False, fld=f"{fld}.url"),
        verified=_bool(d, "verified", c, f"{fld}.verified"),
    )
    if pub.doi and not _DOI_RE.match(pub.doi):
        raise c.fail(f"invalid DOI {pub.doi!r}", f"{fld}.doi")
    if pub.pmid and not (pub.pmid.isascii() and pub.pmid.isdigit()):
        raise c.fail(f"invalid PMID {pub.pmid!r}", f"{fld}.pmid")
    if not (pub.doi or pub.pmid or pub.url) and pub.verified:
        raise c.fail("a publication without DOI, PMID or URL must say verified: false", fld)
    return pub


def parse_cases(
    data: dict[str, Any],
    path: Path | str = "<cases>",
    typology: Typology | None = None,
    indicators: IndicatorCatalogue | None = None,
) -> CaseBook:
    """Build and validate impact cases against the typology and the indicator catalogue."""
    typology = typology or load_typology()
    indicators = indicators or load_indicators(typology=typology)
    ctx = _Ctx(path)
    version, changelog = _changelog(data, ctx)
    defaults = _mapping(data.get("defaults") or {}, ctx, "defaults")
    cases: dict[str, Case] = {}
    for i, raw in enumerate(_list(data.get("cases"), ctx, "cases")):
        d = _mapping(raw, ctx, f"cases[{i}]")
        cid = _str(d, "id", ctx, fld=f"cases[{i}].id")
        c = ctx.at(cid, i + 1)
        _check_keys(d, _CASE_KEYS, c, "case")
        if cid in cases:
            raise c.fail("duplicate case id", "id")
        cats = tuple(
            _one_of(str(x), typology.categories, c, "categories", "category of use")
            for x in _list(d.get("categories"), c, "categories")
        )
        if not cats:
            raise c.fail("needs at least one category of use", "categories")
        sources = tuple(
            _one_of(str(x), typology.data_sources, c, "data_sources", "data source")
            for x in _list(d.get("data_sources"), c, "data_sources")
        )
        cases[cid] = Case(
            id=cid,
            title=_text(d, "title", c),
            summary=_str(d, "summary", c),
            categories=cats,
            data_sources=sources,
            attribution_grade=_one_of(
                _str(d, "attribution_grade", c),
                typology.attribution_grades,
                c,
                "attribution_grade",
                "attribution grade",
            ),
            publications=tuple(
                _publication(_mapping(p, c, f"publications[{j}]"), c, f"publications[{j}]")
                for j, p in enumerate(_list(d.get("publications"), c, "publications", required=False))
            ),
            decisions=tuple(
                _decision(_mapping(x, c, f"decisions[{j}]"), c, f"decisions[{j}]", typology)
                for j, x in enumerate(_list(d.get("decisions"), c, "decisions", required=False))
            ),
            figures=tuple(
                _figure(
                    _mapping(x, c, f"figures[{j}]"), c, f"figures[{j}]", cats, typology, indicators, defaults
                )
                for j, x in enumerate(_list(d.get("figures"), c, "figures", required=False))
            ),
            timeline=tuple(
                TimelineEvent(
                    date=_date(_mapping(x, c, f"timeline[{j}]").get("date"), c, f"timeline[{j}].date"),
                    event=_str(x, "event", c, fld=f"timeline[{j}].event"),
                    verified=_bool(x, "verified", c, f"timeline[{j}].verified"),
                )
                for j, x in enumerate(_list(d.get("timeline"), c, "timeline", required=False))
            ),
            notes=_str(d, "notes", c, required=False),
        )
    return CaseBook(version, changelog, cases)


def load_cases(
    path: Path | str | None = None,
    typology: Typology | None = None,
    indicators: IndicatorCatalogue | None = None,
) -> CaseBook:
    """The impact cases shipped with benefice, or the ones at `path`, validated."""
    path = Path(path) if path else package_data("cases.yaml")
    return parse_cases(_read_yaml(path), path, typology, indicators)
