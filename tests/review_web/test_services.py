"""Screening services: decisions and their history, blind double screening, conflicts, next record from the
model's ranking, crash-safe retraining, file import with duplicates, PRISMA counts and exports."""

from __future__ import annotations

import csv
import io

import pytest

from benefice.errors import BeneficeError
from benefice.review import services, worker
from benefice.review.models import (
    EXCLUDE,
    DecisionChange,
    Member,
    Review,
    ReviewRecord,
    ScreeningDecision,
    Search,
    Status,
)

RIS = """TY  - JOUR
TI  - Valproate exposure during pregnancy: a nationwide SNDS cohort
AU  - Martin, Anne
PY  - 2019
AB  - We used the SNDS to follow pregnancies exposed to valproate.
DO  - 10.1000/valproate.1
ER  -

TY  - JOUR
TI  - Valproate exposure during pregnancy: a nationwide SNDS cohort
AU  - Martin, A.
PY  - 2019
AB  - We used the SNDS to follow pregnancies exposed to valproate.
DO  - 10.1000/VALPROATE.1
ER  -

TY  - JOUR
TI  - Crystal growth of paracetamol at low temperature
AU  - Durand, Paul
PY  - 2018
DO  - 10.1000/crystal.2
ER  -
""".replace("ER  -", "ER  - ")  # RIS ends records with "ER  - "


def test_decision_change_keeps_history(review, people) -> None:
    record = services.next_record(review, people["alice"])
    services.decide(
        record, people["alice"], "ta", "exclude", reasons=[review.exclusion_reasons[0]], note="n1"
    )
    services.decide(record, people["alice"], "ta", "include", tags=["SNDS", "cohort"])
    services.decide(record, people["alice"], "ta", "include", tags=["SNDS", "cohort"])  # no change: no entry
    decision = ScreeningDecision.objects.get(record=record, reviewer=people["alice"])
    assert (decision.value, decision.reasons, decision.tags) == ("include", [], ["SNDS", "cohort"])
    history = list(DecisionChange.objects.filter(decision=decision).values_list("value", "reasons", "note"))
    assert history == [("exclude", [review.exclusion_reasons[0]], "n1"), ("include", [], "")]
    record.refresh_from_db()
    assert record.ta_status == Status.INCLUDED and record.ft_status == Status.PENDING


@pytest.mark.parametrize(
    ("value", "reasons", "field"),
    [
        ("drop", [], "value"),
        ("exclude", ["not a reason of this review"], "reasons"),
        ("include", None, "reasons"),
    ],
)
def test_bad_decisions_are_refused_and_nothing_written(review, people, value, reasons, field) -> None:
    record = review.records.first()
    reasons = [review.exclusion_reasons[0]] if reasons is None else reasons
    with pytest.raises(BeneficeError) as err:
        services.decide(record, people["alice"], "ta", value, reasons=reasons)
    assert err.value.field == field
    assert not ScreeningDecision.objects.exists() and not DecisionChange.objects.exists()


def test_outsider_cannot_decide_and_full_text_needs_inclusion(review, people) -> None:
    record = review.records.first()
    with pytest.raises(BeneficeError):
        services.decide(record, people["outsider"], "ta", "include")
    with pytest.raises(BeneficeError, match="not included"):
        services.decide(record, people["alice"], "ft", "include")


def test_blind_double_screening_conflict_and_resolution(review, people) -> None:
    services.update_review(review, people["lead"], reviewers_per_record=2)
    alice, bob, lead = people["alice"], people["bob"], people["lead"]
    record = services.next_record(review, alice)
    services.decide(record, alice, "ta", "include")
    record.refresh_from_db()
    assert record.ta_status == Status.PENDING  # one of two reviewers
    # blind: bob does not see alice's decision, alice sees only hers
    assert services.visible_decisions(record, bob, "ta") == []
    assert [d.reviewer for d in services.visible_decisions(record, alice, "ta")] == [alice]
    # bob is still offered the record (it needs his decision)
    offered = set()
    while (r := services.next_record(review, bob, skip=offered)) is not None:
        offered.add(r.pk)
    assert record.pk in offered
    services.decide(record, bob, "ta", "exclude", reasons=[review.exclusion_reasons[1]])
    record.refresh_from_db()
    assert record.ta_status == Status.CONFLICT
    assert list(services.conflicts(review, "ta")) == [record]
    assert len(services.visible_decisions(record, bob, "ta")) == 2  # complete: the conflict is shown
    with pytest.raises(BeneficeError, match="lead"):
        services.resolve(record, bob, "ta", "include")
    services.resolve(record, lead, "ta", "include", note="population fits")
    record.refresh_from_db()
    assert (record.ta_status, record.ft_status) == (Status.INCLUDED, Status.PENDING)
    assert not services.conflicts(review, "ta").exists()
    # a third member does not get records already decided by two reviewers
    carol = people["outsider"]
    services.set_member(review, carol, Member.REVIEWER, lead)
    seen = set()
    while (r := services.next_record(review, carol, skip=seen)) is not None:
        seen.add(r.pk)
    assert record.pk not in seen


def test_agreement_per_pair(review, people) -> None:
    services.update_review(review, people["lead"], reviewers_per_record=2)
    records = list(review.records.order_by("pk")[:6])
    a = ["include", "include", "exclude", "exclude", "exclude", "maybe"]
    b = ["include", "exclude", "exclude", "exclude", "maybe", "maybe"]
    for record, va, vb in zip(records, a, b, strict=True):
        services.decide(record, people["alice"], "ta", va)
        services.decide(record, people["bob"], "ta", vb)
    from sklearn.metrics import cohen_kappa_score

    [pair] = services.agreement_stats(review)
    assert (pair.rater_a, pair.rater_b, pair.n) == ("alice", "bob", 6)
    assert pair.agreement == pytest.approx(4 / 6)
    assert pair.kappa == pytest.approx(cohen_kappa_score(a, b))


def test_next_record_follows_the_model(review, people) -> None:
    alice = people["alice"]
    relevant = review.records.filter(title__startswith="Nationwide").order_by("pk")
    irrelevant = review.records.filter(title__startswith="Laboratory").order_by("pk")
    services.decide(relevant[0], alice, "ta", "include")
    services.decide(irrelevant[0], alice, "ta", "exclude")
    review.refresh_from_db()
    ranking = review.current_ranking
    assert ranking is not None and ranking.trained_on == 2
    # every remaining relevant record comes before any irrelevant one
    shown = []
    for _ in range(7):
        record = services.next_record(review, alice)
        shown.append(record.title.split()[0])
        services.decide(record, alice, "ta", "include")
    assert shown == ["Nationwide"] * 7
    review.refresh_from_db()
    assert review.current_ranking.stats["screened"] == 9


def test_retraining_crash_loses_no_decision(review, people, monkeypatch) -> None:
    alice = people["alice"]
    first = services.next_record(review, alice)
    services.decide(first, alice, "ta", "include")
    review.refresh_from_db()
    before = review.current_ranking_id

    def broken(*args, **kwargs):
        raise RuntimeError("model exploded")

    monkeypatch.setattr(worker.Screener, "retrain", broken)
    second = services.next_record(review, alice)
    services.decide(second, alice, "ta", "exclude")  # the retraining task fails; the decision stands
    review.refresh_from_db()
    assert ScreeningDecision.objects.filter(record=second, reviewer=alice, value="exclude").exists()
    assert review.current_ranking_id == before
    assert "model exploded" in review.ranking_error
    assert services.next_record(review, alice) not in (first, second)


def test_import_file_hides_duplicates_and_counts_them(people, tmp_path) -> None:
    review = services.create_review("Import", people["lead"])
    search, added = services.import_for_review(
        review,
        people["lead"],
        filename="pubmed.ris",
        content=RIS.encode(),
        database="PubMed",
        query="valproate AND SNDS",
        date_from="2000",
        date_to="2024",
    )
    assert (added.identified, added.added) == (3, 2)
    # the same file again, as another database: nothing new, all three identified
    _s, again = services.import_for_review(
        review, people["lead"], filename="embase.ris", content=RIS.encode(), database="Embase"
    )
    assert (again.identified, again.added) == (3, 0)
    counts = services.prisma_counts(review)
    assert counts.identified == {"PubMed": 3, "Embase": 3}
    assert counts.duplicates_removed == 4
    assert review.records.count() == 2
    assert Search.objects.get(pk=search.pk).query == "valproate AND SNDS"


def test_a_file_imported_into_a_review_is_scanned_for_sources_like_any_corpus_import(people) -> None:
    from benefice.sources.models import PublicationDetection

    review = services.create_review("Import", people["lead"])
    _search, added = services.import_for_review(
        review, people["lead"], filename="pubmed.ris", content=RIS.encode(), database="PubMed"
    )
    # the two publications the file brought (one of them merged from two records) are scanned on arrival
    assert added.scan is not None and not added.scan.failed
    assert (added.scan.publications, added.scan.scanned, added.scan.with_sources) == (2, 2, 1)
    detections = {d.publication.title: d for d in PublicationDetection.objects.select_related("publication")}
    assert detections["Valproate exposure during pregnancy: a nationwide SNDS cohort"].sources_used == [
        "SNDS"
    ]
    assert detections["Crystal growth of paracetamol at low temperature"].sources_used == []
    # the same file again brings nothing new: nothing is scanned again
    _s, again = services.import_for_review(
        review, people["lead"], filename="embase.ris", content=RIS.encode(), database="Embase"
    )
    assert again.scan.scanned == 0 and PublicationDetection.objects.count() == 2


def test_bad_file_names_the_record_and_keeps_nothing(people) -> None:
    review = services.create_review("Import", people["lead"])
    bad = "TY  - JOUR\nTI  - Fine\nER  - \n\nTY  - JOUR\nPY  - 20x9\nTI  - broken\n"
    with pytest.raises(BeneficeError) as err:
        services.import_for_review(
            review, people["lead"], filename="bad.ris", content=bad.encode(), database="PubMed"
        )
    assert "bad.ris" in str(err.value)
    assert not review.records.exists() and not review.searches.exists()


def test_prisma_counts_and_exports(review, people) -> None:
    alice = people["alice"]
    records = list(review.records.order_by("pk"))
    reason = review.exclusion_reasons[0]
    for record in records[:5]:
        services.decide(record, alice, "ta", "include")
    for record in records[5:9]:
        services.decide(record, alice, "ta", "exclude", reasons=[reason])
    services.decide(records[9], alice, "ta", "maybe")
    services.decide(records[0], alice, "ft", "include", note="fits")
    services.decide(records[1], alice, "ft", "exclude", reasons=[reason])
    services.decide(records[2], alice, "ft", "exclude")
    counts = services.prisma_counts(review)
    assert counts.identified == {"Corpus": 32} and counts.duplicates_removed == 0
    assert counts.screened == 10 and counts.excluded_screening == 4
    assert counts.assessed == 3 and counts.included == 1
    assert counts.excluded_reasons == {reason: 1, "": 1}
    assert counts.awaiting_screening == 23 and counts.awaiting_full_text == 2

    rows = list(csv.DictReader(io.StringIO(services.export_csv(review))))
    first = [r for r in rows if r["record_id"] == str(records[0].pk)]
    assert {(r["stage"], r["reviewer"], r["decision"]) for r in first} == {
        ("ta", "alice", "include"),
        ("ft", "alice", "include"),
    }
    assert all(r["decided_at"] for r in first)
    excluded = next(r for r in rows if r["record_id"] == str(records[5].pk))
    assert excluded["reasons"] == reason and excluded["ta_status"] == "excluded"
    assert len({r["record_id"] for r in rows}) == 32
    ris = services.export_ris(review)
    assert ris.count("TY  - ") == 32 and ris.count("ER  - ") == 32
    assert "N1  - decision ft alice exclude" in ris
    assert f"({reason})" in ris
    assert records[0].title in ris


def test_update_required_reviewers_recomputes_status(review, people) -> None:
    record = review.records.first()
    services.decide(record, people["alice"], "ta", "include")
    record.refresh_from_db()
    assert record.ta_status == Status.INCLUDED
    services.update_review(review, people["lead"], reviewers_per_record=2)
    record.refresh_from_db()
    assert record.ta_status == Status.PENDING
    assert Review.objects.get(pk=review.pk).reviewers_per_record == 2
    assert ReviewRecord.objects.filter(review=review, ta_status=Status.PENDING).count() == 32


def test_ranking_is_cut_at_the_limit_and_the_rest_stays_reachable(review, people, monkeypatch) -> None:
    from benefice.review.models import RankingEntry

    monkeypatch.setattr(worker, "RANK_LIMIT", 5)
    services.update_review(review, people["lead"], retrain_every=100)
    worker.retrain(review.pk, force=True)
    review.refresh_from_db()
    ranked = list(
        RankingEntry.objects.filter(ranking=review.current_ranking)
        .order_by("position")
        .values_list("record_id", flat=True)
    )
    assert len(ranked) == 5 and review.current_ranking.size == 32
    seen = []
    for _ in range(7):
        record = services.next_record(review, people["alice"])
        seen.append(record.pk)
        services.decide(record, people["alice"], "ta", "exclude")
    assert seen[:5] == ranked  # the ranking first, in order
    assert len(set(seen)) == 7  # then pending records beyond the ranking


def test_an_older_ranking_never_replaces_a_newer_one(review, people, monkeypatch) -> None:
    """Two processes retraining at once: the one that started first finishes last and must not win."""
    from benefice.review.models import ScreeningRanking

    review.refresh_from_db()
    newer = ScreeningRanking.objects.create(review=review, size=0)  # another process's ranking, made current
    Review.objects.filter(pk=review.pk).update(current_ranking=newer)
    real_create = ScreeningRanking.objects.create

    def older_pk(**kwargs):  # this retraining's ranking was created before `newer`
        ranking = real_create(**kwargs)
        ScreeningRanking.objects.filter(pk=ranking.pk).update(id=newer.pk - 1000)
        ranking.pk = ranking.id = newer.pk - 1000
        return ranking

    monkeypatch.setattr(ScreeningRanking.objects, "create", older_pk)
    worker.retrain(review.pk, force=True)
    review.refresh_from_db()
    assert review.current_ranking_id == newer.pk
    assert ScreeningRanking.objects.filter(review=review).values_list("pk", flat=True).get() == newer.pk


def test_corpus_selection_by_words_and_years(review, people) -> None:
    other = services.create_review("Valproate", people["lead"])
    search, added = services.add_from_corpus(other, people["lead"], database="Corpus", query="valproate")
    titles = list(other.records.values_list("title", flat=True))
    assert added.added == len(titles) == 4 and all("valproate" in t for t in titles)
    assert (search.kind, search.query, search.records_identified) == ("corpus", "valproate", 4)
    again, added_again = services.add_from_corpus(other, people["lead"], database="Other", query="valproate")
    assert (added_again.identified, added_again.added) == (4, 0)
    assert services.prisma_counts(other).duplicates_removed == 4
    with pytest.raises(BeneficeError, match="no publication"):
        services.add_from_corpus(other, people["lead"], database="Corpus", year_from=2030)
    assert other.searches.count() == 2


def test_exports_respect_blind_screening(review, people) -> None:
    services.update_review(review, people["lead"], reviewers_per_record=2)
    record = review.records.order_by("pk").first()
    services.decide(record, people["alice"], "ta", "include", note="alice's note")
    assert "alice" not in services.export_csv(review, people["lead"])  # pending: hidden from others
    assert "alice's note" in services.export_csv(review, people["alice"])  # her own decision
    services.decide(record, people["bob"], "ta", "include")  # agreed: no longer blinded
    text = services.export_csv(review, people["lead"])
    assert "alice's note" in text and "bob" in text
    services.update_review(review, people["lead"], blind=False)
    other = review.records.order_by("pk")[1]
    services.decide(other, people["alice"], "ta", "exclude")
    assert services.export_ris(review, people["lead"]).count("decision ta alice") == 2


def test_svm_warm_starts_across_retrainings_and_ranks_as_a_cold_fit(review, people) -> None:
    """The worker keeps each review's SVM between retrainings (fewer solver passes), same ranking as new."""
    import numpy as np

    from benefice.review.active_learning import Screener, make_model

    review.model_name = "svm"
    review.save(update_fields=["model_name"])
    alice = people["alice"]
    relevant = review.records.filter(title__startswith="Nationwide").order_by("pk")
    irrelevant = review.records.filter(title__startswith="Laboratory").order_by("pk")
    services.decide(relevant[0], alice, "ta", "include")
    services.decide(irrelevant[0], alice, "ta", "exclude")
    first = worker._classifiers[review.pk][1]
    duals = first._warm._alpha  # the solver's dual variables: kept, not reset, by later retrainings
    for record in list(irrelevant[1:4]) + [relevant[1]]:
        services.decide(
            record, alice, "ta", EXCLUDE if record.title.startswith("Lab") else "include"
        )
    assert worker._classifiers[review.pk][1] is first  # the same solver state, reused
    assert first._warm._alpha is duals and duals.any()
    review.refresh_from_db()
    warm = dict(review.current_ranking.entries.values_list("record_id", "score"))
    # a cold fit on the same labels scores the pending records alike (up to the solver's tolerance, 0.1)
    ids = list(review.records.order_by("pk").values_list("pk", flat=True))
    features = worker._features[review.pk][1]
    cold = Screener(features, make_model("svm"), seed=review.pk)
    for pk, label in worker.training_labels(review.pk).items():
        cold.record(ids.index(pk), label)
    scores = cold.retrain().scores
    pending = sorted(warm)
    warm_scores = np.array([warm[pk] for pk in pending])
    cold_scores = np.array([scores[ids.index(pk)] for pk in pending])
    np.testing.assert_allclose(warm_scores, cold_scores, atol=0.1)
    assert np.corrcoef(np.argsort(np.argsort(warm_scores)), np.argsort(np.argsort(cold_scores)))[0, 1] > 0.95


def test_export_csv_neutralises_formulas(review, people) -> None:
    """Failure 5 of issue 17: a record's title or a reviewer's note never reaches a spreadsheet as a formula."""
    record = review.records.order_by("pk").first()
    record.title = '=HYPERLINK("http://evil.example","x")'
    record.save(update_fields=["title"])
    services.decide(record, people["alice"], "ta", "include", note="@SUM(A1)")
    row = next(
        r
        for r in csv.DictReader(io.StringIO(services.export_csv(review)))
        if r["record_id"] == str(record.pk)
    )
    assert row["title"] == "'" + record.title and row["note"] == "'@SUM(A1)"
