"""Detection over the corpus: scan the publications with the registry as stored, re-apply people's verdicts.

Kinds of use are classified in the same pass (``uses.services``), so a scan leaves nothing out of date.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from benefice.corpus.models import Publication
from benefice.sources.corrections import Verdict, apply_verdicts, verdicts_from_history
from benefice.sources.detect import Detector
from benefice.sources.models import Mention, PublicationDetection, SourceCorrection
from benefice.sources.registry import Registry
from benefice.sources.services.registry import db_registry, registry_hash

__all__ = [
    "EFFECTIVE_FIELDS",
    "RECORD_FIELDS",
    "SCAN_CHUNK",
    "ScanReport",
    "detection_record",
    "reapply_corrections",
    "scan_database",
]

SCAN_CHUNK = 500

@dataclass
class ScanReport:
    scanned: int = 0
    skipped: int = 0
    with_sources: int = 0
    classified: int = 0  # publications whose kinds of use were (re)classified
    with_uses: int = 0  # of those, how many have a kind of use
    uses_version: str = ""  # the kinds-of-use classifier version


def detection_record(pub: Publication) -> dict[str, Any]:
    """What detection reads of a stored publication: every text field it has (keywords and MeSH as lists)."""
    return {
        "id": pub.pk,
        "title": pub.title,
        "abstract": pub.abstract,
        "keywords": pub.keywords or [],
        "mesh": pub.mesh or [],
        "doc_type": pub.doc_type,
        "language": pub.language,
        "year": pub.year,
    }


def _correction_history(publication_ids: Iterable[int]) -> dict[int, dict[str, Verdict]]:
    """The folded verdicts (latest wins, evidence kept) of people on each of these publications' sources."""
    rows: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for c in (
        SourceCorrection.objects.filter(publication_id__in=list(publication_ids))
        .order_by("pk")
        .values("publication_id", "source_id", "verdict", "field", "start", "end", "text")
    ):
        rows[c["publication_id"]].append({**c, "source": c["source_id"]})
    return {pid: verdicts_from_history(history) for pid, history in rows.items()}


def _apply(
    det: PublicationDetection, record: dict[str, Any], verdicts: dict[str, Verdict], registry: Registry
) -> list[Mention]:
    """Set the detection's effective lists from its machine result and the verdicts; its effective mentions."""
    eff = apply_verdicts(record, det.machine_result(), verdicts, registry=registry, known=registry)
    det.sources_used = eff["sources_used"]
    det.sources_mentioned = eff["sources_mentioned"]
    det.awaiting_review = eff["awaiting_review"]
    det.review_margin = eff["review_margin"]
    return [
        Mention(
            publication_id=det.publication_id,
            source_id=m["source"],
            field=m["field"],
            start=m["start"],
            end=m["end"],
            text=m["text"],
            form=m.get("form", ""),
            role=m["role"],
            confidence=m.get("confidence", 1.0),
            by_person=bool(m.get("by_person")),
        )
        for m in eff["mentions"]
    ]


EFFECTIVE_FIELDS = ["sources_used", "sources_mentioned", "awaiting_review", "review_margin"]
RECORD_FIELDS = ("pk", "title", "abstract", "keywords", "mesh", "doc_type", "language", "year")


def scan_database(
    *,
    force: bool = False,
    progress: Callable[[int, int | None], None] | None = None,
    publication_ids: list[int] | None = None,
) -> ScanReport:
    """Detect sources in every publication not yet scanned with the current registry (resumable by chunks).

    ``publication_ids`` limits the scan to those publications (an import scans what it added). People's
    corrections are re-applied to every new result, so a correction survives ``--force`` and registry edits.

    Kinds of use are part of the scan (``uses.services.classify_publications``): each chunk scanned is
    classified in the chunk's transaction, then the publications skipped here whose kinds of use an older
    classifier version set (rules or model changed) are reclassified, without running detection again."""
    from benefice.uses import services as uses

    uses_classifier = uses.current_classifier()
    registry = db_registry()
    detector = Detector(registry)
    digest = registry_hash(registry)
    todo = Publication.objects.order_by("pk")
    if publication_ids is not None:
        todo = todo.filter(pk__in=publication_ids)
    if not force:
        todo = todo.exclude(detection__registry_hash=digest)
    total = todo.count()
    everything = (
        Publication.objects.filter(pk__in=publication_ids)
        if publication_ids is not None
        else Publication.objects
    )
    report = ScanReport(skipped=everything.count() - total)
    ids = list(todo.values_list("pk", flat=True))
    for start in range(0, len(ids), SCAN_CHUNK):
        chunk = ids[start : start + SCAN_CHUNK]
        pubs = Publication.objects.filter(pk__in=chunk).only(*RECORD_FIELDS)
        with transaction.atomic():
            Mention.objects.filter(publication_id__in=chunk).delete()
            PublicationDetection.objects.filter(publication_id__in=chunk).delete()
            verdicts = _correction_history(chunk)
            mentions, detections = [], []
            for pub in pubs:
                record = detection_record(pub)
                result = detector.detect(record)
                det = PublicationDetection(
                    publication=pub,
                    registry_hash=digest,
                    detected_used=list(result.get("sources_used") or []),
                    detected_mentioned=list(result.get("sources_mentioned") or []),
                    review=list(result.get("review") or []),
                    decisions=list(result.get("decisions") or []),
                    detected_mentions=list(result.get("mentions") or []),
                )
                mentions.extend(_apply(det, record, verdicts.get(pub.pk, {}), registry))
                detections.append(det)
                if det.sources_used or det.sources_mentioned:
                    report.with_sources += 1
            PublicationDetection.objects.bulk_create(detections)
            Mention.objects.bulk_create(mentions)
            classified = uses.classify_publications(chunk, force=True, classifier=uses_classifier)
        report.scanned += len(chunk)
        report.classified += classified.classified
        report.with_uses += classified.with_uses
        if progress:
            progress(report.scanned, total)
    rest = uses.classify_publications(publication_ids, classifier=uses_classifier)  # what is out of date
    report.classified += rest.classified
    report.with_uses += rest.with_uses
    report.uses_version = rest.version
    return report


def reapply_corrections(publication_ids: Iterable[int]) -> int:
    """Recompute the effective lists and mentions of these publications from their stored machine result and
    people's corrections, without running detection again (after a correction, or a merge moved some).
    Publications never scanned are left to the scan, which applies corrections itself. Publications whose
    effective sources used changed get their kinds of use classified again. Returns how many."""
    ids = sorted(set(publication_ids))
    if not ids:
        return 0
    registry = db_registry()
    done = 0
    changed: list[int] = []
    for start in range(0, len(ids), SCAN_CHUNK):
        chunk = ids[start : start + SCAN_CHUNK]
        with transaction.atomic():
            dets = list(
                PublicationDetection.objects.select_for_update(of=("self",))
                .filter(publication_id__in=chunk)
                .select_related("publication")
            )
            verdicts = _correction_history(chunk)
            Mention.objects.filter(publication_id__in=[d.publication_id for d in dets]).delete()
            mentions: list[Mention] = []
            for det in dets:
                record = detection_record(det.publication)
                before = list(det.sources_used)
                mentions.extend(_apply(det, record, verdicts.get(det.publication_id, {}), registry))
                if det.sources_used != before:
                    changed.append(det.publication_id)
            PublicationDetection.objects.bulk_update(dets, EFFECTIVE_FIELDS)
            Mention.objects.bulk_create(mentions)
            done += len(dets)
    if changed:  # kinds of use are read from the effective sources used: classify those again
        from benefice.uses.services import classify_publications

        classify_publications(changed, force=True)
    return done

