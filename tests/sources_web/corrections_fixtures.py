"""Shared by the correction tests: a stub detector returning results built here (keyed by title), so the tests
check how results and corrections are stored and applied, not the detector's quality; two publications with
raw records (so merges can be followed), scanned with the stub."""

from __future__ import annotations

from typing import Any

from benefice.corpus.models import ImportBatch, Publication, RawRecord

TITLE_A = "Valproate exposure in pregnancy: a cohort study in the SNDS"
ABSTRACT_A = (
    "We used the SNDS and the PMSI, linked to the Constances cohort. Results were compared with the CPRD."
)
CONSTANCES_AT = ABSTRACT_A.index("Constances cohort")
TITLE_B = "Anticoagulants after stroke"
ABSTRACT_B = "Data were extracted from the SNDS. The EGB sample was also read."


def _mention(record: dict, source: str, words: str, role: str, confidence: float) -> dict[str, Any]:
    for fld in ("title", "abstract"):
        at = (record.get(fld) or "").find(words)
        if at != -1:
            return {
                "source": source,
                "field": fld,
                "start": at,
                "end": at + len(words),
                "text": words,
                "form": "acronym",
                "role": role,
                "confidence": confidence,
            }
    raise AssertionError(f"{words!r} not in the record")


#: What the stub detector says about each title: (source, words, role, confidence, review)
PLAN: dict[str, list[tuple[str, str, str, float, bool]]] = {
    TITLE_A: [
        ("SNDS", "SNDS", "used", 0.95, False),
        ("PMSI", "PMSI", "used", 0.9, False),
        ("CPRD", "CPRD", "mentioned", 0.55, True),
    ],
    TITLE_B: [("SNDS", "SNDS", "used", 0.95, False), ("EGB", "EGB", "used", 0.42, True)],
}


def stub_result(record: dict) -> dict[str, Any]:
    """A detector result in the contract's shape, built from PLAN."""
    plan = PLAN.get(record.get("title") or "", [])
    decisions = [
        {"source": s, "role": role, "confidence": c, "method": "model", "review": review}
        for s, _w, role, c, review in plan
    ]
    return {
        "id": record.get("id"),
        "sources_used": [d["source"] for d in decisions if d["role"] == "used" and not d["review"]],
        "sources_mentioned": [d["source"] for d in decisions if d["role"] == "mentioned" and not d["review"]],
        "review": [d["source"] for d in decisions if d["review"]],
        "decisions": decisions,
        "mentions": [_mention(record, s, w, role, c) for s, w, role, c, _r in plan],
    }


class StubDetector:
    def __init__(self, registry) -> None:
        self.registry = registry

    def detect(self, record: dict) -> dict[str, Any]:
        return stub_result(record)


def make_raw(pub: Publication, n: int) -> RawRecord:
    batch = ImportBatch.objects.create(kind="file", origin="t.ris", format="ris")
    return RawRecord.objects.create(
        batch=batch,
        publication=pub,
        source_format="ris",
        origin="t.ris",
        position=n,
        raw=f"TI  - {pub.title}",
        parsed={"source_format": "ris", "title": pub.title, "abstract": pub.abstract, "year": pub.year},
        content_hash=f"hash-{n}-{pub.pk}",
    )
