"""Progress, stopping aid, agreement and PRISMA counts are all read from the stored decisions, so they
agree with each other and with the exports.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from django.db import transaction
from django.db.models import Count

from benefice.review import agreement, prisma, stopping
from benefice.review.models import (
    EXCLUDE,
    FULL_TEXT,
    INCLUDE,
    TITLE_ABSTRACT,
    Resolution,
    Review,
    ScreeningDecision,
    Status,
)

# --- progress, stopping aid, agreement ----------------------------------------------------------------


def labels_in_order(review: Review) -> list[int]:
    """Title/abstract screening history as 0/1, by the time each record was first decided.

    A record counts as relevant (1) when anyone included it or marked it "maybe", or when it was resolved as
    included: counting the uncertain ones as relevant makes the recall estimate err on the safe side.
    """
    first: dict[int, object] = {}
    relevant: dict[int, int] = {}
    for record_id, value, created in (
        ScreeningDecision.objects.filter(record__review=review, stage=TITLE_ABSTRACT)
        .order_by("created_at", "pk")
        .values_list("record_id", "value", "created_at")
    ):
        first.setdefault(record_id, created)
        relevant[record_id] = max(relevant.get(record_id, 0), int(value != EXCLUDE))
    for record_id, value in Resolution.objects.filter(
        record__review=review, stage=TITLE_ABSTRACT
    ).values_list("record_id", "value"):
        if record_id in relevant:
            relevant[record_id] = int(value == INCLUDE)
    return [relevant[r] for r in first]


def consecutive_irrelevant(review: Review, user) -> int:
    """Records this user excluded in a row since their last include or maybe (title/abstract)."""
    mine = ScreeningDecision.objects.filter(record__review=review, stage=TITLE_ABSTRACT, reviewer=user)
    last_relevant = (
        mine.exclude(value=EXCLUDE).order_by("-created_at").values_list("created_at", flat=True).first()
    )
    if last_relevant is not None:
        mine = mine.filter(created_at__gt=last_relevant)
    return mine.count()


def stopping_aid(review: Review) -> dict:
    """Consecutive irrelevant records (project-wide) and estimated recall with its uncertainty."""
    return aid_from(labels_in_order(review), review.records.count())


def aid_from(labels: list[int], total: int) -> dict:
    """The stopping aid of a screening history: its counts, whether it may estimate recall yet (and what it
    lacks, :func:`benefice.review.stopping.readiness`), and the estimate once it may."""
    ready = stopping.readiness(labels, total)
    out = {
        "screened": len(labels),
        "total": total,
        "found": ready.relevant,
        "run": ready.since_relevant,
        "ready": ready.ready,
        "more_decisions": ready.more_decisions,
        "more_relevant": ready.more_relevant,
        "min_relevant": ready.min_relevant,
        "min_irrelevant": ready.min_irrelevant,
        "min_since_relevant": ready.min_since_relevant,
    }
    if labels and total and ready.ready:
        estimate = stopping.estimate_recall(labels, total)
        out.update(
            found=estimate.found,
            recall=estimate.recall,
            recall_low=estimate.recall_low,
            recall_high=estimate.recall_high,
            missing_estimate=estimate.missing_estimate,
            missing_max=estimate.missing_max,
            confidence=estimate.confidence,
        )
    return out


def screening_summary(review: Review) -> dict:
    """Everything the screening and overview pages count, read in one transaction, so that the counts they
    show agree: progress per status, the stopping aid and the recall curve all come from the same decisions
    (``labels_in_order``: one query) and the same status counts, and the aid's total is the progress's.

    Issue 19: the screening page showed the aid stored with the last ranking (written when the worker last
    retrained) beside live progress, so "3 records screened" could sit next to a fourth decision."""
    with transaction.atomic():  # one snapshot of the database for both reads
        labels = labels_in_order(review)
        counts = progress(review)
    aid = aid_from(labels, counts["total"])
    counts["screened"] = aid["screened"]
    return {"progress": counts, "aid": aid, "curve": stopping.recall_curve(labels, counts["total"])}


def status_counts(review: Review, field: str) -> Counter[str]:
    """Records per status of one stage, counted by the database (an index scan, not 100,000 rows)."""
    rows = review.records.order_by().values(field).annotate(n=Count("pk")).values_list(field, "n")
    return Counter({status: n for status, n in rows if status})


def progress(review: Review) -> dict:
    counts = status_counts(review, "ta_status")
    ft = status_counts(review, "ft_status")
    return {"ta": dict(counts), "ft": dict(ft), "total": sum(counts.values())}


def agreement_stats(review: Review) -> list[agreement.PairAgreement]:
    rows = ScreeningDecision.objects.filter(record__review=review).values_list(
        "stage", "record_id", "reviewer__username", "value"
    )
    return agreement.pairwise(rows)


# --- PRISMA ------------------------------------------------------------------------------------------


def prisma_counts(review: Review) -> prisma.PrismaCounts:
    """Counts for the PRISMA 2020 diagram, from the searches and the record statuses."""
    identified: Counter[str] = Counter()
    for database, n in review.searches.values_list("database", "records_identified"):
        identified[database] += n
    records = review.records
    n_records = records.count()
    ta = status_counts(review, "ta_status")
    ft = status_counts(review, "ft_status")
    reasons: Counter[str] = Counter()
    excluded_ft = records.filter(ft_status=Status.EXCLUDED)
    resolved = dict(
        Resolution.objects.filter(record__in=excluded_ft, stage=FULL_TEXT).values_list("record_id", "reasons")
    )
    given: dict[int, list[str]] = defaultdict(list)
    for record_id, rs in ScreeningDecision.objects.filter(record__in=excluded_ft, stage=FULL_TEXT).values_list(
        "record_id", "reasons"
    ):
        given[record_id].extend(rs)
    for record_id in excluded_ft.values_list("pk", flat=True):
        chosen = resolved.get(record_id) or list(dict.fromkeys(given.get(record_id, [])))
        reasons[chosen[0] if chosen else ""] += 1  # PRISMA counts each report once: its first reason
    screened = n_records - ta.get(Status.PENDING, 0)
    return prisma.PrismaCounts(
        identified=dict(identified),
        duplicates_removed=max(0, sum(identified.values()) - n_records),
        screened=screened,
        excluded_screening=ta.get(Status.EXCLUDED, 0),
        assessed=sum(n for s, n in ft.items() if s != Status.PENDING),
        excluded_reasons=dict(reasons),
        included=ft.get(Status.INCLUDED, 0),
        awaiting_screening=ta.get(Status.PENDING, 0) + ta.get(Status.CONFLICT, 0) + ta.get(Status.MAYBE, 0),
        awaiting_full_text=ft.get(Status.PENDING, 0) + ft.get(Status.CONFLICT, 0) + ft.get(Status.MAYBE, 0),
    )
