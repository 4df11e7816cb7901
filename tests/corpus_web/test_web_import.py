"""The import page: upload, background job, progress file, outcome, and what happens when things go wrong."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from benefice.core import jobs
from benefice.corpus import formats
from benefice.corpus import jobs as import_jobs
from benefice.corpus.forms import IMPORT_FORMATS
from benefice.corpus.models import ImportBatch, Publication, RawRecord

from .conftest import CORPUS, ris_text

IMPORT = reverse("corpus:import")
RIS = "\n".join(ris_text(data) for data in CORPUS[:3])


@pytest.fixture(autouse=True)
def job_home(settings, tmp_path):
    """Each test gets its own jobs and uploads directories (job files would otherwise leak across tests)."""
    settings.HOME = tmp_path / "home"
    settings.MEDIA_ROOT = tmp_path / "home" / "uploads"
    return settings.HOME


def upload(client: Client, name: str, content: str | bytes, fmt: str = "auto", **extra):
    data = content.encode() if isinstance(content, str) else content
    return client.post(IMPORT, {"file": SimpleUploadedFile(name, data), "format": fmt}, **extra)


def job_id_of(response) -> str:
    match = re.fullmatch(r"/corpus/import/([0-9a-f]{32})/", response["Location"])
    assert match, response["Location"]
    return match.group(1)


def test_import_formats_offered_are_the_supported_ones() -> None:
    assert set(IMPORT_FORMATS) == set(formats.FORMATS)


@pytest.mark.django_db
def test_import_page_has_labelled_upload_form(editor: Client) -> None:
    html = editor.get(IMPORT).content.decode()
    assert 'enctype="multipart/form-data"' in html
    assert '<label for="id_file">' in html and '<label for="id_format">' in html
    assert 'aria-describedby="id_file_helptext"' in html and 'id="id_file_helptext"' in html
    assert '<option value="auto" selected>' in html


@pytest.mark.django_db
def test_upload_without_file_shows_the_error(editor: Client) -> None:
    response = editor.post(IMPORT, {"format": "auto"})
    assert response.status_code == 200
    assert 'aria-invalid="true"' in response.content.decode()


@pytest.mark.django_db
def test_editor_imports_a_ris_file(editor: Client) -> None:
    response = upload(editor, "three studies.ris", RIS)
    assert response.status_code == 302
    job = jobs.read_job(job_id_of(response))
    assert job["status"] == jobs.DONE and job["format"] == "ris"
    assert job["counts"] == {
        "records_read": 3,
        "new_publications": 3,
        "duplicates_merged": 0,
        "already_known": 0,
    }
    assert Publication.objects.count() == 3 and RawRecord.objects.count() == 3
    batch = ImportBatch.objects.get(pk=job["batch_id"])
    assert batch.status == ImportBatch.Status.DONE and batch.user.username == "editor"
    page = editor.get(response["Location"]).content.decode()
    assert "hx-trigger" not in page  # finished: nothing to poll
    assert re.search(r"<dt>Nouvelles publications</dt><dd>3</dd>", page)
    # the same file again: nothing new, everything already known
    again = jobs.read_job(job_id_of(upload(editor, "three studies.ris", RIS)))
    assert again["counts"]["new_publications"] == 0 and again["counts"]["already_known"] == 3
    listing = editor.get(IMPORT).content.decode()
    assert listing.count("three_studies.ris") == 2  # recent jobs, with the stored (safe) name


@pytest.mark.django_db
def test_empty_upload_is_refused_by_the_form(editor: Client) -> None:
    response = upload(editor, "empty.ris", "")
    assert response.status_code == 200 and 'aria-invalid="true"' in response.content.decode()
    assert not import_jobs.recent_imports()


@pytest.mark.django_db
def test_failed_import_names_the_uploaded_file_not_our_storage_path(editor: Client) -> None:
    response = upload(editor, "notes.txt", "Just some notes, no bibliographic record here.\n")
    job = jobs.read_job(job_id_of(response))
    assert job["status"] == jobs.FAILED
    assert "notes.txt" in job["error"] and str(import_jobs.uploads_dir()) not in job["error"]
    page = editor.get(response["Location"]).content.decode()
    assert 'role="alert"' in page and "notes.txt" in page
    assert Publication.objects.count() == 0
    assert ImportBatch.objects.get(pk=job["batch_id"]).status == ImportBatch.Status.FAILED


@pytest.mark.django_db
def test_forced_wrong_format_fails_cleanly(editor: Client) -> None:
    job = jobs.read_job(job_id_of(upload(editor, "data.ris", RIS, fmt="pubmed_xml")))
    assert job["status"] == jobs.FAILED and job["error"]
    assert Publication.objects.count() == 0


def fake_job(status: str, **fields) -> jobs.Job:
    job: jobs.Job = {
        "id": "ab" * 16,
        "kind": "import",
        "status": status,
        "filename": "big.ris",
        "path": "/x/big.ris",
        "format": "ris",
        "user_id": None,
        "username": "editor",
        "host": os.uname().nodename,
        "pid": os.getpid(),
        "created_at": "2026-01-01T10:00:00+00:00",
        "finished_at": None,
        "done": 0,
        "total": None,
        "batch_id": None,
        "counts": {},
        "error": "",
    }
    job.update(fields)
    jobs.write_job(job)
    return job


@pytest.mark.django_db
def test_progress_fragment_polls_while_running_then_stops(editor: Client) -> None:
    job = fake_job(jobs.RUNNING, done=3000, total=12000)
    status_url = reverse("corpus:import_job_status", args=[job["id"]])
    html = editor.get(status_url, headers={"HX-Request": "true"}).content.decode()
    assert 'hx-trigger="every 1s"' in html and f'hx-get="{status_url}"' in html
    assert '<progress id="job-progress" max="12000" value="3000">' in html and "25" in html
    assert "<html" not in html
    page = editor.get(reverse("corpus:import_job", args=[job["id"]])).content.decode()
    assert "<html" in page and 'hx-trigger="every 1s"' in page and 'role="status"' in page
    fake_job(
        jobs.DONE,
        done=12000,
        total=12000,
        counts={
            "records_read": 12000,
            "new_publications": 11000,
            "duplicates_merged": 900,
            "already_known": 100,
        },
    )
    done = editor.get(status_url, headers={"HX-Request": "true"}).content.decode()
    assert "hx-trigger" not in done and "11000" in done
    assert 'id="job-live" hx-swap-oob="innerHTML"' in done  # announced to screen readers once


@pytest.mark.django_db
def test_job_whose_process_died_is_reported_interrupted(editor: Client) -> None:
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    batch = ImportBatch.objects.create(origin="big.ris")
    job = fake_job(jobs.RUNNING, pid=int(dead.stdout), batch_id=batch.pk)
    html = editor.get(reverse("corpus:import_job", args=[job["id"]])).content.decode()
    assert "hx-trigger" not in html and 'role="alert"' in html
    assert jobs.read_job(job["id"])["status"] == jobs.INTERRUPTED
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.INTERRUPTED


@pytest.mark.django_db
@pytest.mark.parametrize("job_id", ["nope", "AB" * 16, "ab" * 17, "..", "%2e%2e%2fsecret_key"])
def test_bad_job_ids_are_404(editor: Client, job_id: str) -> None:
    assert editor.get(f"/corpus/import/{job_id}/").status_code == 404


def test_job_ids_cannot_name_other_files() -> None:
    for bad in ("../secret_key", "a" * 31, "", "g" * 32):
        assert not jobs.valid_job_id(bad)
        with pytest.raises(ValueError):
            jobs.job_path(bad)


@pytest.mark.django_db(transaction=True)
def test_an_import_waits_in_the_database_queue_until_a_worker_runs_it(editor: Client, database_queue) -> None:
    response = upload(editor, "bg.ris", RIS)
    job_id = job_id_of(response)
    status_url = reverse("corpus:import_job_status", args=[job_id])
    job = jobs.read_job(job_id)
    assert job["status"] == jobs.QUEUED and job["task_id"]  # the request only queued it
    assert Publication.objects.count() == 0
    html = editor.get(status_url, headers={"HX-Request": "true"}).content.decode()
    assert "hx-trigger" in html  # the page keeps polling
    database_queue.run()  # what `benefice worker` does, in this process
    job = jobs.read_job(job_id)
    assert job["status"] == jobs.DONE and job["attempts"] == 1, job
    assert job["counts"]["new_publications"] == 3
    assert Publication.objects.count() == 3
    html = editor.get(status_url, headers={"HX-Request": "true"}).content.decode()
    assert "hx-trigger" not in html and ">3</dd>" in html
    database_queue.run()  # nothing left: the job ran once
    assert ImportBatch.objects.count() == 1


@pytest.mark.django_db
def test_a_job_queued_for_long_says_how_to_start_a_worker(editor: Client) -> None:
    job = fake_job(jobs.QUEUED, created_at="2026-01-01T10:00:00+00:00")
    html = editor.get(reverse("corpus:import_job", args=[job["id"]])).content.decode()
    assert "benefice worker" in html and 'hx-trigger="every 1s"' in html
    french = editor.get(reverse("corpus:import_job", args=[job["id"]]), HTTP_ACCEPT_LANGUAGE="fr")
    assert "Aucun processus de travail" in french.content.decode()  # French first, as every message
    assert jobs.read_job(job["id"])["status"] == jobs.QUEUED  # a queued job is never "interrupted"
