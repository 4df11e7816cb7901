"""The demo review: built over the demo corpus, with a ranking, and loading it twice changes nothing."""

from __future__ import annotations

from benefice.core.roles import ADMIN
from benefice.core.users import ensure_user
from benefice.corpus.services import import_file
from benefice.paths import package_data
from benefice.review import demo
from benefice.review.models import Review


def test_demo_review_is_idempotent(db) -> None:
    ensure_user("demo", "demo", ADMIN, superuser=True)
    import_file(package_data("demo", "corpus.ris"), kind="demo")
    said: list[str] = []
    demo.load_demo(said.append)
    review = Review.objects.get(title=demo.DEMO_TITLE)
    assert review.records.count() > 0 and review.current_ranking is not None
    assert review.members.get().user.username == "demo"
    demo.load_demo(said.append)
    assert Review.objects.count() == 1 and "already loaded" in said[-1]
