"""People's corrections of detected sources: applied on top of the machine's result, stored append-only, counted
in every figure, re-applied after every re-scan, followed through merges, refused with a clear message.

Detection is replaced by a stub returning results built here (keyed by title), so these tests check storage
and application, not the detector's quality (another module tests that)."""

from __future__ import annotations

import pytest
from corrections_fixtures import ABSTRACT_A, ABSTRACT_B, CONSTANCES_AT, TITLE_A, TITLE_B, stub_result

from benefice.barometer.db import publication_records
from benefice.barometer.records import RecordBuilder
from benefice.core.roles import EDITOR
from benefice.core.users import ensure_user
from benefice.corpus.models import Publication
from benefice.corpus.services import merge_publications
from benefice.sources import corrections, services
from benefice.sources.models import Mention, PublicationDetection, SourceCorrection

pytestmark = pytest.mark.django_db


def det(pub: Publication) -> PublicationDetection:
    return PublicationDetection.objects.get(publication=pub)


# --- the pure application ----------------------------------------------------------------------------------


def test_apply_verdicts_reject_change_add_and_review():
    record = {"title": TITLE_A, "abstract": ABSTRACT_A, "keywords": ["SNIIRAM", "pregnancy"]}
    result = stub_result(record)
    assert result["review"] == ["CPRD"]
    plain = corrections.apply_verdicts(record, result, {})
    assert plain["sources_used"] == ["SNDS", "PMSI"] and plain["sources_mentioned"] == []
    assert plain["awaiting_review"] == ["CPRD"] and plain["review_margin"] == pytest.approx(0.05)
    assert {m["source"] for m in plain["mentions"]} == {
        "SNDS",
        "PMSI",
    }  # the undecided one leaves no evidence
    keywords = corrections.field_text(record, "keywords")
    assert keywords == "SNIIRAM; pregnancy"
    verdicts = {
        "SNDS": corrections.Verdict("SNDS", "rejected"),
        "PMSI": corrections.Verdict("PMSI", "mentioned"),
        "CPRD": corrections.Verdict("CPRD", "used"),
        "SNIIRAM": corrections.Verdict(
            "SNIIRAM", "used", [corrections.Evidence("keywords", 0, 7, "SNIIRAM")]
        ),
        "GONE": corrections.Verdict("GONE", "used"),
    }
    eff = corrections.apply_verdicts(record, result, verdicts, known={"SNDS", "PMSI", "CPRD", "SNIIRAM"})
    assert eff["sources_used"] == ["CPRD", "SNIIRAM"]
    assert eff["sources_mentioned"] == ["PMSI"]
    assert eff["awaiting_review"] == [] and eff["review_margin"] is None
    by_source = {m["source"]: m for m in eff["mentions"]}
    assert "SNDS" not in by_source and by_source["PMSI"]["role"] == "mentioned"
    added = by_source["SNIIRAM"]
    assert (added["field"], added["start"], added["end"], added["by_person"]) == ("keywords", 0, 7, True)


def test_evidence_is_found_again_when_the_text_moved():
    assert corrections.locate("the SNDS data", 4, 8, "SNDS") == (4, 8)
    assert corrections.locate("in short, the SNDS data", 4, 8, "SNDS") == (14, 18)
    assert corrections.locate("the snds data", 4, 8, "SNDS") == (4, 8)
    assert corrections.locate("no such words", 4, 8, "SNDS") is None
    html = corrections.highlight_spans("a <SNDS> b", [(3, 7, "used", "SNDS"), (3, 5, "review", "X")])
    assert html == 'a &lt;<mark class="src-used" data-sources="SNDS X" title="SNDS X">SNDS</mark>&gt; b'


# --- storage, figures, re-scans ----------------------------------------------------------------------------


def test_machine_result_kept_apart_and_undecided_sources_count_nowhere(stub_corpus):
    a, b = stub_corpus
    d = det(b)
    assert d.detected_used == ["SNDS"] and d.review == ["EGB"] and d.awaiting_review == ["EGB"]
    assert d.sources_used == ["SNDS"] and "EGB" not in d.sources_mentioned
    assert not Mention.objects.filter(source_id="EGB").exists()
    assert "EGB" not in services.source_counts()
    assert services.source_statistics("CPRD")["mentioned_only"] == 0


def test_corrections_count_in_every_figure_and_survive_forced_rescan(stub_corpus, editor):
    a, b = stub_corpus
    assert services.source_counts()["SNDS"]["used"] == 2
    services.record_correction(a.pk, "SNDS", "rejected", user=editor)
    services.record_correction(b.pk, "EGB", "used", user=editor)
    services.record_correction(
        a.pk,
        "CONSTANCES",
        "mentioned",
        user=editor,
        field_name="abstract",
        start=CONSTANCES_AT,
        end=CONSTANCES_AT + 17,
        text="Constances cohort",
    )
    services.record_correction(a.pk, "CPRD", "mentioned", user=editor)

    def check() -> None:
        counts = services.source_counts()
        assert counts["SNDS"] == {"used": 1, "mentioned": 0}
        assert counts["EGB"]["used"] == 1 and counts["CONSTANCES"]["mentioned"] == 1
        assert counts["CPRD"]["mentioned"] == 1
        snds = services.source_statistics("SNDS")
        assert snds["used"] == 1 and snds["mentioned_only"] == 0 and snds["first_year"] == 2020
        assert {v["text"] for v in snds["variants"]} == {"SNDS"}  # only the kept publication's mention
        egb = services.source_statistics("EGB")
        assert egb["used"] == 1 and {c["source"] for c in egb["co_use"]} == {"SNDS"}
        assert services.source_statistics("CONSTANCES")["mentioned_only"] == 1
        assert set(services.publications_using("SNDS", role=None)) == {b}
        added = Mention.objects.get(source_id="CONSTANCES")
        assert added.by_person and (added.field, added.start) == ("abstract", CONSTANCES_AT)
        assert not Mention.objects.filter(publication=a, source_id="SNDS").exists()
        assert det(a).detected_used == ["SNDS", "PMSI"]  # the machine's own result is kept
        assert det(b).awaiting_review == [] and det(b).review_margin is None
        builder = RecordBuilder(services.db_registry())
        rows = {r["id"]: r for r in publication_records(builder=builder)}
        assert rows[str(a.pk)]["sources_used"] == ["PMSI"]
        assert rows[str(a.pk)]["sources_mentioned"] == ["CONSTANCES", "CPRD"]
        assert rows[str(b.pk)]["sources_used"] == ["EGB", "SNDS"]

    check()
    report = services.scan_database(force=True)
    assert report.scanned == 2
    check()
    services.sync_registry()
    services.scan_database()  # a registry change rescans; here: nothing to do, and nothing lost
    check()
    assert SourceCorrection.objects.count() == 4


def test_latest_correction_wins_history_kept_and_training_examples(stub_corpus, editor):
    a, _b = stub_corpus
    services.record_correction(a.pk, "SNDS", "rejected", user=editor)
    services.record_correction(a.pk, "SNDS", "mentioned", user=editor)
    d = det(a)
    assert d.sources_mentioned == ["SNDS"] and "SNDS" not in d.sources_used
    assert list(SourceCorrection.objects.filter(source_id="SNDS").values_list("verdict", flat=True)) == [
        "rejected",
        "mentioned",
    ]
    examples = list(services.correction_examples())
    assert len(examples) == 1
    record, labels = examples[0]
    assert record["id"] == a.pk and record["title"] == TITLE_A and labels == {"SNDS": "mentioned"}


def test_an_added_source_the_rules_never_propose_is_reported_by_train_not_learnt(
    stub_corpus, editor, tmp_path
):
    import json

    from click.testing import CliRunner

    from benefice.cli import main

    a, b = stub_corpus
    services.record_correction(a.pk, "SNDS", "rejected", user=editor)  # a candidate: an example
    words = "Data were extracted"  # the person says this describes the CépiDc: the rules propose nothing here
    at = ABSTRACT_B.index(words)
    services.record_correction(
        b.pk, "CEPIDC", "used", user=editor, field_name="abstract", start=at, end=at + len(words), text=words
    )
    examples = {record["id"]: labels for record, labels in services.correction_examples()}
    assert examples[b.pk] == {"CEPIDC": "used", "__evidence__": {"CEPIDC": [words]}}
    assert examples[a.pk] == {"SNDS": "rejected"}
    gold = tmp_path / "gold.jsonl"
    gold.write_text(
        "".join(
            json.dumps(
                {"id": f"g{i}", "title": "", "abstract": "We used the PMSI.", "gold_sources_used": ["PMSI"]}
                if i % 2
                else {
                    "id": f"g{i}",
                    "title": "",
                    "abstract": "Future studies could use the SNDS.",
                    "gold_sources_used": [],
                    "gold_sources_mentioned_only": ["SNDS"],
                }
            )
            + "\n"
            for i in range(10)
        ),
        encoding="utf-8",
    )
    result = CliRunner().invoke(
        main, ["sources", "train", "--gold", str(gold), "--output", str(tmp_path / "model.json")]
    )
    assert result.exit_code == 0, result.output
    out = " ".join(result.output.split())
    assert "(1 from corrections)" in out
    assert "1 added source not learnable by the candidate model" in out
    assert "it shows which descriptions the grammar lacks" in out
    assert f'publication {b.pk}: CEPIDC (used): "{words}"' in out


def test_two_editors_at_once_both_kept_later_wins(stub_corpus, editor):
    a, _b = stub_corpus
    other = ensure_user("bruno", "pw", EDITOR)
    seen = 0  # both opened the page before any correction
    first = services.record_correction(a.pk, "PMSI", "rejected", user=other, seen=seen)
    assert first.overridden == []
    second = services.record_correction(a.pk, "PMSI", "mentioned", user=editor, seen=seen)
    assert [c.pk for c in second.overridden] == [first.correction.pk]
    assert second.correction.concurrent_with_id == first.correction.pk
    assert det(a).sources_mentioned == ["PMSI"]
    assert SourceCorrection.objects.filter(source_id="PMSI").count() == 2


# --- bad input ---------------------------------------------------------------------------------------------


def test_unknown_source_bad_verdict_and_offsets_are_refused(stub_corpus, editor):
    a, _b = stub_corpus
    with pytest.raises(services.CorrectionRefused, match="NOPE"):
        services.record_correction(a.pk, "NOPE", "used", user=editor)
    with pytest.raises(services.CorrectionRefused, match="maybe"):
        services.record_correction(a.pk, "SNDS", "maybe", user=editor)
    with pytest.raises(services.CorrectionRefused, match="900"):
        services.record_correction(
            a.pk, "EGB", "used", user=editor, field_name="abstract", start=900, end=904, text="SNDS"
        )
    with pytest.raises(services.CorrectionRefused, match="EGB"):  # not detected, no words selected
        services.record_correction(a.pk, "EGB", "used", user=editor)
    with pytest.raises(services.CorrectionRefused, match="nowhere"):
        services.record_correction(a.pk, "EGB", "used", user=editor, field_name="abstract", text="nowhere")
    with pytest.raises(services.CorrectionRefused):
        services.record_correction(a.pk, "EGB", "used", user=editor, field_name="authors", text="x")
    assert not SourceCorrection.objects.exists()
    assert det(a).sources_used == ["SNDS", "PMSI"]


def test_messages_are_french_first(stub_corpus, editor):
    from django.utils import translation

    a, _b = stub_corpus
    with translation.override("fr"), pytest.raises(services.CorrectionRefused) as info:
        services.record_correction(a.pk, "NOPE", "used", user=editor)
    assert "Source inconnue" in str(info.value)


def test_correction_on_a_merged_publication_follows_the_merge(stub_corpus, editor):
    a, b = stub_corpus
    b_pk = b.pk  # the instance loses its pk when the merge deletes it
    raws_b = list(b.raw_records.values_list("pk", flat=True))
    services.record_correction(b.pk, "EGB", "used", user=editor, raw_record_ids=raws_b)
    merge_publications(a, b, reason="test")
    assert not Publication.objects.filter(pk=b_pk).exists()
    moved = SourceCorrection.objects.get(source_id="EGB")
    assert moved.publication_id == a.pk and moved.publication_ref == b_pk  # nothing lost, origin kept
    # a page opened on b before the merge: the correction goes to a, whose text still has the words
    outcome = services.record_correction(
        b_pk, "PMSI", "rejected", user=editor, raw_record_ids=raws_b, field_name="abstract", text="PMSI"
    )
    assert outcome.publication == a and outcome.followed_from == b_pk
    services.scan_database(force=True)
    d = det(a)
    assert "PMSI" not in d.sources_used  # stub result for a's title: SNDS, PMSI used
    # words that are not in the surviving text: refused, saying where to go
    with pytest.raises(services.CorrectionRefused, match=rf"(#|n° ){a.pk}\b"):
        services.record_correction(
            b_pk, "EGB", "used", user=editor, raw_record_ids=raws_b, field_name="abstract", text="EGB sample"
        )


def test_correction_on_a_deleted_publication_is_refused_and_history_kept(stub_corpus, editor):
    a, b = stub_corpus
    lone = Publication.objects.create(title=TITLE_B, abstract=ABSTRACT_B, year=2021)
    services.scan_database()
    services.record_correction(lone.pk, "EGB", "rejected", user=editor)
    pk = lone.pk
    lone.delete()
    kept = SourceCorrection.objects.get(publication_ref=pk)
    assert kept.publication_id is None and kept.verdict == "rejected"
    with pytest.raises(services.CorrectionRefused, match=rf"(#|n° ){pk}\b"):
        services.record_correction(pk, "EGB", "used", user=editor)
