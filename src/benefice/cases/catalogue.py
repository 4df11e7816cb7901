"""Load and validate the impact cases (indicators: ``benefice.indicators.catalogue``; typology:
``benefice.uses.typology``).

Cases are curated knowledge that the web app loads into the database and the ranking computes on. An
unsourced figure or a figure coded to an unknown indicator would silently distort every barometer built on
them, so loading is strict: anything unknown or inconsistent raises a ``BeneficeError`` naming the file, the
case id and the field. Pure Python (no Django).
"""

from __future__ import annotations

import re
from contextvars import ContextVar
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
#: what a timeline entry is (closed list; docs/data-files.md says what each means). The barometer's delay
#: from study to decision starts at the case's first ``study`` entry, never at a guess from the wording.
TIMELINE_KINDS = ("signal", "study", "publication", "decision", "report", "other")
DECISION_SCOPES = ("national", "eu", "international")
_DOI_RE = re.compile(r"^10\.\d{4,9}/\S+$")
_LANG_RE = re.compile(r"^[a-z]{2}$")


# --------------------------------------------------------------------------------------------------
# Data classes
# --------------------------------------------------------------------------------------------------
class Prose(str):
    """A curated text of a case in French and English (``fr``, ``en``), French written first.

    Code that shows it picks the reader's version (``i18n.pick_text``). It is also a ``str`` holding the
    English version, so code written when these texts were English only (the population key of
    ``indicators.values``, the custodians' report, the barometer's open data) keeps its exact behaviour
    until it picks a language itself. Two texts are equal when both versions are."""

    fr: str
    en: str

    def __new__(cls, fr: str = "", en: str = "") -> Prose:
        obj = super().__new__(cls, en or fr)
        obj.fr, obj.en = fr, en
        return obj

    @classmethod
    def of(cls, text: Text) -> Prose:
        return cls(text.fr, text.en)

    @classmethod
    def same(cls, text: str) -> Prose:
        """A name or date written the same in both languages (``ANSM``, ``2007-2014``)."""
        return cls(text, text)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Prose):
            return (self.fr, self.en) == (other.fr, other.en)
        return str.__eq__(self, other)

    def __ne__(self, other: object) -> bool:
        return not self == other

    __hash__ = str.__hash__

    def __repr__(self) -> str:
        return f"Prose(fr={self.fr!r}, en={self.en!r})"

    def __reduce__(self):  # copy and pickle keep both versions
        return (Prose, (self.fr, self.en))

    def as_dict(self) -> dict[str, str] | str:
        """The form of the data file: ``{fr:, en:}``, or the one string when both are the same."""
        return self.fr if self.fr == self.en else {"fr": self.fr, "en": self.en}


EMPTY = Prose("", "")


@dataclass(frozen=True)
class Reference:
    """Where a figure or decision comes from: a DOI or URL, and where in it (location) or a quote."""

    doi: str = ""
    url: str = ""
    pmid: str = ""
    location: Prose = EMPTY
    quote: str = ""  # verbatim, in the source's own language
    provenance: str = ""


@dataclass(frozen=True)
class Figure:
    indicator: str
    label: Prose
    unit: str
    source: Reference
    evidence_grade: str
    attribution_grade: str
    entered_by: str
    entered_at: str
    value: float | None = None
    low: float | None = None
    high: float | None = None
    text: Prose = EMPTY
    population: Prose = EMPTY
    period: Prose = EMPTY
    verified: bool = True


@dataclass(frozen=True)
class PolicyDecision:
    agency: Prose
    date: str
    type: str
    description: Prose
    scope: str = "national"
    reference: Reference | None = None
    provenance: str = ""
    verified: bool = True


@dataclass(frozen=True)
class Publication:
    citation: str  # bibliographic: kept as written, in the publication's language
    doi: str = ""
    pmid: str = ""
    url: str = ""
    verified: bool = True
    language: str = ""  # ISO 639-1 code of the publication ("en", "fr") when known: its lang attribute


@dataclass(frozen=True)
class TimelineEvent:
    date: str
    event: Prose
    kind: str = "other"
    verified: bool = True


@dataclass(frozen=True)
class Case:
    id: str
    title: Text
    summary: Prose
    categories: tuple[str, ...]
    data_sources: tuple[str, ...]
    attribution_grade: str
    publications: tuple[Publication, ...]
    decisions: tuple[PolicyDecision, ...]
    figures: tuple[Figure, ...]
    timeline: tuple[TimelineEvent, ...]
    notes: Prose = EMPTY


@dataclass(frozen=True)
class CaseBook:
    version: str
    changelog: tuple[ChangeLogEntry, ...]
    cases: dict[str, Case] = field(default_factory=dict)


def has_width(low: float | None, high: float | None) -> bool:
    """Whether a figure's bounds make a range worth showing: both known and the low below the high."""
    return low is not None and high is not None and low < high


def shown_value(
    value: float | None, low: float | None, high: float | None
) -> tuple[float | None, tuple[float, float] | None]:
    """(the single number to show, the range to show): the one rule for writing a figure's value.

    A range is shown only when it has width: "4 925 579 à 4 925 579 personnes" is one number and reads as a
    bug. So the central value when there is one, the range beside it when both bounds differ; with no
    central value, the range, or the one bound known (or both when they are equal)."""
    span = (low, high) if low is not None and high is not None and has_width(low, high) else None
    if value is not None or span is not None:
        return value, span
    return (low if low is not None else high), None


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
_TIMELINE_KEYS = {"date", "event", "kind", "verified"}


#: set by ``parse_cases(one_language=True)`` while it reads a file written by an older version (a frozen
#: edition's ``cases.yaml``): a prose field given as a plain string is then its English, French empty
_ONE_LANGUAGE: ContextVar[bool] = ContextVar("cases_one_language", default=False)


def prose(d: dict[str, Any], key: str, c: Ctx, *, fld: str | None = None, required: bool = True) -> Prose:
    """A prose field: ``{fr:, en:}`` with both versions (a plain string is refused: it has no French)."""
    fld = fld or key
    if d.get(key) is None and not required:
        return EMPTY
    if _ONE_LANGUAGE.get() and isinstance(d.get(key), str):  # an older version's English-only text
        return Prose("", as_str(d, key, c, fld=fld))
    if isinstance(d.get(key), str):
        raise c.fail("expected {fr: ..., en: ...}: this text needs its French and English versions", fld)
    check_keys(as_mapping(d.get(key), c, fld), {"fr", "en"}, c, fld)
    return Prose.of(as_text({fld: d[key]}, fld, c))  # errors name the whole path: figures[2].label.fr


def name_or_prose(d: dict[str, Any], key: str, c: Ctx, *, fld: str | None = None, required: bool = True) -> Prose:
    """A name or a date the same in both languages (``ANSM``, ``2007-2014``), or prose as ``{fr:, en:}``."""
    fld = fld or key
    if isinstance(d.get(key), dict):
        return prose(d, key, c, fld=fld)
    return Prose.same(as_str(d, key, c, required=required, fld=fld))


def _source(raw: Any, c: Ctx, fld: str, *, need_location: bool) -> Reference:
    if raw is None or raw == {}:
        raise c.fail("a source is required (doi or url, with location or quote)", fld)
    d = as_mapping(raw, c, fld)
    check_keys(d, _SOURCE_KEYS, c, fld)
    src = Reference(
        doi=as_str(d, "doi", c, required=False, fld=f"{fld}.doi").lower(),
        url=as_str(d, "url", c, required=False, fld=f"{fld}.url"),
        pmid=as_str(d, "pmid", c, required=False, fld=f"{fld}.pmid"),
        location=prose(d, "location", c, required=False, fld=f"{fld}.location"),
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
    text = prose(d, "text", c, required=False, fld=f"{fld}.text")
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
        label=prose(d, "label", c, fld=f"{fld}.label"),
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
        population=prose(d, "population", c, required=False, fld=f"{fld}.population"),
        period=name_or_prose(d, "period", c, required=False, fld=f"{fld}.period"),
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
        agency=name_or_prose(d, "agency", c, fld=f"{fld}.agency"),
        date=as_date(d.get("date"), c, f"{fld}.date"),
        type=one_of(
            as_str(d, "type", c, fld=f"{fld}.type"),
            typology.decision_types,
            c,
            f"{fld}.type",
            "decision type",
        ),
        description=prose(d, "description", c, fld=f"{fld}.description"),
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


def _timeline_event(d: dict[str, Any], c: Ctx, fld: str) -> TimelineEvent:
    check_keys(d, _TIMELINE_KEYS, c, fld)
    return TimelineEvent(
        date=as_date(d.get("date"), c, f"{fld}.date"),
        event=prose(d, "event", c, fld=f"{fld}.event"),
        kind=one_of(as_str(d, "kind", c, fld=f"{fld}.kind"), TIMELINE_KINDS, c, f"{fld}.kind", "timeline kind"),
        verified=as_bool(d, "verified", c, f"{fld}.verified"),
    )


def _publication(d: dict[str, Any], c: Ctx, fld: str) -> Publication:
    check_keys(d, {"citation", "doi", "pmid", "url", "verified", "language"}, c, fld)
    pub = Publication(
        citation=as_str(d, "citation", c, fld=f"{fld}.citation"),
        doi=as_str(d, "doi", c, required=False, fld=f"{fld}.doi").lower(),
        pmid=as_str(d, "pmid", c, required=False, fld=f"{fld}.pmid"),
        url=as_str(d, "url", c, required=False, fld=f"{fld}.url"),
        verified=as_bool(d, "verified", c, f"{fld}.verified"),
        language=as_str(d, "language", c, required=False, fld=f"{fld}.language").lower(),
    )
    if pub.language and not _LANG_RE.match(pub.language):
        raise c.fail(f"invalid language {pub.language!r}: use a two-letter code (en, fr)", f"{fld}.language")
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
    *,
    one_language: bool = False,
) -> CaseBook:
    """Build and validate impact cases against the typology and the indicator catalogue.

    Every prose field needs French and English. ``one_language`` reads a file kept by an older version
    (an edition frozen before the texts were bilingual): a plain string is taken as the English text with
    no French, so the edition still rebuilds byte for byte; curated files are never read this way."""
    token = _ONE_LANGUAGE.set(one_language)
    try:
        return _parse_cases(data, path, typology, indicators)
    finally:
        _ONE_LANGUAGE.reset(token)


def _parse_cases(
    data: dict[str, Any],
    path: Path | str,
    typology: Typology | None,
    indicators: IndicatorCatalogue | None,
) -> CaseBook:
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
            summary=prose(d, "summary", c),
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
                _timeline_event(as_mapping(x, c, f"timeline[{j}]"), c, f"timeline[{j}]")
                for j, x in enumerate(as_list(d.get("timeline"), c, "timeline", required=False))
            ),
            notes=prose(d, "notes", c, required=False),
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
