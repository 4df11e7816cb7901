"""Registry in the database (load, edit with audit and optimistic locking, export) and detection over the corpus.

The data file stays the reference: ``sync_registry`` loads it, but never overwrites a source a person has edited
in the web app (that edit is reported as a conflict to settle by exporting and reviewing the file).
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Count, Q

from benefice.core.models import AuditEntry, audit
from benefice.corpus.models import Publication
from benefice.errors import BeneficeError
from benefice.sources.detect import Detector
from benefice.sources.models import Mention, PublicationDetection, Source
from benefice.sources.registry import Registry, load_registry, registry_from_dict

OBJECT_TYPE = "sources.Source"
SCAN_CHUNK = 500


class EditConflict(BeneficeError):
    """Someone saved the same source since this edit began."""


@dataclass
class SyncReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0
    kept_edited: list[str] = field(default_factory=list)


def _columns(data: dict[str, Any]) -> dict[str, Any]:
    names = data.get("names") or {}
    return {
        "name_fr": names.get("fr", ""),
        "name_en": names.get("en", ""),
        "kind": data.get("kind", ""),
        "country": data.get("country", ""),
        "parent_id_value": data.get("parent") or "",
        "custodian": data.get("custodian", ""),
    }


def _edited_by_person(source_id: str) -> bool:
    return AuditEntry.objects.filter(object_type=OBJECT_TYPE, object_id=source_id, action="update").exists()


def sync_registry(registry: Registry | None = None, *, user=None) -> SyncReport:
    """Load the registry file into the database (idempotent)."""
    registry = registry or load_registry()
    report = SyncReport()
    existing = {s.id: s for s in Source.objects.all()}
    with transaction.atomic():
        for src in registry:
            data = _strip_derived(src.to_dict())
            row = existing.get(src.id)
            if row is None:
                Source.objects.create(id=src.id, data=data, updated_by=user, **_columns(data))
                audit(
                    "load", OBJECT_TYPE, src.id, after=data, user=user, comment=f"registry {registry.version}"
                )
                report.created.append(src.id)
            elif row.data == data:
                report.unchanged += 1
            elif _edited_by_person(src.id):
                report.kept_edited.append(src.id)
            else:
                before = row.data
                row.data = data
                for k, v in _columns(data).items():
                    setattr(row, k, v)
                row.version += 1
                row.save()
                audit(
                    "load",
                    OBJECT_TYPE,
                    src.id,
                    before=before,
                    after=data,
                    user=user,
                    comment=f"registry {registry.version}",
                )
                report.updated.append(src.id)
    return report


def db_registry(overrides: dict[str, dict[str, Any]] | None = None) -> Registry:
    """The registry as stored in the database, validated; ``overrides`` replaces entries (for checking an edit)."""
    entries = {s.id: s.data for s in Source.objects.order_by("id")}
    entries.update(overrides or {})
    if not entries:
        return load_registry()
    data = {"version": "database", "changelog": [], "sources": [_strip_derived(d) for d in entries.values()]}
    return registry_from_dict(data, path="database registry")


def _strip_derived(data: dict[str, Any]) -> dict[str, Any]:
    """``components`` is derived from the parents: stored nowhere, so an edit of a parent cannot disagree."""
    return {k: v for k, v in data.items() if k != "components"}


def registry_hash(registry: Registry) -> str:
    payload = json.dumps(registry.to_records(), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()


def update_source(
    source_id: str, data: dict[str, Any], *, expected_version: int, user=None, comment: str = ""
) -> Source:
    """Save an edit of one source after checking the whole registry stays valid and nobody saved meanwhile."""
    data = {**data, "id": source_id}
    registry = db_registry(
        {source_id: data}
    )  # raises BeneficeError on alias collision, cycle, unknown parent
    with transaction.atomic():
        row = Source.objects.select_for_update().get(pk=source_id)
        if row.version != expected_version:
            last = AuditEntry.objects.filter(object_type=OBJECT_TYPE, object_id=source_id).first()
            who = f" by {last.user}" if last and last.user else ""
            raise EditConflict(
                f"source {source_id} was changed{who} since you opened it (version {row.version}, yours "
                f"{expected_version}); reload to see the changes, your text is kept below",
                field="version",
            )
        before = row.data
        clean = _strip_derived(registry[source_id].to_dict())
        row.data = clean
        for k, v in _columns(clean).items():
            setattr(row, k, v)
        row.version += 1
        row.updated_by = user
        row.save()
        audit("update", OBJECT_TYPE, source_id, before=before, after=clean, user=user, comment=comment)
    return row


# --- detection over the corpus ----------------------------------------------------------------------------


@dataclass
class ScanReport:
    scanned: int = 0
    skipped: int = 0
    with_sources: int = 0


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


def scan_database(
    *,
    force: bool = False,
    progress: Callable[[int, int | None], None] | None = None,
    publication_ids: list[int] | None = None,
) -> ScanReport:
    """Detect sources in every publication not yet scanned with the current registry (resumable by chunks).

    ``publication_ids`` limits the scan to those publications (an import scans what it added)."""
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
        pubs = Publication.objects.filter(pk__in=chunk).only(
            "pk", "title", "abstract", "keywords", "mesh", "doc_type", "language", "year"
        )
        with transaction.atomic():
            Mention.objects.filter(publication_id__in=chunk).delete()
            PublicationDetection.objects.filter(publication_id__in=chunk).delete()
            mentions, detections = [], []
            for pub in pubs:
                result = detector.detect(detection_record(pub))
                detections.append(
                    PublicationDetection(
                        publication=pub,
                        registry_hash=digest,
                        sources_used=result["sources_used"],
                        sources_mentioned=result["sources_mentioned"],
                    )
                )
                if result["sources_used"] or result["sources_mentioned"]:
                    report.with_sources += 1
                for m in result["mentions"]:
                    mentions.append(
                        Mention(
                            publication=pub,
                            source_id=m["source"],
                            field=m["field"],
                            start=m["start"],
                            end=m["end"],
                            text=m["text"],
                            form=m.get("form", ""),
                            role=m["role"],
                            confidence=m.get("confidence", 1.0),
                        )
                    )
            PublicationDetection.objects.bulk_create(detections)
            Mention.objects.bulk_create(mentions)
        report.scanned += len(chunk)
        if progress:
            progress(report.scanned, total)
    return report


# --- how a source is cited ----------------------------------------------------------------------------------


def publications_using(source_id: str, role: str | None = "used"):
    filt = Q(mentions__source_id=source_id)
    if role:
        filt &= Q(mentions__role=role)
    return Publication.objects.filter(filt).distinct()


def source_statistics(source_id: str) -> dict[str, Any]:
    """Counts behind a source page: per-year use, naming variants and forms, co-used sources, first/last year."""
    used_ids = (
        set(
            PublicationDetection.objects.filter(sources_used__contains=[source_id]).values_list(
                "publication_id", flat=True
            )
        )
        if _json_contains_supported()
        else {
            d.publication_id
            for d in PublicationDetection.objects.only("publication_id", "sources_used")
            if source_id in d.sources_used
        }
    )
    mentioned_ids = set(Mention.objects.filter(source_id=source_id).values_list("publication_id", flat=True))
    mentioned_only = mentioned_ids - used_ids
    years = dict(Publication.objects.filter(pk__in=used_ids).values_list("pk", "year"))
    m_years = dict(Publication.objects.filter(pk__in=mentioned_only).values_list("pk", "year"))
    per_year: dict[int, dict[str, int]] = defaultdict(lambda: {"used": 0, "mentioned": 0})
    for y in years.values():
        if y:
            per_year[y]["used"] += 1
    for y in m_years.values():
        if y:
            per_year[y]["mentioned"] += 1
    variants: Counter[tuple[str, str]] = Counter()
    forms: Counter[str] = Counter()
    for text, form in Mention.objects.filter(source_id=source_id).values_list("text", "form"):
        variants[(" ".join(text.split()), form)] += 1
        forms[form] += 1
    total_mentions = sum(variants.values()) or 1
    co_use: Counter[str] = Counter()
    for det in PublicationDetection.objects.filter(publication_id__in=used_ids).only("sources_used"):
        for other in det.sources_used:
            if other != source_id:
                co_use[other] += 1
    by_pub_forms: dict[int, set[str]] = defaultdict(set)
    for pid, form in Mention.objects.filter(source_id=source_id, publication_id__in=used_ids).values_list(
        "publication_id", "form"
    ):
        by_pub_forms[pid].add(form)
    acronym_only = sum(1 for f in by_pub_forms.values() if f == {"acronym"})
    known_years = [y for y in years.values() if y]
    practices = citation_practices(source_id, used_ids | mentioned_ids)
    return {
        "practices": practices,
        "used": len(used_ids),
        "mentioned_only": len(mentioned_only),
        "per_year": [{"year": y, **c} for y, c in sorted(per_year.items())],
        "variants": [
            {"text": t, "form": f, "count": n, "share": n / total_mentions}
            for (t, f), n in variants.most_common()
        ],
        "forms": [{"form": f, "count": n, "share": n / total_mentions} for f, n in forms.most_common()],
        "co_use": [{"source": s, "count": n} for s, n in co_use.most_common()],
        "acronym_only_share": acronym_only / len(used_ids) if used_ids else None,
        "first_year": min(known_years) if known_years else None,
        "last_year": max(known_years) if known_years else None,
    }


def citation_practices(source_id: str, publication_ids: set[int]) -> dict[str, Any]:
    """Whether the publications naming a source also name it in full, its custodian, an authorisation, its
    documentation: ``citation.citation_stats`` run over the stored texts and mentions of those publications.

    Shares are of the publications that name the source (used or only mentioned), so each figure says what a
    reader can check: open the list of publications and look.
    """
    from benefice.sources.citation import citation_stats

    mentions: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for pid, sid, text, form, role in Mention.objects.filter(publication_id__in=publication_ids).values_list(
        "publication_id", "source_id", "text", "form", "role"
    ):
        mentions[pid].append({"source": sid, "text": text, "form": form, "role": role})
    used = dict(
        PublicationDetection.objects.filter(publication_id__in=publication_ids).values_list(
            "publication_id", "sources_used"
        )
    )
    pairs = (
        (
            {"id": pub.pk, "year": pub.year, "title": pub.title, "abstract": pub.abstract},
            {"sources_used": used.get(pub.pk, []), "mentions": mentions.get(pub.pk, [])},
        )
        for pub in Publication.objects.filter(pk__in=publication_ids).only("pk", "year", "title", "abstract")
    )
    stats = citation_stats(pairs, db_registry()).get(source_id)
    n = stats.publications if stats else 0

    def share(count: int) -> float | None:
        return count / n if n else None

    rows = []
    if stats:
        rows = [
            ("named_in_full", stats.named_in_full),
            ("acronym_only", stats.acronym_only),
            ("custodian_cited", stats.custodian_cited),
            ("authorisation_cited", stats.any_authorisation),
            ("documentation_cited", stats.documentation_cited),
        ]
    return {
        "publications": n,
        "rows": [{"key": k, "count": c, "share": share(c)} for k, c in rows],
        "authorisations": [
            {"body": body, "count": c, "share": share(c)}
            for body, c in (stats.authorisations.most_common() if stats else [])
        ],
    }


def _json_contains_supported() -> bool:
    from django.db import connection

    return connection.vendor == "postgresql" or (
        connection.vendor == "sqlite" and getattr(connection.features, "supports_json_field_contains", False)
    )


def source_counts() -> dict[str, dict[str, int]]:
    """Publications using / only mentioning each source, for the list page."""
    used: Counter[str] = Counter()
    mentioned: Counter[str] = Counter()
    for det in PublicationDetection.objects.only("sources_used", "sources_mentioned").iterator():
        used.update(det.sources_used)
        mentioned.update(det.sources_mentioned)
    return {sid: {"used": used[sid], "mentioned": mentioned[sid]} for sid in set(used) | set(mentioned)}


def mention_rows(source_id: str | None = None):
    qs = Mention.objects.select_related("publication").order_by("publication_id", "field", "start")
    if source_id:
        qs = qs.filter(source_id=source_id)
    return qs.annotate(n=Count("pk"))
