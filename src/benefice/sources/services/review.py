"""People's verdicts on detected sources, and what the publication page and the review queue show.

A verdict is recorded against the text the person saw and applied at once to every figure (``detection``); a
publication merged or deleted meanwhile is followed, and a verdict saved meanwhile by someone else is named.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from benefice.corpus.models import Publication
from benefice.corpus.services import merge_target
from benefice.errors import BeneficeError
from benefice.sources.corrections import (
    DEFAULT_THRESHOLD,
    MAX_EVIDENCE,
    SELECTABLE_FIELDS,
    VERDICTS,
    field_text,
    highlight_spans,
    locate,
)
from benefice.sources.models import Mention, PublicationDetection, Source, SourceCorrection
from benefice.sources.services.detection import (
    RECORD_FIELDS,
    SCAN_CHUNK,
    _correction_history,
    detection_record,
    reapply_corrections,
    scan_database,
)

__all__ = [
    "STATUS_ORDER",
    "CorrectionOutcome",
    "CorrectionRefused",
    "correction_examples",
    "ensure_detection",
    "follow_corrections",
    "next_review_item",
    "publication_sources",
    "record_correction",
    "resolve_publication",
    "review_remaining",
]


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

