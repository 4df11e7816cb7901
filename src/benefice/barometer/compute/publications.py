"""Publication figures: own and family counts per source and year, publications by year, custodians,
citation quality and naming forms, kinds of use from the corpus, and the evidence behind headline figures.

:func:`publication_figures` runs its steps in order: the perimeter, the (publication, source) pairs used and
mentioned, their naming forms and citation flags, then the rows of each table."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from benefice.barometer.compute.columns import _expand, _grid, member, pairs, sorted_unique
from benefice.barometer.compute.common import Window, _change, _share, slug
from benefice.barometer.compute.uses import use_figures
from benefice.barometer.inputs import PRECISE_FORMS, EditionInputs

if TYPE_CHECKING:  # pragma: no cover
    from benefice.sources.registry import Registry


def publication_figures(inputs: EditionInputs, window: Window) -> dict[str, Any]:
    """Every publication count of the edition (see the module docstring for the rules)."""
    registry = inputs.registry
    table, in_file, before, after = _in_perimeter(inputs.publications, window)
    n_pub = table.num_rows
    years = window.years
    ny = len(years)
    year_idx = table.column("year").to_numpy().astype(np.int64) - window.first

    source_ids = sorted(registry.sources)
    codes = pa.array(source_ids)
    ns = len(source_ids)
    index = {sid: i for i, sid in enumerate(source_ids)}
    french = np.array([registry.is_french(s) for s in source_ids])

    used_pub, used_src, ment_pub, ment_src = _used_and_mentioned(table, codes)
    used_keys = used_pub * ns + used_src
    known, precise = _naming_forms(table, codes, used_keys)
    flags = _citation_flags(table)

    own = _grid(used_src, year_idx[used_pub], ns, ny)
    mentioned = np.bincount(ment_src, minlength=ns)
    groups = [[index[s], *(index[a] for a in registry.ancestors(s))] for s in source_ids]
    fam_pub, fam_src = _expand(used_pub, used_src, groups)
    family = _grid(fam_src, year_idx[fam_pub], ns, ny)

    sources = _source_rows(
        registry, source_ids, own, family, mentioned, used_pub, used_src, known, precise, flags
    )
    sources_by_year = _sources_by_year(source_ids, years, own, family)
    by_year, any_used, any_french = _publications_by_year(
        n_pub, year_idx, years, used_pub, used_src, french, known, precise, flags
    )
    custodians, custodians_by_year = _custodians(
        registry, source_ids, sources, used_pub, used_src, year_idx, years
    )

    # Kinds of use, from the whole corpus (cases keep their own categories: see case_figures).
    uses = use_figures(
        table,
        list(inputs.typology.categories),
        year_idx,
        years,
        source_ids,
        (used_pub, used_src),
        (fam_pub, fam_src),
    )

    return {
        "perimeter": {
            "publications_in_file": in_file,
            "in_perimeter": n_pub,
            "before_perimeter": before,
            "after_perimeter": after,
            "using_any_source": int(any_used.sum()),
            "using_french_source": int(any_french.sum()),
            "no_source_used": int(n_pub - any_used.sum()),
            "pairs_used": int(len(used_pub)),
            "pairs_with_forms": int(known.sum()),
            "pairs_precise": int(precise.sum()),
            "citing_authorisation": int(flags["authorisation"][any_used].sum()),
            "citing_documentation": int(flags["documentation"][any_used].sum()),
            "citing_custodian": int(flags["custodian"][any_used].sum()),
            **uses["summary"],
        },
        "sources": sources,
        "sources_by_year": sources_by_year,
        "publications_by_year": by_year,
        "custodians": custodians,
        "custodians_by_year": custodians_by_year,
        "categories_publications": uses["per_category"],
        "categories_by_year": uses["by_year"],
        "sources_by_category": uses["by_source"],
        "_evidence": _evidence(table, used_pub, used_src, any_french, year_idx, precise, known, source_ids,
                               int(inputs.params["evidence_per_figure"]), window, uses["labels"]),
    }  # fmt: skip


def _in_perimeter(table: pa.Table, window: Window) -> tuple[pa.Table, int, int, int]:
    """The publications of the perimeter's years, with the number in the file and those before and after."""
    years_all = table.column("year").to_numpy()
    before = int((years_all < window.first).sum())
    after = int((years_all > window.last).sum())
    mask = (years_all >= window.first) & (years_all <= window.last)
    table = table.filter(pa.array(mask))
    return table, int(len(years_all)), before, after


def _used_and_mentioned(
    table: pa.Table, codes: pa.Array
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(publication, source) pairs used, and those mentioned only (not also used)."""
    ns = len(codes)
    used_pub, used_src = pairs(table.column("sources_used"), codes)
    ment_pub, ment_src = pairs(table.column("sources_mentioned"), codes)
    used_keys = used_pub * ns + used_src
    mentioned_only = ~member(ment_pub * ns + ment_src, used_keys)
    ment_pub, ment_src = ment_pub[mentioned_only], ment_src[mentioned_only]
    return used_pub, used_src, ment_pub, ment_src


def _naming_forms(table: pa.Table, codes: pa.Array, used_keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Forms: which (publication, source) pairs carry a recorded form, and which a precise one."""
    ns = len(codes)
    forms = table.column("forms").combine_chunks()
    flat_forms = pc.list_flatten(forms)
    if len(flat_forms):
        form_pub = pc.list_parent_indices(forms).to_numpy().astype(np.int64)
        form_src = pc.index_in(flat_forms.field("source"), value_set=codes).to_numpy(zero_copy_only=False)
        form_precise = pc.is_in(flat_forms.field("form"), value_set=pa.array(PRECISE_FORMS)).to_numpy(
            zero_copy_only=False
        )
        form_keys = form_pub * ns + form_src.astype(np.int64)
        known = member(used_keys, sorted_unique(form_keys))
        precise = member(used_keys, sorted_unique(form_keys[form_precise]))
    else:
        known = precise = np.zeros(len(used_keys), dtype=bool)
    return known, precise


def _citation_flags(table: pa.Table) -> dict[str, np.ndarray]:
    """Per publication, whether it cites the authorisation, the documentation and the custodian (0 or 1)."""
    return {
        name: table.column(f"cites_{name}").fill_null(False).to_numpy(zero_copy_only=False).astype(np.float64)
        for name in ("authorisation", "documentation", "custodian")
    }


def _source_rows(
    registry: Registry,
    source_ids: list[str],
    own: np.ndarray,
    family: np.ndarray,
    mentioned: np.ndarray,
    used_pub: np.ndarray,
    used_src: np.ndarray,
    known: np.ndarray,
    precise: np.ndarray,
    flags: dict[str, np.ndarray],
) -> list[dict[str, Any]]:
    """One row per source: its registry entry, own and family counts, naming and citation shares."""
    ns = len(source_ids)
    own_total = own.sum(axis=1)
    known_n = np.bincount(used_src, weights=known, minlength=ns)
    precise_n = np.bincount(used_src, weights=precise, minlength=ns)
    flag_n = {k: np.bincount(used_src, weights=v[used_pub], minlength=ns) for k, v in flags.items()}

    sources = []
    for i, sid in enumerate(source_ids):
        s = registry[sid]
        sources.append(
            {
                "source": sid,
                "name_fr": s.names.get("fr") or s.names.get("en", ""),
                "name_en": s.names.get("en") or s.names.get("fr", ""),
                "acronym": s.acronyms[0] if s.acronyms else "",  # how charts name it (not in the open data)
                "kind": s.kind,
                "country": s.country,
                "parent": s.parent or "",
                "components": "|".join(registry.descendants(sid)),
                "custodian": s.custodian,
                "custodian_slug": slug(s.custodian) if s.custodian else "",
                "publications_own": int(own_total[i]),
                "publications_family": int(family[i].sum()),
                "mentioned_only": int(mentioned[i]),
                "forms_known": int(known_n[i]),
                "precise_share": _share(precise_n[i], known_n[i]),
                "authorisation_share": _share(flag_n["authorisation"][i], own_total[i]),
                "documentation_share": _share(flag_n["documentation"][i], own_total[i]),
                "custodian_share": _share(flag_n["custodian"][i], own_total[i]),
            }
        )
    return sources


def _sources_by_year(
    source_ids: list[str], years: list[int], own: np.ndarray, family: np.ndarray
) -> list[dict[str, Any]]:
    """One row per source and year: own and family counts, and the family count's change from the year before."""
    sources_by_year = []
    for i, sid in enumerate(source_ids):
        previous = None
        for j, y in enumerate(years):
            value = int(family[i, j])
            delta, pct = _change(value, previous)
            sources_by_year.append(
                {
                    "source": sid,
                    "year": y,
                    "publications_own": int(own[i, j]),
                    "publications_family": value,
                    "change_family": delta,
                    "change_family_pct": pct,
                }
            )
            previous = value
    return sources_by_year


def _publications_by_year(
    n_pub: int,
    year_idx: np.ndarray,
    years: list[int],
    used_pub: np.ndarray,
    used_src: np.ndarray,
    french: np.ndarray,
    known: np.ndarray,
    precise: np.ndarray,
    flags: dict[str, np.ndarray],
) -> tuple[list[dict[str, Any]], np.ndarray, np.ndarray]:
    """Publications by year: all in the perimeter, using any source, using a French source (with the year's
    naming and citation shares); and, per publication, whether it uses any source and a French one."""
    ny = len(years)
    per_year = np.bincount(year_idx, minlength=ny)
    any_used = np.zeros(n_pub, dtype=bool)
    any_used[used_pub] = True
    any_french = np.zeros(n_pub, dtype=bool)
    any_french[used_pub[french[used_src]]] = True
    used_year = np.bincount(year_idx[any_used], minlength=ny)
    french_year = np.bincount(year_idx[any_french], minlength=ny)
    pair_year = year_idx[used_pub]
    by_year = []
    previous = None
    for j, y in enumerate(years):
        sel = pair_year == j
        known_y = int(known[sel].sum())
        pubs_y = any_used & (year_idx == j)
        n_used = int(pubs_y.sum())
        delta, pct = _change(int(french_year[j]), previous)
        by_year.append(
            {
                "year": y,
                "publications": int(per_year[j]),
                "using_any_source": int(used_year[j]),
                "using_french_source": int(french_year[j]),
                "change": delta,
                "change_pct": pct,
                "pairs": int(sel.sum()),
                "precise_share": _share(precise[sel].sum(), known_y),
                "authorisation_share": _share(flags["authorisation"][pubs_y].sum(), n_used),
                "documentation_share": _share(flags["documentation"][pubs_y].sum(), n_used),
                "custodian_share": _share(flags["custodian"][pubs_y].sum(), n_used),
            }
        )
        previous = int(french_year[j])
    return by_year, any_used, any_french


def _custodians(
    registry: Registry,
    source_ids: list[str],
    sources: list[dict[str, Any]],
    used_pub: np.ndarray,
    used_src: np.ndarray,
    year_idx: np.ndarray,
    years: list[int],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Custodians: a publication counts once for a custodian whatever the number of its sources it uses.

    Returns the custodian rows and the rows per custodian and year, and gives the source rows (``sources``)
    the same de-duplicated slug."""
    ny = len(years)
    custodian_names = sorted({s.custodian for s in registry if s.custodian})
    cust_index = {c: i for i, c in enumerate(custodian_names)}
    cust_groups = [[cust_index[registry[s].custodian]] if registry[s].custodian else [] for s in source_ids]
    cust_pub, cust_code = _expand(used_pub, used_src, cust_groups)
    nc = len(custodian_names)
    cust_grid = _grid(cust_code, year_idx[cust_pub], nc, ny) if nc else np.zeros((0, ny), np.int64)
    custodians, custodians_by_year, seen_slugs = [], [], set()
    for c, name in enumerate(custodian_names):
        key = slug(name)
        base, k = key, 2
        while key in seen_slugs:
            key, k = f"{base}-{k}", k + 1
        seen_slugs.add(key)
        members = [s for s in source_ids if registry[s].custodian == name]
        custodians.append(
            {
                "custodian_slug": key,
                "custodian": name,
                "sources": "|".join(members),
                "publications": int(cust_grid[c].sum()),
            }
        )
        for j, y in enumerate(years):
            custodians_by_year.append(
                {"custodian_slug": key, "year": y, "publications": int(cust_grid[c, j])}
            )
    for row in sources:  # the same de-duplicated slug on both tables
        if row["custodian"]:
            row["custodian_slug"] = custodians[cust_index[row["custodian"]]]["custodian_slug"]
    return custodians, custodians_by_year


def _evidence(
    table: pa.Table,
    used_pub: np.ndarray,
    used_src: np.ndarray,
    any_french: np.ndarray,
    year_idx: np.ndarray,
    precise: np.ndarray,
    known: np.ndarray,
    source_ids: list[str],
    n: int,
    window: Window,
    labels: tuple[list[str], np.ndarray, np.ndarray] = ([], np.zeros(0, np.int64), np.zeros(0, np.int64)),
) -> dict[str, list[str]]:
    """A few publication identifiers (DOI when known, else id) behind each headline figure, smallest ids
    first so that the choice is reproducible."""
    ids = table.column("id")
    dois = table.column("doi")

    def refs(rows: np.ndarray) -> list[str]:
        rows = sorted_unique(rows)[:n]
        return [(dois[int(r)].as_py() and f"doi:{dois[int(r)].as_py()}") or str(ids[int(r)]) for r in rows]

    last = window.last - window.first
    return {
        "latest_year": refs(np.flatnonzero(any_french & (year_idx == last))),
        "vague_naming": refs(used_pub[known & ~precise]),
        "precise_naming": refs(used_pub[precise]),
        **{f"source:{sid}": refs(used_pub[used_src == i]) for i, sid in enumerate(source_ids)},
        **{f"category:{cid}": refs(labels[1][labels[2] == k]) for k, cid in enumerate(labels[0])},
    }
