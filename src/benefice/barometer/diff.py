"""What changed between two editions: publications, revised figures and changes of method.

Read from the frozen editions only (their ``inputs/``, ``results.json`` and ``manifest.json``), so two
editions built years apart, with different code, can still be compared.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from benefice.barometer.freeze import RESULTS, read_manifest
from benefice.barometer.inputs import PUBLICATIONS_JSONL, PUBLICATIONS_PARQUET
from benefice.errors import BeneficeError
from benefice.i18n import gettext_noop, render, render_plural

LISTED = 50  # identifiers listed per category (counts are always complete)
FIGURE_FIELDS = (
    "low",
    "value",
    "high",
    "unit",
    "included",
    "verified",
    "evidence_grade",
    "attribution_grade",
)

# Kinds of use counted from the corpus (results.json ``categories``): how many publications, who set the
# labels, and the labels' uncertainty. Editions built before these counts existed have none of the keys.
USE_FIELDS = ("publications", "by_person", "by_rule", "by_model", "expected", "low", "high")


def _publication_ids(directory: Path) -> set[str]:
    parquet = directory / "inputs" / PUBLICATIONS_PARQUET
    if parquet.is_file():
        return set(pq.read_table(io.BytesIO(parquet.read_bytes()), columns=["id"]).column("id").to_pylist())
    jsonl = directory / "inputs" / PUBLICATIONS_JSONL
    if not jsonl.is_file():
        raise BeneficeError(gettext_noop("the frozen publication set is missing"), path=str(directory / "inputs"))
    return {json.loads(line)["id"] for line in jsonl.read_bytes().splitlines() if line.strip()}


def _results(directory: Path) -> dict[str, Any]:
    path = directory / RESULTS
    if not path.is_file():
        raise BeneficeError(gettext_noop("results.json is missing"), path=str(directory))
    return json.loads(path.read_text(encoding="utf-8"))


def _keyed(rows: list[dict[str, Any]], key: str) -> dict[str, dict[str, Any]]:
    return {str(r[key]): r for r in rows}


def diff(dir_a: str | Path, dir_b: str | Path) -> dict[str, Any]:
    """The differences from edition A to edition B as plain data (see :func:`diff_text`)."""
    a, b = Path(dir_a), Path(dir_b)
    ma, mb = read_manifest(a), read_manifest(b)
    ra, rb = _results(a), _results(b)

    ids_a, ids_b = _publication_ids(a), _publication_ids(b)
    new, removed = sorted(ids_b - ids_a), sorted(ids_a - ids_b)

    fa, fb = _keyed(ra["figures"], "figure_id"), _keyed(rb["figures"], "figure_id")
    revised = []
    for fid in sorted(set(fa) & set(fb)):
        changes = {
            k: [fa[fid].get(k), fb[fid].get(k)] for k in FIGURE_FIELDS if fa[fid].get(k) != fb[fid].get(k)
        }
        if changes:
            revised.append({"figure_id": fid, "case": fb[fid]["case"], "changes": changes})

    ca, cb = _keyed(ra["cases"], "case"), _keyed(rb["cases"], "case")
    cases_changed = []
    for cid in sorted(set(ca) & set(cb)):
        changes = {
            k: [ca[cid][k], cb[cid][k]]
            for k in (
                "decisions",
                "strongest_decision",
                "first_decision",
                "attribution_grade",
                "data_sources",
            )
            if ca[cid][k] != cb[cid][k]
        }
        if changes:
            cases_changed.append({"case": cid, "changes": changes})

    headline_a, headline_b = _keyed(ra["headline"], "id"), _keyed(rb["headline"], "id")
    headline = [
        {"id": k, "a": headline_a.get(k, {}).get("value_en"), "b": headline_b.get(k, {}).get("value_en")}
        for k in sorted(set(headline_a) | set(headline_b))
        if headline_a.get(k, {}).get("value_en") != headline_b.get(k, {}).get("value_en")
    ]
    sa, sb = _keyed(ra["sources"], "source"), _keyed(rb["sources"], "source")
    source_changes = sorted(
        (
            {
                "source": s,
                "a": sa.get(s, {}).get("publications_family", 0),
                "b": sb.get(s, {}).get("publications_family", 0),
            }
            for s in set(sa) | set(sb)
            if sa.get(s, {}).get("publications_family", 0) != sb.get(s, {}).get("publications_family", 0)
        ),
        key=lambda r: (-abs(r["b"] - r["a"]), r["source"]),
    )
    use_changes = _use_changes(ra, rb)
    ranges_a = {f"{r['measure']}/{r['unit']}": r for r in ra["impact_ranges"]}
    ranges_b = {f"{r['measure']}/{r['unit']}": r for r in rb["impact_ranges"]}
    range_changes = [
        {"range": k, "a": [ranges_a.get(k, {}).get(x) for x in ("low", "value", "high")],
         "b": [ranges_b.get(k, {}).get(x) for x in ("low", "value", "high")]}
        for k in sorted(set(ranges_a) | set(ranges_b))
        if [ranges_a.get(k, {}).get(x) for x in ("low", "value", "high")]
        != [ranges_b.get(k, {}).get(x) for x in ("low", "value", "high")]
    ]  # fmt: skip

    versions = {
        k: [ma["versions"].get(k), mb["versions"].get(k)]
        for k in sorted(set(ma["versions"]) | set(mb["versions"]))
        if ma["versions"].get(k) != mb["versions"].get(k)
    }
    inputs = {
        k: [ma["inputs"].get(k, {}).get("sha256"), mb["inputs"].get(k, {}).get("sha256")]
        for k in sorted(set(ma["inputs"]) | set(mb["inputs"]))
        if ma["inputs"].get(k, {}).get("sha256") != mb["inputs"].get(k, {}).get("sha256")
    }
    params = {
        k: [ma["params"].get(k), mb["params"].get(k)]
        for k in sorted(set(ma["params"]) | set(mb["params"]))
        if ma["params"].get(k) != mb["params"].get(k)
    }
    return {
        "a": {"directory": str(a), **ma["edition"]},
        "b": {"directory": str(b), **mb["edition"]},
        "publications": {
            "a": len(ids_a),
            "b": len(ids_b),
            "new": len(new),
            "removed": len(removed),
            "new_ids": new[:LISTED],
            "removed_ids": removed[:LISTED],
        },
        "figures": {
            "added": sorted(set(fb) - set(fa)),
            "removed": sorted(set(fa) - set(fb)),
            "revised": revised,
        },
        "cases": {
            "added": sorted(set(cb) - set(ca)),
            "removed": sorted(set(ca) - set(cb)),
            "changed": cases_changed,
        },
        "headline": headline,
        "sources": source_changes[:LISTED],
        "kinds_of_use": use_changes,
        "impact_ranges": range_changes,
        "method": {
            "versions": versions,
            "inputs": inputs,
            "params": params,
            "code_version": [ma.get("code_version"), mb.get("code_version")]
            if ma.get("code_version") != mb.get("code_version")
            else [],
        },
    }


def _use_changes(ra: dict[str, Any], rb: dict[str, Any]) -> list[dict[str, Any]]:
    """Per category, the corpus counts of kinds of use in A and in B, where any of them changed. A category
    only one edition has, or an edition too old to count kinds of use, gives ``None`` on that side: a
    count that did not exist is not a zero."""
    ka = {str(r["category"]): r for r in ra.get("categories", []) if "publications" in r}
    kb = {str(r["category"]): r for r in rb.get("categories", []) if "publications" in r}
    rows = []
    for cid in sorted(set(ka) | set(kb)):
        a = {k: ka[cid].get(k) for k in USE_FIELDS} if cid in ka else None
        b = {k: kb[cid].get(k) for k in USE_FIELDS} if cid in kb else None
        if a != b:
            rows.append({"category": cid, "a": a, "b": b})
    return rows


# The report's words: English msgids of the barometer's catalogue, said in the reader's language.
EDITION_A = gettext_noop("Edition A: %(year)s observed %(observed)s (%(directory)s)")
EDITION_B = gettext_noop("Edition B: %(year)s observed %(observed)s (%(directory)s)")
PUBLICATIONS = gettext_noop("Publications")
PUBLICATION_COUNTS = gettext_noop("%(a)s → %(b)s: %(new)s, %(removed)s")
NEW_COUNT = (gettext_noop("%(n)s new"), gettext_noop("%(n)s new"))  # French: nouvelle(s), a publication
REMOVED_COUNT = (gettext_noop("%(n)s removed"), gettext_noop("%(n)s removed"))
NEW_IDS = gettext_noop("new: %(ids)s")
REMOVED_IDS = gettext_noop("removed: %(ids)s")
FIGURES = gettext_noop("Figures")
NO_CHANGE = gettext_noop("no change")
ADDED = gettext_noop("added: %(id)s")
REMOVED = gettext_noop("removed: %(id)s")
REVISED = gettext_noop("revised %(id)s: %(what)s")
CASES = gettext_noop("Cases")
KEY_FIGURES = gettext_noop("Key figures")
RANGES = gettext_noop("Ranges (low, value, high)")
PER_SOURCE = gettext_noop("Publications per source (family view)")
PER_USE = gettext_noop("Publications per kind of use (from the corpus; labels set by a person, a rule, the model)")
DIFF_CONTEXT = "barometer diff"  # short words whose French depends on what they qualify
NOT_COUNTED = gettext_noop("not counted")
USE_COUNTS = gettext_noop(
    "%(publications)s (person %(by_person)s, rule %(by_rule)s, model %(by_model)s; expected %(expected)s, "
    "95 %% %(low)s–%(high)s)"
)
METHOD = gettext_noop("Method")
VERSION = gettext_noop("%(what)s version %(a)s → %(b)s")
INPUT_CHANGED = gettext_noop("input %(name)s changed (%(a)s → %(b)s)")
ABSENT = gettext_noop("absent")
PARAMETER = gettext_noop("parameter %(name)s: %(a)s → %(b)s")
CODE = gettext_noop("code %(a)s → %(b)s")


def _number(value: Any, lang: str | None) -> Any:
    """A count as the reader's language writes it (``12 345`` in French); anything else as it is."""
    if isinstance(value, int) and not isinstance(value, bool) and (lang or "fr").lower().startswith("fr"):
        return f"{value:,}".replace(",", "\u202f")
    return value


def _use_text(counts: dict[str, Any] | None, lang: str | None = "en") -> str:
    if counts is None:
        return render(NOT_COUNTED, None, lang, context=DIFF_CONTEXT)
    return render(USE_COUNTS, {k: _number(counts.get(k), lang) for k in USE_FIELDS}, lang)


def _changes(changes: dict[str, list[Any]]) -> str:
    return "; ".join(f"{k} {v[0]} → {v[1]}" for k, v in changes.items())


def diff_text(d: dict[str, Any], lang: str | None = "en") -> str:
    """The differences as a short report for people, in ``lang`` (the command passes the user's locale).

    Headings and sentences are translated; identifiers, field names, versions and values are data and are
    shown as the editions hold them."""

    def say(template: str, **params: Any) -> str:
        return render(template, params, lang)

    p = d["publications"]
    lines = [
        say(EDITION_A, year=d["a"]["year"], observed=d["a"]["observed_at"], directory=d["a"]["directory"]),
        say(EDITION_B, year=d["b"]["year"], observed=d["b"]["observed_at"], directory=d["b"]["directory"]),
        "",
        say(PUBLICATIONS),
        "  "
        + say(
            PUBLICATION_COUNTS,
            a=_number(p["a"], lang),
            b=_number(p["b"], lang),
            new=render_plural(*NEW_COUNT, p["new"], {"n": _number(p["new"], lang)}, lang),
            removed=render_plural(*REMOVED_COUNT, p["removed"], {"n": _number(p["removed"], lang)}, lang),
        ),
    ]
    if p["new_ids"]:
        lines.append("  " + say(NEW_IDS, ids=", ".join(p["new_ids"])))
    if p["removed_ids"]:
        lines.append("  " + say(REMOVED_IDS, ids=", ".join(p["removed_ids"])))
    lines += ["", say(FIGURES)]
    f = d["figures"]
    if not (f["added"] or f["removed"] or f["revised"]):
        lines.append("  " + say(NO_CHANGE))
    lines += ["  " + say(ADDED, id=x) for x in f["added"]]
    lines += ["  " + say(REMOVED, id=x) for x in f["removed"]]
    lines += ["  " + say(REVISED, id=r["figure_id"], what=_changes(r["changes"])) for r in f["revised"]]
    c = d["cases"]
    if c["added"] or c["removed"] or c["changed"]:
        lines += ["", say(CASES)]
        lines += ["  " + say(ADDED, id=x) for x in c["added"]]
        lines += ["  " + say(REMOVED, id=x) for x in c["removed"]]
        for r in c["changed"]:
            lines.append(f"  {r['case']}{_colon(lang)}{_changes(r['changes'])}")
    if d["headline"]:
        lines += ["", say(KEY_FIGURES)] + [f"  {h['id']}{_colon(lang)}{h['a']} → {h['b']}" for h in d["headline"]]
    if d["impact_ranges"]:
        lines += ["", say(RANGES)] + [
            f"  {r['range']}{_colon(lang)}{r['a']} → {r['b']}" for r in d["impact_ranges"]
        ]
    if d["sources"]:
        lines += ["", say(PER_SOURCE)]
        lines += [
            f"  {s['source']}{_colon(lang)}{_number(s['a'], lang)} → {_number(s['b'], lang)}" for s in d["sources"]
        ]
    if d.get("kinds_of_use"):
        lines += ["", say(PER_USE)]
        lines += [
            f"  {r['category']}{_colon(lang)}{_use_text(r['a'], lang)} → {_use_text(r['b'], lang)}"
            for r in d["kinds_of_use"]
        ]
    m = d["method"]
    lines += ["", say(METHOD)]
    if not any(m.values()):
        lines.append("  " + say(NO_CHANGE))
    lines += ["  " + say(VERSION, what=k, a=v[0], b=v[1]) for k, v in m["versions"].items()]
    absent = render(ABSENT, None, lang, context=DIFF_CONTEXT)
    lines += [
        "  " + say(INPUT_CHANGED, name=k, a=(v[0] or absent)[:12], b=(v[1] or absent)[:12])
        for k, v in m["inputs"].items()
    ]
    lines += ["  " + say(PARAMETER, name=k, a=repr(v[0]), b=repr(v[1])) for k, v in m["params"].items()]
    if m["code_version"]:
        lines.append("  " + say(CODE, a=m["code_version"][0], b=m["code_version"][1]))
    return "\n".join(lines) + "\n"


def _french(lang: str | None) -> bool:
    return (lang or "fr").lower().startswith("fr")


def _colon(lang: str | None) -> str:
    """``": "`` after a label, with the no-break space French typography puts before the colon."""
    return "\u00a0: " if _french(lang) else ": "
