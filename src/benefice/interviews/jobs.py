"""REFI-QDA projects and transcripts imported from the web: jobs of the task queue, not work done in the request.

A REFI-QDA project can carry hundreds of sources and codings, and a transcript is read then searched for
names (spaCy) before anyone codes it: both take longer than a request should. The import page checks what
it cheaply can (the form, the file's type, the lead's role), keeps the file under
``$BENEFICE_HOME/interview-imports/<job id>/`` for the worker and queues a job of kind ``qda_import`` or
``transcript_import`` (:mod:`benefice.core.jobs`). The worker runs the services the CLI runs too
(``refi.read_qdpx`` / ``read_qdc`` then ``services.import_refi`` / ``import_codebook`` — one transaction
each — and ``services.import_transcript``, in one transaction here too, so a file either comes in whole or
not at all). The file is deleted once the job ends: an interview holds personal data until it is
pseudonymised, and the database keeps what the project needs. The job's page then says what the import
page said (same message, same next page) or shows the form again with the same error.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from benefice.core import jobs
from benefice.errors import BeneficeError
from benefice.i18n import gettext_noop
from benefice.interviews import refi, services
from benefice.interviews.models import InterviewProject, Transcript

QDA_KIND = "qda_import"
TRANSCRIPT_KIND = "transcript_import"
KINDS = (QDA_KIND, TRANSCRIPT_KIND)


def uploads_dir() -> Path:
    """Outside MEDIA_ROOT: an interview before pseudonymisation is never a file anyone could be served."""
    return Path(settings.HOME) / "interview-imports"


def _create(kind: str, project: InterviewProject, user, upload: UploadedFile, **fields: Any) -> jobs.Job:
    job_id = jobs.new_job_id()
    _name, path = jobs.save_upload(upload, uploads_dir(), job_id)
    return jobs.create_job(
        kind,
        user,
        job_id=job_id,
        project_id=project.pk,
        filename=Path(upload.name or "upload").name,  # the name the person gave, as the page named it
        path=str(path),
        **fields,
    )


def create_qda_import(
    project: InterviewProject, user, upload: UploadedFile, *, pseudonymised: bool
) -> jobs.Job:
    """Queue the import of a ``.qdpx`` project or a ``.qdc`` codebook into ``project``."""
    return _create(QDA_KIND, project, user, upload, pseudonymised=pseudonymised)


def create_transcript_import(
    project: InterviewProject,
    user,
    upload: UploadedFile,
    *,
    title: str = "",
    participant_id: int | None = None,
) -> jobs.Job:
    """Queue the import of a transcript file into ``project``."""
    return _create(TRANSCRIPT_KIND, project, user, upload, title=title, participant_id=participant_id)


def _project(job: jobs.Job) -> InterviewProject:
    project = InterviewProject.objects.filter(pk=job.get("project_id")).first()
    if project is None:
        raise BeneficeError(gettext_noop("the interview project was deleted before the file was imported"))
    return project


def _forget_upload(job: jobs.Job) -> None:
    shutil.rmtree(Path(job["path"]).parent, ignore_errors=True)


def run_qda_import(job_id: str) -> jobs.Job:
    """Read the job's REFI-QDA file and store it in its project now, in this process."""
    job = jobs.job_to_run(job_id)
    try:
        with jobs.recorded(job, "REFI-QDA import"):
            project, user = _project(job), jobs.job_user(job)
            path, name = Path(job["path"]), job["filename"]
            suffix = path.suffix.lower()
            try:
                job["step"] = "reading"
                jobs.write_job(job)
                if suffix == ".qdpx":
                    data = refi.read_qdpx(path)
                    job["step"] = "storing"
                    jobs.write_job(job)
                    counts = services.import_refi(
                        project, data, user, pseudonymised=bool(job.get("pseudonymised"))
                    )
                    job["result"] = {"kind": "project", "counts": counts}
                elif suffix == ".qdc":
                    codebook = refi.read_qdc(path)
                    job["step"] = "storing"
                    jobs.write_job(job)
                    job["result"] = {
                        "kind": "codebook",
                        "added": services.import_codebook(project, codebook, user),
                    }
                else:
                    raise BeneficeError(
                        gettext_noop("expected a .qdpx project or a .qdc codebook"), path=name
                    )
            except BeneficeError as exc:
                # said as the import page said it: the person's file (not where we stored it), then what is
                # wrong; its template and parameters kept apart, so that each reader reads it in their language
                raise BeneficeError(
                    exc.template,
                    params=exc.params,
                    path=name if exc.path else None,
                    line=exc.line,
                    record=exc.record,
                    field=exc.field,
                ) from None
    finally:
        _forget_upload(job)
    return job


def _stored_transcript(job: jobs.Job):
    """The transcript an earlier run of this job committed, if any (the queue retries a dead worker's task)."""
    transcript_id = (job.get("result") or {}).get("transcript_id")
    return Transcript.objects.filter(pk=transcript_id).first() if transcript_id else None


def run_transcript_import(job_id: str) -> jobs.Job:
    """Read the job's transcript, store it and propose the entities to mask now, in this process."""
    job = jobs.job_to_run(job_id)
    try:
        with jobs.recorded(job, "transcript import"):
            project, user = _project(job), jobs.job_user(job)
            participant = project.participants.filter(pk=job.get("participant_id")).first()
            stored = _stored_transcript(job)
            if stored is not None:  # a worker killed after the commit: the task ran again, import once
                job["result"] = {"transcript_id": stored.pk, "entities": len(stored.review)}
                return job
            job["step"] = "reading"
            jobs.write_job(job)
            with transaction.atomic():  # the transcript and its proposals together, or nothing
                transcript = services.import_transcript(
                    project,
                    job["filename"],
                    Path(job["path"]).read_bytes(),
                    user,
                    title=job.get("title", ""),
                    participant=participant if job.get("participant_id") else None,
                )
                # written before the commit: if the worker dies after it, the retried task finds the transcript
                # (ids are never reused, so an id written by a transaction that rolled back matches nothing)
                job["result"] = {"transcript_id": transcript.pk, "entities": len(transcript.review)}
                jobs.write_job(job)
    finally:
        _forget_upload(job)
    return job
