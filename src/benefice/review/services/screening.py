"""What a screener is shown: the next record in the current ranking, and only the decisions blind
screening lets them see.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Exists, OuterRef, QuerySet

from benefice.review.models import (
    TITLE_ABSTRACT,
    RankingEntry,
    Review,
    ReviewRecord,
    ScreeningDecision,
    ScreeningRanking,
    Status,
)

# --- next record ---------------------------------------------------------------------------------------


def current_ranking(review: Review) -> ScreeningRanking | None:
    """The review's current ranking, read from the database once, or None.

    The background worker replaces the current ranking and deletes the old one while screeners read it, so
    ``review.current_ranking`` (a lazy read of an id taken earlier) may name a ranking that no longer exists.
    Here the id is read afresh with the ranking in one query; if the worker replaced it between the two
    reads, the newer one is read (and if that went too, None: the page then works without a ranking).
    """
    for _attempt in range(2):
        ranking_id = Review.objects.filter(pk=review.pk).values_list("current_ranking_id", flat=True).first()
        if ranking_id is None:
            return None
        ranking = ScreeningRanking.objects.filter(pk=ranking_id).first()
        if ranking is not None:
            return ranking
    return None


def next_record(
    review: Review,
    user,
    stage: str = TITLE_ABSTRACT,
    *,
    skip: Iterable[int] = (),
    ranking: ScreeningRanking | None | bool = False,
) -> ReviewRecord | None:
    """The record this user should screen next: the model's most relevant one they have not screened.

    Title/abstract: the walk follows the current ranking's positions (an index scan) and stops at the first
    record still awaiting decisions that this user has not decided; records added after the ranking was
    written (or beyond the ranking's written positions) come next, in the order they were added. Full text:
    records included at title/abstract, in the order added (the set is small; no model is needed there).
    ``skip``: records the user passed over for now (key n). ``ranking``: the ranking the caller read
    (:func:`current_ranking`); by default the review's. A ranking deleted meanwhile has no entries left, so
    the walk falls through to the records in the order added: never an error.
    """
    skip = list(skip)
    mine = ScreeningDecision.objects.filter(record=OuterRef("record"), stage=stage, reviewer=user)
    ranking_id = review.current_ranking_id if ranking is False else getattr(ranking, "pk", None)
    if stage == TITLE_ABSTRACT and ranking_id:
        record_id = (
            RankingEntry.objects.filter(ranking_id=ranking_id, record__ta_status=Status.PENDING)
            .filter(~Exists(mine))
            .exclude(record_id__in=skip)
            .order_by("position")
            .values_list("record_id", flat=True)
            .first()
        )
        if record_id is not None:
            return ReviewRecord.objects.get(pk=record_id)
    status_field = "ta_status" if stage == TITLE_ABSTRACT else "ft_status"
    mine_here = ScreeningDecision.objects.filter(record=OuterRef("pk"), stage=stage, reviewer=user)
    return (
        ReviewRecord.objects.filter(review=review, **{status_field: Status.PENDING})
        .filter(~Exists(mine_here))
        .exclude(pk__in=skip)
        .order_by("pk")
        .first()
    )


# --- what a user may see -------------------------------------------------------------------------------


def visible_decisions(record: ReviewRecord, user, stage: str) -> list[ScreeningDecision]:
    """Decisions on a record that this user may see: blind screening hides the others' until reconciled."""
    decisions = list(ScreeningDecision.objects.filter(record=record, stage=stage).select_related("reviewer"))
    status = record.status(stage)
    if not record.review.blind or status not in (Status.PENDING, Status.NONE):
        return decisions
    return [d for d in decisions if d.reviewer_id == user.pk]


def conflicts(review: Review, stage: str) -> QuerySet:
    """Records whose reviewers disagree, or that were marked "maybe", waiting for a resolution."""
    field = "ta_status" if stage == TITLE_ABSTRACT else "ft_status"
    return review.records.filter(**{f"{field}__in": (Status.CONFLICT, Status.MAYBE)}).order_by("pk")
