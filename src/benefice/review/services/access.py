"""Who may see, screen or lead a review: membership of the review, or the admin role.
"""

from __future__ import annotations

from django.db.models import QuerySet

from benefice.core.roles import is_admin
from benefice.review.models import Member, Review

# --- access ------------------------------------------------------------------------------------------------


def membership(review: Review, user) -> Member | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return Member.objects.filter(review=review, user=user).first()


def can_view(review: Review, user) -> bool:
    return is_admin(user) or membership(review, user) is not None


def is_lead(review: Review, user) -> bool:
    m = membership(review, user)
    return is_admin(user) or (m is not None and m.role == Member.LEAD)


def can_screen(review: Review, user) -> bool:
    return membership(review, user) is not None


def reviews_for(user) -> QuerySet:
    qs = Review.objects.all()
    return qs if is_admin(user) else qs.filter(members__user=user)
