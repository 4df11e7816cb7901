"""Progress, stopping aid, agreement and PRISMA counts are all read from the stored decisions, so they
agree with each other and with the exports.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict

from django.core.cache import cache
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


#: Reviews of at most this many records have their recall estimated in the request; above, the estimate is
#: the worker's (computed after each retraining, kept in the cache under its history) or, while the worker
#: is computing the newest, the one stored with the current ranking, said to be for fewer records.
#: The estimate's hypergeometric bound costs about a second on a pool of 100,000 records.
INLINE_ESTIMATE_TOTAL = 2000
_ESTIMATE_FIELDS = ("recall", "recall_low", "recall_high", "missing_estimate", "missing_max", "confidence")


def stopping_aid(review: Review) -> dict:
    """Consecutive irrelevant records (project-wide) and estimated recall with its uncertainty (computed
    here, whatever the size: the worker calls this after each retraining, and keeps it for the pages)."""
    return aid_from(labels_in_order(review), progress(review)["total"], compute=True)


def _history_key(labels: list[int], total: int) -> str:
    digest = hashlib.sha1(bytes(labels) + str(total).encode()).hexdigest()
    return f"review-recall:{digest}"


def _estimate(labels: list[int], total: int) -> dict:
    estimate = stopping.estimate_recall(labels, total)
    return {name: getattr(estimate, name) for name in _ESTIMATE_FIELDS}


def aid_from(labels: list[int], total: int, *, compute: bool | None = None, stored: dict | None = None) -> dict:
    """The stopping aid of a screening history: its counts, whether it may estimate recall yet (and what it
    lacks, :func:`benefice.review.stopping.readiness`), and the estimate once it may.

    The estimate of a given history is computed once and kept in the cache. ``compute``: compute it when
    missing (None: only for a review of at most ``INLINE_ESTIMATE_TOTAL`` records); when it is not computed,
    ``stored`` (the aid kept with the current ranking) gives the latest one, and ``estimate_screened`` says
    for how many records screened it was made."""
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
    if not (labels and total and ready.ready):
        return out
    key = _history_key(labels, total)
    estimate = cache.get(key)
    if estimate is None and (compute or (compute is None and total <= INLINE_ESTIMATE_TOTAL)):
        estimate = _estimate(labels, total)
        cache.set(key, estimate, timeout=7 * 24 * 3600)
    if estimate is not None:
        out.update(estimate, estimate_screened=len(labels))
    elif stored and stored.get("recall") is not None:
        out.update({name: stored.get(name) for name in _ESTIMATE_FIELDS}, estimate_screened=stored.get("screened"))
    return out


def screening_summary(review: Review, stored: dict | None = None) -> dict:
    """Everything the screening and overview pages count, read in one transaction, so that the counts they
    show agree: progress per status, the stopping aid and the recall curve all come from the same decisions
    (``labels_in_order``: one query) and the same status counts, and the aid's total is the progress's.
    ``stored``: the aid kept with the current ranking, the estimate shown while a newer one is computed.

    Issue 19: the screening page showed the aid stored with the last ranking (written when the worker last
    retrained) beside live progress, so "3 records screened" could sit next to a fourth decision."""
    with transaction.atomic():  # one snapshot of the database for both reads
        labels = labels_in_order(review)
        counts = progress(review)
    aid = aid_from(labels, counts["total"], stored=stored)
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
