"""REFI-QDA exchange with other QDA software (.qdpx projects, .qdc codebooks)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import slugify

from benefice.errors import BeneficeError
from benefice.i18n import gettext_noop
from benefice.interviews import jobs as interview_jobs
from benefice.interviews import services
from benefice.interviews.forms import QdaImportForm
from benefice.interviews.views._shared import LEAD, _context, _project, error_text

# ------------------------------------------------------------------------------------------- REFI-QDA


@login_required
def export_refi(request, pk: int, kind: str):
    project, role = _project(request, pk)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"export.{kind}"
        try:
            if kind == "qdpx":
                services.export_qdpx(project, path, request.user)
            elif kind == "qdc":
                services.export_qdc(project, path, request.user)
            else:
                raise Http404
        except BeneficeError as exc:
            messages.error(request, error_text(exc))
            return redirect("interviews:codebook", pk=project.pk)
        content = path.read_bytes()
    mime = "application/zip" if kind == "qdpx" else "application/xml"
    response = HttpResponse(content, content_type=mime)
    response["Content-Disposition"] = f'attachment; filename="{slugify(project.name) or "project"}.{kind}"'
    return response


@login_required
def import_refi(request, pk: int):
    """The form; a REFI-QDA project can be large, so its import is a job of the queue, whose page says what
    was imported (or shows this form again with the error)."""
    project, role = _project(request, pk, (LEAD,))
    form = QdaImportForm()
    if request.method == "POST":
        form = QdaImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            if Path(upload.name).suffix.lower() not in (".qdpx", ".qdc"):
                exc = BeneficeError(gettext_noop("expected a .qdpx project or a .qdc codebook"), path=upload.name)
                form.add_error("file", error_text(exc))
            else:
                job = interview_jobs.create_qda_import(
                    project, request.user, upload, pseudonymised=form.cleaned_data["pseudonymised"]
                )
                return redirect("interviews:import_job", pk=project.pk, job_id=job["id"])
    return render(request, "interviews/qda_import.html", _context(project, role, form=form))
