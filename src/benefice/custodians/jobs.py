"""A project directory imported from the web: a job of the task queue, not work done in the request.

The Health Data Hub's directory lists thousands of projects; reading it, upserting every project and
auditing each change takes longer than a request should. The import page saves the file (kept under
``MEDIA_ROOT/project-imports/<job id>/``, the provenance of the import) and queues a job of kind
``project_import`` (:mod:`benefice.core.jobs`); the worker runs the service the CLI runs too,
``services.import_projects`` (one transaction: the registry is updated completely or not at all), and the
job's page shows the same report, or the same error naming the file, line and field, as the import page did.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

from benefice.core import jobs
from benefice.custodians import services

KIND = "project_import"


def uploads_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / "project-imports"


def create_project_import(upload: UploadedFile, user, *, custodian: str = "") -> jobs.Job:
    """Save the uploaded directory file and queue its import (``custodian``: the custodian of rows that
    name none)."""
    job_id = jobs.new_job_id()
    _name, path = jobs.save_upload(upload, uploads_dir(), job_id)
    name = Path(upload.name or "upload").name  # the name the person gave, as the report names it
    if not path.suffix:  # the reader goes by the suffix; a file without one is read as CSV, as before
        path = path.rename(path.with_name(f"{path.name}.csv"))
    return jobs.create_job(KIND, user, job_id=job_id, filename=name, path=str(path), custodian=custodian)


def run_project_import(job_id: str) -> jobs.Job:
    """Import the job's file now, in this process; the report (or the error) goes to the job file."""
    job = jobs.job_to_run(job_id)
    with jobs.recorded(job, "project directory import"):
        user = jobs.job_user(job)
        job["step"] = "importing"
        jobs.write_job(job)
        report = services.import_projects(job["path"], custodian=job.get("custodian", ""), user=user)
        for rejection in report.rejected:
            rejection.path = job["filename"]
        job["done"] = job["total"] = report.rows_read
        job["result"] = {
            "rows_read": report.rows_read,
            "new": report.new,
            "updated": report.updated,
            "unchanged": report.unchanged,
            # each reason's parts, said in the language of whoever reads the job page (issue 19)
            "rejected": [rejection.error().to_data() for rejection in report.rejected],
            "unrecognised": report.unrecognised,
            "batch_id": report.batch_id,
        }
    return job
