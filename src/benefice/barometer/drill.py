"""Drilling down from a figure of a frozen edition to the publications behind it (pure: no Django).

Every publication count an edition shows is the size of a set of publications of its frozen input
(``inputs/publications.*``). This module rebuilds that set from the frozen input with the rules of
``compute.publication_figures`` (perimeter, own and family counts, custodians, categories, citation
quality), so the list a reader opens under a figure has exactly as many rows as the figure says; the tests
check that equality for every source, custodian, category and year.

A figure is named by a short key, the same in the web app's URLs and here:

``perimeter``, ``any`` (using any registry source), ``french`` (using a French source), ``none`` (using no
source), ``source:ID`` (using the source or one of its components: family count), ``source-own:ID``,
``mentioned:ID`` (naming the source without using it), ``custodian:SLUG``, ``category:ID`` (the corpus
publications labelled with that kind of use, each with how its label was set and its probability),
``source-category:SOURCE~CATEGORY`` / ``source-own-category:SOURCE~CATEGORY`` (labelled with the category and
using the source or one of its components / the source itself), ``case-category:ID`` (the corpus
publications cited by a documented case of that category: the cases' own categories, kept apart),
``precise`` / ``vague`` (using a source whose naming form is known: precise, or only a description),
``authorisation`` / ``documentation`` / ``custodian-cited`` (among publications using a source). Each may
be restricted to one publication year.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from benefice.barometer.compute import member, pairs, sorted_unique
from benefice.barometer.inputs import PRECISE_FORMS, EditionInputs
from benefice.errors import BeneficeError

FLAGS = {"authorisation": "cites_authorisation", "documentation": "cites_documentation",
         "custodian-cited": "cites_custodian"}  # fmt: skip
SIMPLE = ("perimeter", "any", "french", "none", "precise", "vague", *FLAGS)
KEYED = ("source", "source-own", "mentioned", "custodian", "category", "case-category")
PAIRED = ("source-category", "source-own-category")  # value SOURCE~CATEGORY
_KEY = re.compile(r"^[A-Za-z0-9_.\-]{1,80}$")
_PAIR = re.compile(r"^[A-Za-z0-9_.\-]{1,80}~[A-Za-z0-9_.\-]{1,80}$")


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
    if sep and kind in PAIRED and _PAIR.match(value):
        return FigureKey(kind, value)
    raise BeneficeError(
        f"unknown figure {text!r} (expected one of {', '.join(SIMPLE)}, "
        f"{', '.join(k + ':ID' for k in KEYED)}, or {', '.join(k + ':SOURCE~CATEGORY' for k in PAIRED)})",
        field="figure",
    )


def _custodian_sources(results: dict[str, Any], slug: str) -> set[str]:
    for row in results["custodians"]:
        if row["custodian_slug"] == slug:
            return {s for s in row["sources"].split("|") if s}
    raise BeneficeError(f"no custodian {slug!r} in this edition", field="figure")


ROW_COLUMNS = ("id", "year", "doi", "pmid", "title", "journal", "sources_used", "sources_mentioned")
USE_COLUMNS = ("use_method", "use_probability")  # added to the rows of a figure about one kind of use


def _label_of(table: pa.Table, category: str) -> tuple[pa.Array, pa.Array]:
    """Per row, how its label of ``category`` was set and its probability (null when it has none)."""
    n = table.num_rows
    method = np.full(n, None, dtype=object)
    probability = np.full(n, np.nan)
    cats = table.column("categories").combine_chunks()
    flat = pc.list_flatten(cats)
    if len(flat):
        parents = pc.list_parent_indices(cats).to_numpy()
        hit = np.flatnonzero(pc.equal(flat, category).to_numpy(zero_copy_only=False))[::-1]  # first wins
        methods = pc.list_flatten(table.column("use_methods").combine_chunks()).to_numpy(zero_copy_only=False)
        probs = pc.list_flatten(table.column("use_probabilities").combine_chunks()).to_numpy(
            zero_copy_only=False
        )
        method[parents[hit]] = methods[hit]
        probability[parents[hit]] = probs[hit]
    return pa.array(method.tolist(), pa.string()), pa.array(
        probability, pa.float64(), mask=np.isnan(probability)
    )


def _rows_naming(table: pa.Table, column: str, values: set[str]) -> np.ndarray:
    """Boolean mask: rows whose list column ``column`` holds one of ``values``."""
    mask = np.zeros(table.num_rows, dtype=bool)
    if not values or table.num_rows == 0:
        return mask
    array = table.column(column).combine_chunks()
    flat = pc.list_flatten(array)
    if len(flat) == 0:
        return mask
    parents = pc.list_parent_indices(array).to_numpy()
    hit = pc.is_in(flat, value_set=pa.array(sorted(values))).to_numpy(zero_copy_only=False)
    mask[parents[hit]] = True
    return mask


def _naming_quality(table: pa.Table, registry_ids: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Masks of rows with a used source named precisely / named only by a description (compute's pairs)."""
    codes = pa.array(registry_ids)
    ns = len(registry_ids)
    used_pub, used_src = pairs(table.column("sources_used"), codes)
    used_keys = used_pub * ns + used_src
    precise_rows = np.zeros(table.num_rows, dtype=bool)
    vague_rows = np.zeros(table.num_rows, dtype=bool)
    forms = table.column("forms").combine_chunks()
    flat = pc.list_flatten(forms)
    if len(flat) == 0 or len(used_keys) == 0:
        return precise_rows, vague_rows
    form_pub = pc.list_parent_indices(forms).to_numpy().astype(np.int64)
    form_src = pc.index_in(flat.field("source"), value_set=codes).to_numpy(zero_copy_only=False)
    is_precise = pc.is_in(flat.field("form"), value_set=pa.array(PRECISE_FORMS)).to_numpy(
        zero_copy_only=False
    )
    form_keys = form_pub * ns + form_src.astype(np.int64)
    known = member(used_keys, sorted_unique(form_keys))
    precise = member(used_keys, sorted_unique(form_keys[is_precise]))
    precise_rows[used_pub[precise]] = True
    vague_rows[used_pub[known & ~precise]] = True
    return precise_rows, vague_rows


def select(
    inputs: EditionInputs, results: dict[str, Any], key: FigureKey | str, year: int | None = None
) -> pa.Table:
    """The publications behind a figure (in the edition's perimeter, optionally one year), in id order, as a
    table of :data:`ROW_COLUMNS`. Columnar, so a figure over a million publications answers at once."""
    key = parse_key(key) if isinstance(key, str) else key
    registry = inputs.registry
    edition = results["edition"]
    first, last = int(edition["first_publication_year"]), int(edition["last_publication_year"])
    if year is not None and not first <= year <= last:
        raise BeneficeError(f"{year} is outside the edition's perimeter {first}–{last}", field="year")
    if key.kind in ("source", "source-own", "mentioned") and key.value not in registry:
        raise BeneficeError(f"no source {key.value!r} in this edition's registry", field="figure")
    source_id, _, category = key.value.partition("~") if key.kind in PAIRED else ("", "", key.value)
    if key.kind in PAIRED and source_id not in registry:
        raise BeneficeError(f"no source {source_id!r} in this edition's registry", field="figure")
    if key.kind in ("category", "case-category", *PAIRED) and category not in inputs.typology.categories:
        raise BeneficeError(f"no category of use {category!r} in this edition", field="figure")
    custodian_sources = _custodian_sources(results, key.value) if key.kind == "custodian" else set()

    years = inputs.publications.column("year")
    if year is None:
        in_scope = pc.and_(pc.greater_equal(years, first), pc.less_equal(years, last))
    else:
        in_scope = pc.equal(years, year)
    table = inputs.publications.filter(in_scope)
    n_used = pc.fill_null(pc.list_value_length(table.column("sources_used")), 0).to_numpy(
        zero_copy_only=False
    )
    using = n_used > 0
    kind, value = key.kind, key.value
    if kind == "perimeter":
        mask = np.ones(table.num_rows, dtype=bool)
    elif kind == "any":
        mask = using
    elif kind == "none":
        mask = ~using
    elif kind == "french":
        mask = _rows_naming(table, "sources_used", {s.id for s in registry if registry.is_french(s.id)})
    elif kind == "source":
        mask = _rows_naming(table, "sources_used", {value, *registry.descendants(value)})
    elif kind == "source-own":
        mask = _rows_naming(table, "sources_used", {value})
    elif kind == "mentioned":
        mask = _rows_naming(table, "sources_mentioned", {value}) & ~_rows_naming(
            table, "sources_used", {value}
        )
    elif kind == "custodian":
        mask = _rows_naming(table, "sources_used", custodian_sources)
    elif kind == "category":
        mask = _rows_naming(table, "categories", {value})
    elif kind == "case-category":
        mask = _rows_naming(table, "case_categories", {value})
    elif kind in PAIRED:
        sources = (
            {source_id} if kind == "source-own-category" else {source_id, *registry.descendants(source_id)}
        )
        mask = _rows_naming(table, "sources_used", sources) & _rows_naming(table, "categories", {category})
    elif kind in ("precise", "vague"):
        precise, vague = _naming_quality(table, sorted(registry.sources))
        mask = precise if kind == "precise" else vague
    else:  # a citation flag, among publications using a source
        flag = pc.fill_null(table.column(FLAGS[kind]), False).to_numpy(zero_copy_only=False)
        mask = using & flag
    chosen = table.filter(pa.array(mask))
    out = chosen.select(list(ROW_COLUMNS))
    if kind in ("category", *PAIRED):
        method, probability = _label_of(chosen, category)
        out = out.append_column(USE_COLUMNS[0], method).append_column(USE_COLUMNS[1], probability)
    return out


def publications_for(
    inputs: EditionInputs, results: dict[str, Any], key: FigureKey | str, year: int | None = None
) -> list[dict[str, Any]]:
    """:func:`select` as a list of dicts (id order)."""
    return select(inputs, results, key, year).to_pylist()


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
