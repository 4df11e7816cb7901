"""Kinds of use over the corpus: classify what detection scanned, apply people's corrections, follow merges,
and export. The CLI and the web call these; what the publication page and the review queue show is in
``uses.pages``, the retraining after people's corrections in ``uses.retraining``.

Same mechanisms as the sources app (``sources.services``): the machine's labels are stored apart
(``PublicationUses.detected``, ``probabilities``) and people's corrections are append-only rows
(``UseCorrection``) re-applied after every classification, so a person's choice is never overwritten;
``PublicationUses.categories`` / ``labels`` are the effective result every figure reads.

Classification is part of every scan: ``sources.services.scan_database`` classifies each chunk it scanned in
the chunk's own transaction (imports, harvests, the demo and ``benefice scan`` all go through it), a source
correction reclassifies its publication, and a plain ``benefice scan`` also reclassifies what an older
classifier version set (rules or model changed) without running detection again.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from benefice.corpus.models import Publication
from benefice.corpus.services import merge_target
from benefice.i18n import pick_text
from benefice.sources.services import RECORD_FIELDS, CorrectionRefused, detection_record
from benefice.uses.models import PublicationUses, UseCorrection

log = logging.getLogger(__name__)

CHUNK = 500
#: ``classifier_version`` of a publication whose text or sources changed since it was classified: no
#: classifier has that version, so the next classification (a scan) redoes it.
OUTDATED = "outdated"
#: how ``use_categories_method`` says a publication was never classified (no detection yet)
NOT_CLASSIFIED = "not classified"
#: ``use_categories_method`` of a publication classified with no kind of use (as ``benefice classify`` writes)
NO_KIND = "none"
RETRAIN_KIND = "retrain_uses"
DEFAULT_RETRAIN_EVERY = 20

Progress = Callable[[int, int | None], None]


# --- the typology in force ----------------------------------------------------------------------------------


def typology_categories() -> dict[str, Any]:
    """The categories of use of the typology in force (id -> ``typology.Category``)."""
    from benefice.uses.typology import load_typology

    return dict(load_typology().categories)


def category_name(category_id: str, lang: str = "fr", categories: dict[str, Any] | None = None) -> str:
    """The category's name in the UI language, or says it was removed from the typology (data is kept)."""
    categories = typology_categories() if categories is None else categories
    cat = categories.get(category_id)
    if cat is None:
        return _("category removed from the typology")
    return pick_text(cat.name, lang)


# --- classification over the corpus -------------------------------------------------------------------------


def current_classifier():
    """The classifier in force (shipped rules, and the model retrained from corrections once there is one)."""
    from benefice.uses.classify import default_classifier

    return default_classifier()


@dataclass
class ClassifyReport:
    classified: int = 0  # publications the classifier ran on
    skipped: int = 0  # already classified with the current version
    with_uses: int = 0  # of those classified, how many have at least one kind of use (effective)
    by_person: int = 0  # of those classified, how many keep a person's choice
    version: str = ""


def _person_labels(correction: UseCorrection) -> list[dict[str, Any]]:
    """The effective labels of a person's correction: method ``person``, main first, who and when."""
    who = correction.user.get_username() if correction.user_id and correction.user else ""
    evidence = [correction.evidence] if correction.evidence else []
    return [
        {
            "category": cid,
            "method": "person",
            "score": 1.0,
            "evidence": evidence,
            "main": k == 0,
            "by": who,
            "at": correction.created_at.isoformat() if correction.created_at else "",
            "correction": correction.pk,
        }
        for k, cid in enumerate(correction.categories)
    ]


def _latest_corrections(publication_ids: Iterable[int]) -> dict[int, UseCorrection]:
    latest: dict[int, UseCorrection] = {}
    for c in (
        UseCorrection.objects.filter(publication_id__in=list(publication_ids))
        .select_related("user")
        .order_by("pk")
    ):
        latest[c.publication_id] = c
    return latest


def _set_effective(row: PublicationUses, correction: UseCorrection | None) -> None:
    """Effective result: the person's latest set when there is one, else the machine's labels. The machine's
    ``review_margin`` stays stored either way; only an undecided machine result awaits review."""
    if correction is not None:
        row.categories = list(correction.categories)
        row.labels = _person_labels(correction)
        row.by_person = True
    else:
        row.labels = list(row.detected)
        row.categories = [lab["category"] for lab in row.detected]
        row.by_person = False
    row.awaiting_review = row.review_margin is not None and not row.by_person


EFFECTIVE_FIELDS = ["categories", "labels", "by_person", "awaiting_review", "review_margin"]
MACHINE_FIELDS = ["detected", "probabilities", "classifier_version", "computed_at"]


def _classify_chunk(classifier, version: str, chunk: list[int]) -> tuple[int, int, int]:
    from benefice.sources.models import PublicationDetection

    used = dict(
        PublicationDetection.objects.filter(publication_id__in=chunk).values_list(
            "publication_id", "sources_used"
        )
    )
    pubs = list(Publication.objects.filter(pk__in=list(used)).only(*RECORD_FIELDS).order_by("pk"))
    records = [detection_record(p) for p in pubs]
    results = classifier.classify_many(records, [list(used[p.pk] or []) for p in pubs])
    with transaction.atomic():
        existing = {
            u.publication_id: u
            for u in PublicationUses.objects.select_for_update().filter(
                publication_id__in=[p.pk for p in pubs]
            )
        }
        latest = _latest_corrections(existing.keys() | {p.pk for p in pubs})
        new, old = [], []
        with_uses = by_person = 0
        now = timezone.now()
        for pub, result in zip(pubs, results, strict=True):
            row = existing.get(pub.pk) or PublicationUses(publication_id=pub.pk)
            row.detected = [lab.to_dict() for lab in result.labels]
            row.probabilities = dict(result.probabilities)
            row.classifier_version = result.version or version
            row.review_margin = (
                (result.margin if result.margin is not None else 0.0) if result.review else None
            )
            row.computed_at = now
            _set_effective(row, latest.get(pub.pk))
            with_uses += bool(row.categories)
            by_person += row.by_person
            (old if row.pk else new).append(row)
        PublicationUses.objects.bulk_create(new)
        PublicationUses.objects.bulk_update(old, EFFECTIVE_FIELDS + MACHINE_FIELDS)
    return len(pubs), with_uses, by_person


def classify_publications(
    publication_ids: Iterable[int] | None = None,
    *,
    force: bool = False,
    progress: Progress | None = None,
    classifier=None,
) -> ClassifyReport:
    """Classify the kinds of use of publications that have a detection, from their effective sources.

    Publications already classified with the current classifier version are skipped unless ``force`` (or
    marked :data:`OUTDATED`); each chunk is read in bulk and committed on its own, so an interrupted run
    resumes where it stopped and a second run does nothing. People's latest corrections are applied on top:
    a person's choice is never overwritten. ``classifier`` defaults to ``classify.default_classifier()``
    (a scan passes the one it built once for all its chunks)."""
    from benefice.sources.models import PublicationDetection

    classifier = classifier if classifier is not None else current_classifier()
    version = classifier.version
    report = ClassifyReport(version=version)
    wanted = None if publication_ids is None else sorted(set(publication_ids))
    ids: list[int] = []
    parts = (
        [None] if wanted is None else [wanted[i : i + CHUNK * 10] for i in range(0, len(wanted), CHUNK * 10)]
    )
    for part in parts:
        qs = PublicationDetection.objects.all()
        if part is not None:
            qs = qs.filter(publication_id__in=part)
        everything = qs.count()
        if not force:
            qs = qs.exclude(publication__uses__classifier_version=version)
        found = list(qs.order_by("publication_id").values_list("publication_id", flat=True))
        report.skipped += everything - len(found)
        ids.extend(found)
    for start in range(0, len(ids), CHUNK):
        n, with_uses, by_person = _classify_chunk(classifier, version, ids[start : start + CHUNK])
        report.classified += n
        report.with_uses += with_uses
        report.by_person += by_person
        if progress:
            progress(report.classified, len(ids))
    return report


def mark_outdated(publication_ids: Iterable[int]) -> None:
    """The text or the sources of these publications changed: the next scan classifies them again."""
    ids = list(publication_ids)
    if ids:
        PublicationUses.objects.filter(publication_id__in=ids).update(classifier_version=OUTDATED)


def apply_corrections(publication_ids: Iterable[int]) -> int:
    """Recompute the effective kinds of use of these publications from their stored machine labels and the
    latest correction (after a correction, or a merge that moved some). Returns how many rows changed."""
    ids = sorted(set(publication_ids))
    done = 0
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        with transaction.atomic():
            rows = list(PublicationUses.objects.select_for_update().filter(publication_id__in=chunk))
            latest = _latest_corrections(chunk)
            for row in rows:
                _set_effective(row, latest.get(row.publication_id))
            PublicationUses.objects.bulk_update(rows, EFFECTIVE_FIELDS)
            done += len(rows)
    return done


def removed_categories() -> dict[str, int]:
    """Category ids stored (effective kinds of use or people's corrections) that the typology in force no
    longer has, with how many publications hold each: nothing is deleted, this says what to look at."""
    known = set(typology_categories())
    counts: Counter[str] = Counter()
    for cats in PublicationUses.objects.values_list("categories", flat=True).iterator(chunk_size=2000):
        for c in set(cats or []) - known:
            counts[c] += 1
    for cats in UseCorrection.objects.values_list("categories", flat=True):
        for c in set(cats or []) - known:
            counts.setdefault(c, 0)
    return dict(sorted(counts.items()))


# --- people's corrections -----------------------------------------------------------------------------------


@dataclass
class UseCorrectionOutcome:
    correction: UseCorrection
    publication: Publication
    followed_from: int | None = None  # the merged publication the person was looking at
    overridden: list[UseCorrection] = field(default_factory=list)  # others' corrections saved meanwhile
    retrain_job: str | None = None  # id of the retraining job this correction started, if any


def validate_categories(categories: Sequence[str], *, field_name: str = "categories") -> list[str]:
    """Typology ids, main first: each in the typology in force, no duplicate. The message names the field."""
    if isinstance(categories, str):
        categories = [categories]
    known = typology_categories()
    out: list[str] = []
    for raw in categories:
        cid = str(raw).strip()
        if not cid:
            continue
        if cid not in known:
            raise CorrectionRefused(
                _(
                    "%(field)s: unknown category of use “%(id)s” (not in the typology in force, version "
                    "%(version)s). Choose categories from the list."
                )
                % {"field": field_name, "id": cid, "version": _typology_version()},
                field=field_name,
            )
        if cid in out:
            raise CorrectionRefused(
                _("%(field)s: “%(id)s” is given twice; give each category once, the main one first.")
                % {"field": field_name, "id": cid},
                field=field_name,
            )
        out.append(cid)
    return out


def _typology_version() -> str:
    from benefice.uses.typology import load_typology

    return load_typology().version


def _resolve(publication: Publication | int, raw_record_ids: Sequence[int]) -> tuple[Publication, int | None]:
    from benefice.sources.services import resolve_publication

    pk = publication.pk if isinstance(publication, Publication) else int(publication)
    return resolve_publication(pk, list(raw_record_ids))


def record_use_correction(
    publication: Publication | int,
    categories: Sequence[str],
    *,
    user=None,
    note: str = "",
    evidence: str = "",
    seen: int | None = None,
    raw_record_ids: Sequence[int] = (),
    retrain: bool = True,
) -> UseCorrectionOutcome:
    """Record a person's kinds of use of one publication (the whole set, main first; ``[]``: no kind of use)
    and apply it at once to every figure.

    ``seen`` is the newest correction id of that publication the person's page showed: a correction saved
    since by someone else is kept in the history with this one marked ``concurrent_with`` it (the later
    wins), and the outcome names it. A publication merged meanwhile is followed to the one that absorbed its
    records (``raw_record_ids``: the records the page showed). Raises ``CorrectionRefused`` with a message
    for the person. After every ``USES_RETRAIN_EVERY`` corrections the model is retrained in the background.
    """
    cats = validate_categories(categories)
    if len(note) > 2000 or len(evidence) > 2000:
        raise CorrectionRefused(_("The note and the evidence are limited to 2,000 characters each."))
    pub, followed_from = _resolve(publication, raw_record_ids)
    from benefice.sources.services import ensure_detection

    ensure_detection(pub)  # a publication never scanned is scanned (and classified) first
    requested_pk = publication.pk if isinstance(publication, Publication) else int(publication)
    with transaction.atomic():
        Publication.objects.select_for_update().filter(pk=pub.pk).first()
        history = UseCorrection.objects.filter(publication=pub)
        overridden: list[UseCorrection] = []
        if seen is not None and followed_from is None:
            later = history.filter(pk__gt=seen)
            if user is not None and getattr(user, "pk", None):
                later = later.exclude(user=user)
            overridden = list(later.select_related("user").order_by("pk"))
        correction = UseCorrection.objects.create(
            publication=pub,
            publication_ref=requested_pk,
            raw_record_ids=sorted(pub.raw_records.values_list("pk", flat=True)),
            categories=cats,
            note=(note or "").strip(),
            evidence=(evidence or "").strip(),
            user=user if getattr(user, "is_authenticated", False) else None,
            concurrent_with=overridden[-1] if overridden else None,
        )
    if not PublicationUses.objects.filter(publication=pub).exists():
        classify_publications([pub.pk])
    apply_corrections([pub.pk])
    from benefice.uses.retraining import maybe_retrain  # retraining calls this module's classification

    job = maybe_retrain(user=user) if retrain else None
    return UseCorrectionOutcome(correction, pub, followed_from, overridden, job)


def follow_use_corrections(publication_id: int) -> None:
    """Before a publication is deleted: move its kind-of-use corrections to the publication that now holds the
    raw records it had when they were made (what a merge does), or detach them (``publication_ref`` keeps
    the id). Never deletes one."""
    rows = list(UseCorrection.objects.filter(publication_id=publication_id))
    if not rows:
        return
    target = merge_target((r for c in rows for r in c.raw_record_ids), exclude=publication_id)
    corrections = UseCorrection.objects.filter(publication_id=publication_id)
    if target is not None:
        corrections.update(publication_id=target)
        if PublicationUses.objects.filter(publication_id=target).exists():
            apply_corrections([target])
        else:
            classify_publications([target])
    else:
        corrections.update(publication=None)


def use_history(pub: Publication) -> list[UseCorrection]:
    """Every correction of a publication's kinds of use, newest first (moved here by merges included)."""
    return list(
        UseCorrection.objects.filter(publication=pub)
        .select_related("user", "concurrent_with", "concurrent_with__user")
        .order_by("-pk")
    )


def use_correction_examples(
    publication_ids: Iterable[int] | None = None,
) -> Iterator[tuple[dict[str, Any], list[str], list[str]]]:
    """Training examples from people's corrections: ``(record, sources_used, categories)`` per corrected
    publication, the latest correction, main first (``[]``: no kind of use). ``record`` has the export's
    fields, ``sources_used`` the effective list. A correction naming a category the typology no longer has
    is left out (it is kept in the database): teaching "no category" instead would be wrong."""
    from benefice.sources.models import PublicationDetection

    known = set(typology_categories())
    qs = UseCorrection.objects.filter(publication__isnull=False)
    if publication_ids is not None:
        qs = qs.filter(publication_id__in=list(publication_ids))
    ids = sorted(set(qs.values_list("publication_id", flat=True)))
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        latest = {pid: c.categories for pid, c in _latest_corrections(chunk).items()}
        used = dict(
            PublicationDetection.objects.filter(publication_id__in=chunk).values_list(
                "publication_id", "sources_used"
            )
        )
        for pub in Publication.objects.filter(pk__in=chunk).only(*RECORD_FIELDS).order_by("pk"):
            cats = list(latest.get(pub.pk, []))
            if any(c not in known for c in cats):
                continue
            yield detection_record(pub), list(used.get(pub.pk) or []), cats


# --- export -------------------------------------------------------------------------------------------------


def export_method(by_person: bool | None, labels: Sequence[dict[str, Any]] | None) -> str:
    """``use_categories_method`` of one publication from its stored row (None: never classified)."""
    if by_person is None:
        return NOT_CLASSIFIED
    if by_person:
        return "person"
    if labels:
        return str(labels[0].get("method") or "rule")
    return NO_KIND  # classified, and the machine found no kind of use (e.g. no French source used)
