"""REFI-QDA projects and transcripts imported from the web are jobs of the queue: the request saves the file
and queues it; the job's page ends where the import page used to end (same message, same next page), or on
the import form with the same error naming the file."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from benefice.core import jobs
from benefice.interviews import jobs as interview_jobs
from benefice.interviews import refi, services
from benefice.interviews.models import Code, InterviewProject, Transcript

from .conftest import FIXTURES, INTERVIEW, client_for


def _english(user):
    client = client_for(user)
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _job(response) -> jobs.Job:
    return jobs.read_job(response["Location"].rstrip("/").rsplit("/", 1)[1])


def test_the_kinds_are_registered() -> None:
    assert jobs.KINDS["qda_import"].run == "benefice.interviews.jobs.run_qda_import"
    assert jobs.KINDS["transcript_import"].run == "benefice.interviews.jobs.run_transcript_import"


def _twin(people) -> InterviewProject:
    twin = services.create_project("Jumeau", people["lead"], keep_originals=False)
    services.update_project(twin, people["lead"], names_list=(FIXTURES / "noms_projet.txt").read_text())
    return twin


def test_a_transcript_job_stores_what_the_service_stores(project, people) -> None:
    lead = _english(people["lead"])
    upload = SimpleUploadedFile(INTERVIEW.name, INTERVIEW.read_bytes(), content_type="text/plain")
    response = lead.post(reverse("interviews:import", args=[project.pk]), {"file": upload, "title": "P07"})
    job = _job(response)
    assert job["kind"] == "transcript_import" and job["status"] == jobs.DONE and job["step"] == "reading"
    stored = Transcript.objects.get(pk=job["result"]["transcript_id"])
    page = lead.get(response["Location"], follow=True)
    assert page.redirect_chain[-1][0].endswith(f"/{stored.pk}/review/")
    assert f"Transcript imported: {len(stored.review)} entities to review" in page.content.decode()
    # the same file through the service directly, into a project set up the same way
    direct = services.import_transcript(_twin(people), INTERVIEW.name, INTERVIEW.read_bytes(), people["lead"])
    assert (stored.original_text, stored.turns, stored.file_name) == (
        direct.original_text,
        direct.turns,
        direct.file_name,
    )
    assert stored.review == direct.review  # the same entities proposed, with the same pseudonyms
    assert not (interview_jobs.uploads_dir() / job["id"]).exists()  # the interview's file is not kept


def test_a_transcript_job_run_again_after_its_commit_imports_once(project, people) -> None:
    """The queue runs a dead worker's task again (core.jobs.recover): a worker killed after the transcript was
    committed, before its job was marked done, must not leave two copies of an interview."""
    lead = _english(people["lead"])
    upload = SimpleUploadedFile(INTERVIEW.name, INTERVIEW.read_bytes(), content_type="text/plain")
    job = _job(lead.post(reverse("interviews:import", args=[project.pk]), {"file": upload, "title": "P07"}))
    first = job["result"]["transcript_id"]
    job["status"] = jobs.RUNNING  # as a killed worker leaves it: status running, the upload still there
    jobs.write_job(job)
    kept = Path(job["path"])
    kept.parent.mkdir(parents=True, exist_ok=True)
    kept.write_bytes(INTERVIEW.read_bytes())
    again = interview_jobs.run_transcript_import(job["id"])
    assert again["result"]["transcript_id"] == first
    assert list(project.transcripts.values_list("pk", flat=True)) == [first]


def test_a_bad_transcript_fails_the_job_and_the_form_says_why(project, people) -> None:
    lead = _english(people["lead"])
    upload = SimpleUploadedFile("entretien.docx", b"PK\x03\x04 not really a docx")
    response = lead.post(reverse("interviews:import", args=[project.pk]), {"file": upload})
    job = _job(response)
    assert job["status"] == jobs.FAILED and job["error"].startswith("entretien.docx")
    page = lead.get(response["Location"])
    assert page.status_code == 200 and job["error"] in page.content.decode()
    assert 'name="file"' in page.content.decode()  # the import form again
    assert not Transcript.objects.exists()
    assert not (interview_jobs.uploads_dir() / job["id"]).exists()


def test_a_bad_transcript_job_says_why_in_french_to_a_french_reader(project, people) -> None:
    """The transcript's error keeps its template and parameters through the service and the job (issue 19)."""
    french = client_for(people["lead"])
    french.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "fr"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:  # a sound zip, but no Word document inside
        archive.writestr("notes.txt", "bonjour")
    upload = SimpleUploadedFile("entretien.docx", buffer.getvalue())
    response = french.post(reverse("interviews:import", args=[project.pk]), {"file": upload})
    job = _job(response)
    assert job["status"] == jobs.FAILED
    assert job["error_data"]["template"].startswith("corrupt or unreadable docx")
    page = french.get(response["Location"]).content.decode()
    assert "entretien.docx\u00a0: docx corrompu ou illisible\u00a0: " in page and "unreadable" not in page


def test_a_file_of_the_wrong_type_is_refused_before_any_job(project, people, settings, tmp_path) -> None:
    settings.HOME = tmp_path  # a jobs directory of its own, to see that none was queued
    lead = _english(people["lead"])
    page = lead.post(
        reverse("interviews:import", args=[project.pk]), {"file": SimpleUploadedFile("a.pdf", b"%PDF")}
    )
    assert page.status_code == 200 and "a.pdf: unsupported transcript format" in page.content.decode()
    page = lead.post(
        reverse("interviews:import_refi", args=[project.pk]), {"file": SimpleUploadedFile("a.zip", b"x")}
    )
    assert (
        page.status_code == 200
        and "a.zip: expected a .qdpx project or a .qdc codebook" in page.content.decode()
    )
    assert not jobs.recent_jobs(kind="qda_import") and not jobs.recent_jobs(kind="transcript_import")


def test_a_qda_job_imports_what_the_service_imports(tmp_path, project, transcript, people) -> None:
    services.add_coding(
        transcript, 10, 40, services.create_code(project, "C", people["lead"]), people["coder1"]
    )
    out = tmp_path / "p.qdpx"
    services.export_qdpx(project, out)
    other = services.create_project("Autre", people["lead"])
    lead = _english(people["lead"])
    with out.open("rb") as handle:
        response = lead.post(reverse("interviews:import_refi", args=[other.pk]), {"file": handle})
    job = _job(response)
    assert job["kind"] == "qda_import" and job["status"] == jobs.DONE and job["step"] == "storing"
    page = lead.get(response["Location"], follow=True)
    assert page.redirect_chain[-1][0] == reverse("interviews:project", args=[other.pk])
    counts = job["result"]["counts"]
    assert (
        f"Imported {counts['sources']} sources, {counts['codes']} codes, {counts['selections']} selections, "
        f"{counts['codings']} codings." in page.content.decode()
    )
    direct = services.import_refi(
        services.create_project("Direct", people["lead"]), refi.read_qdpx(out), None
    )
    assert direct == counts
    assert services.stored_coding_count(other) == direct["stored_codings"]


def test_a_bad_codebook_fails_the_job_and_writes_nothing(tmp_path, project, people) -> None:
    bomb = tmp_path / "bomb.qdc"
    bomb.write_text('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">]><CodeBook>&lol;</CodeBook>')
    lead = _english(people["lead"])
    with bomb.open("rb") as handle:
        response = lead.post(reverse("interviews:import_refi", args=[project.pk]), {"file": handle})
    job = _job(response)
    assert (
        job["status"] == jobs.FAILED and job["error"].startswith("bomb.qdc: ") and "DOCTYPE" in job["error"]
    )
    page = lead.get(response["Location"]).content.decode()
    assert "bomb.qdc: " in page and "DOCTYPE" in page and not Code.objects.filter(project=project).exists()


def test_a_bad_codebook_job_says_its_error_in_each_readers_language(tmp_path, project, people) -> None:
    """The job keeps the error's English template and parameters (issue 19): a French reader reads it in
    French, an English one in English, naming the uploaded file, never where the server stored it."""
    bomb = tmp_path / "bombe.qdc"
    bomb.write_text('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">]><CodeBook>&lol;</CodeBook>')
    french = client_for(people["lead"])
    french.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "fr"
    with bomb.open("rb") as handle:
        response = french.post(reverse("interviews:import_refi", args=[project.pk]), {"file": handle})
    job = _job(response)
    assert job["status"] == jobs.FAILED and job["error_data"]["template"].startswith("XML with a DOCTYPE")
    assert job["error_data"]["path"] == "bombe.qdc"
    page = french.get(response["Location"]).content.decode()
    assert "bombe.qdc\u00a0: XML refusé" in page and "refused" not in page
    page = _english(people["lead"]).get(response["Location"]).content.decode()
    assert "bombe.qdc: XML with a DOCTYPE/entity declarations is refused" in page


@pytest.mark.django_db(transaction=True)
def test_the_import_waits_for_the_worker_not_the_request(people, database_queue) -> None:
    project = services.create_project("Queue", people["lead"])
    lead = _english(people["lead"])
    upload = SimpleUploadedFile("p.txt", b"[id1] Bonjour.\n[id2] Bonjour.\n", content_type="text/plain")
    response = lead.post(reverse("interviews:import", args=[project.pk]), {"file": upload})
    job_url = response["Location"]
    assert _job(response)["status"] == jobs.QUEUED and not project.transcripts.exists()
    page = lead.get(job_url).content.decode()
    assert 'hx-trigger="every 1s"' in page and "waits for its turn" in page
    database_queue.run()
    status = lead.get(job_url + "status/", HTTP_HX_REQUEST="true")
    assert status["HX-Redirect"] == job_url  # htmx is sent to the job's page, which shows the outcome
    assert lead.get(job_url)["Location"].endswith(f"/{project.transcripts.get().pk}/review/")
    coder = client_for(people["coder1"])
    assert coder.get(job_url).status_code == 404  # not a member: the project's existence is confidential


def test_a_failed_import_is_said_in_the_readers_language(project, people) -> None:
    """Issue 19: the job keeps its error's parts; a French reader reads it in French, naming the file."""
    lead = client_for(people["lead"])  # French, the site's default
    upload = SimpleUploadedFile("vide.txt", b"   \n  ")
    response = lead.post(reverse("interviews:import", args=[project.pk]), {"file": upload})
    job = _job(response)
    assert job["status"] == jobs.FAILED and job["error"] == "vide.txt: the transcript is empty"
    page = lead.get(response["Location"]).content.decode()
    assert "vide.txt" in page and "la transcription est vide" in page and "the transcript is empty" not in page
