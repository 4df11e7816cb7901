"""What several review services share: retraining is asked for only once the change is committed, so a
crash while retraining cannot lose a decision.
"""

from __future__ import annotations

from django.db import transaction

from benefice.review import worker
from benefice.review.models import Review


def _schedule(review: Review) -> None:
    transaction.on_commit(lambda: worker.schedule(review.pk))
