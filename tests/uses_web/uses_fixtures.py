"""Shared by the kinds-of-use tests: a stub detector and a stub classifier, both keyed by title, so the tests
check how kinds of use are stored, corrected, followed and exported, not the quality of either (the
classifier's own tests and benchmark do that). Publications get raw records, so merges can be followed."""

from __future__ import annotations

from typing import Any

from benefice.corpus.models import ImportBatch, Publication, RawRecord
from benefice.uses.classify import Label, UseResult

TITLE_A = "Valproate exposure in pregnancy and birth defects: a cohort study in the SNDS"
ABSTRACT_A = "We used the SNDS to measure major congenital malformations after valproate exposure."
TITLE_B = "Use of anticoagulants after stroke"
ABSTRACT_B = "Dispensing of anticoagulants was read from the SNDS and the PMSI."
TITLE_C = "A history of medical statistics"
ABSTRACT_C = "An essay with no data source."

#: sources the stub detector finds used, by title
SOURCES = {TITLE_A: ["SNDS"], TITLE_B: ["SNDS", "PMSI"], TITLE_C: []}
#: what the stub classifier says, by title: (category, matched words, score), main first; and review
PLAN: dict[str, list[tuple[str, str, float]]] = {
    TITLE_A: [("pharmacovigilance_drug_safety", "congenital malformations", 0.9)],
    TITLE_B: [("drug_utilisation", "Dispensing of anticoagulants", 0.55), ("effectiveness", "stroke", 0.5)],
}
REVIEW = {TITLE_B: 0.05}


def stub_detection(record: dict) -> dict[str, Any]:
    used = SOURCES.get(record.get("title") or "", [])
    mentions = []
    for sid in used:
        for fld in ("title", "abstract"):
            at = (record.get(fld) or "").find(sid)
            if at != -1:
                mentions.append(
                    {
                        "source": sid,
                        "field": fld,
                        "start": at,
                        "end": at + len(sid),
                        "text": sid,
                        "form": "acronym",
                        "role": "used",
                        "confidence": 0.95,
                    }
                )
                break
    return {
        "id": record.get("id"),
        "sources_used": list(used),
        "sources_mentioned": [],
        "review": [],
        "decisions": [
            {"source": s, "role": "used", "confidence": 0.95, "method": "rule", "review": False} for s in used
        ],
        "mentions": mentions,
    }


class StubDetector:
    def __init__(self, registry) -> None:
        self.registry = registry

    def detect(self, record: dict) -> dict[str, Any]:
        return stub_detection(record)


class StubKinds:
    """The classifier's contract (``version``, ``classify_many``), answers taken from PLAN."""

    version = "stub 1"
    calls = 0

    def classify_many(self, records, sources_used) -> list[UseResult]:
        type(self).calls += len(records)
        out = []
        for record, used in zip(records, sources_used, strict=True):
            plan = PLAN.get(record.get("title") or "", []) if used else []
            labels = tuple(
                Label(cid, "rule", score, (f"stub.{cid}: {words!r}",), main=k == 0, rule=f"stub.{cid}")
                for k, (cid, words, score) in enumerate(plan)
            )
            margin = REVIEW.get(record.get("title") or "") if plan else None
            out.append(
                UseResult(labels, {c: s for c, _w, s in plan}, margin is not None, margin, self.version)
            )
        return out


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
        content_hash=f"uses-hash-{n}-{pub.pk}",
    )


def make_corpus() -> tuple[Publication, Publication, Publication]:
    a = Publication.objects.create(title=TITLE_A, abstract=ABSTRACT_A, year=2018)
    b = Publication.objects.create(title=TITLE_B, abstract=ABSTRACT_B, year=2020)
    c = Publication.objects.create(title=TITLE_C, abstract=ABSTRACT_C, year=2012)
    for n, pub in enumerate((a, b, c), 1):
        make_raw(pub, n)
    return a, b, c
