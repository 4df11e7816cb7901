"""Custodians, their projects and the candidate links between projects and publications, which an editor
confirms or rejects: links are proposed by the machine, never accepted by it.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.contrib import messages
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from benefice.core.paging import BoundedPaginator
from benefice.core.roles import can_edit
from benefice.core.views import editor_required, reader_required
from benefice.custodians import services
from benefice.custodians.models import Custodian, Project, ProjectLink
from benefice.custodians.views._shared import _outcome_labels
from benefice.errors import BeneficeError


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
            return HttpResponse(str(exc), status=400)
        messages.error(request, str(exc))
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
    context: dict = {}
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            context["error"] = _("Choose a file to import.")
        else:
            suffix = Path(upload.name).suffix.lower() or ".csv"
            with tempfile.TemporaryDirectory() as tmp:
                path = Path(tmp) / f"upload{suffix}"
                with path.open("wb") as handle:
                    for chunk in upload.chunks():
                        handle.write(chunk)
                try:
                    report = services.import_projects(
                        path, custodian=request.POST.get("custodian", ""), user=request.user
                    )
                except BeneficeError as exc:
                    context["error"] = str(exc).replace(str(path), upload.name)
                else:
                    for rejection in report.rejected:
                        rejection.path = upload.name
                    context["report"] = report
                    context["file_name"] = upload.name
    return render(request, "custodians/import.html", context)


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
