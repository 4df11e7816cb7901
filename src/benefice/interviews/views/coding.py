"""The coding screen: a page of a transcript and its codings, which the page refreshes as JSON.
"""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from benefice.errors import BeneficeError
from benefice.i18n import gettext_noop
from benefice.interviews import paging, services
from benefice.interviews.models import Code, Coder, Coding, Transcript
from benefice.interviews.views._shared import CODER, LEAD, _context, _project, _transcript, error_text

# --------------------------------------------------------------------------------------------- coding


@login_required
def transcript_view(request, pk: int, transcript_id: int):
    project, role = _project(request, pk)
    transcript = _transcript(project, role, transcript_id)
    if not transcript.is_pseudonymised:
        return redirect("interviews:review", pk=project.pk, transcript_id=transcript.pk)
    codes = services.flatten(services.code_tree(project))
    page = paging.page_for(transcript.text, request.GET.get("page"), request.GET.get("at"))
    return render(
        request,
        "interviews/transcript.html",
        _context(
            project,
            role,
            transcript=transcript,
            page=page,
            page_text=transcript.text[page.start : page.end],
            codes=codes,
            codings=services.codings_json(transcript, page.start, page.end),
            coders=Coder.objects.filter(codings__selection__transcript=transcript).distinct(),
            me=services.coder_for(project, request.user).pk if role in (LEAD, CODER) else None,
        ),
    )


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _transcript_page(project, transcript: Transcript, page=None, at=None) -> str:
    """The coding screen's address at a page (or at the page holding character ``at``)."""
    url = reverse("interviews:transcript", args=[project.pk, transcript.pk])
    number = paging.page_for(transcript.text, page, at).number
    return f"{url}?page={number}" if number > 1 else url


def _page_codings(transcript: Transcript, page_value) -> list[dict]:
    """The codings the coding screen shows for the page it posted from (every coding without one)."""
    if page_value is None:
        return services.codings_json(transcript)
    page = paging.page_for(transcript.text, page_value)
    return services.codings_json(transcript, page.start, page.end)


def _legend(project) -> list[dict]:
    """The codes with their coding counts, for the coding screen to redraw its legend without a reload."""
    return [
        {
            "id": c["id"],
            "name": c["name"],
            "colour": c["colour"],
            "count": c["count"],
            "depth": c["depth"],
            "codable": c["active"],
        }
        for c in services.flatten(services.code_tree(project))
    ]


@login_required
@require_POST
def coding_create(request, pk: int, transcript_id: int):
    project, role = _project(request, pk, (LEAD, CODER))
    transcript = _transcript(project, role, transcript_id)
    try:
        new_name = request.POST.get("new_code", "").strip()
        if new_name:
            code = services.create_code(project, new_name, request.user)
        else:
            code_id = request.POST.get("code", "")
            if not code_id.isdecimal():
                raise BeneficeError(gettext_noop("choose a code or name a new one"), field="code")
            code = get_object_or_404(Code, pk=int(code_id), project=project)
        coding = services.add_coding(
            transcript,
            request.POST.get("start"),
            request.POST.get("end"),
            code,
            request.user,
            request.POST.get("memo", ""),
        )
    except BeneficeError as exc:
        if _wants_json(request):
            return JsonResponse({"error": error_text(exc), "field": exc.field}, status=400)
        messages.error(request, error_text(exc))
        return redirect(_transcript_page(project, transcript, request.POST.get("page")))
    if _wants_json(request):
        return JsonResponse(
            {
                "coding": coding.pk,
                "codings": _page_codings(transcript, request.POST.get("page")),
                "codes": _legend(project),
            },
            status=201,
        )
    messages.success(request, _("Passage coded with “%(code)s”.") % {"code": code.name})
    return redirect(_transcript_page(project, transcript, at=coding.selection.start))


@login_required
@require_POST
def coding_delete(request, pk: int, coding_id: int):
    project, role = _project(request, pk, (LEAD, CODER))
    coding = get_object_or_404(Coding, pk=coding_id, code__project=project)
    transcript = _transcript(project, role, coding.selection.transcript_id)
    if role != LEAD and coding.coder.user_id != request.user.pk:
        raise PermissionDenied
    at = coding.selection.start
    services.delete_coding(coding, request.user)
    if _wants_json(request):
        return JsonResponse(
            {"codings": _page_codings(transcript, request.POST.get("page")), "codes": _legend(project)}
        )
    return redirect(_transcript_page(project, transcript, at=at))


@login_required
def codings_data(request, pk: int, transcript_id: int):
    """The codings of one transcript as JSON (the coding screen refreshes from it)."""
    project, role = _project(request, pk)
    transcript = _transcript(project, role, transcript_id)
    codings = _page_codings(transcript, request.GET.get("page"))
    return HttpResponse(json.dumps(codings), content_type="application/json")
