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
        raise BeneficeError("the frozen publication set is missing", path=str(directory / "inputs"))
    return {json.loads(line)["id"] for line in jsonl.read_bytes().splitlines() if line.strip()}


def _results(directory: Path) -> dict[str, Any]:
    path = directory / RESULTS
    if not path.is_file():
        raise BeneficeError("results.json is missing", path=str(directory))
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


def _use_text(counts: dict[str, Any] | None) -> str:
    if counts is None:
        return "not counted"
    return (
        f"{counts['publications']} (person {counts['by_person']}, rule {counts['by_rule']}, model "
        f"{counts['by_model']}; expected {counts['expected']}, 95 % {counts['low']}–{counts['high']})"
    )


def diff_text(d: dict[str, Any]) -> str:
    """The differences as a short report for people."""
    lines = [
        f"Edition A: {d['a']['year']} observed {d['a']['observed_at']} ({d['a']['directory']})",
        f"Edition B: {d['b']['year']} observed {d['b']['observed_at']} ({d['b']['directory']})",
        "",
        "Publications",
        f"  {d['publications']['a']} → {d['publications']['b']}: {d['publications']['new']} new, "
        f"{d['publications']['removed']} removed",
    ]
    if d["publications"]["new_ids"]:
        lines.append(f"  new: {', '.join(d['publications']['new_ids'])}")
    if d["publications"]["removed_ids"]:
        lines.append(f"  removed: {', '.join(d['publications']['removed_ids'])}")
    lines += ["", "Figures"]
    f = d["figures"]
    if not (f["added"] or f["removed"] or f["revised"]):
        lines.append("  no change")
    lines += [f"  added: {x}" for x in f["added"]]
    lines += [f"  removed: {x}" for x in f["removed"]]
    for r in f["revised"]:
        what = "; ".join(f"{k} {v[0]} → {v[1]}" for k, v in r["changes"].items())
        lines.append(f"  revised {r['figure_id']}: {what}")
    c = d["cases"]
    if c["added"] or c["removed"] or c["changed"]:
        lines += ["", "Cases"]
        lines += [f"  added: {x}" for x in c["added"]]
        lines += [f"  removed: {x}" for x in c["removed"]]
        for r in c["changed"]:
            lines.append(
                f"  {r['case']}: " + "; ".join(f"{k} {v[0]} → {v[1]}" for k, v in r["changes"].items())
            )
    if d["headline"]:
        lines += ["", "Key figures"] + [f"  {h['id']}: {h['a']} → {h['b']}" for h in d["headline"]]
    if d["impact_ranges"]:
        lines += ["", "Ranges (low, value, high)"] + [
            f"  {r['range']}: {r['a']} → {r['b']}" for r in d["impact_ranges"]
        ]
    if d["sources"]:
        lines += ["", "Publications per source (family view)"]
        lines += [f"  {s['source']}: {s['a']} → {s['b']}" for s in d["sources"]]
    if d.get("kinds_of_use"):
        lines += [
            "",
            "Publications per kind of use (from the corpus; labels set by a person, a rule, the model)",
        ]
        lines += [f"  {r['category']}: {_use_text(r['a'])} → {_use_text(r['b'])}" for r in d["kinds_of_use"]]
    m = d["method"]
    lines += ["", "Method"]
    if not any(m.values()):
        lines.append("  no change")
    lines += [f"  {k} version {v[0]} → {v[1]}" for k, v in m["versions"].items()]
    lines += [
        f"  input {k} changed ({(v[0] or 'absent')[:12]} → {(v[1] or 'absent')[:12]})"
        for k, v in m["inputs"].items()
    ]
    lines += [f"  parameter {k}: {v[0]!r} → {v[1]!r}" for k, v in m["params"].items()]
    if m["code_version"]:
        lines.append(f"  code {m['code_version'][0]} → {m['code_version'][1]}")
    return "\n".join(lines) + "\n"
