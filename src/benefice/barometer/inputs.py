"""What an edition of the barometer is computed from, read from plain files (no database, no Django).

An edition must be rebuildable byte for byte years later, from a copy of its inputs kept inside it. The
inputs are therefore held as the exact bytes of a handful of files (the publication set, the source
registry, the typology, the indicator catalogue, the impact cases and the parameters) and parsed from those
bytes only: whoever builds an :class:`EditionInputs` (this module from a directory, the web app from its
database) goes through :func:`inputs_from_bytes`, so the frozen copy and the live build cannot disagree.

Publications are one JSON object per line (``publications.jsonl``) or a Parquet file with the same
columns (``publications.parquet``, the fast path for large corpora). A publication says which registry
sources it *uses* (analyses) and which it only *mentions*, the forms in which each source is named
(acronym, official name, translation, former name or only a generic description), its kinds of use, and
whether it cites the authorisation (CNIL, CESREES/CEREES, Health Data Hub), the documentation and the
custodian.

Kinds of use come in two separate columns that are never merged: ``categories`` are the publication's own
kinds of use in the corpus (its effective ``PublicationUses``), each with how it was set in the parallel
list ``use_methods`` (``person``, ``rule`` or ``model``) and its calibrated probability in
``use_probabilities`` (a person's label is certain: 1); ``case_categories`` are the categories of the
documented impact cases that cite the publication. A ``categories`` list given without ``use_methods``
(older input sets, hand-written files) counts as set by a person.
"""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from benefice.cases.catalogue import CaseBook, parse_cases
from benefice.curated import yaml_from_bytes
from benefice.errors import BeneficeError
from benefice.i18n import gettext_noop
from benefice.indicators.catalogue import IndicatorCatalogue, parse_indicators
from benefice.paths import package_data
from benefice.sources.registry import FORMS, Registry, registry_from_dict
from benefice.uses.typology import Typology, parse_typology

#: How a kind of use was set, in the order figures report them.
USE_METHODS = ("person", "rule", "model")
PROBABILITY_DIGITS = 4  # calibrated probabilities are kept to 4 decimals, so sums are exact in 1/10,000

REGISTRY_FILE = "sources.yaml"
TYPOLOGY_FILE = "typology.yaml"
INDICATORS_FILE = "indicators.yaml"
CASES_FILE = "cases.yaml"
PARAMS_FILE = "params.json"
PUBLICATIONS_JSONL = "publications.jsonl"
PUBLICATIONS_PARQUET = "publications.parquet"
WEIGHTS_FILE = "ranking.yaml"  # optional: the ranking's criteria and weights (older editions have none)
DEFINITION_FILES = (REGISTRY_FILE, TYPOLOGY_FILE, INDICATORS_FILE, CASES_FILE)

#: Forms that name a source precisely (anything but a generic description).
PRECISE_FORMS = tuple(f for f in FORMS if f != "description")

#: Parameters every edition records; a file or the command line may override them.
DEFAULT_PARAMS: dict[str, Any] = {
    "span": 15,  # publication years covered, ending the year before the edition
    "last_publication_year": None,  # default: edition year - 1 (the edition year is still incomplete)
    "include_unverified": False,  # figures and decisions tagged verified: false stay out of the sums
    "evidence_per_figure": 5,  # DOIs/ids shown as evidence under each headline figure
    "licence": "etalab-2.0",
    "base_url": "",  # where the site will be published; the iframe snippets use relative links without it
}

PUBLICATION_SCHEMA = pa.schema(
    [
        pa.field("id", pa.string(), nullable=False),
        pa.field("year", pa.int32(), nullable=False),
        pa.field("doi", pa.string()),
        pa.field("pmid", pa.string()),
        pa.field("title", pa.string()),
        pa.field("journal", pa.string()),
        pa.field("sources_used", pa.list_(pa.string())),
        pa.field("sources_mentioned", pa.list_(pa.string())),
        pa.field("forms", pa.list_(pa.struct([("source", pa.string()), ("form", pa.string())]))),
        pa.field("categories", pa.list_(pa.string())),
        pa.field("cites_authorisation", pa.bool_()),
        pa.field("cites_documentation", pa.bool_()),
        pa.field("cites_custodian", pa.bool_()),
        pa.field("use_methods", pa.list_(pa.string())),  # parallel to categories: person | rule | model
        pa.field("use_probabilities", pa.list_(pa.float64())),  # parallel to categories, in [0, 1]
        pa.field("case_categories", pa.list_(pa.string())),  # categories of the impact cases citing it
    ]
)


@dataclass
class EditionInputs:
    """Everything an edition is computed from, parsed, with the bytes it was parsed from."""

    publications: pa.Table  # PUBLICATION_SCHEMA, sorted by id
    registry: Registry
    typology: Typology
    indicators: IndicatorCatalogue
    cases: CaseBook
    params: dict[str, Any]
    files: dict[str, bytes] = field(default_factory=dict)  # file name -> exact bytes (frozen copy)

    @property
    def publications_file(self) -> str:
        return PUBLICATIONS_PARQUET if PUBLICATIONS_PARQUET in self.files else PUBLICATIONS_JSONL

    def hashes(self) -> dict[str, str]:
        """SHA-256 of every input file, the identity of this input set."""
        return {name: hashlib.sha256(data).hexdigest() for name, data in sorted(self.files.items())}


# ----------------------------------------------------------------------------------------------------------
# Publications
# ----------------------------------------------------------------------------------------------------------
def _str_list(value: Any, path: str, line: int, fld: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise BeneficeError("expected a list of non-empty strings", path=path, line=line, field=fld)
    return [v.strip() for v in value]


def _forms(value: Any, path: str, line: int) -> list[dict[str, str]]:
    """``{"SNDS": ["acronym"], ...}`` (or already a list of {source, form}) to a list of pairs."""
    if value is None:
        return []
    out: list[dict[str, str]] = []
    if isinstance(value, Mapping):
        for source, forms in value.items():
            for form in _str_list(forms, path, line, f"forms.{source}"):
                out.append({"source": str(source), "form": form})
    elif isinstance(value, list) and all(isinstance(v, Mapping) for v in value):
        out = [{"source": str(v.get("source", "")), "form": str(v.get("form", ""))} for v in value]
    else:
        raise BeneficeError(
            "forms must map each source to a list of forms", path=path, line=line, field="forms"
        )
    for pair in out:
        if pair["form"] not in FORMS:
            raise BeneficeError(
                f"unknown form {pair['form']!r} for {pair['source']} (known: {', '.join(FORMS)})",
                path=path,
                line=line,
                field="forms",
            )
    return sorted(out, key=lambda p: (p["source"], p["form"]))


def _flag(value: Any, path: str, line: int, fld: str) -> bool:
    if value is None:
        return False
    if not isinstance(value, bool):
        raise BeneficeError("expected true or false", path=path, line=line, field=fld)
    return value


def _uses(raw: Mapping[str, Any], path: str, line: int) -> tuple[list[str], list[str], list[float]]:
    """``categories`` with their parallel ``use_methods`` and ``use_probabilities``, checked and sorted by
    category (a category listed twice keeps its first method and probability)."""
    categories = _str_list(raw.get("categories"), path, line, "categories")
    methods = raw.get("use_methods")
    probabilities = raw.get("use_probabilities")
    if methods is None:
        if probabilities is not None:
            raise BeneficeError(
                "use_probabilities given without use_methods", path=path, line=line, field="use_methods"
            )
        methods = ["person"] * len(categories)
    methods = _str_list(methods, path, line, "use_methods")
    if len(methods) != len(categories):
        raise BeneficeError(
            f"use_methods has {len(methods)} item(s) for {len(categories)} categories (one per category)",
            path=path,
            line=line,
            field="use_methods",
        )
    for method in methods:
        if method not in USE_METHODS:
            raise BeneficeError(
                f"unknown method {method!r} (known: {', '.join(USE_METHODS)})",
                path=path,
                line=line,
                field="use_methods",
            )
    if probabilities is None:
        if any(m != "person" for m in methods):
            raise BeneficeError(
                "a label set by a rule or the model needs its probability",
                path=path,
                line=line,
                field="use_probabilities",
            )
        probabilities = [1.0] * len(categories)
    if not isinstance(probabilities, list) or len(probabilities) != len(categories):
        raise BeneficeError(
            "use_probabilities must be a list with one probability per category",
            path=path,
            line=line,
            field="use_probabilities",
        )
    checked: list[float] = []
    for method, p in zip(methods, probabilities, strict=True):
        if isinstance(p, bool) or not isinstance(p, int | float) or not 0.0 <= float(p) <= 1.0:
            raise BeneficeError(
                f"a probability must be a number between 0 and 1, got {p!r}",
                path=path,
                line=line,
                field="use_probabilities",
            )
        if method == "person" and float(p) != 1.0:
            raise BeneficeError(
                f"a person's label is certain (probability 1), got {p!r}",
                path=path,
                line=line,
                field="use_probabilities",
            )
        checked.append(round(float(p), PROBABILITY_DIGITS))
    first: dict[str, tuple[str, float]] = {}
    for category, method, p in zip(categories, methods, checked, strict=True):
        first.setdefault(category, (method, p))
    ordered = sorted(first)
    return ordered, [first[c][0] for c in ordered], [first[c][1] for c in ordered]


def normalise_publication(raw: Any, path: str = "<publications>", line: int = 0) -> dict[str, Any]:
    """One publication as a plain dict in the canonical shape, or a BeneficeError naming line and field."""
    if not isinstance(raw, Mapping):
        raise BeneficeError("each publication must be a JSON object", path=path, line=line)
    pid = raw.get("id")
    if isinstance(pid, int) and not isinstance(pid, bool):
        pid = str(pid)
    if not isinstance(pid, str) or not pid.strip():
        raise BeneficeError("missing id", path=path, line=line, field="id")
    year = raw.get("year")
    if isinstance(year, str) and year.strip().isdecimal():
        year = int(year)
    if not isinstance(year, int) or isinstance(year, bool) or not 1800 <= year <= 2200:
        raise BeneficeError(f"year must be a year, got {year!r}", path=path, line=line, field="year")
    text = {}
    for key in ("doi", "pmid", "title", "journal"):
        value = raw.get(key)
        if value is not None and not isinstance(value, str | int):
            raise BeneficeError("expected text", path=path, line=line, field=key)
        text[key] = str(value).strip() if value not in (None, "") else None
    if text["doi"]:
        text["doi"] = text["doi"].lower()
    categories, methods, probabilities = _uses(raw, path, line)
    return {
        "id": pid.strip(),
        "year": year,
        **text,
        "sources_used": sorted(set(_str_list(raw.get("sources_used"), path, line, "sources_used"))),
        "sources_mentioned": sorted(
            set(_str_list(raw.get("sources_mentioned"), path, line, "sources_mentioned"))
        ),
        "forms": _forms(raw.get("forms"), path, line),
        "categories": categories,
        "use_methods": methods,
        "use_probabilities": probabilities,
        "case_categories": sorted(set(_str_list(raw.get("case_categories"), path, line, "case_categories"))),
        "cites_authorisation": _flag(raw.get("cites_authorisation"), path, line, "cites_authorisation"),
        "cites_documentation": _flag(raw.get("cites_documentation"), path, line, "cites_documentation"),
        "cites_custodian": _flag(raw.get("cites_custodian"), path, line, "cites_custodian"),
    }


def publications_jsonl(records: Iterable[Mapping[str, Any]]) -> bytes:
    """Canonical JSONL bytes of a publication set (normalised, sorted by id): the same set, the same bytes."""
    rows = [normalise_publication(r, line=i) for i, r in enumerate(records, start=1)]
    rows.sort(key=lambda r: r["id"])
    return b"".join(
        json.dumps(r, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8") + b"\n"
        for r in rows
    )


def _read_jsonl(data: bytes, path: str) -> pa.Table:
    rows = []
    for number, raw_line in enumerate(data.splitlines(), start=1):
        if not raw_line.strip():
            continue
        try:
            raw = json.loads(raw_line)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise BeneficeError(f"not valid JSON: {exc}", path=path, line=number) from exc
        rows.append(normalise_publication(raw, path, number))
    return pa.Table.from_pylist(rows, schema=PUBLICATION_SCHEMA)


def _read_parquet(data: bytes, path: str) -> pa.Table:
    try:
        table = pq.read_table(io.BytesIO(data))
    except (pa.ArrowInvalid, OSError) as exc:
        raise BeneficeError(f"not a readable Parquet file: {exc}", path=path) from exc
    missing = [
        f.name for f in PUBLICATION_SCHEMA if f.name not in table.column_names and f.name in ("id", "year")
    ]
    if missing:
        raise BeneficeError("missing column", path=path, field=missing[0])
    columns = []
    for f in PUBLICATION_SCHEMA:
        if f.name in table.column_names:
            try:
                columns.append(table.column(f.name).cast(f.type))
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
                raise BeneficeError(f"column has the wrong type: {exc}", path=path, field=f.name) from exc
        else:
            columns.append(pa.nulls(table.num_rows, f.type))
    table = pa.Table.from_arrays(columns, names=PUBLICATION_SCHEMA.names)
    if table.column("id").null_count or table.column("year").null_count:
        fld = "id" if table.column("id").null_count else "year"
        raise BeneficeError("null values are not allowed", path=path, field=fld)
    return table


def _check_uses(table: pa.Table, path: str) -> pa.Table:
    """Columnar checks of ``categories`` / ``use_methods`` / ``use_probabilities`` (the Parquet path; the
    JSON lines path has already been through :func:`_uses`): one method and one probability per category,
    known methods, probabilities in [0, 1] kept to 4 decimals, a person's label certain. Rows without
    ``use_methods`` count as set by a person (probability 1)."""

    def lists(name: str) -> pa.Array:
        return table.column(name).combine_chunks()

    def offsets_of(lengths: pa.Array) -> pa.Array:
        counts = pc.fill_null(lengths, 0).to_numpy(zero_copy_only=False).astype(np.int64)
        return pa.array(np.concatenate([[0], np.cumsum(counts)]), pa.int32())

    categories = pc.fill_null(lists("categories"), pa.scalar([], pa.list_(pa.string())))
    lengths = pc.list_value_length(categories)
    methods, probabilities = lists("use_methods"), lists("use_probabilities")
    if probabilities.null_count < len(probabilities):
        given = pc.and_(pc.is_null(methods), pc.invert(pc.is_null(probabilities)))
        if pc.any(given).as_py():
            raise BeneficeError("use_probabilities given without use_methods", path=path, field="use_methods")
    offsets = offsets_of(lengths)
    total = int(offsets[-1].as_py())
    default_methods = pa.ListArray.from_arrays(offsets, pa.repeat(pa.scalar("person"), total))
    default_probabilities = pa.ListArray.from_arrays(offsets, pa.repeat(pa.scalar(1.0), total))
    no_methods = pc.is_null(methods)
    no_probabilities = pc.is_null(probabilities)
    if pc.any(pc.and_(no_probabilities, pc.invert(no_methods))).as_py():
        flat = pc.list_flatten(methods.filter(pc.and_(no_probabilities, pc.invert(no_methods))))
        if pc.any(pc.not_equal(flat, "person")).as_py():
            raise BeneficeError(
                "a label set by a rule or the model needs its probability",
                path=path,
                field="use_probabilities",
            )
    methods = pc.if_else(no_methods, default_methods, methods)
    probabilities = pc.if_else(no_probabilities, default_probabilities, probabilities)
    for name, column in (("use_methods", methods), ("use_probabilities", probabilities)):
        if pc.any(pc.not_equal(pc.fill_null(pc.list_value_length(column), 0), lengths)).as_py():
            raise BeneficeError(f"{name} must have one item per category", path=path, field=name)
    flat_methods = pc.list_flatten(methods)
    bad = pc.invert(pc.fill_null(pc.is_in(flat_methods, value_set=pa.array(USE_METHODS)), False))
    if pc.any(bad).as_py():
        raise BeneficeError(
            f"unknown method {flat_methods.filter(bad)[0].as_py()!r} (known: {', '.join(USE_METHODS)})",
            path=path,
            field="use_methods",
        )
    flat_p = pc.list_flatten(probabilities)
    bad = pc.invert(pc.fill_null(pc.and_(pc.greater_equal(flat_p, 0.0), pc.less_equal(flat_p, 1.0)), False))
    if pc.any(bad).as_py():
        raise BeneficeError(
            f"a probability must be a number between 0 and 1, got {flat_p.filter(bad)[0].as_py()!r}",
            path=path,
            field="use_probabilities",
        )
    if pc.any(pc.and_(pc.equal(flat_methods, "person"), pc.not_equal(flat_p, 1.0))).as_py():
        raise BeneficeError(
            "a person's label is certain (probability 1)", path=path, field="use_probabilities"
        )
    rounded = pa.ListArray.from_arrays(
        offsets_of(pc.list_value_length(probabilities)), pc.round(flat_p, PROBABILITY_DIGITS)
    )
    for name, column in (
        ("categories", categories),
        ("use_methods", methods),
        ("use_probabilities", rounded),
    ):
        table = table.set_column(table.schema.get_field_index(name), name, column)
    return table


def _check_publications(table: pa.Table, registry: Registry, typology: Typology, path: str) -> pa.Table:
    """Sort by id and refuse duplicates and unknown source or category ids (columnar: fast on 1M rows)."""
    ids = table.column("id")
    if (
        table.num_rows > 1
        and not pc.all(pc.greater_equal(ids.slice(1), ids.slice(0, table.num_rows - 1))).as_py()
    ):  # already in id order (the canonical files, the database path): no copy of every column
        table = table.sort_by("id")
        ids = table.column("id")
    if table.num_rows > 1:
        same = pc.equal(ids.slice(1), ids.slice(0, table.num_rows - 1))
        if pc.any(same).as_py():
            dup = ids[pc.index(same, True).as_py()].as_py()
            raise BeneficeError(f"publication id {dup!r} appears twice", path=path, field="id")
    known = pa.array(sorted(registry.sources))
    for column in ("sources_used", "sources_mentioned"):
        flat = pc.list_flatten(table.column(column))
        bad = pc.invert(pc.is_in(flat, value_set=known))
        if pc.any(bad).as_py():
            unknown = flat.filter(bad)[0].as_py()
            raise BeneficeError(f"unknown source {unknown!r} (not in the registry)", path=path, field=column)
    flat = pc.list_flatten(table.column("forms")).combine_chunks()
    if len(flat):
        form_sources = flat.field("source")
        bad = pc.invert(pc.is_in(form_sources, value_set=known))
        if pc.any(bad).as_py():
            raise BeneficeError(
                f"unknown source {form_sources.filter(bad)[0].as_py()!r} in forms", path=path, field="forms"
            )
    for column in ("categories", "case_categories"):
        categories = pc.list_flatten(table.column(column))
        bad = pc.invert(pc.is_in(categories, value_set=pa.array(sorted(typology.categories))))
        if pc.any(bad).as_py():
            raise BeneficeError(
                f"unknown category of use {categories.filter(bad)[0].as_py()!r}", path=path, field=column
            )
    return _check_uses(table, path)


# ----------------------------------------------------------------------------------------------------------
# Building inputs
# ----------------------------------------------------------------------------------------------------------
def _params(data: bytes | None, path: str) -> dict[str, Any]:
    params = dict(DEFAULT_PARAMS)
    if data:
        try:
            given = json.loads(data)
        except json.JSONDecodeError as exc:
            raise BeneficeError(f"not valid JSON: {exc}", path=path) from exc
        if not isinstance(given, dict):
            raise BeneficeError("parameters must be a JSON object", path=path)
        unknown = sorted(set(given) - set(DEFAULT_PARAMS))
        if unknown:
            raise BeneficeError(f"unknown parameter(s) {', '.join(unknown)}", path=path, field=unknown[0])
        params.update(given)
    span = params["span"]
    if not isinstance(span, int) or isinstance(span, bool) or not 1 <= span <= 100:
        raise BeneficeError("span must be a number of years between 1 and 100", path=path, field="span")
    return params


def params_json(params: Mapping[str, Any]) -> bytes:
    """Canonical bytes of a parameter set (sorted keys), so equal parameters hash equal."""
    merged = dict(DEFAULT_PARAMS)
    merged.update(params)
    return (json.dumps(merged, ensure_ascii=False, sort_keys=True, indent=2) + "\n").encode("utf-8")


def inputs_from_bytes(
    files: Mapping[str, bytes], where: str = "<inputs>", *, one_language: bool = True
) -> EditionInputs:
    """Parse and validate an input set given as file name -> bytes (the single way inputs are built).

    ``one_language`` (the default) reads the definitions as an edition froze them: editions frozen before
    the curated texts were bilingual (issue 19) hold English-only ``cases.yaml`` and ``indicators.yaml``
    and registry notes, and must still load and rebuild byte for byte, so a plain string is read as the
    English text with no French. :func:`inputs_from_directory` passes ``False``: definitions someone gives
    for a new edition must be written in French and English, as the curated files are."""
    files = dict(files)
    for name in DEFINITION_FILES:
        if name not in files:
            raise BeneficeError(
                gettext_noop("input file %(name)s is missing"), params={"name": name}, path=f"{where}/{name}"
            )
    pub_name = next((n for n in (PUBLICATIONS_PARQUET, PUBLICATIONS_JSONL) if n in files), None)
    if pub_name is None:
        raise BeneficeError(
            gettext_noop("no publication set (%(jsonl)s or %(parquet)s)"),
            params={"jsonl": PUBLICATIONS_JSONL, "parquet": PUBLICATIONS_PARQUET},
            path=where,
        )

    def data(name: str) -> dict[str, Any]:
        return yaml_from_bytes(files[name], f"{where}/{name}")

    registry = registry_from_dict(data(REGISTRY_FILE), f"{where}/{REGISTRY_FILE}")
    typology = parse_typology(data(TYPOLOGY_FILE), f"{where}/{TYPOLOGY_FILE}")
    indicators = parse_indicators(
        data(INDICATORS_FILE), f"{where}/{INDICATORS_FILE}", typology, one_language=one_language
    )
    cases = parse_cases(
        data(CASES_FILE), f"{where}/{CASES_FILE}", typology, indicators, one_language=one_language
    )
    params = _params(files.get(PARAMS_FILE), f"{where}/{PARAMS_FILE}")
    files[PARAMS_FILE] = params_json(params)
    pub_path = f"{where}/{pub_name}"
    reader = _read_parquet if pub_name == PUBLICATIONS_PARQUET else _read_jsonl
    table = _check_publications(reader(files[pub_name], pub_path), registry, typology, pub_path)
    files = {k: v for k, v in files.items() if k in (*DEFINITION_FILES, WEIGHTS_FILE, PARAMS_FILE, pub_name)}
    return EditionInputs(table, registry, typology, indicators, cases, params, files)


def shipped_definitions() -> dict[str, bytes]:
    """The registry, typology, indicators and cases shipped with benefice (and the ranking weights when it
    ships them), as bytes."""
    files = {name: package_data(name).read_bytes() for name in DEFINITION_FILES}
    if package_data(WEIGHTS_FILE).is_file():
        files[WEIGHTS_FILE] = package_data(WEIGHTS_FILE).read_bytes()
    return files


def inputs_from_directory(directory: str | Path) -> EditionInputs:
    """Read an input set from a directory; definition files it lacks are taken from the shipped ones.

    Which definitions were used is never ambiguous: the edition stores a copy of every file, with its hash.
    """
    directory = Path(directory)
    if not directory.is_dir():
        raise BeneficeError(gettext_noop("input directory not found"), path=str(directory))
    files = shipped_definitions()
    for name in (*DEFINITION_FILES, WEIGHTS_FILE, PARAMS_FILE, PUBLICATIONS_JSONL, PUBLICATIONS_PARQUET):
        path = directory / name
        if path.is_file():
            files[name] = path.read_bytes()
    if PUBLICATIONS_JSONL in files and PUBLICATIONS_PARQUET in files:
        raise BeneficeError(
            gettext_noop("both %(jsonl)s and %(parquet)s are present: keep one"),
            params={"jsonl": PUBLICATIONS_JSONL, "parquet": PUBLICATIONS_PARQUET},
            path=str(directory),
        )
    return inputs_from_bytes(files, str(directory), one_language=False)


def inputs_from_records(
    publications: Iterable[Mapping[str, Any]],
    *,
    definitions: Mapping[str, bytes] | None = None,
    params: Mapping[str, Any] | None = None,
) -> EditionInputs:
    """Inputs from publication dicts (e.g. the database) and definition bytes (default: shipped files)."""
    files = dict(shipped_definitions())
    files.update(definitions or {})
    files[PUBLICATIONS_JSONL] = publications_jsonl(publications)
    files[PARAMS_FILE] = params_json(params or {})
    return inputs_from_bytes(files)


def write_inputs(
    directory: str | Path,
    publications: Iterable[Mapping[str, Any]] | pa.Table,
    *,
    definitions: Mapping[str, bytes] | None = None,
    params: Mapping[str, Any] | None = None,
) -> Path:
    """Write an input set that :func:`inputs_from_directory` reads back (Parquet when given a table).

    Definitions default to the shipped files, written out so the directory is self-describing.
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    files = dict(shipped_definitions())
    files.update(definitions or {})
    for name, data in files.items():
        (directory / name).write_bytes(data)
    if isinstance(publications, pa.Table):
        pq.write_table(publications, directory / PUBLICATIONS_PARQUET, compression="zstd")
    else:
        (directory / PUBLICATIONS_JSONL).write_bytes(publications_jsonl(publications))
    (directory / PARAMS_FILE).write_bytes(params_json(params or {}))
    return directory


def with_params(inputs: EditionInputs, overrides: Mapping[str, Any]) -> EditionInputs:
    """The same inputs with some parameters changed (validated like a params file)."""
    merged = dict(inputs.params)
    merged.update(overrides)
    files = dict(inputs.files)
    files[PARAMS_FILE] = params_json(merged)
    params = _params(files[PARAMS_FILE], PARAMS_FILE)
    return EditionInputs(
        inputs.publications, inputs.registry, inputs.typology, inputs.indicators, inputs.cases, params, files
    )
