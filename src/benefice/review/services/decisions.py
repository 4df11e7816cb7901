"""A record's status is derived from its decisions and resolutions, never set by hand, so it cannot
disagree with them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db import transaction

from benefice.core.models import audit
from benefice.errors import BeneficeError
from benefice.i18n import gettext_noop
from benefice.review.models import (
    EXCLUDE,
    FULL_TEXT,
    INCLUDE,
    MAYBE,
    TITLE_ABSTRACT,
    DecisionChange,
    Resolution,
    Review,
    ReviewRecord,
    ScreeningDecision,
    Status,
)
from benefice.review.services._shared import _schedule
from benefice.review.services.access import can_screen, is_lead

STAGE_CODES = (TITLE_ABSTRACT, FULL_TEXT)
DECISION_VALUES = (INCLUDE, EXCLUDE, MAYBE)
_STATUS_OF = {INCLUDE: Status.INCLUDED, EXCLUDE: Status.EXCLUDED, MAYBE: Status.MAYBE}


# --- decisions -----------------------------------------------------------------------------------------


def refresh_status(record: ReviewRecord) -> None:
    """Recompute both stage statuses of a record from its decisions and resolutions."""
    review = record.review
    required = max(1, review.reviewers_per_record)
    values: dict[str, list[str]] = defaultdict(list)
    for stage, value in ScreeningDecision.objects.filter(record=record).values_list("stage", "value"):
        values[stage].append(value)
    resolved = dict(Resolution.objects.filter(record=record).values_list("stage", "value"))

    def status(stage: str) -> str:
        if stage in resolved:
            return _STATUS_OF[resolved[stage]]
        given = values.get(stage, [])
        if len(given) < required:
            return Status.PENDING
        distinct = set(given)
        return _STATUS_OF[given[0]] if len(distinct) == 1 else Status.CONFLICT

    ta = status(TITLE_ABSTRACT)
    ft = status(FULL_TEXT) if ta == Status.INCLUDED else Status.NONE
    if (ta, ft) != (record.ta_status, record.ft_status):
        record.ta_status, record.ft_status = ta, ft
        ReviewRecord.objects.filter(pk=record.pk).update(ta_status=ta, ft_status=ft)


def _check(review: Review, stage: str, value: str, reasons: list[str], *, resolution: bool = False) -> None:
    if stage not in STAGE_CODES:
        raise BeneficeError(gettext_noop("unknown stage %(stage)r"), params={"stage": stage}, field="stage")
    allowed = (INCLUDE, EXCLUDE) if resolution else DECISION_VALUES
    if value not in allowed:
        raise BeneficeError(
            gettext_noop("unknown decision %(value)r (choose %(allowed)s)"),
            params={"value": value, "allowed": ", ".join(allowed)},
            field="value",
        )
    unknown = [r for r in reasons if r not in review.exclusion_reasons]
    if unknown:
        raise BeneficeError(
            gettext_noop("unknown exclusion reason(s): %(reasons)s"),
            params={"reasons": ", ".join(unknown)},
            field="reasons",
        )
    if reasons and value != EXCLUDE:
        raise BeneficeError(gettext_noop("exclusion reasons go with an exclude decision only"), field="reasons")


def decide(
    record: ReviewRecord,
    user,
    stage: str,
    value: str,
    *,
    reasons: Iterable[str] = (),
    note: str = "",
    tags: Iterable[str] = (),
) -> ScreeningDecision:
    """Make or change the user's decision on a record; the change is appended to the history."""
    review = record.review
    reasons, tags = list(reasons), list(tags)
    _check(review, stage, value, reasons)
    if not can_screen(review, user):
        raise BeneficeError(gettext_noop("you are not a member of this review"))
    with transaction.atomic():
        record = ReviewRecord.objects.select_for_update().get(pk=record.pk)
        record.review = review
        if stage == FULL_TEXT and record.ta_status != Status.INCLUDED:
            raise BeneficeError(
                gettext_noop("this record was not included at the title/abstract stage"), field="stage"
            )
        decision, created = ScreeningDecision.objects.get_or_create(
            record=record,
            stage=stage,
            reviewer=user,
            defaults={"value": value, "reasons": reasons, "note": note, "tags": tags},
        )
        if not created:
            if (decision.value, decision.reasons, decision.note, decision.tags) == (
                value,
                reasons,
                note,
                tags,
            ):
                return decision
            decision.value, decision.reasons, decision.note, decision.tags = value, reasons, note, tags
            decision.save()
        DecisionChange.objects.create(
            decision=decision, value=value, reasons=reasons, note=note, tags=tags, changed_by=user
        )
        refresh_status(record)
    if stage == TITLE_ABSTRACT:
        _schedule(review)
    return decision


def resolve(
    record: ReviewRecord, user, stage: str, value: str, *, reasons: Iterable[str] = (), note: str = ""
) -> Resolution:
    """Reconcile a conflict (or a "maybe"): only a lead of the review may do it."""
    review = record.review
    reasons = list(reasons)
    _check(review, stage, value, reasons, resolution=True)
    if not is_lead(review, user):
        raise BeneficeError(gettext_noop("only a lead of the review can resolve conflicts"))
    with transaction.atomic():
        record = ReviewRecord.objects.select_for_update().get(pk=record.pk)
        record.review = review
        before = (
            Resolution.objects.filter(record=record, stage=stage).values("value", "reasons", "note").first()
        )
        resolution, _ = Resolution.objects.update_or_create(
            record=record,
            stage=stage,
            defaults={"value": value, "reasons": reasons, "note": note, "resolved_by": user},
        )
        refresh_status(record)
        audit(
            "resolve",
            "review.ReviewRecord",
            record.pk,
            before=before,
            after={"stage": stage, "value": value, "reasons": reasons, "note": note},
            user=user,
        )
    if stage == TITLE_ABSTRACT:
        _schedule(review)
    return resolution
