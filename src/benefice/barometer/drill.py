"""Drilling down from a figure of a frozen edition to the publications behind it (pure: no Django).

Every publication count an edition shows is the size of a set of publications of its frozen input
(``inputs/publications.*``). This module rebuilds that set from the frozen input with the rules of
``compute.publication_figures`` (perimeter, own and family counts, custodians, categories, citation
quality), so the list a reader opens under a figure has exactly as many rows as the figure says; the tests
check that equality for every source, custodian, category and year.

A figure is named by a short key, the same in the web app's URLs and here:

``perimeter``, ``any`` (using any registry source), ``french`` (using a French source), ``none`` (using no
source), ``source:ID`` (using the source or one of its components: family count), ``source-own:ID``,
``mentioned:ID`` (naming the source without using it), ``custodian:SLUG``, ``category:ID``, ``precise`` /
``vague`` (using a source whose naming form is known: precise, or only a description), ``authorisation`` /
``documentation`` / ``custodian-cited`` (among publications using a source). Each may be restricted to one
publication year.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from benefice.barometer.inputs import PRECISE_FORMS, EditionInputs
from benefice.errors import BeneficeError

FLAGS = {"authorisation": "cites_authorisation", "documentation": "cites_documentation",
         "custodian-cited": "cites_custodian"}  # fmt: skip
SIMPLE = ("perimeter", "any", "french", "none", "precise", "vague", *FLAGS)
KEYED = ("source", "source-own", "mentioned", "custodian", "category")
_KEY = re.compile(r"^[A-Za-z0-9_.\-]{1,80}$")


@dataclass(frozen=True)
class FigureKey:
    """A parsed figure key: ``kind`` and, for the keyed kinds, the source / custodian / category id."""

    kind: str
    value: str = ""

    def __str__(self) -> str:
        return f"{self.kind}:{self.value}" if self.value else self.kind


def parse_key(text: str) -> FigureKey:
    """``source:SNDS`` -> FigureKey("source", "SNDS"); a clear error for anything else."""
    kind, sep, value = (text or "").partition(":")
    if not sep and kind in SIMPLE:
        return FigureKey(kind)
    if sep and kind in KEYED and _KEY.match(value):
        return FigureKey(kind, value)
    raise BeneficeError(
        f"unknown figure {text!r} (expected one of {', '.join(SIMPLE)}, or {', '.join(k + ':ID' for k in KEYED)})",
        field="figure",
    )


def _custodian_sources(results: dict[str, Any], slug: str) -> set[str]:
    for row in results["custodians"]:
        if row["custodian_slug"] == slug:
            return {s for s in row["sources"].split("|") if s}
    raise BeneficeError(f"no custodian {slug!r} in this edition", field="figure")


def publications_for(
    inputs: EditionInputs, results: dict[str, Any], key: FigureKey | str, year: int | None = None
) -> list[dict[str, Any]]:
    """The publications behind a figure (in the edition's perimeter, optionally one year), sorted by id.

    Each row: ``id``, ``year``, ``doi``, ``pmid``, ``title``, ``journal``, ``sources_used``,
    ``sources_mentioned``.
    """
    key = parse_key(key) if isinstance(key, str) else key
    registry = inputs.registry
    edition = results["edition"]
    first, last = int(edition["first_publication_year"]), int(edition["last_publication_year"])
    if year is not None and not first <= year <= last:
        raise BeneficeError(f"{year} is outside the edition's perimeter {first}–{last}", field="year")
    if key.kind in ("source", "source-own", "mentioned") and key.value not in registry:
        raise BeneficeError(f"no source {key.value!r} in this edition's registry", field="figure")
    if key.kind == "category" and key.value not in inputs.typology.categories:
        raise BeneficeError(f"no category of use {key.value!r} in this edition", field="figure")
    custodian_sources = _custodian_sources(results, key.value) if key.kind == "custodian" else set()
    family = {key.value, *registry.descendants(key.value)} if key.kind == "source" else set()

    out = []
    for row in inputs.publications.to_pylist():
        y = row["year"]
        if not first <= y <= last or (year is not None and y != year):
            continue
        used = set(row["sources_used"] or [])
        kind = key.kind
        if kind == "perimeter":
            keep = True
        elif kind == "any":
            keep = bool(used)
        elif kind == "french":
            keep = any(registry.is_french(s) for s in used)
        elif kind == "none":
            keep = not used
        elif kind == "source":
            keep = bool(used & family)
        elif kind == "source-own":
            keep = key.value in used
        elif kind == "mentioned":
            keep = key.value in (row["sources_mentioned"] or []) and key.value not in used
        elif kind == "custodian":
            keep = bool(used & custodian_sources)
        elif kind == "category":
            keep = key.value in (row["categories"] or [])
        elif kind in ("precise", "vague"):
            forms: dict[str, set[str]] = {}
            for pair in row["forms"] or []:
                forms.setdefault(pair["source"], set()).add(pair["form"])
            known = [forms[s] for s in used if s in forms]
            if kind == "precise":
                keep = any(f & set(PRECISE_FORMS) for f in known)
            else:
                keep = any(not (f & set(PRECISE_FORMS)) for f in known)
        else:  # a citation flag, among publications using a source
            keep = bool(used) and bool(row[FLAGS[kind]])
        if keep:
            out.append(
                {k: row[k] for k in ("id", "year", "doi", "pmid", "title", "journal")}
                | {"sources_used": sorted(used), "sources_mentioned": sorted(row["sources_mentioned"] or [])}
            )
    return out


def figure_rows(results: dict[str, Any], figure_ids: list[str] | str) -> list[dict[str, Any]]:
    """The case figures an aggregate (an impact range) was computed from, in the order given."""
    ids = [i for i in figure_ids.split("|") if i] if isinstance(figure_ids, str) else list(figure_ids)
    by_id = {f["figure_id"]: f for f in results["figures"]}
    return [by_id[i] for i in ids if i in by_id]


def case_in_edition(results: dict[str, Any], case_id: str) -> dict[str, Any]:
    """A case as the edition saw it: its row, decisions, figures, time to decision and ranking row."""
    case = next((c for c in results["cases"] if c["case"] == case_id), None)
    if case is None:
        raise BeneficeError(f"no case {case_id!r} in this edition", field="case")
    ranking = results.get("ranking") or {}
    return {
        "case": case,
        "decisions": [d for d in results["decisions"] if d["case"] == case_id],
        "figures": [f for f in results["figures"] if f["case"] == case_id],
        "delay": next((d for d in results["delays"] if d["case"] == case_id), None),
        "rank": next((r for r in ranking.get("rows", []) if r.get("case") == case_id), None),
    }


def decisions_for(
    results: dict[str, Any], cases: Any, decision_type: str | None = None, year: int | None = None
) -> list[dict[str, Any]]:
    """The counted decisions behind a "decisions by type" or "by year" figure, with the reference each
    decision was recorded from (taken from the frozen case file: agency, date and type identify it)."""
    known_types = {row["type"] for row in results["decision_types"]}
    if decision_type is not None and decision_type not in known_types:
        raise BeneficeError(f"no decision type {decision_type!r} in this edition", field="type")
    out = []
    for row in results["decisions"]:
        if not row["included"] or (decision_type and row["type"] != decision_type):
            continue
        if year is not None and row["year"] != year:
            continue
        case = cases.cases.get(row["case"]) if cases is not None else None
        source = None
        description = ""
        for d in case.decisions if case else ():
            if (d.agency, d.date, d.type) == (row["agency"], row["date"], row["type"]):
                source, description = d.reference, d.description
                break
        out.append(
            row
            | {
                "description": description,
                "reference_doi": source.doi if source else "",
                "reference_url": source.url if source else "",
                "reference_location": (source.location or source.quote) if source else "",
            }
        )
    return sorted(out, key=lambda r: (r["date"], r["case"]))
