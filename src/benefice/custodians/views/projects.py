"""Custodians, their projects and the candidate links between projects and publications, which an editor
confirms or rejects: links are proposed by the machine, never accepted by it.
"""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from benefice.core import jobs
from benefice.core.paging import BoundedPaginator
from benefice.core.roles import can_edit
from benefice.core.views import editor_required, reader_required
from benefice.custodians import jobs as custodian_jobs
from benefice.custodians import services
from benefice.custodians.models import Custodian, Project, ProjectLink
from benefice.custodians.views._shared import _outcome_labels, error_text
from benefice.errors import BeneficeError, localized_error


@reader_required
def custodian_list(request) -> HttpResponse:
    custodians = Custodian.objects.annotate(
        n_projects=Count("projects", distinct=True),
        n_confirmed=Count(
            "projects__links", filter=Q(projects__links__status=ProjectLink.CONFIRMED), distinct=True
        ),
    )
    return render(
        request,
        "custodians/list.html",
        {
            "custodians": custodians,
            "unassigned": Project.objects.filter(custodian__isnull=True).count(),
            "reminders": services.projects_without_record().count(),
            "can_edit": can_edit(request.user),
        },
    )


@reader_required
def project_list(request) -> HttpResponse:
    projects = Project.objects.select_related("custodian").annotate(
        n_candidates=Count("links", filter=Q(links__status=ProjectLink.CANDIDATE), distinct=True),
        n_confirmed=Count("links", filter=Q(links__status=ProjectLink.CONFIRMED), distinct=True),
    )
    custodian = request.GET.get("custodian", "")
    if custodian:
        projects = projects.filter(custodian__slug=custodian)
    query = request.GET.get("q", "").strip()
    if query:
        projects = projects.filter(Q(reference__icontains=query) | Q(title__icontains=query))
    page = BoundedPaginator(projects.order_by("reference"), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "custodians/projects.html",
        {
            "page": page,
            "query": query,
            "custodian": custodian,
            "custodians": Custodian.objects.all(),
            "can_edit": can_edit(request.user),
        },
    )


@reader_required
def project_detail(request, pk: int) -> HttpResponse:
    project = get_object_or_404(Project.objects.select_related("custodian"), pk=pk)
    links = project.links.select_related("publication", "decided_by").order_by("-score")
    return render(
        request,
        "custodians/project.html",
        {
            "project": project,
            "links": links,
            "records": project.benefit_records.prefetch_related("figures"),
            "can_edit": can_edit(request.user),
            "outcome_labels": _outcome_labels(),
        },
    )


@editor_required
@require_POST
def link_decide(request, pk: int, link_id: int) -> HttpResponse:
    link = get_object_or_404(
        ProjectLink.objects.select_related("publication", "project"), pk=link_id, project_id=pk
    )
    try:
        services.decide_link(link, request.POST.get("status", ""), request.user)
    except BeneficeError as exc:
        if request.headers.get("HX-Request"):
            return HttpResponse(error_text(exc), status=400)
        messages.error(request, error_text(exc))
    if request.headers.get("HX-Request"):
        return render(
            request, "custodians/_link_row.html", {"link": link, "can_edit": True, "project": link.project}
        )
    return redirect("custodians:project", pk=pk)


@editor_required
@require_POST
def propose_links(request) -> HttpResponse:
    """Score candidate links for every project again (decisions already taken are kept)."""
    report = services.propose_links()
    messages.success(
        request,
        _("%(n)s candidate links scored (%(new)s new); %(kept)s links already decided were kept.")
        % {"n": report.candidates, "new": report.new, "kept": report.kept_decided},
    )
    return redirect("custodians:projects")


@editor_required
def import_directory(request) -> HttpResponse:
    """The form; a file can list thousands of projects, so its import is a job of the queue, whose page
    shows the report (or the error) this page showed when the import ran in the request."""
    context: dict = {}
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            context["error"] = _("Choose a file to import.")
        else:
            job = custodian_jobs.create_project_import(
                upload, request.user, custodian=request.POST.get("custodian", "")
            )
            return redirect("custodians:import_job", job_id=job["id"])
    return render(request, "custodians/import.html", context)


def _import_job(job_id: str) -> jobs.Job:
    job = jobs.read_job(job_id) if jobs.valid_job_id(job_id) else None
    if job is None or job.get("kind") != custodian_jobs.KIND:
        raise Http404(_("No such import."))
    return jobs.for_reader(job)  # its error in the reader's language, naming the uploaded file


def _import_job_context(job: jobs.Job) -> dict:
    done = job.get("status") == jobs.DONE
    report = job.get("result") if done else None
    if report:  # rejected rows in the reader's language (a job file written before holds English text)
        lang = get_language()
        report = {**report, "rejected": [localized_error(r, lang) for r in report.get("rejected", [])]}
    return {
        "job": job,
        "active": job.get("status") in jobs.ACTIVE,
        "waiting": jobs.waiting_for_worker(job),
        "report": report,
        "file_name": job.get("filename", ""),
        "error": job.get("error", "") if job.get("status") not in (*jobs.ACTIVE, jobs.DONE) else "",
        "status_url": reverse("custodians:import_job_status", args=[job["id"]]),
    }


@editor_required
@require_GET
def import_job(request, job_id: str) -> HttpResponse:
    """A directory file being imported: progress, then the report or why nothing was imported."""
    return render(request, "custodians/import.html", _import_job_context(_import_job(job_id)))


@editor_required
@require_GET
def import_job_status(request, job_id: str) -> HttpResponse:
    """The fragment the job page polls every second while the import is queued or running."""
    return render(request, "custodians/_import_status.html", _import_job_context(_import_job(job_id)))


@reader_required
def reminders(request) -> HttpResponse:
    custodian = None
    slug = request.GET.get("custodian", "")
    if slug:
        custodian = get_object_or_404(Custodian, slug=slug)
    return render(
        request,
        "custodians/reminders.html",
        {
            "projects": services.projects_without_record(custodian).select_related("custodian"),
            "custodian": custodian,
        },
    )


@reader_required
def links_csv(request) -> HttpResponse:
    links = ProjectLink.objects.select_related("project").order_by("project__reference", "-score")
    response = HttpResponse(services.links_csv(links), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="project-links.csv"'
    return response
