"""Scanning is part of importing: every import and harvest detects the sources of what it created or changed,
re-importing scans nothing, a failed or interrupted scan keeps the import and `benefice scan` finishes it; the
JSON lines export carries the effective source lists and the kinds of use."""

from __future__ import annotations

import json

import httpx
import pytest
from click.testing import CliRunner

from benefice.cli import main
from benefice.corpus import connectors, services
from benefice.corpus.models import ImportBatch, Publication
from benefice.corpus.services import scan
from benefice.errors import localized_error
from benefice.sources.models import PublicationDetection

pytestmark = pytest.mark.django_db

# Written for these tests (titles of real studies; abstracts short and ours).
RIS = """TY  - JOUR
TI  - Cyproterone acetate and risk of meningioma: a nationwide cohort study
AU  - Weill, Alain
PY  - 2021
T2  - BMJ
DO  - 10.1136/bmj.n37
AB  - We conducted a cohort study in the French National Health Data System (SNDS), linking outpatient drug dispensing with hospital stays in the PMSI. Adverse drug reactions were frequent.
ER  -

TY  - JOUR
TI  - Pioglitazone and bladder cancer in France
AU  - Neumann, Anke
PY  - 2012
T2  - Diabetologia
DO  - 10.1007/s00125-012-2538-9
ER  -

TY  - JOUR
TI  - A history of medical statistics
AU  - Doe, Jane
PY  - 2012
T2  - J Hist Med
DO  - 10.1000/history.1
AB  - An essay on the history of statistics in medicine, unrelated to any database.
ER  -
"""

# The second study again, from PubMed, with an abstract the RIS record lacked: merged by DOI.
NBIB = """PMID- 22460763
TI  - Pioglitazone and bladder cancer in France.
FAU - Neumann, A
AU  - Neumann A
DP  - 2012 Jul
TA  - Diabetologia
LID - 10.1007/s00125-012-2538-9 [doi]
AB  - Data came from the CONSTANCES cohort.
LA  - eng
"""

CYPRO, PIO, HISTORY = "10.1136/bmj.n37", "10.1007/s00125-012-2538-9", "10.1000/history.1"


@pytest.fixture
def files(tmp_path):
    ris = tmp_path / "three.ris"
    ris.write_text(RIS, encoding="utf-8")
    nbib = tmp_path / "one.nbib"
    nbib.write_text(NBIB, encoding="utf-8")
    return ris, nbib


def run(*args: str):
    return CliRunner().invoke(main, [str(a) for a in args])


def export_rows(tmp_path) -> dict[str, dict]:
    out = tmp_path / "corpus.jsonl"
    result = run("export", "--format", "jsonl", "--output", out)
    assert result.exit_code == 0, result.output
    return {row["doi"]: row for row in map(json.loads, out.read_text(encoding="utf-8").splitlines())}


def detection(doi: str) -> PublicationDetection:
    return PublicationDetection.objects.get(publication__doi=doi)


def test_cli_import_detects_sources_and_the_export_shows_them(files, tmp_path):
    ris, nbib = files
    first = run("import", ris)
    assert first.exit_code == 0, first.output
    assert "sources: 3 publications scanned, 1 name a data source" in first.output
    rows = export_rows(tmp_path)
    assert sorted(rows[CYPRO]["sources_used"]) == ["PMSI", "SNDS"] and rows[CYPRO]["sources_mentioned"] == []
    assert rows[PIO]["sources_used"] == [] and rows[HISTORY]["sources_used"] == []
    # a merged record brings an abstract: the publication it changed is scanned again, and only it
    second = run("import", nbib)
    assert second.exit_code == 0, second.output
    assert "duplicates merged: 1" in second.output
    assert "sources: 1 publications scanned, 1 name a data source" in second.output
    rows = export_rows(tmp_path)
    assert rows[PIO]["sources_used"] == ["CONSTANCES"]
    # the same files again: nothing new, nothing scanned
    stamps = dict(PublicationDetection.objects.values_list("pk", "detected_at"))
    again = run("import", ris, nbib)
    assert again.exit_code == 0, again.output
    assert again.output.count("sources: 0 publications scanned, 0 name a data source") == 2
    assert dict(PublicationDetection.objects.values_list("pk", "detected_at")) == stamps


def test_reimport_scans_nothing(files):
    ris, _nbib = files
    first = services.scan_batch(services.import_file(ris))
    assert (first.publications, first.scanned, first.with_sources, first.error) == (3, 3, 1, "")
    again = services.scan_batch(services.import_file(ris))
    assert (again.publications, again.scanned, again.with_sources) == (0, 0, 0)


def test_a_merge_outdates_the_detection_until_benefice_scan_redoes_it(files):
    ris, nbib = files
    services.scan_batch(services.import_file(ris))
    assert detection(PIO).sources_used == []
    services.import_file(nbib)  # imported, not scanned (as if the scan had been cut short)
    assert detection(PIO).registry_hash == services.OUTDATED
    assert detection(CYPRO).registry_hash != services.OUTDATED  # untouched by the merge
    result = run("scan")
    assert result.exit_code == 0, result.output
    assert "1 publication scanned" in result.output
    assert detection(PIO).sources_used == ["CONSTANCES"]


def test_a_failed_scan_keeps_the_import_and_says_what_to_run(files, monkeypatch):
    ris, _nbib = files

    def broken(**kwargs):
        raise RuntimeError("detector exploded")

    monkeypatch.setattr("benefice.sources.services.scan_database", broken)
    result = run("import", ris)
    assert result.exit_code == 1, result.output
    assert "new publications: 3" in result.output
    assert "source detection failed (RuntimeError: detector exploded)" in result.output
    assert "the import is kept" in result.output and "benefice scan" in result.output
    batch = ImportBatch.objects.get()
    assert batch.status == ImportBatch.Status.DONE and batch.new_publications == 3
    assert any("benefice scan" in localized_error(e, "en") for e in batch.errors)
    assert any("lancez `benefice scan`" in localized_error(e, "fr") for e in batch.errors)
    assert Publication.objects.count() == 3 and not PublicationDetection.objects.exists()
    monkeypatch.undo()
    finish = run("scan")
    assert finish.exit_code == 0, finish.output
    assert "3 publications scanned, 1 names a data source" in finish.output


def test_an_interrupted_scan_resumes_with_benefice_scan(files, monkeypatch):
    """The scan commits as it goes: what it finished stays, `benefice scan` does the rest and only that."""
    from benefice.sources import services as source_services

    ris, _nbib = files
    real = source_services.scan_database
    calls = []

    def fails_second_time(**kwargs):
        calls.append(kwargs["publication_ids"])
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(**kwargs)

    monkeypatch.setattr(scan, "SCAN_IDS", 1)  # where scan_batch looks it up
    monkeypatch.setattr(source_services, "scan_database", fails_second_time)
    result = run("import", ris)
    assert "detection interrupted; the import is kept" in result.output
    assert Publication.objects.count() == 3 and PublicationDetection.objects.count() == 1
    monkeypatch.undo()
    finish = run("scan")
    assert "2 publications scanned" in finish.output and "1 already scanned" in finish.output
    assert PublicationDetection.objects.count() == 3


WORKS = [
    {
        "id": f"https://openalex.org/W20{i}",
        "doi": f"https://doi.org/10.1234/harvest.{i}",
        "display_name": f"Hospital stays of patients with condition {i} in France",
        "publication_year": 2018,
        "type": "article",
        "authorships": [{"author": {"display_name": f"Author {i}"}, "institutions": []}],
        "abstract_inverted_index": {"We": [0], "used": [1], "the": [2], "SNDS.": [3]},
    }
    for i in range(5)
]


REAL_CONNECTOR = connectors.OpenAlexConnector


def openalex(fail_on_cursor: str | None = None):
    def handler(request: httpx.Request) -> httpx.Response:
        cursor = request.url.params["cursor"]
        if cursor == fail_on_cursor:
            return httpx.Response(500, json={"error": "boom"})
        start = 0 if cursor == "*" else int(cursor)
        nxt = str(start + 2) if start + 2 < len(WORKS) else None
        return httpx.Response(
            200, json={"meta": {"count": len(WORKS), "next_cursor": nxt}, "results": WORKS[start : start + 2]}
        )

    def make(**kwargs) -> connectors.OpenAlexConnector:
        return REAL_CONNECTOR(
            httpx.Client(transport=httpx.MockTransport(handler)),
            rate=1000.0,
            retry=connectors.RetryPolicy(max_retries=0),
            sleep=lambda s: None,
        )

    return make


def test_cli_harvest_detects_sources_also_of_the_pages_kept_when_it_stops(monkeypatch):
    monkeypatch.setattr(connectors, "OpenAlexConnector", openalex(fail_on_cursor="4"))
    stopped = run("harvest", "openalex", "--search", "SNDS", "--per-page", "2")
    assert stopped.exit_code == 2, stopped.output
    assert "sources: 4 publications scanned, 4 name a data source" in stopped.output
    assert PublicationDetection.objects.count() == Publication.objects.count() == 4
    monkeypatch.setattr(connectors, "OpenAlexConnector", openalex())
    resumed = run("harvest", "openalex", "--search", "SNDS", "--per-page", "2")
    assert resumed.exit_code == 0, resumed.output
    assert "sources: 1 publications scanned, 1 name a data source" in resumed.output  # the last page only
    assert all(d.sources_used == ["SNDS"] for d in PublicationDetection.objects.all())


# --- the JSON lines export ---------------------------------------------------------------------------------


def test_export_jsonl_fields_are_the_effective_lists_and_kinds_of_use(files, tmp_path):
    ris, _nbib = files
    services.import_file(ris)  # not scanned yet: every list is empty, and says nothing is known
    rows = export_rows(tmp_path)
    for row in rows.values():
        assert (row["sources_used"], row["sources_mentioned"], row["use_categories"]) == ([], [], [])
        assert row["use_categories_method"] == "not classified"
    run("scan")
    # a person's correction changes the effective lists (the machine's result stays apart): export reads those
    det = detection(HISTORY)
    det.sources_used, det.sources_mentioned = ["CEPIDC"], ["SNDS"]
    det.save()
    rows = export_rows(tmp_path)
    assert detection(HISTORY).detected_used == []
    assert rows[HISTORY]["sources_used"] == ["CEPIDC"] and rows[HISTORY]["sources_mentioned"] == ["SNDS"]
    # kinds of use: stored by the scan, main first, only for a publication that uses a source
    assert rows[CYPRO]["use_categories"] and rows[CYPRO]["use_categories_method"] in ("rule", "model")
    assert rows[PIO]["use_categories"] == []  # uses no source
    assert rows[CYPRO]["extra"] == {"benefice_id": Publication.objects.get(doi=CYPRO).pk}
    assert "raw" not in rows[CYPRO]


def test_export_service_reads_the_lists_of_a_queryset_in_one_query(files, django_assert_max_num_queries):
    import io

    ris, _nbib = files
    services.scan_batch(services.import_file(ris))
    out = io.StringIO()
    with django_assert_max_num_queries(3):
        n = services.export_publications(Publication.objects.order_by("pk"), "jsonl", out)
    assert n == 3
    used = {json.loads(line)["doi"]: json.loads(line)["sources_used"] for line in out.getvalue().splitlines()}
    assert sorted(used[CYPRO]) == ["PMSI", "SNDS"]
