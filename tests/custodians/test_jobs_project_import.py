"""A project directory imported from the web is a job of the queue: the request saves the file and queues
it; the job's page ends on the report (or the error naming file, line and field) the page used to show."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from benefice.core import jobs
from benefice.custodians import jobs as custodian_jobs
from benefice.custodians import services
from benefice.custodians.models import Project
from benefice.errors import localized_error

from .conftest import client_for

LIST = "Référence;title;Date de début\nP1;Un projet;2020\nP2;Autre;hier\n"


def _english(user):
    client = client_for(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _job_id(response) -> str:
    return response["Location"].rstrip("/").rsplit("/", 1)[1]


def test_the_kind_is_registered() -> None:
    assert jobs.KINDS[custodian_jobs.KIND].run == "benefice.custodians.jobs.run_project_import"


def test_the_job_gives_the_report_the_service_gives(db, people, tmp_path) -> None:
    editor = _english(people["editor"])
    response = editor.post(
        reverse("custodians:import"),
        {"file": SimpleUploadedFile("liste.csv", LIST.encode()), "custodian": "R"},
    )
    job = jobs.read_job(_job_id(response))
    assert job["status"] == jobs.DONE and job["kind"] == "project_import"
    assert job["done"] == job["total"] == 2  # progress: the rows read
    page = " ".join(editor.get(response["Location"]).content.decode().split())
    assert "liste.csv: 2 rows read; 1 new, 0 updated, 0 unchanged, 1 rejected." in page
    assert "hx-trigger" not in page  # over: the page no longer polls
    # the same file through the service the CLI calls: the same report, now that P1 exists
    path = tmp_path / "liste.csv"
    path.write_text(LIST, encoding="utf-8")
    report = services.import_projects(path, custodian="R")
    assert report.rows_read == job["result"]["rows_read"] and report.unchanged == job["result"]["new"] == [
        "P1"
    ]
    stored = [localized_error(r, "en", name_only=False) for r in job["result"]["rejected"]]
    assert [str(r).replace(str(path), "liste.csv") for r in report.rejected] == stored
    assert "liste.csv, line 3" in stored[0] and "liste.csv, line 3" in page  # the page says it too
    french = localized_error(job["result"]["rejected"][0], "fr")  # kept as parts: said in French (issue 19)
    assert "liste.csv" in french and french != stored[0]


def test_a_bad_file_fails_the_job_with_the_message_and_writes_nothing(db, people) -> None:
    editor = _english(people["editor"])
    response = editor.post(
        reverse("custodians:import"), {"file": SimpleUploadedFile("bad.csv", b"titre\nx\n")}
    )
    job = jobs.read_job(_job_id(response))
    assert job["status"] == jobs.FAILED and "bad.csv" in job["error"] and str(job["path"]) not in job["error"]
    page = editor.get(reverse("custodians:import_job_status", args=[job["id"]])).content.decode()
    assert 'role="alert"' in page and "bad.csv" in page
    assert not Project.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_import_waits_for_the_worker_not_the_request(people, database_queue) -> None:
    editor = _english(people["editor"])
    response = editor.post(
        reverse("custodians:import"), {"file": SimpleUploadedFile("liste.csv", LIST.encode())}
    )
    job_url = response["Location"]
    assert jobs.read_job(_job_id(response))["status"] == jobs.QUEUED and not Project.objects.exists()
    assert 'hx-trigger="every 1s"' in editor.get(job_url).content.decode()
    database_queue.run()
    assert "1 new" in editor.get(job_url + "status/").content.decode()
    assert Project.objects.filter(reference="P1").exists()
    viewer = client_for(people["viewer"])
    assert viewer.get(job_url).status_code == 403
