"""A web import detects the sources of what it brought, in the same job and progress, after its transaction;
a failed or cut-short detection leaves the import done and says what to run."""

from __future__ import annotations

import subprocess
import sys

import pytest
from django.test import Client
from django.urls import reverse

from benefice.core import jobs
from benefice.corpus.jobs import DETECTING
from benefice.corpus.models import ImportBatch, Publication
from benefice.sources.models import PublicationDetection

from .test_web_import import fake_job, job_home, job_id_of, upload  # noqa: F401 - fixtures

RIS = """TY  - JOUR
TI  - Cyproterone acetate and risk of meningioma: a nationwide cohort study
AU  - Weill, Alain
PY  - 2021
DO  - 10.1136/bmj.n37
AB  - We conducted a cohort study in the French National Health Data System (SNDS), linking outpatient drug dispensing with hospital stays in the PMSI.
ER  -

TY  - JOUR
TI  - A history of medical statistics
AU  - Doe, Jane
PY  - 2012
DO  - 10.1000/history.1
ER  -
"""


def english(client: Client) -> Client:
    """Messages are checked in English here (the French ones are the translation's business)."""
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    return client


@pytest.mark.django_db(transaction=True)
def test_web_import_job_ends_with_sources_detected(editor: Client, database_queue) -> None:
    """The real queue and worker: the scan runs after the import's own transaction has committed."""
    response = upload(english(editor), "two.ris", RIS)
    job_id = job_id_of(response)
    status_url = reverse("corpus:import_job_status", args=[job_id])
    database_queue.run()
    html = editor.get(status_url, headers={"HX-Request": "true"}).content.decode()
    job = jobs.read_job(job_id)
    assert job["status"] == jobs.DONE and job["phase"] == DETECTING and not job.get("scan_error")
    assert job["scan"] == {
        "publications": 2,
        "scanned": 2,
        "with_sources": 1,
        "classified": 2,
        "with_uses": 1,
    }
    used = dict(PublicationDetection.objects.values_list("publication__doi", "sources_used"))
    assert sorted(used["10.1136/bmj.n37"]) == ["PMSI", "SNDS"] and used["10.1000/history.1"] == []
    assert "<dt>Publications scanned for data sources</dt><dd>2</dd>" in html
    assert "<dt>Naming a data source</dt><dd>1</dd>" in html
    assert "Data sources: 2 publications scanned, 1 names a data source." in html  # announced
    # the corpus page shows the sources at once, and its facet finds the publication
    listing = editor.get(reverse("corpus:list"), {"used": "SNDS"}).content.decode()
    assert "Cyproterone acetate" in listing and "A history of medical statistics" not in listing


@pytest.mark.django_db
def test_reimport_on_the_web_scans_nothing(editor: Client) -> None:  # noqa: F811
    first = jobs.read_job(job_id_of(upload(editor, "two.ris", RIS)))
    assert first["scan"]["scanned"] == 2
    again = jobs.read_job(job_id_of(upload(editor, "two.ris", RIS)))
    assert again["scan"] == {
        "publications": 0,
        "scanned": 0,
        "with_sources": 0,
        "classified": 0,
        "with_uses": 0,
    }


@pytest.mark.django_db
def test_a_failed_detection_keeps_the_web_import(editor: Client, monkeypatch) -> None:  # noqa: F811
    def broken(**kwargs):
        raise RuntimeError("detector exploded")

    monkeypatch.setattr("benefice.sources.services.scan_database", broken)
    response = upload(english(editor), "two.ris", RIS)
    job = jobs.read_job(job_id_of(response))
    assert job["status"] == jobs.DONE and job["counts"]["new_publications"] == 2
    assert "detector exploded" in job["scan_error"] and "benefice scan" in job["scan_error"]
    assert Publication.objects.count() == 2 and not PublicationDetection.objects.exists()
    assert ImportBatch.objects.get(pk=job["batch_id"]).status == ImportBatch.Status.DONE
    page = editor.get(response["Location"]).content.decode()
    assert "The records were imported, but detecting their data sources did not finish." in page
    assert "benefice scan" in page and "nothing was added" not in page


@pytest.mark.django_db
def test_detection_phase_shows_in_the_same_progress(editor: Client) -> None:
    job = fake_job(jobs.RUNNING, phase=DETECTING, done=40, total=160)
    html = english(editor).get(reverse("corpus:import_job_status", args=[job["id"]])).content.decode()
    assert 'hx-trigger="every 1s"' in html  # still polling
    assert '<label for="job-progress">Detecting sources</label>' in html
    assert '<progress id="job-progress" max="160" value="40">' in html
    assert "Data sources: 40 of 160 publications (25 %)" in html


@pytest.mark.django_db
def test_server_stopped_during_detection_leaves_the_import_done(editor: Client) -> None:
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    batch = ImportBatch.objects.create(origin="big.ris", status=ImportBatch.Status.DONE)
    job = fake_job(jobs.RUNNING, phase=DETECTING, pid=int(dead.stdout), batch_id=batch.pk)
    seen = jobs.read_job(job["id"])
    assert seen["status"] == jobs.DONE and "benefice scan" in seen["scan_error"]
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.DONE  # the import is not turned into an interrupted one


@pytest.mark.django_db
def test_detection_phase_and_outcome_are_translated(editor: Client) -> None:  # noqa: F811
    job = fake_job(jobs.RUNNING, phase=DETECTING, done=1, total=4)
    html = editor.get(reverse("corpus:import_job_status", args=[job["id"]])).content.decode()
    assert "Détection des sources" in html and "Sources de données\u00a0: 1 sur 4 publications (25\u00a0%)" in html
    done = editor.get(upload(editor, "two.ris", RIS)["Location"]).content.decode()
    assert "<dt>Publications analysées (sources de données)</dt><dd>2</dd>" in done
    assert "<dt>Nommant une source de données</dt><dd>1</dd>" in done
    # the kinds of use set by the same scan are counted too (issue 16)
    assert "<dt>Publications classées par type d'usage</dt><dd>2</dd>" in done.replace("&#x27;", "'")
    assert "<dt>Avec un type d'usage</dt><dd>1</dd>" in done.replace("&#x27;", "'")
