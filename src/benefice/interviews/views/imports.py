"""The page of a REFI-QDA or transcript import running in the queue (``benefice.interviews.jobs``).

While the job waits or runs, the page polls its status. When it is done, the page says what the import page
used to say and goes where it used to go (the project, or the transcript's review); when it failed, the
import form is shown again with the error on its file field, as before.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from benefice.core import jobs
from benefice.interviews import jobs as interview_jobs
from benefice.interviews.forms import ImportForm, QdaImportForm
from benefice.interviews.views._shared import LEAD, _context, _project


def _job(request, pk: int, job_id: str):
    project, role = _project(request, pk, (LEAD,))
    job = jobs.read_job(job_id) if jobs.valid_job_id(job_id) else None
    if job is None or job.get("kind") not in interview_jobs.KINDS or job.get("project_id") != project.pk:
        raise Http404(_("No such import."))
    return project, role, job


def _page_context(project, role, job: jobs.Job) -> dict:
    return _context(
        project,
        role,
        job=job,
        active=job.get("status") in jobs.ACTIVE,
        waiting=jobs.waiting_for_worker(job),
        status_url=reverse("interviews:import_job_status", args=[project.pk, job["id"]]),
        here=_("Import REFI-QDA") if job.get("kind") == interview_jobs.QDA_KIND else _("Import a transcript"),
    )


def _finished(request, project, role, job: jobs.Job) -> HttpResponse:
    job = jobs.for_reader(job)  # its error in the reader's language, naming the uploaded file
    result = job.get("result") or {}
    if job.get("status") == jobs.DONE and job.get("kind") == interview_jobs.QDA_KIND:
        if result.get("kind") == "codebook":
            messages.success(request, _("%(n)s codes added.") % {"n": result.get("added", 0)})
        else:
            messages.success(
                request,
                _(
                    "Imported %(sources)s sources, %(codes)s codes, %(selections)s selections, %(codings)s codings."
                )
                % result.get("counts", {}),
            )
        return redirect("interviews:project", pk=project.pk)
    if job.get("status") == jobs.DONE:
        messages.success(
            request,
            _("Transcript imported: %(n)s entities to review before anyone codes it.")
            % {"n": result.get("entities", 0)},
        )
        return redirect("interviews:review", pk=project.pk, transcript_id=result["transcript_id"])
    # failed or interrupted: the form again, the error on its file field
    if job.get("kind") == interview_jobs.QDA_KIND:
        form = QdaImportForm(initial={"pseudonymised": bool(job.get("pseudonymised"))})
        template = "interviews/qda_import.html"
    else:
        form = ImportForm(
            project=project, initial={"title": job.get("title", ""), "participant": job.get("participant_id")}
        )
        template = "interviews/import.html"
    # an unbound form (add_error needs a bound one): its errors are set directly, shown as a bound form's
    form.errors["file"] = form.error_class([job.get("error") or _("The import did not finish.")])
    return render(request, template, _context(project, role, form=form))


@login_required
@require_GET
def import_job(request, pk: int, job_id: str) -> HttpResponse:
    """An import in the queue: its progress, then what the import page said (or its form with the error)."""
    project, role, job = _job(request, pk, job_id)
    if job.get("status") not in jobs.ACTIVE:
        return _finished(request, project, role, job)
    return render(request, "interviews/import_job.html", _page_context(project, role, job))


@login_required
@require_GET
def import_job_status(request, pk: int, job_id: str) -> HttpResponse:
    """The fragment the job page polls every second; once the job is over, htmx is sent to the job page,
    which shows its outcome."""
    project, role, job = _job(request, pk, job_id)
    if job.get("status") not in jobs.ACTIVE:
        response = HttpResponse()
        response["HX-Redirect"] = reverse("interviews:import_job", args=[project.pk, job["id"]])
        return response
    return render(request, "interviews/_import_status.html", _page_context(project, role, job))
