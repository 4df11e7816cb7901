"""Load and validate the impact cases (indicators: ``benefice.indicators.catalogue``; typology:
``benefice.uses.typology``).

Cases are curated knowledge that the web app loads into the database and the ranking computes on. An
unsourced figure or a figure coded to an unknown indicator would silently distort every barometer built on
them, so loading is strict: anything unknown or inconsistent raises a ``BeneficeError`` naming the file, the
case id and the field. Pure Python (no Django).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benefice.curated import (
    ChangeLogEntry,
    Ctx,
    Text,
    as_bool,
    as_date,
    as_list,
    as_mapping,
    as_number,
    as_str,
    as_text,
    check_keys,
    one_of,
    read_changelog,
    read_yaml,
)
from benefice.indicators.catalogue import IndicatorCatalogue, load_indicators
from benefice.paths import package_data
from benefice.uses.typology import Typology, load_typology
from benefice.weblinks import url_problem

PROVENANCE_TAGS = ("S", "S-prev", "M")
DECISION_SCOPES = ("national", "eu", "international")
_DOI_RE = re.compile(r"^10\.\d{4,9}/\S+$")


# --------------------------------------------------------------------------------------------------
# Data classes
# --------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Reference:
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
    source: Reference
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
class PolicyDecision:
    agency: str
    date: str
    type: str
    description: str
    scope: str = "national"
    reference: Reference | None = None
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
    decisions: tuple[PolicyDecision, ...]
    figures: tuple[Figure, ...]
    timeline: tuple[TimelineEvent, ...]
    notes: str = ""


@dataclass(frozen=True)
class CaseBook:
    version: str
    changelog: tuple[ChangeLogEntry, ...]
    cases: dict[str, Case] = field(default_factory=dict)


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


def _source(raw: Any, c: Ctx, fld: str, *, need_location: bool) -> Reference:
    if raw is None or raw == {}:
        raise c.fail("a source is required (doi or url, with location or quote)", fld)
    d = as_mapping(raw, c, fld)
    check_keys(d, _SOURCE_KEYS, c, fld)
    src = Reference(
        doi=as_str(d, "doi", c, required=False, fld=f"{fld}.doi").lower(),
        url=as_str(d, "url", c, required=False, fld=f"{fld}.url"),
        pmid=as_str(d, "pmid", c, required=False, fld=f"{fld}.pmid"),
        location=as_str(d, "location", c, required=False, fld=f"{fld}.location"),
        quote=as_str(d, "quote", c, required=False, fld=f"{fld}.quote"),
        provenance=as_str(d, "provenance", c, required=False, fld=f"{fld}.provenance"),
    )
    if not (src.doi or src.url):
        raise c.fail("a source needs a doi or a url", fld)
    if src.doi and not _DOI_RE.match(src.doi):
        raise c.fail(f"invalid DOI {src.doi!r}", f"{fld}.doi")
    if url_problem(src.url):  # http(s) with a host only (issue 17)
        raise c.fail(f"invalid URL {src.url!r}: {url_problem(src.url)}", f"{fld}.url")
    if need_location and not (src.location or src.quote):
        raise c.fail("a source needs a location or a quote", fld)
    if src.provenance:
        one_of(src.provenance, PROVENANCE_TAGS, c, f"{fld}.provenance", "provenance tag")
    return src


def _figure(
    d: dict[str, Any],
    c: Ctx,
    fld: str,
    case_categories: tuple[str, ...],
    typology: Typology,
    catalogue: IndicatorCatalogue,
    defaults: dict[str, Any],
) -> Figure:
    check_keys(d, _FIGURE_KEYS, c, fld)
    code = as_str(d, "indicator", c, fld=f"{fld}.indicator")
    indicator = catalogue.indicators.get(code)
    if indicator is None:
        raise c.fail(f"unknown indicator {code!r}", f"{fld}.indicator")
    if not indicator.applies_to(case_categories):
        raise c.fail(
            f"indicator {code} applies to {', '.join(indicator.categories)}, not to this case's categories "
            f"({', '.join(case_categories)})",
            f"{fld}.indicator",
        )
    unit = as_str(d, "unit", c, fld=f"{fld}.unit")
    if unit not in catalogue.units:
        raise c.fail(f"unknown unit {unit!r}", f"{fld}.unit")
    if unit not in indicator.units:
        raise c.fail(
            f"unit {unit!r} is not a unit of indicator {code} ({', '.join(indicator.units)})", f"{fld}.unit"
        )
    value = as_number(d, "value", c, f"{fld}.value")
    low = as_number(d, "low", c, f"{fld}.low")
    high = as_number(d, "high", c, f"{fld}.high")
    text = as_str(d, "text", c, required=False, fld=f"{fld}.text")
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
    verified = as_bool(d, "verified", c, f"{fld}.verified")
    if src.provenance == "M" and verified:
        raise c.fail("a figure whose source is tagged M must say verified: false", f"{fld}.verified")
    entered_by = d.get("entered_by", defaults.get("entered_by"))
    entered_at = d.get("entered_at", defaults.get("entered_at"))
    if not entered_by:
        raise c.fail("missing", f"{fld}.entered_by")
    return Figure(
        indicator=code,
        label=as_str(d, "label", c, fld=f"{fld}.label"),
        unit=unit,
        source=src,
        evidence_grade=one_of(
            as_str(d, "evidence_grade", c, fld=f"{fld}.evidence_grade"),
            typology.evidence_grades,
            c,
            f"{fld}.evidence_grade",
            "evidence grade",
        ),
        attribution_grade=one_of(
            as_str(d, "attribution_grade", c, fld=f"{fld}.attribution_grade"),
            typology.attribution_grades,
            c,
            f"{fld}.attribution_grade",
            "attribution grade",
        ),
        entered_by=str(entered_by),
        entered_at=as_date(entered_at, c, f"{fld}.entered_at"),
        value=value,
        low=low,
        high=high,
        text=text,
        population=as_str(d, "population", c, required=False, fld=f"{fld}.population"),
        period=as_str(d, "period", c, required=False, fld=f"{fld}.period"),
        verified=verified,
    )


def _decision(d: dict[str, Any], c: Ctx, fld: str, typology: Typology) -> PolicyDecision:
    check_keys(
        d, {"agency", "date", "type", "scope", "description", "reference", "provenance", "verified"}, c, fld
    )
    provenance = as_str(d, "provenance", c, required=False, fld=f"{fld}.provenance")
    if provenance:
        one_of(provenance, PROVENANCE_TAGS, c, f"{fld}.provenance", "provenance tag")
    verified = as_bool(d, "verified", c, f"{fld}.verified")
    if provenance == "M" and verified:
        raise c.fail("a decision tagged M must say verified: false", f"{fld}.verified")
    ref = d.get("reference")
    return PolicyDecision(
        agency=as_str(d, "agency", c, fld=f"{fld}.agency"),
        date=as_date(d.get("date"), c, f"{fld}.date"),
        type=one_of(
            as_str(d, "type", c, fld=f"{fld}.type"),
            typology.decision_types,
            c,
            f"{fld}.type",
            "decision type",
        ),
        description=as_str(d, "description", c, fld=f"{fld}.description"),
        scope=one_of(
            as_str(d, "scope", c, required=False, fld=f"{fld}.scope") or "national",
            DECISION_SCOPES,
            c,
            f"{fld}.scope",
            "scope",
        ),
        reference=_source(ref, c, f"{fld}.reference", need_location=False) if ref else None,
        provenance=provenance,
        verified=verified,
    )


def _publication(d: dict[str, Any], c: Ctx, fld: str) -> Publication:
    check_keys(d, {"citation", "doi", "pmid", "url", "verified"}, c, fld)
    pub = Publication(
        citation=as_str(d, "citation", c, fld=f"{fld}.citation"),
        doi=as_str(d, "doi", c, required=False, fld=f"{fld}.doi").lower(),
        pmid=as_str(d, "pmid", c, required=False, fld=f"{fld}.pmid"),
        url=as_str(d, "url", c, required=False, fld=f"{fld}.url"),
        verified=as_bool(d, "verified", c, f"{fld}.verified"),
    )
    if pub.doi and not _DOI_RE.match(pub.doi):
        raise c.fail(f"invalid DOI {pub.doi!r}", f"{fld}.doi")
    if pub.pmid and not (pub.pmid.isascii() and pub.pmid.isdigit()):
        raise c.fail(f"invalid PMID {pub.pmid!r}", f"{fld}.pmid")
    if url_problem(pub.url):  # http(s) with a host only (issue 17)
        raise c.fail(f"invalid URL {pub.url!r}: {url_problem(pub.url)}", f"{fld}.url")
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
    ctx = Ctx(path)
    version, changelog = read_changelog(data, ctx)
    defaults = as_mapping(data.get("defaults") or {}, ctx, "defaults")
    cases: dict[str, Case] = {}
    for i, raw in enumerate(as_list(data.get("cases"), ctx, "cases")):
        d = as_mapping(raw, ctx, f"cases[{i}]")
        cid = as_str(d, "id", ctx, fld=f"cases[{i}].id")
        c = ctx.at(cid, i + 1)
        check_keys(d, _CASE_KEYS, c, "case")
        if cid in cases:
            raise c.fail("duplicate case id", "id")
        cats = tuple(
            one_of(str(x), typology.categories, c, "categories", "category of use")
            for x in as_list(d.get("categories"), c, "categories")
        )
        if not cats:
            raise c.fail("needs at least one category of use", "categories")
        sources = tuple(
            one_of(str(x), typology.data_sources, c, "data_sources", "data source")
            for x in as_list(d.get("data_sources"), c, "data_sources")
        )
        cases[cid] = Case(
            id=cid,
            title=as_text(d, "title", c),
            summary=as_str(d, "summary", c),
            categories=cats,
            data_sources=sources,
            attribution_grade=one_of(
                as_str(d, "attribution_grade", c),
                typology.attribution_grades,
                c,
                "attribution_grade",
                "attribution grade",
            ),
            publications=tuple(
                _publication(as_mapping(p, c, f"publications[{j}]"), c, f"publications[{j}]")
                for j, p in enumerate(as_list(d.get("publications"), c, "publications", required=False))
            ),
            decisions=tuple(
                _decision(as_mapping(x, c, f"decisions[{j}]"), c, f"decisions[{j}]", typology)
                for j, x in enumerate(as_list(d.get("decisions"), c, "decisions", required=False))
            ),
            figures=tuple(
                _figure(
                    as_mapping(x, c, f"figures[{j}]"),
                    c,
                    f"figures[{j}]",
                    cats,
                    typology,
                    indicators,
                    defaults,
                )
                for j, x in enumerate(as_list(d.get("figures"), c, "figures", required=False))
            ),
            timeline=tuple(
                TimelineEvent(
                    date=as_date(as_mapping(x, c, f"timeline[{j}]").get("date"), c, f"timeline[{j}].date"),
                    event=as_str(x, "event", c, fld=f"timeline[{j}].event"),
                    verified=as_bool(x, "verified", c, f"timeline[{j}].verified"),
                )
                for j, x in enumerate(as_list(d.get("timeline"), c, "timeline", required=False))
            ),
            notes=as_str(d, "notes", c, required=False),
        )
    return CaseBook(version, changelog, cases)


def load_cases(
    path: Path | str | None = None,
    typology: Typology | None = None,
    indicators: IndicatorCatalogue | None = None,
) -> CaseBook:
    """The impact cases shipped with benefice, or the ones at `path`, validated."""
    path = Path(path) if path else package_data("cases.yaml")
    return parse_cases(read_yaml(path), path, typology, indicators)
