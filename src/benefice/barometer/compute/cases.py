"""Cases: their decisions, impact figures and ranges, delays from study to decision, and the counts per data
source, category of use and decision type, all as known at the observation date.

:func:`case_figures` reads the cases once (:func:`_case_rows`) and then builds each table from those rows."""

from __future__ import annotations

import dataclasses
import statistics
from collections import defaultdict
from typing import TYPE_CHECKING, Any

from benefice.barometer.compute.common import Window
from benefice.barometer.inputs import EditionInputs
from benefice.cases.catalogue import Case, Figure

if TYPE_CHECKING:  # pragma: no cover
    from benefice.sources.registry import Registry
    from benefice.uses.typology import Typology

PEOPLE_INDICATORS = ("A1", "X1")
ATTRIBUTABLE_INDICATORS = ("A2", "H3", "J1")
AVOIDED_INDICATORS = ("A3", "C2", "E2", "H5")
PERSON_UNITS = {"persons": "persons", "women": "persons", "girls": "persons", "children": "persons"}
COUNT_UNITS = {
    "events", "deaths", "hospitalisations", "cases", "children", "pregnancies",
    "events_per_year", "deaths_per_year", "cases_per_year", "pregnancies_per_year",
}  # fmt: skip
#: the timeline kind the delay from study to decision starts from (``cases.catalogue.TIMELINE_KINDS``)
STUDY_KIND = "study"


def _earliest(date: str) -> str:
    """The first day a date of precision YYYY, YYYY-MM or YYYY-MM-DD can mean."""
    parts = date.split("-")
    return f"{parts[0]}-{parts[1] if len(parts) > 1 else '01'}-{parts[2] if len(parts) > 2 else '01'}"


def _month_range(date: str) -> tuple[int, int]:
    parts = [int(p) for p in date.split("-")]
    if len(parts) == 1:
        return parts[0] * 12, parts[0] * 12 + 11
    return parts[0] * 12 + parts[1] - 1, parts[0] * 12 + parts[1] - 1


def _known_at(date: str, observed_at: str) -> bool:
    return _earliest(date) <= observed_at


def study_to_decision(case: Case, decisions: list[dict[str, Any]]) -> dict[str, Any] | None:
    """Months from the case's first study (the first timeline entry of kind ``study``: the underpinning
    study's results made public, dated from its report or publication) to the first decision dated on or
    after it, as a range that reflects the precision of both dates (a date given as a year spans twelve
    months). None when the case has no dated study, or no decision follows it: such a case is counted apart
    (``_delay_summary``), never given the decision's own date as its study date."""
    studies = sorted((e for e in case.timeline if e.kind == STUDY_KIND), key=lambda e: _earliest(e.date))
    if not studies or not decisions:
        return None
    study = studies[0]
    following = sorted(
        (d for d in decisions if _month_range(d["date"])[1] >= _month_range(study.date)[0]),
        key=lambda d: _earliest(d["date"]),
    )
    if not following:
        return None
    decision = following[0]
    s_low, s_high = _month_range(study.date)
    d_low, d_high = _month_range(decision["date"])
    return {
        "case": case.id,
        "study_date": study.date,
        "study_event": study.event.en,
        "study_event_fr": study.event.fr,
        "study_event_en": study.event.en,
        "decision_date": decision["date"],
        "decision_type": decision["type"],
        "months_low": max(0, d_low - s_high),
        "months_high": max(0, d_high - s_low),
    }


def _figure_row(case: Case, figure: Figure, figure_id: str, included: bool) -> dict[str, Any]:
    return {
        "figure_id": figure_id,
        "case": case.id,
        "indicator": figure.indicator,
        "label": figure.label.en,
        "label_fr": figure.label.fr,
        "label_en": figure.label.en,
        "unit": figure.unit,
        "low": figure.low,
        "value": figure.value,
        "high": figure.high,
        "text": figure.text.en,
        "text_fr": figure.text.fr,
        "text_en": figure.text.en,
        "evidence_grade": figure.evidence_grade,
        "attribution_grade": figure.attribution_grade,
        "verified": figure.verified,
        "entered_at": figure.entered_at,
        "included": included,
        "source_doi": figure.source.doi,
        "source_url": figure.source.url,
        "source_location": figure.source.location.en or figure.source.quote,
        "source_location_fr": figure.source.location.fr or figure.source.quote,
        "source_location_en": figure.source.location.en or figure.source.quote,
    }


def interval_sum(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Add figures as intervals: within one case, figures in the same unit may describe overlapping
    groups (the largest low is certain, the sum of highs is the most); across cases they add up. The
    central value is given only when every case has one."""
    per_case: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        per_case[row["case"]].append(row)
    low = high = 0.0
    value: float | None = 0.0
    for figures in per_case.values():
        lows = [f["low"] if f["low"] is not None else f["value"] for f in figures]
        highs = [f["high"] if f["high"] is not None else f["value"] for f in figures]
        values = [f["value"] for f in figures if f["value"] is not None]
        low += max(lows)
        high += sum(highs)
        value = value + max(values) if (value is not None and values) else None
    return {
        "low": low,
        "value": value,
        "high": high,
        "cases": len(per_case),
        "figures": len(rows),
        "figure_ids": "|".join(sorted(r["figure_id"] for r in rows)),
    }


def case_figures(inputs: EditionInputs, window: Window) -> dict[str, Any]:
    """Cases, their decisions, figures and impact ranges as known at the observation date."""
    typology = inputs.typology
    cases, decisions, figures, delays = _case_rows(inputs, window)
    decisions_by_year: dict[int, int] = defaultdict(int)
    for r in decisions:
        if r["included"]:
            decisions_by_year[r["year"]] += 1
    return {
        "cases": cases,
        "decisions": decisions,
        "figures": figures,
        "cases_by_source": _cases_by_source(cases, inputs.registry),
        "categories": _category_rows(typology, cases),
        "decision_types": _decision_type_rows(typology, decisions),
        "decisions_by_year": [{"year": y, "decisions": n} for y, n in sorted(decisions_by_year.items())],
        "impact_ranges": _impact_ranges(figures),
        "delays": delays,
        "delay_summary": _delay_summary(delays, cases),
        "excluded_unverified": sum(1 for f in figures if not f["included"])
        + sum(1 for d in decisions if not d["included"]),
    }


def _case_rows(inputs: EditionInputs, window: Window) -> tuple[list[dict[str, Any]], ...]:
    """(cases, decisions, figures, delays): one row per case, per decision and per figure known at the
    observation date (each saying whether it is included), and each case's delay from study to decision."""
    typology = inputs.typology
    include_unverified = bool(inputs.params["include_unverified"])
    cases, decisions, figures, delays = [], [], [], []
    for case in inputs.cases.cases.values():
        case_decisions = []
        for d in case.decisions:
            if not _known_at(d.date, window.observed_at):
                continue
            row = {
                "case": case.id,
                "agency": d.agency.en,
                "agency_fr": d.agency.fr,
                "agency_en": d.agency.en,
                "date": d.date,
                "year": int(d.date[:4]),
                "type": d.type,
                "type_rank": typology.decision_types[d.type].rank,
                "scope": d.scope,
                "verified": d.verified,
                "included": d.verified or include_unverified,
            }
            decisions.append(row)
            if row["included"]:
                case_decisions.append(row)
        counter: dict[str, int] = defaultdict(int)
        for f in case.figures:
            counter[f.indicator] += 1
            if not _known_at(f.entered_at, window.observed_at):
                continue
            figure_id = f"{case.id}/{f.indicator}/{counter[f.indicator]}"
            figures.append(_figure_row(case, f, figure_id, f.verified or include_unverified))
        delay = study_to_decision(case, case_decisions)
        if delay:
            delays.append(delay)
        strongest = max(case_decisions, key=lambda r: r["type_rank"], default=None)
        cases.append(
            {
                "case": case.id,
                "title_fr": case.title.fr,
                "title_en": case.title.en,
                "categories": "|".join(case.categories),
                "data_sources": "|".join(case.data_sources),
                "attribution_grade": case.attribution_grade,
                "decisions": len(case_decisions),
                "strongest_decision": strongest["type"] if strongest else "",
                "first_decision": min((r["date"] for r in case_decisions), key=_earliest, default=""),
                "publications": len(case.publications),
                "dois": "|".join(p.doi for p in case.publications if p.doi),
                "dated_study": any(e.kind == STUDY_KIND for e in case.timeline),
            }
        )
    return cases, decisions, figures, delays


def _cases_by_source(cases: list[dict[str, Any]], registry: Registry) -> dict[str, dict[str, Any]]:
    """Cases and decisions per data source (own and family)."""
    per_source: dict[str, dict[str, set]] = defaultdict(lambda: {"own": set(), "family": set()})
    for row in cases:
        for sid in row["data_sources"].split("|"):
            if not sid:
                continue
            per_source[sid]["own"].add(row["case"])
            per_source[sid]["family"].add(row["case"])
            if sid in registry:
                for ancestor in registry.ancestors(sid):
                    per_source[ancestor]["family"].add(row["case"])
    decisions_per_case = {r["case"]: r["decisions"] for r in cases}
    return {
        sid: {
            "cases_own": len(v["own"]),
            "cases_family": len(v["family"]),
            "decisions_family": sum(decisions_per_case[c] for c in v["family"]),
            "case_ids": "|".join(sorted(v["family"])),
        }
        for sid, v in sorted(per_source.items())
    }


def _category_rows(typology: Typology, cases: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Cases and decisions per category of use."""
    categories = []
    for cid, cat in typology.categories.items():
        members = [r for r in cases if cid in r["categories"].split("|")]
        categories.append(
            {
                "category": cid,
                "name_fr": cat.name.fr,
                "name_en": cat.name.en,
                "cases": len(members),
                "decisions": sum(r["decisions"] for r in members),
            }
        )
    return categories


def _decision_type_rows(typology: Typology, decisions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Included decisions and their cases per decision type, in the typology's order of rungs."""
    decision_types = []
    for tid, rung in sorted(typology.decision_types.items(), key=lambda kv: kv[1].rank):
        chosen = [r for r in decisions if r["included"] and r["type"] == tid]
        decision_types.append(
            {
                "type": tid,
                "rank": rung.rank,
                "name_fr": rung.name.fr,
                "name_en": rung.name.en,
                "decisions": len(chosen),
                "cases": len({r["case"] for r in chosen}),
            }
        )
    return decision_types


def _impact_ranges(figures: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The included figures of each measure (people, attributable, avoided) added as intervals, per unit."""
    ranges = []
    measures = (
        ("people", PEOPLE_INDICATORS),
        ("attributable", ATTRIBUTABLE_INDICATORS),
        ("avoided", AVOIDED_INDICATORS),
    )
    for measure, codes in measures:
        grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for f in figures:
            if not f["included"] or f["indicator"] not in codes:
                continue
            unit = PERSON_UNITS.get(f["unit"], f["unit"]) if measure == "people" else f["unit"]
            if unit in COUNT_UNITS or unit == "persons":
                grouped[unit].append(f)
        for unit, rows in sorted(grouped.items()):
            ranges.append({"measure": measure, "unit": unit, **interval_sum(rows)})
    return ranges


def _delay_summary(delays: list[dict[str, Any]], cases: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """The median delay from study to decision, as a range (median of lows, median of highs), with the
    cases left out and why (decisions but no dated study: ``without_study``; every decision before the
    first study was made public: ``decided_before_study``), and how many were decided within the month of
    the study (``same_month``)."""
    lows = [d["months_low"] for d in delays]
    highs = [d["months_high"] for d in delays]
    counted = {d["case"] for d in delays}
    decided = [c for c in cases or [] if c["decisions"] and c["case"] not in counted]
    without = sorted(c["case"] for c in decided if not c.get("dated_study"))
    before = sorted(c["case"] for c in decided if c.get("dated_study"))
    return {
        "cases": len(delays),
        "median_low": statistics.median(lows) if lows else None,
        "median_high": statistics.median(highs) if highs else None,
        "case_ids": "|".join(d["case"] for d in delays),
        # decided within the month the study was made public (often the agency's communication of the
        # study itself): a real 0, which the texts can say rather than leave "0 to 0 months" unexplained
        "same_month": sum(1 for d in delays if d["months_high"] == 0),
        "without_study": len(without),
        "without_study_ids": "|".join(without),
        "decided_before_study": len(before),
        "decided_before_study_ids": "|".join(before),
    }


def case_as_known(case: Case, observed_at: str, include_unverified: bool) -> Case:
    """The case as it stood at the observation date: later decisions and figures (and, unless asked,
    unverified ones) left out, so the ranking sees what the rest of the edition counts."""
    return dataclasses.replace(
        case,
        decisions=tuple(
            d for d in case.decisions if _known_at(d.date, observed_at) and (d.verified or include_unverified)
        ),
        figures=tuple(
            f
            for f in case.figures
            if _known_at(f.entered_at, observed_at) and (f.verified or include_unverified)
        ),
    )
