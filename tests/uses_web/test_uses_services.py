"""Kinds of use stored per publication: set by every scan from the effective sources, corrected by people
(append-only, latest wins, never overwritten by a re-scan or a new classifier), followed through merges,
refused with a message naming the field, exported, and retrained in the background after N corrections.

The detector and the classifier are stubs (uses_fixtures), so these tests check storage and application."""

from __future__ import annotations

import io
import json

import pytest
from django.utils import translation
from uses_fixtures import TITLE_B

from benefice.corpus.models import Publication
from benefice.corpus.services import export_publications, merge_publications
from benefice.sources import services as source_services
from benefice.sources.models import PublicationDetection
from benefice.sources.services import CorrectionRefused
from benefice.uses import pages, retraining, services
from benefice.uses.models import PublicationUses, UseCorrection

pytestmark = pytest.mark.django_db

PV, DU, EFF = "pharmacovigilance_drug_safety", "drug_utilisation", "effectiveness"


def uses(pub: Publication) -> PublicationUses:
    return PublicationUses.objects.get(publication_id=pub.pk)


def export_rows() -> dict[int, dict]:
    out = io.StringIO()
    export_publications(Publication.objects.order_by("pk"), "jsonl", out)
    return {row["extra"]["benefice_id"]: row for row in map(json.loads, out.getvalue().splitlines())}


def test_the_scan_stores_kinds_of_use_from_the_effective_sources(corpus):
    a, b, c = corpus
    assert PublicationUses.objects.count() == 3
    ua, ub, uc = uses(a), uses(b), uses(c)
    assert ua.categories == [PV] and ua.classifier_version == "stub 1" and not ua.by_person
    assert ua.labels[0]["method"] == "rule" and ua.labels[0]["main"] and ua.labels[0]["rule"] == f"stub.{PV}"
    assert ua.detected == ua.labels and ua.probabilities == {PV: 0.9}
    assert not ua.awaiting_review and ua.review_margin is None
    assert ub.categories == [DU, EFF] and ub.awaiting_review and ub.review_margin == pytest.approx(0.05)
    assert uc.categories == [] and uc.labels == []  # uses no source: no kind of use


def test_classification_is_idempotent_and_skips_what_is_current(corpus, stub):
    calls = stub.calls
    report = services.classify_publications()
    assert (report.classified, report.skipped) == (0, 3) and stub.calls == calls
    assert source_services.scan_database().scanned == 0 and stub.calls == calls


def test_a_correction_wins_and_survives_a_rescan_a_forced_scan_and_a_new_classifier(corpus, editor, stub):
    a, b, _c = corpus
    outcome = services.record_use_correction(b, [EFF, DU], user=editor, note="effectiveness first")
    ub = uses(b)
    assert ub.categories == [EFF, DU] and ub.by_person and not ub.awaiting_review
    assert [lab["method"] for lab in ub.labels] == ["person", "person"] and ub.labels[0]["main"]
    assert ub.labels[0]["by"] == "edith" and ub.detected[0]["category"] == DU  # the machine's, kept apart
    assert outcome.correction.publication_ref == b.pk and outcome.correction.raw_record_ids
    assert pages.review_remaining() == {"uses": 0}
    source_services.scan_database()
    assert uses(b).categories == [EFF, DU]
    report = source_services.scan_database(force=True)
    assert report.scanned == 3 and report.classified == 3
    assert uses(b).categories == [EFF, DU] and uses(b).by_person
    # the rules or the model changed: a plain scan reclassifies, detection is not redone
    stub.version = "stub 2"
    report = source_services.scan_database()
    assert (report.scanned, report.classified, report.uses_version) == (0, 3, "stub 2")
    assert uses(b).classifier_version == "stub 2" and uses(b).categories == [EFF, DU]
    assert uses(a).categories == [PV] and uses(a).classifier_version == "stub 2"
    # "no kind of use" is a choice too
    services.record_use_correction(a, [], user=editor)
    assert uses(a).categories == [] and uses(a).by_person
    assert export_rows()[a.pk]["use_categories_method"] == "person"


def test_unknown_duplicate_categories_are_refused_naming_the_field(corpus, editor):
    a, _b, _c = corpus
    with pytest.raises(CorrectionRefused) as exc:
        services.record_use_correction(a, [PV, "astrology"], user=editor)
    assert (
        exc.value.field == "categories" and "astrology" in str(exc.value) and "categories" in str(exc.value)
    )
    with pytest.raises(CorrectionRefused) as exc:
        services.record_use_correction(a, [PV, PV], user=editor)
    assert exc.value.field == "categories"
    assert not UseCorrection.objects.exists() and uses(a).categories == [PV]


def test_two_editors_at_once_both_kept_the_later_applies(corpus, editor, other_editor):
    a, _b, _c = corpus
    seen = pages.publication_uses(a)["seen"]
    first = services.record_use_correction(a, [DU], user=editor, seen=seen)
    assert not first.overridden
    second = services.record_use_correction(a, [EFF], user=other_editor, seen=seen)
    assert [c.pk for c in second.overridden] == [first.correction.pk]
    assert second.correction.concurrent_with_id == first.correction.pk
    assert uses(a).categories == [EFF]
    assert [c.pk for c in services.use_history(a)] == [second.correction.pk, first.correction.pk]


def test_a_merge_carries_the_correction_and_a_late_correction_follows_it(corpus, editor):
    a, b, _c = corpus
    services.record_use_correction(b, [EFF], user=editor)
    b_pk, b_raw = b.pk, list(b.raw_records.values_list("pk", flat=True))
    merge_publications(a, b)
    moved = UseCorrection.objects.get()
    assert moved.publication_id == a.pk and moved.publication_ref == b_pk
    assert uses(a).categories == [EFF] and uses(a).by_person
    # someone still had publication b open: the correction follows the merge and says so
    outcome = services.record_use_correction(b_pk, [DU], user=editor, raw_record_ids=b_raw)
    assert outcome.followed_from == b_pk and outcome.publication.pk == a.pk
    assert uses(a).categories == [DU]
    with pytest.raises(CorrectionRefused, match=rf"(#|n° ){b_pk}\b"):
        services.record_use_correction(b_pk, [DU], user=editor)  # no records to follow: a clear error
    # a publication deleted without a merge keeps its corrections, detached
    a.raw_records.update(publication=None)
    a.delete()
    assert UseCorrection.objects.filter(publication__isnull=True).count() == 2
    assert set(UseCorrection.objects.values_list("publication_ref", flat=True)) == {b_pk}


def test_a_source_correction_reclassifies_its_publication(corpus, editor):
    a, _b, _c = corpus
    assert uses(a).categories == [PV]
    source_services.record_correction(a.pk, "SNDS", "rejected", user=editor)
    assert PublicationDetection.objects.get(publication=a).sources_used == []
    assert uses(a).categories == []  # a kind of use is a use of a source


def test_export_writes_the_stored_kinds_of_use_main_first(corpus, editor):
    a, b, c = corpus
    services.record_use_correction(b, [EFF, DU], user=editor)
    d = Publication.objects.create(title="Never scanned")
    rows = export_rows()
    assert rows[a.pk]["use_categories"] == [PV] and rows[a.pk]["use_categories_method"] == "rule"
    assert rows[b.pk]["use_categories"] == [EFF, DU] and rows[b.pk]["use_categories_method"] == "person"
    assert rows[c.pk]["use_categories"] == [] and rows[c.pk]["use_categories_method"] == "none"
    assert rows[d.pk]["use_categories"] == [] and rows[d.pk]["use_categories_method"] == "not classified"


def test_examples_for_retraining_and_a_removed_category(corpus, editor, monkeypatch):
    a, b, _c = corpus
    services.record_use_correction(a, [], user=editor)
    services.record_use_correction(b, [EFF, DU], user=editor)
    examples = list(services.use_correction_examples())
    assert [(rec["title"], used, cats) for rec, used, cats in examples] == [
        (a.title, ["SNDS"], []),
        (TITLE_B, ["SNDS", "PMSI"], [EFF, DU]),
    ]
    # the typology drops "effectiveness": nothing is deleted, it is reported and named as removed
    known = services.typology_categories()
    dropped = lambda: {k: v for k, v in known.items() if k != EFF}  # noqa: E731
    monkeypatch.setattr(services, "typology_categories", dropped)
    monkeypatch.setattr(pages, "typology_categories", dropped)  # where the page looks it up
    assert services.removed_categories() == {EFF: 1}
    assert uses(b).categories == [EFF, DU]
    with translation.override("fr"):
        panel = pages.publication_uses(b, "fr")
    assert panel["labels"][0]["name"] == "catégorie retirée de la typologie"
    assert not panel["labels"][0]["in_typology"] and panel["labels"][1]["in_typology"]
    with translation.override("en"):
        assert services.category_name(EFF, "en") == "category removed from the typology"
    assert [rec["title"] for rec, _u, _c in services.use_correction_examples()] == [a.title]
    with pytest.raises(CorrectionRefused, match=EFF):
        services.record_use_correction(a, [EFF], user=editor)


def test_retraining_starts_in_the_background_after_n_corrections(corpus, editor, stub, settings, monkeypatch):
    from benefice.core import jobs
    from benefice.corpus.jobs import recent_imports

    a, b, c = corpus
    settings.USES_RETRAIN_EVERY = 2
    started: list[str] = []
    trained: list[list] = []

    def retrain(examples):
        trained.append(list(examples))
        stub.version = "stub retrained"
        return settings.HOME / "models" / "use_model.json"

    monkeypatch.setattr(retraining, "_retrain", retrain)
    real_run = retraining.run_retrain_job  # the queue's worker looks the runner up by name (core.jobs.KINDS)
    monkeypatch.setattr(
        retraining, "run_retrain_job", lambda job_id: (started.append(job_id), real_run(job_id))[1]
    )
    assert services.record_use_correction(a, [DU], user=editor).retrain_job is None
    assert not started
    outcome = services.record_use_correction(b, [EFF], user=editor)
    assert outcome.retrain_job == started[0]
    job = jobs.read_job(started[0])
    assert job["status"] == jobs.DONE and job["kind"] == services.RETRAIN_KIND and job["corrections"] == 2
    assert job["result"]["examples"] == 2 and job["result"]["version"] == "stub retrained"
    assert len(trained[0]) == 2
    assert uses(c).classifier_version == "stub retrained"  # reclassified with the new model
    assert uses(a).categories == [DU] and uses(b).categories == [EFF]  # people's choices kept
    assert recent_imports(10) == []  # the import page lists only imports
    # the next correction alone does not retrain again
    assert services.record_use_correction(c, [], user=editor).retrain_job is None


def test_retraining_failure_is_recorded_in_the_job(corpus, editor, settings, monkeypatch):
    from benefice.core import jobs

    settings.USES_RETRAIN_EVERY = 1

    def broken(examples):
        from benefice.errors import BeneficeError

        raise BeneficeError("too few labelled publications to train the kind-of-use model")

    monkeypatch.setattr(retraining, "_retrain", broken)
    a, _b, _c = corpus
    job_id = services.record_use_correction(a, [DU], user=editor).retrain_job
    job = jobs.read_job(job_id)
    assert job["status"] == jobs.FAILED and "too few labelled publications" in job["error"]
    assert uses(a).categories == [DU]


def test_review_queue_items_smallest_margin_first(corpus, editor):
    _a, b, _c = corpus
    item = pages.next_review_item()
    assert item is not None and item.publication_id == b.pk
    assert pages.next_review_item(skip=[b.pk]) is None
    services.record_use_correction(b, [DU], user=editor)
    assert pages.next_review_item() is None


def test_retraining_with_the_real_trainer_changes_the_classifier_in_force(
    db, editor, settings, monkeypatch, tmp_path
):
    """uses.learn.retrain writes $BENEFICE_HOME/models/use_model.json, which the classifier then uses: its
    version changes, the corpus is reclassified, people's choices stay."""
    from uses_fixtures import StubDetector, make_corpus

    from benefice.core import jobs

    monkeypatch.setenv("BENEFICE_HOME", str(tmp_path))  # where the retrained model is written
    monkeypatch.setattr(source_services.detection, "Detector", StubDetector)  # where scan_database looks it up
    settings.USES_RETRAIN_EVERY = 3
    source_services.sync_registry()
    a, b, c = make_corpus()
    source_services.scan_database()
    before = uses(a).classifier_version
    services.record_use_correction(a, [PV], user=editor)
    services.record_use_correction(b, [DU, EFF], user=editor)
    job_id = services.record_use_correction(c, [], user=editor).retrain_job
    job = jobs.read_job(job_id)
    assert job["status"] == jobs.DONE, job.get("error")
    assert (tmp_path / "models" / "use_model.json").exists()
    after = services.current_classifier().version
    assert after != before and job["result"]["version"] == after
    assert {u.classifier_version for u in PublicationUses.objects.all()} == {after}
    assert (uses(a).categories, uses(b).categories, uses(c).categories) == ([PV], [DU, EFF], [])


def test_classification_reads_in_bulk_not_per_publication(corpus, editor, django_assert_max_num_queries):
    from uses_fixtures import TITLE_A

    extra = [Publication(title=TITLE_A, abstract=f"SNDS study {i}") for i in range(40)]
    Publication.objects.bulk_create(extra)
    source_services.scan_database()
    services.record_use_correction(extra[0], [DU], user=editor)
    with django_assert_max_num_queries(12):  # the same few queries for 3 or 43 publications
        report = services.classify_publications(force=True)
    assert report.classified == 43 and report.by_person == 1


def test_evidence_words_of_rules_model_and_person(corpus, editor):
    assert pages.evidence_words("pv.risk_of_drug: 'risk of'") == ("pv.risk_of_drug", ["risk of"])
    assert pages.evidence_words("words: 'drug', 'meningioma'") == ("words", ["drug", "meningioma"])
    assert pages.evidence_words("design: cohort") == ("", [])  # a cue, not words of the text
    a, _b, _c = corpus
    services.record_use_correction(a, [DU], user=editor, evidence="valproate exposure")
    panel = pages.publication_uses(a)
    assert panel["labels"][0]["evidence"][0]["words"] == ["valproate exposure"]
    assert any(
        '<mark class="src-use"' in f["html"] and "valproate exposure</mark>" in f["html"]
        for f in panel["texts"]
    )
