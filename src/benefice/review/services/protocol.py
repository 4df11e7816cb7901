"""The protocol (title, questions, criteria, members) is audited as one snapshot, so its history reads as
whole versions.
"""

from __future__ import annotations

from django.db import transaction

from benefice.core.models import audit
from benefice.review.models import DEFAULT_REASONS, Member, Review
from benefice.review.services.decisions import refresh_status

# --- protocol ------------------------------------------------------------------------------------------


def parse_lines(text: str) -> list[str]:
    """One item per non-empty line (or comma for keywords), trimmed, duplicates dropped, order kept."""
    seen: dict[str, None] = {}
    for line in (text or "").replace("\r", "").split("\n"):
        item = " ".join(line.split())
        if item:
            seen.setdefault(item, None)
    return list(seen)


def parse_tags(text: str) -> list[str]:
    seen: dict[str, None] = {}
    for part in (text or "").replace("\n", ",").split(","):
        item = " ".join(part.split())[:60]
        if item:
            seen.setdefault(item, None)
    return list(seen)


def _snapshot(review: Review) -> dict:
    return {
        f: getattr(review, f)
        for f in (
            "title",
            "question",
            "inclusion_criteria",
            "exclusion_criteria",
            "exclusion_reasons",
            "keywords",
            "reviewers_per_record",
            "blind",
            "model_name",
            "retrain_every",
        )
    }


@transaction.atomic
def create_review(title: str, user, **fields) -> Review:
    fields.setdefault("exclusion_reasons", [str(reason) for reason in DEFAULT_REASONS])
    review = Review.objects.create(title=title, created_by=user, **fields)
    Member.objects.create(review=review, user=user, role=Member.LEAD)
    audit("create", "review.Review", review.pk, after=_snapshot(review), user=user)
    return review


@transaction.atomic
def update_review(review: Review, user, **fields) -> Review:
    before = _snapshot(review)
    for name, value in fields.items():
        setattr(review, name, value)
    review.save()
    if "reviewers_per_record" in fields and fields["reviewers_per_record"] != before["reviewers_per_record"]:
        for record in review.records.all().iterator():
            refresh_status(record)
    audit("update", "review.Review", review.pk, before=before, after=_snapshot(review), user=user)
    return review


@transaction.atomic
def set_member(review: Review, user, role: str, by) -> Member:
    member, _ = Member.objects.update_or_create(review=review, user=user, defaults={"role": role})
    audit("member", "review.Review", review.pk, after={"user": user.username, "role": role}, user=by)
    return member
