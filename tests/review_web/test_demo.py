"""The demo review: built over the demo corpus, screened in part (in progress), and loading it twice changes
nothing."""

from __future__ import annotations

from benefice.core.roles import ADMIN
from benefice.core.users import ensure_user
from benefice.corpus.services import import_file, scan_batch
from benefice.paths import package_data
from benefice.review import demo
from benefice.review.models import Review, ScreeningDecision
from benefice.review.services import reporting
from benefice.sources.services import sync_registry

FAMILY = demo.snds_family(
    [("SNDS", ""), ("SNIIRAM", "SNDS"), ("DCIR", "SNIIRAM"), ("PMSI", "SNDS"), ("CPRD", "")]
)
FRENCH = frozenset({"SNDS", "SNIIRAM", "DCIR", "PMSI", "CONSTANCES"})


def test_snds_family_follows_parent_links_down() -> None:
    assert frozenset({"SNDS", "SNIIRAM", "DCIR", "PMSI"}) == FAMILY


def test_demo_decision_rule() -> None:
    product = ["pharmacovigilance_drug_safety"]
    assert demo.demo_decision(["DCIR"], [], product, FAMILY, FRENCH) == ("include", [], "")
    assert demo.demo_decision(["PMSI"], [], ["crisis_surveillance"], FAMILY, FRENCH)[:2] == (
        "exclude",
        [demo.R_NOT_PRODUCT],
    )
    assert demo.demo_decision([], ["SNDS"], [], FAMILY, FRENCH) == ("maybe", [], demo.MAYBE_NOTE)
    assert demo.demo_decision(["CONSTANCES"], [], product, FAMILY, FRENCH)[1] == [demo.R_OTHER_FRENCH]
    assert demo.demo_decision(["CPRD"], [], product, FAMILY, FRENCH)[1] == [demo.R_FOREIGN]
    assert demo.demo_decision([], [], [], FAMILY, FRENCH)[1] == [demo.R_NO_DATABASE]


def test_demo_review_is_in_progress_and_idempotent(db) -> None:
    ensure_user("demo", "demo", ADMIN, superuser=True)
    sync_registry()
    scan_batch(import_file(package_data("demo", "corpus.ris"), kind="demo"))
    said: list[str] = []
    demo.load_demo(said.append)
    review = Review.objects.get(title=demo.DEMO_TITLE)
    assert review.current_ranking is not None
    assert review.members.get().user.username == "demo"
    decisions = ScreeningDecision.objects.filter(record__review=review)
    values = set(decisions.values_list("value", flat=True))
    assert values == {"include", "exclude", "maybe"}
    for decision in decisions:  # an exclusion always says why, with a reason of the protocol
        assert (decision.value == "exclude") == bool(decision.reasons)
        assert set(decision.reasons) <= set(review.exclusion_reasons) == set(demo.REASONS)
    progress = reporting.progress(review)
    assert progress["total"] == review.records.count() == 173  # every record, those without a year too
    assert demo.MIN_SCREENED <= decisions.count() <= progress["total"] * demo.MAX_SHARE
    assert progress["ta"]["pending"] == progress["total"] - decisions.count() > 0  # some left to screen
    aid = reporting.stopping_aid(review)
    assert aid["screened"] == decisions.count()
    assert "recall" in aid  # the demo screened long enough for the stopping aid to estimate recall
    assert f"{decisions.count()} decided, {progress['ta']['pending']} left" in said[-1]
    demo.load_demo(said.append)
    assert Review.objects.count() == 1 and "already loaded" in said[-1]
    assert ScreeningDecision.objects.filter(record__review=review).count() == decisions.count()
