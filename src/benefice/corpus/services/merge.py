"""Merges are reversible: every raw record is kept, so a publication can always be rebuilt from its records
and a merge undone.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from benefice.corpus import dedup
from benefice.corpus.dedup import reasons
from benefice.corpus.models import MergeEvent, Publication, RawRecord
from benefice.corpus.services._shared import Progress
from benefice.corpus.services.index import reindex_publications
from benefice.corpus.services.records import (
    MERGEABLE_FIELDS,
    apply_record,
    build_search_text,
    publication_to_record,
    record_from_parsed,
)
from benefice.errors import BeneficeError
from benefice.i18n import gettext_noop


def merge_target(raw_record_ids: Iterable[int], *, exclude: int | None = None) -> int | None:
    """The one publication that now holds these raw records (where a merge moved them), or None when they
    are spread over several or none. What people's corrections follow when the publication they were made on
    is merged or deleted: a correction records the raw records its publication had."""
    targets = set(
        RawRecord.objects.filter(pk__in=[int(r) for r in raw_record_ids], publication__isnull=False)
        .exclude(publication_id=exclude)
        .values_list("publication_id", flat=True)
    )
    return targets.pop() if len(targets) == 1 else None


# --- deduplication of the stored corpus ------------------------------------------------------------------


def dedup_corpus(*, user=None, progress: Progress | None = None) -> int:
    """Merge publications that are duplicates of each other; returns the number of merges made."""
    pubs = {str(p.pk): p for p in Publication.objects.all()}
    groups = dedup.duplicate_groups(
        {"id": pid, **dedup.from_record(publication_to_record(p))} for pid, p in pubs.items()
    )
    merges = 0
    with transaction.atomic():
        for n, group in enumerate(groups, 1):
            ids = sorted(int(i) for i in group)
            target = pubs[str(ids[0])]
            for other_id in ids[1:]:
                merge_publications(
                    target,
                    pubs[str(other_id)],
                    user=user,
                    method=MergeEvent.Method.FUZZY,
                    reason=reasons.CORPUS_DEDUPLICATION,
                )
                merges += 1
            if progress:
                progress(n, len(groups))
    return merges


def merge_publications(
    target: Publication,
    other: Publication,
    *,
    user=None,
    method: str = "manual",
    reason: str = "",
    score: float | None = None,
) -> None:
    """Move every raw record of ``other`` into ``target`` and delete the emptied ``other``."""
    with transaction.atomic():
        for raw in other.raw_records.all():
            raw.publication = target
            raw.save(update_fields=["publication"])
            MergeEvent.objects.create(
                publication=target,
                raw_record=raw,
                method=method,
                score=score,
                reason=reason,
                reason_data=reasons.to_data(reasons.parse(reason) or ()),
                created_by=user,
            )
        other.merge_events.all().delete()
        other.delete()
        rebuild_publication(target)


def rebuild_publication(pub: Publication) -> None:
    """Recompute every field from the publication's raw records, oldest first."""
    for field in MERGEABLE_FIELDS:
        setattr(pub, field, Publication._meta.get_field(field).get_default())
    pub.field_sources = {}
    for raw in pub.raw_records.order_by("pk"):
        apply_record(pub, record_from_parsed(raw.parsed), raw.pk)
    pub.search_text = build_search_text(pub)
    pub.save()
    reindex_publications([pub])


def undo_merge(event: MergeEvent, *, user=None) -> Publication:
    """Split the event's raw record back out into a publication of its own."""
    if event.undone_at:
        raise BeneficeError(gettext_noop("merge %(id)s was already undone"), params={"id": event.pk})
    with transaction.atomic():
        raw = event.raw_record
        source = event.publication
        if source.raw_records.count() < 2:
            raise BeneficeError(
                gettext_noop("merge %(id)s: the publication has no other record to keep"), params={"id": event.pk}
            )
        new = Publication()
        apply_record(new, record_from_parsed(raw.parsed), raw.pk)
        new.save()
        reindex_publications([new])
        raw.publication = new
        raw.save(update_fields=["publication"])
        rebuild_publication(source)
        event.undone_at = timezone.now()
        event.undone_by = user
        event.split_into = new
        event.save()
    return new
