"""Registry in the database (load, edit with audit and optimistic locking, export) and detection over the corpus.

The data file stays the reference: ``sync_registry`` loads it, but never overwrites a source a person has edited
in the web app (that edit is reported as a conflict to settle by exporting and reviewing the file).
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Count
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from benefice.core.models import AuditEntry, audit
from benefice.corpus.models import Publication
from benefice.corpus.services import merge_target
from benefice.errors import BeneficeError
from benefice.sources.corrections import (
    DEFAULT_THRESHOLD,
    MAX_EVIDENCE,
    SELECTABLE_FIELDS,
    VERDICTS,
    Verdict,
    apply_verdicts,
    field_text,
    highlight_spans,
    locate,
    verdicts_from_history,
)
from benefice.sources.detect import Detector
from benefice.sources.models import Mention, PublicationDetection, Source, SourceCorrection
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


# --- people's corrections -----------------------------------------------------------------------------------


class CorrectionRefused(BeneficeError):
    """A correction that cannot be recorded as asked; the message says why and what to do."""


@dataclass
class CorrectionOutcome:
    correction: SourceCorrection
    publication: Publication
    followed_from: int | None = None  # the merged publication the person was looking at
    overridden: list[SourceCorrection] = field(default_factory=list)  # others' verdicts saved meanwhile


def follow_corrections(publication_id: int) -> None:
    """Before a publication is deleted: move its corrections to the publication that now holds the raw records
    it had when they were made (what a merge does), or detach them (``publication_ref`` keeps the id)."""
    rows = list(SourceCorrection.objects.filter(publication_id=publication_id))
    if not rows:
        return
    target = merge_target((r for c in rows for r in c.raw_record_ids), exclude=publication_id)
    corrections = SourceCorrection.objects.filter(publication_id=publication_id)
    if target is not None:
        corrections.update(publication_id=target)
        reapply_corrections([target])
    else:
        corrections.update(publication=None)


def resolve_publication(publication_id: int, raw_record_ids: Sequence[int]) -> tuple[Publication, int | None]:
    """The publication to correct: the one asked for, or the one it was merged into meanwhile."""
    pub = Publication.objects.filter(pk=publication_id).first()
    if pub is not None:
        return pub, None
    target = merge_target(raw_record_ids)
    if target is not None:
        return Publication.objects.get(pk=target), publication_id
    raise CorrectionRefused(
        _(
            "Publication #%(pk)s no longer exists (it was deleted): the correction was not recorded. "
            "Search the corpus for it and correct it there."
        )
        % {"pk": publication_id}
    )


def _field_label(fld: str) -> str:
    """A field's name for a message to a person (the stored value stays the field's code)."""
    labels = {
        "title": pgettext("field of a publication", "title"),
        "abstract": pgettext("field of a publication", "abstract"),
        "keywords": pgettext("field of a publication", "keywords"),
        "mesh": pgettext("field of a publication", "MeSH terms"),
    }
    return labels.get(fld, fld)


def _evidence(
    pub: Publication, fld: str, start: int | None, end: int | None, text: str, *, merged_from: int | None
) -> tuple[str, int | None, int | None, str]:
    """Check the words a person selected against the text stored now; (field, start, end, text) to store."""
    text = (text or "").strip()
    if not fld and not text and start is None and end is None:
        return "", None, None, ""
    if fld not in SELECTABLE_FIELDS:
        raise CorrectionRefused(
            _(
                "Unknown field “%(field)s”: select words in the title, the abstract, the keywords or MeSH terms."
            )
            % {"field": fld}
        )
    content = field_text(detection_record(pub), fld)
    if (start is None) != (end is None):
        raise CorrectionRefused(_("The selection needs both its start and its end."))
    if start is not None and end is not None and not (0 <= start < end <= len(content)):
        raise CorrectionRefused(
            _(
                "The selected words (characters %(start)s to %(end)s) are outside the %(field)s, which has "
                "%(n)s characters: the text may have changed. Reload the page and select them again."
            )
            % {"start": start, "end": end, "field": _field_label(fld), "n": len(content)}
        )
    if not text and start is not None:
        text = content[start:end]
    if not text:
        raise CorrectionRefused(_("Select the words that name the source in the text."))
    if len(text) > MAX_EVIDENCE:
        raise CorrectionRefused(
            _("Select only the words that name the source (at most %(n)s characters).") % {"n": MAX_EVIDENCE}
        )
    where = locate(content, start, end, text)
    if where is None:
        if merged_from is not None:
            raise CorrectionRefused(
                _(
                    "Publication #%(old)s was merged into publication #%(new)s, whose text no longer contains "
                    "“%(text)s”: nothing was recorded. Select the words again on publication #%(new)s."
                )
                % {"old": merged_from, "new": pub.pk, "text": text}
            )
        raise CorrectionRefused(
            _("“%(text)s” is not in the %(field)s of this publication: reload the page and select it again.")
            % {"text": text, "field": _field_label(fld)}
        )
    return fld, where[0], where[1], text


def record_correction(
    publication_id: int,
    source_id: str,
    verdict: str,
    *,
    user=None,
    field_name: str = "",
    start: int | None = None,
    end: int | None = None,
    text: str = "",
    seen: int | None = None,
    raw_record_ids: Sequence[int] = (),
) -> CorrectionOutcome:
    """Record a person's verdict on one source of one publication and apply it at once to every figure.

    ``seen`` is the newest correction id of that publication the person's page showed: a verdict on the same
    source saved since by someone else is kept in the history, and the outcome names it (the later wins).
    ``raw_record_ids`` are the records the page showed, so that a publication merged meanwhile is followed to
    the publication that absorbed it. Raises :class:`CorrectionRefused` with a message for the person."""
    if verdict not in VERDICTS:
        raise CorrectionRefused(
            _("Unknown verdict “%(verdict)s”: choose used, mentioned only or rejected.")
            % {"verdict": verdict}
        )
    source_id = (source_id or "").strip()
    if not source_id or not Source.objects.filter(pk=source_id).exists():
        raise CorrectionRefused(
            _("Unknown source “%(id)s”: it is not in the registry. Choose a source from the list.")
            % {"id": source_id}
        )
    pub, followed_from = resolve_publication(publication_id, raw_record_ids)
    fld, start, end, text = _evidence(pub, field_name, start, end, text, merged_from=followed_from)
    with transaction.atomic():
        det = PublicationDetection.objects.select_for_update().filter(publication=pub).first()
        history = SourceCorrection.objects.filter(publication=pub, source_id=source_id)
        if verdict != "rejected" and not text:
            detected = det is not None and any(m.get("source") == source_id for m in det.detected_mentions)
            if not detected and not history.exclude(text="").exists():
                raise CorrectionRefused(
                    _(
                        "The detector did not find %(id)s in this publication: select in the text the words "
                        "that name it, then add it."
                    )
                    % {"id": source_id}
                )
        overridden: list[SourceCorrection] = []
        if seen is not None and followed_from is None:
            later = history.filter(pk__gt=seen)
            if user is not None and getattr(user, "pk", None):
                later = later.exclude(user=user)
            overridden = list(later.select_related("user").order_by("pk"))
        correction = SourceCorrection.objects.create(
            publication=pub,
            publication_ref=publication_id,
            raw_record_ids=sorted(pub.raw_records.values_list("pk", flat=True)),
            source_id=source_id,
            verdict=verdict,
            field=fld,
            start=start,
            end=end,
            text=text,
            user=user if getattr(user, "is_authenticated", False) else None,
            concurrent_with=overridden[-1] if overridden else None,
        )
    if det is None:
        scan_database(publication_ids=[pub.pk])
    else:
        reapply_corrections([pub.pk])
    return CorrectionOutcome(correction, pub, followed_from, overridden)


def correction_examples(
    publication_ids: Iterable[int] | None = None,
) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    """Labelled examples for retraining the learned stage: ``(detection_record(pub), {source_id: verdict})``
    for every publication people corrected, the latest verdict per source, and under ``"__evidence__"``
    ({source_id: [words]}) the words people selected, when they did. Reads only; the trainer decides what
    a "rejected", a role change or an added source teaches (the machine's own output is
    ``PublicationDetection``)."""
    qs = SourceCorrection.objects.filter(publication__isnull=False)
    if publication_ids is not None:
        qs = qs.filter(publication_id__in=list(publication_ids))
    ids = sorted(set(qs.values_list("publication_id", flat=True)))
    for start in range(0, len(ids), SCAN_CHUNK):
        chunk = ids[start : start + SCAN_CHUNK]
        verdicts = _correction_history(chunk)
        for pub in Publication.objects.filter(pk__in=chunk).only(*RECORD_FIELDS).order_by("pk"):
            folded = verdicts.get(pub.pk, {})
            labels: dict[str, Any] = {sid: v.verdict for sid, v in folded.items()}
            evidence = {sid: [e.text for e in v.evidence] for sid, v in folded.items() if v.evidence}
            if evidence:
                labels["__evidence__"] = evidence
            yield detection_record(pub), labels


# --- what the publication page and the review queue show ------------------------------------------------

STATUS_ORDER = {"used": 0, "mentioned": 1, "review": 2, "rejected": 3, "unknown": 4}


def ensure_detection(pub: Publication) -> PublicationDetection:
    """The publication's detection, running it now if the publication was never scanned (a few milliseconds
    for one record): a publication page shows its sources without any other step."""
    det = PublicationDetection.objects.filter(publication=pub).first()
    if det is None:
        scan_database(publication_ids=[pub.pk])
        det = PublicationDetection.objects.get(publication=pub)
    return det


def _field_spans(
    mentions: Iterable[Mapping[str, Any]], status_of
) -> dict[str, list[tuple[int, int, str, str]]]:
    spans: dict[str, list[tuple[int, int, str, str]]] = defaultdict(list)
    for m in mentions:
        status = status_of(m)
        if status:
            spans[m["field"]].append((m["start"], m["end"], status, m["source"]))
    return spans


def publication_sources(pub: Publication, lang: str = "fr") -> dict[str, Any]:
    """Everything the publication's source panel shows: one row per source used, mentioned, awaiting review
    or rejected (status, the machine's decision, the person's latest verdict and the history, the evidence),
    and the texts with the evidence highlighted at its offsets."""
    det = ensure_detection(pub)
    record = detection_record(pub)
    history = list(
        SourceCorrection.objects.filter(publication=pub)
        .select_related("user", "concurrent_with", "concurrent_with__user")
        .order_by("pk")
    )
    by_source: dict[str, list[SourceCorrection]] = defaultdict(list)
    for c in history:
        by_source[c.source_id].append(c)
    decisions = {d.get("source"): d for d in det.decisions}
    effective = list(
        Mention.objects.filter(publication=pub).values(
            "source_id", "field", "start", "end", "text", "form", "role", "by_person"
        )
    )
    for m in effective:
        m["source"] = m["source_id"]
    status: dict[str, str] = {}
    for sid in det.sources_used:
        status[sid] = "used"
    for sid in det.sources_mentioned:
        status.setdefault(sid, "mentioned")
    for sid in det.awaiting_review:
        status.setdefault(sid, "review")
    for sid, rows in by_source.items():
        status.setdefault(sid, "rejected" if rows[-1].verdict == "rejected" else "unknown")
    for sid in decisions:
        status.setdefault(sid, "unknown")
    names = {src.id: src.name(lang) for src in Source.objects.filter(pk__in=list(status))}
    rows = []
    for sid in sorted(status, key=lambda s: (STATUS_ORDER[status[s]], s)):
        counted = status[sid] in ("used", "mentioned")
        evidence = [m for m in effective if m["source"] == sid] if counted else []
        if not counted:
            evidence = [dict(m, by_person=False) for m in det.detected_mentions if m.get("source") == sid]
            evidence += [
                {"field": c.field, "text": c.text, "by_person": True}
                for c in by_source.get(sid, [])
                if c.text
            ]
        decision = decisions.get(sid)
        rows.append(
            {
                "id": sid,
                "name": names.get(sid, sid),
                "in_registry": sid in names,
                "status": status[sid],
                "decision": decision,
                "threshold": (decision or {}).get("threshold", DEFAULT_THRESHOLD),
                "person": by_source[sid][-1] if by_source.get(sid) else None,
                "history": list(reversed(by_source.get(sid, []))),
                "evidence": evidence,
            }
        )
    awaiting = set(det.awaiting_review)
    spans = _field_spans(effective, lambda m: m["role"])
    for fld, extra in _field_spans(
        det.detected_mentions, lambda m: "review" if m.get("source") in awaiting else ""
    ).items():
        spans[fld].extend(extra)
    fields = []
    for fld in SELECTABLE_FIELDS:
        text = field_text(record, fld)
        if text:
            fields.append({"name": fld, "html": highlight_spans(text, spans.get(fld, []))})
    return {
        "detection": det,
        "rows": rows,
        "fields": fields,
        "seen": history[-1].pk if history else 0,
        "raw_record_ids": ",".join(
            str(pk) for pk in pub.raw_records.order_by("pk").values_list("pk", flat=True)
        ),
    }


def review_remaining() -> dict[str, int]:
    """What the review queue still holds: uncertain sources nobody has decided, and their publications."""
    sources = publications = 0
    for awaiting in PublicationDetection.objects.filter(review_margin__isnull=False).values_list(
        "awaiting_review", flat=True
    ):
        if awaiting:
            publications += 1
            sources += len(awaiting)
    return {"sources": sources, "publications": publications}


def next_review_item(skip: Iterable[str] = ()) -> tuple[PublicationDetection, str] | None:
    """The most informative undecided detection: the publication whose uncertain source has a confidence
    nearest its decision threshold, and that source. ``skip`` holds ``"publication:source"`` keys the person
    chose to leave for later."""
    skipped = set(skip)
    qs = (
        PublicationDetection.objects.filter(review_margin__isnull=False)
        .select_related("publication")
        .order_by("review_margin", "publication_id")
    )
    for det in qs.iterator(chunk_size=100):
        for sid in det.awaiting_review:
            if f"{det.publication_id}:{sid}" not in skipped:
                return det, sid
    return None


# --- how a source is cited ----------------------------------------------------------------------------------


def effective_publications(source_id: str) -> tuple[set[int], set[int]]:
    """Ids of the publications whose effective lists have the source as used, and as only mentioned.

    Candidates are found through the indexed evidence (mentions, people's corrections): a source is in a
    publication's effective lists only if the detector found it (its mentions are then stored) or a person
    gave a verdict on it. The lists themselves decide, so a rejected or undecided source counts nowhere."""
    candidates = set(Mention.objects.filter(source_id=source_id).values_list("publication_id", flat=True))
    candidates |= set(
        SourceCorrection.objects.filter(source_id=source_id, publication__isnull=False).values_list(
            "publication_id", flat=True
        )
    )
    used: set[int] = set()
    mentioned: set[int] = set()
    ids = sorted(candidates)
    for start in range(0, len(ids), SCAN_CHUNK):
        for pid, u, m in PublicationDetection.objects.filter(
            publication_id__in=ids[start : start + SCAN_CHUNK]
        ).values_list("publication_id", "sources_used", "sources_mentioned"):
            if source_id in u:
                used.add(pid)
            elif source_id in m:
                mentioned.add(pid)
    return used, mentioned


def publications_using(source_id: str, role: str | None = "used"):
    """Publications whose effective lists have the source (``role`` used / mentioned; None: either)."""
    used, mentioned = effective_publications(source_id)
    ids = used if role == "used" else mentioned if role == "mentioned" else used | mentioned
    return Publication.objects.filter(pk__in=ids)


def source_statistics(source_id: str) -> dict[str, Any]:
    """Counts behind a source page: per-year use, naming variants and forms, co-used sources, first/last year.

    Read from the effective lists and mentions: people's corrections count here as everywhere."""
    used_ids, mentioned_ids = effective_publications(source_id)
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


def source_counts() -> dict[str, dict[str, int]]:
    """Publications using / only mentioning each source, for the list page: computed once per state of the
    corpus (``corpus.listcache``), since every reader of the registry asks for the same figures."""
    from benefice.corpus import listcache

    return listcache.cached("source-counts", {}, _source_counts)


def _source_counts() -> dict[str, dict[str, int]]:
    # grouped by whole list in the database (a corpus has far fewer distinct lists than publications), as the
    # corpus facets do: reading every detection into Python took 0.6 s a page at 100,000 (issue 17)
    used: Counter[str] = Counter()
    mentioned: Counter[str] = Counter()
    for column, counter in (("sources_used", used), ("sources_mentioned", mentioned)):
        rows = PublicationDetection.objects.order_by().values(column).annotate(n=Count("pk"))
        for ids, n in rows.values_list(column, "n"):
            for sid in ids or []:
                counter[sid] += n
    return {sid: {"used": used[sid], "mentioned": mentioned[sid]} for sid in set(used) | set(mentioned)}


def mention_rows(source_id: str | None = None):
    qs = Mention.objects.select_related("publication").order_by("publication_id", "field", "start")
    if source_id:
        qs = qs.filter(source_id=source_id)
    return qs.annotate(n=Count("pk"))
