"""Transcripts are imported then reviewed by a lead before anyone codes them, so no coder reads a text
that is not pseudonymised yet. The import itself is a job of the queue (``benefice.interviews.jobs``), its
page in ``views.imports``.
"""

from __future__ import annotations

from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from benefice.errors import BeneficeError
from benefice.i18n import gettext_noop
from benefice.interviews import jobs as interview_jobs
from benefice.interviews import paging, services
from benefice.interviews.forms import ImportForm
from benefice.interviews.models import Transcript
from benefice.interviews.views._shared import LEAD, _context, _project, error_text

# ------------------------------------------------------------------------------ import and pseudonymise


@login_required
def transcript_import(request, pk: int):
    project, role = _project(request, pk, (LEAD,))
    form = ImportForm(project=project)
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES, project=project)
        if form.is_valid():
            upload, participant = form.cleaned_data["file"], form.cleaned_data["participant"]
            suffix = Path(upload.name).suffix.lower().lstrip(".") or "txt"
            if suffix not in services.TRANSCRIPT_FORMATS:  # said now, as the service would say it
                exc = BeneficeError(
                    gettext_noop("unsupported transcript format “%(format)s” (txt, docx, odt, vtt, srt)"),
                    params={"format": suffix},
                    path=upload.name,
                )
                form.add_error("file", error_text(exc))
                return render(request, "interviews/import.html", _context(project, role, form=form))
            job = interview_jobs.create_transcript_import(
                project,
                request.user,
                upload,
                title=form.cleaned_data["title"],
                participant_id=participant.pk if participant else None,
            )
            return redirect("interviews:import_job", pk=project.pk, job_id=job["id"])
    return render(request, "interviews/import.html", _context(project, role, form=form))


@login_required
def transcript_review(request, pk: int, transcript_id: int):
    project, role = _project(request, pk, (LEAD,))
    transcript = get_object_or_404(project.transcripts, pk=transcript_id)
    if transcript.is_pseudonymised:
        return redirect("interviews:transcript", pk=project.pk, transcript_id=transcript.pk)
    if transcript.status == Transcript.NO_TEXT:
        raise Http404
    if not transcript.review and transcript.original_text:
        services.propose_entities(transcript)  # sources imported from a REFI-QDA project
    if request.method == "POST":
        try:
            if request.POST.get("action") == "add_names":
                services.add_names_and_redetect(transcript, request.POST.get("names", ""), request.user)
                messages.success(request, _("Names added to the project list; detection run again."))
                return redirect("interviews:review", pk=project.pk, transcript_id=transcript.pk)
            decisions = {
                group.id: (
                    request.POST.get(f"decision-{group.id}", group.default),
                    request.POST.get(f"custom-{group.id}", ""),
                )
                for group in services.review_groups(transcript)
            }
            report = services.apply_review(transcript, decisions, request.user)
        except BeneficeError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(
                request,
                _("Pseudonymised: %(masked)s mentions replaced, %(kept)s kept.") % report,
            )
            return redirect("interviews:transcript", pk=project.pk, transcript_id=transcript.pk)
    groups = services.review_groups(transcript)
    page = paging.page_for(transcript.original_text, request.GET.get("page"))
    return render(
        request,
        "interviews/review.html",
        _context(
            project,
            role,
            transcript=transcript,
            groups=groups,
            page=page,
            page_text=transcript.original_text[page.start : page.end],
        ),
    )
