"""REFI-QDA exchange with other QDA software (.qdpx projects, .qdc codebooks).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext as _

from benefice.errors import BeneficeError
from benefice.interviews import refi, services
from benefice.interviews.forms import QdaImportForm
from benefice.interviews.views._shared import LEAD, _context, _project

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
            messages.error(request, str(exc))
            return redirect("interviews:codebook", pk=project.pk)
        content = path.read_bytes()
    mime = "application/zip" if kind == "qdpx" else "application/xml"
    response = HttpResponse(content, content_type=mime)
    response["Content-Disposition"] = f'attachment; filename="{slugify(project.name) or "project"}.{kind}"'
    return response


@login_required
def import_refi(request, pk: int):
    project, role = _project(request, pk, (LEAD,))
    form = QdaImportForm()
    if request.method == "POST":
        form = QdaImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            suffix = Path(upload.name).suffix.lower()
            try:
                with tempfile.TemporaryDirectory() as folder:
                    path = Path(folder) / f"upload{suffix}"
                    path.write_bytes(upload.read())
                    if suffix == ".qdpx":
                        data = refi.read_qdpx(path)
                        counts = services.import_refi(
                            project, data, request.user, pseudonymised=form.cleaned_data["pseudonymised"]
                        )
                        messages.success(
                            request,
                            _(
                                "Imported %(sources)s sources, %(codes)s codes, %(selections)s selections, "
                                "%(codings)s codings."
                            )
                            % counts,  # fmt: skip
                        )
                    elif suffix == ".qdc":
                        added = services.import_codebook(project, refi.read_qdc(path), request.user)
                        messages.success(request, _("%(n)s codes added.") % {"n": added})
                    else:
                        raise BeneficeError("expected a .qdpx project or a .qdc codebook", path=upload.name)
            except BeneficeError as exc:
                form.add_error("file", f"{upload.name}: {exc.message}" if exc.path else str(exc))
            else:
                return redirect("interviews:project", pk=project.pk)
    return render(request, "interviews/qda_import.html", _context(project, role, form=form))
