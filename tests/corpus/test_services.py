"""Import, merge, undo and export through the services and the CLI, on the configured database."""

from __future__ import annotations

import io
import json

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benefice.corpus import dedup, services
from benefice.corpus.models import DedupForm, DedupKey, ImportBatch, MergeEvent, Publication, RawRecord
from benefice.corpus.record import Author, Record
from benefice.corpus.services import importing
from benefice.errors import BeneficeError

pytestmark = pytest.mark.django_db

RIS = """TY  - JOUR
TI  - Benfluorex and valvular heart disease: a cohort study of a million people with diabetes mellitus
AU  - Weill, Alain
AU  - Païta, Michel
PY  - 2010
T2  - Pharmacoepidemiology and Drug Safety
VL  - 19
SP  - 1256
EP  - 1262
DO  - 10.1002/pds.2044
ER  -

TY  - JOUR
TI  - Pioglitazone and risk of bladder cancer among diabetic patients in France
AU  - Neumann, Anke
AU  - Weill, Alain
PY  - 2012
T2  - Diabetologia
VL  - 55
SP  - 1953
EP  - 1962
DO  - 10.1007/s00125-012-2538-9
ER  -
"""

NBIB = """PMID- 22460763
TI  - Pioglitazone and risk of bladder cancer among diabetic patients in France: a
      population-based cohort study.
FAU - Neumann, A
AU  - Neumann A
FAU - Weill, A
AU  - Weill A
DP  - 2012 Jul
TA  - Diabetologia
JT  - Diabetologia
VI  - 55
IP  - 7
PG  - 1953-62
LID - 10.1007/s00125-012-2538-9 [doi]
AB  - A short abstract written for this test.
LA  - eng
"""


def _rec(n: int, **kw) -> Record:
    base = dict(
        source_format="test",
        position=n,
        raw=f"raw {n} {kw}",
        title=f"A title number {n}",
        year=2020,
        authors=[Author(name="Doe, Jane", family="Doe", given="Jane")],
        journal="J Test",
    )
    base.update(kw)
    return Record(**base)


@pytest.fixture
def files(tmp_path):
    ris = tmp_path / "two.ris"
    ris.write_text(RIS, encoding="utf-8")
    nbib = tmp_path / "one.nbib"
    nbib.write_text(NBIB, encoding="utf-8")
    return ris, nbib


def test_import_is_idempotent_and_merges_by_identifier(files):
    ris, nbib = files
    b1 = services.import_file(ris)
    assert (b1.records_read, b1.new_publications, b1.duplicates_merged) == (2, 2, 0)
    b2 = services.import_file(nbib)
    assert (b2.records_read, b2.new_publications, b2.duplicates_merged) == (1, 0, 1)
    again = services.import_file(ris)
    assert (again.records_read, again.new_publications, again.already_known) == (2, 0, 2)
    assert Publication.objects.count() == 2
    assert RawRecord.objects.count() == 3
    pio = Publication.objects.get(doi="10.1007/s00125-012-2538-9")
    # fields the RIS record lacked come from the nbib record, and say so
    assert pio.pmid == "22460763"
    nbib_raw = pio.raw_records.get(source_format="medline")
    assert pio.field_sources["pmid"] == nbib_raw.pk
    assert pio.field_sources["title"] != nbib_raw.pk
    assert "A short abstract" in pio.abstract
    event = MergeEvent.objects.get()
    assert event.method == "identifier" and "doi" in event.reason.lower()


def test_prepared_forms_are_stored_with_keys_and_read_back(files):
    ris, nbib = files
    services.import_file(ris)
    assert DedupForm.objects.count() == Publication.objects.count() == 2
    for pub in Publication.objects.all():
        stored = dedup.load_prepared(pub.dedup_form.form, str(pub.pk))
        fresh = services.prepare_publication(pub)
        assert stored is not None
        assert stored.keys == fresh.keys and stored.tokens == fresh.tokens and stored.doi == fresh.doi
    # a later file is compared with the stored forms and merges as before
    services.import_file(nbib)
    assert Publication.objects.count() == 2
    pio = Publication.objects.get(doi="10.1007/s00125-012-2538-9")
    form = dedup.load_prepared(pio.dedup_form.form, str(pio.pk))
    assert form is not None and form.pmid == "22460763"  # the merged publication's form was rewritten


@pytest.mark.parametrize("damage", ["delete", "old_version"])
def test_missing_or_outdated_prepared_form_falls_back_to_preparing(files, damage):
    ris, nbib = files
    services.import_file(ris)
    if damage == "delete":
        DedupForm.objects.all().delete()
    else:
        for row in DedupForm.objects.all():
            row.form = "[0]" + row.form[row.form.index(",") :]  # another version's layout
            row.save()
    b = services.import_file(nbib)
    assert (b.new_publications, b.duplicates_merged) == (0, 1)
    if damage == "delete":  # the next import's index wrote the missing forms back
        assert DedupForm.objects.count() == Publication.objects.count()


def test_undo_merge_splits_and_rebuilds(files):
    ris, nbib = files
    services.import_file(ris)
    services.import_file(nbib)
    pio = Publication.objects.get(doi="10.1007/s00125-012-2538-9")
    event = MergeEvent.objects.get()
    new = services.undo_merge(event)
    pio.refresh_from_db()
    assert pio.pmid == "" and pio.abstract == ""  # rebuilt from its own RIS record only
    assert new.pmid == "22460763"
    assert Publication.objects.count() == 3
    event.refresh_from_db()
    assert event.undone_at is not None and event.split_into == new
    with pytest.raises(BeneficeError):
        services.undo_merge(event)
    assert DedupForm.objects.count() == Publication.objects.count()  # split and rebuilt: forms rewritten


def test_failed_file_writes_nothing(tmp_path, files):
    ris, _ = files
    bad = tmp_path / "bad.ris"
    bad.write_text(RIS + "TY  - JOUR\nTI  - " + "x" * 2_000_000 + "\nER  - \n", encoding="utf-8")
    with pytest.raises(BeneficeError) as info:
        services.import_file(bad)
    assert "bad.ris" in str(info.value)
    assert Publication.objects.count() == 0 and RawRecord.objects.count() == 0
    batch = ImportBatch.objects.get()
    assert batch.status == ImportBatch.Status.FAILED and batch.errors


def test_fuzzy_merge_without_identifiers_is_recorded():
    batch = ImportBatch.objects.create(origin="test")
    title = (
        "Risk of stroke after discontinuation of oral anticoagulants in the French national claims database"
    )
    recs = [
        _rec(
            1,
            title=title,
            year=2019,
            volume="12",
            pages="100-110",
            authors=[Author(name="Martin, Paul", family="Martin", given="Paul")],
            journal="Stroke",
        ),
        _rec(
            2,
            title=title.upper() + ".",
            year=2019,
            volume="12",
            pages="100-10",
            authors=[Author(name="Martin, P.", family="Martin", given="P.")],
            journal="Stroke",
        ),
    ]
    counts = services.import_records(recs, batch, origin="test")
    assert counts.new_publications == 1 and counts.duplicates_merged == 1
    assert MergeEvent.objects.get().method == "fuzzy"


def test_candidates_years_apart_are_skipped_unread_unless_an_identifier_is_shared(monkeypatch):
    title = "Hospital admissions for heart failure after benfluorex exposure in the national claims data"
    authors = [Author(name="Weill, Alain", family="Weill", given="Alain")]
    batch = ImportBatch.objects.create(origin="test")
    stored = [
        _rec(1, title=title, year=2010, authors=authors),
        _rec(2, title=title + " (second report)", year=2016, authors=authors, doi="10.1000/same"),
    ]
    services.import_records(stored, batch, origin="test")
    assert list(
        DedupKey.objects.order_by("publication_id").values_list("year", flat=True).distinct()
    ) == [
        2010,
        2016,
    ]
    read: list[set[int]] = []
    real = services.CorpusIndex._prepared

    def spy(self, ids):
        read.append(set(ids))
        return real(self, ids)

    monkeypatch.setattr(services.CorpusIndex, "_prepared", spy)
    later = [_rec(3, title=title + " (second report)", year=2019, authors=authors, doi="10.1000/same")]
    counts = services.import_records(later, batch, origin="test")
    first, second = Publication.objects.order_by("pk")
    # the 2010 publication shares title and author keys but is nine years away: its form is not read
    assert read == [{second.pk}] and first.pk not in read[0]
    assert counts.duplicates_merged == 1  # the 2016 one, three years away, shares the DOI: read through it
    assert RawRecord.objects.get(position=3).publication == second


def test_export_formats(files):
    ris, nbib = files
    services.import_file(ris)
    services.import_file(nbib)
    out = io.StringIO()
    n = services.export_publications(Publication.objects.order_by("pk"), "jsonl", out)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert n == 2 and len(lines) == 2
    assert {line["doi"] for line in lines} == {"10.1002/pds.2044", "10.1007/s00125-012-2538-9"}
    out = io.StringIO()
    services.export_publications(Publication.objects.all(), "ris", out)
    assert out.getvalue().count("ER  -") == 2
    with pytest.raises(BeneficeError):
        services.export_publications(Publication.objects.all(), "docx", io.StringIO())


def test_dedup_corpus_merges_existing_duplicates():
    batch = ImportBatch.objects.create(origin="test")
    title = "Cyproterone acetate and meningioma: a nationwide cohort study"
    a = Publication.objects.create(
        title=title,
        year=2021,
        journal="BMJ",
        volume="372",
        pages="n37",
        authors=[{"name": "Weill, Alain", "family": "Weill", "given": "Alain"}],
    )
    b = Publication.objects.create(
        title=title + ".",
        year=2021,
        journal="BMJ (Clinical research ed.)",
        volume="372",
        pages="n37",
        authors=[{"name": "Weill, A.", "family": "Weill", "given": "A."}],
    )
    for pub in (a, b):
        RawRecord.objects.create(
            batch=batch,
            publication=pub,
            source_format="test",
            origin="t",
            position=pub.pk,
            raw=str(pub.pk),
            content_hash=f"h{pub.pk}",
            parsed=services.publication_to_record(pub).to_dict(),
        )
    assert services.dedup_corpus() == 1
    assert Publication.objects.count() == 1
    assert Publication.objects.get().raw_records.count() == 2


def test_cli_import_prints_counts_and_is_idempotent(files):
    from benefice.cli import main

    ris, _ = files
    runner = CliRunner()
    first = runner.invoke(main, ["import", str(ris), "--format", "auto"])
    assert first.exit_code == 0, first.output
    assert "records read: 2" in first.output and "new publications: 2" in first.output
    second = runner.invoke(main, ["import", str(ris)])
    assert "new publications: 0" in second.output and "duplicates merged: 0" in second.output


def test_cli_import_bad_file_exits_nonzero(tmp_path):
    from benefice.cli import main

    empty = tmp_path / "empty.ris"
    empty.write_text("")
    result = CliRunner().invoke(main, ["import", str(empty)])
    assert result.exit_code != 0
    assert "empty.ris" in result.output


_words = st.text(alphabet=st.sampled_from("abcdéèüßæ ÆÖ-’&+19"), max_size=30)
_records = st.builds(
    Record,
    source_format=st.just("test"),
    position=st.integers(1, 10),
    raw=_words,
    title=_words,
    abstract=_words,
    year=st.one_of(st.none(), st.integers(-5, 40000)),
    authors=st.lists(st.builds(Author, name=_words, family=_words, given=_words), max_size=3),
    journal=_words,
    doi=_words,
    pmid=st.sampled_from(["", "123"]),
    keywords=st.lists(_words, max_size=3),
    mesh=st.lists(_words, max_size=2),
    issn=st.lists(st.just("1234-5678"), max_size=1),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(_records)
def test_property_publication_prepared_in_the_reader_equals_one_built_by_apply_record(record):
    """The reading process builds new publications itself (fields.new_publication): it must agree with
    apply_record, which every merge, rebuild and undo uses."""
    from benefice.corpus import pipeline

    expected = Publication()
    services.apply_record(expected, record, 7)
    got = services.new_publication(pipeline.prepare_item(record), 7)
    importing._materialise(got)
    for field in (*services.MERGEABLE_FIELDS, "field_sources", "search_text"):
        assert getattr(got, field) == getattr(expected, field), field


def test_keys_of_an_older_prepared_form_version_are_rebuilt_before_the_next_import(files):
    """After an upgrade that changes the blocking keys, the stored keys are the old ones: a duplicate the new
    keys would find could never be a candidate. The next import's index rebuilds them first."""
    from benefice.corpus.models import DedupKey

    ris, nbib = files
    services.import_file(ris)
    pio = Publication.objects.get(doi="10.1007/s00125-012-2538-9")
    expected = set(pio.dedup_keys.values_list("key", flat=True))
    DedupKey.objects.filter(publication=pio).update(key="stale-key-of-an-older-version")
    DedupForm.objects.filter(publication=pio).update(form="[0]")
    services.CorpusIndex.from_database()
    assert set(pio.dedup_keys.values_list("key", flat=True)) == expected
    assert dedup.load_prepared(DedupForm.objects.get(publication=pio).form, str(pio.pk)) is not None
    b = services.import_file(nbib)
    assert (b.new_publications, b.duplicates_merged) == (0, 1)
