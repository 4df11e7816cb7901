"""What coding yields: coded segments, theme suggestions and the groundings of barometer indicators.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import slugify

from benefice.errors import BeneficeError
from benefice.i18n import pick_text
from benefice.interviews import services
from benefice.interviews.forms import ParticipantForm
from benefice.interviews.models import Code, Coding, Participant, ThemeSuggestion, Transcript
from benefice.interviews.views._shared import CODER, LEAD, _context, _ints, _project, error_text

# ------------------------------------------------------------------------------------------- analysis


def _analysis_filters(request, project, role):
    transcripts = services.visible_transcripts(project, role).filter(status=Transcript.PSEUDONYMISED)
    chosen = _ints(request.GET.getlist("transcripts"))
    if chosen:
        transcripts = transcripts.filter(pk__in=chosen)
    return transcripts, _ints(request.GET.getlist("codes")), _ints(request.GET.getlist("coders"))


@login_required
def analysis(request, pk: int):
    project, role = _project(request, pk)
    transcripts, code_ids, coder_ids = _analysis_filters(request, project, role)
    attribute = request.GET.get("attribute", "role")
    if attribute not in services.ATTRIBUTES:
        attribute = "role"
    columns, table = services.frequencies(project, transcripts, attribute)
    names, matrix = services.cooccurrence(project, transcripts)
    segments = (
        services.coded_segments(project, transcripts, code_ids, coder_ids) if code_ids or coder_ids else []
    )
    return render(
        request,
        "interviews/analysis.html",
        _context(
            project,
            role,
            attribute=attribute,
            attributes=[(name, ParticipantForm.base_fields[name].label) for name in services.ATTRIBUTES],
            columns=columns,
            table=table,
            matrix=list(zip(names, matrix, strict=True)),
            names=names,
            segments=segments,
            codes=services.flatten(services.code_tree(project)),
            coders=project.coders.all(),
            code_ids=code_ids,
            coder_ids=coder_ids,
            query=request.GET.urlencode(),
        ),
    )


@login_required
def export_segments(request, pk: int, kind: str):
    project, role = _project(request, pk)
    transcripts, code_ids, coder_ids = _analysis_filters(request, project, role)
    rows = services.coded_segments(project, transcripts, code_ids, coder_ids)
    try:
        content, mime = services.export_segments(rows, kind, project.name)
    except BeneficeError as exc:
        raise Http404(error_text(exc)) from None
    services.audit("export", "interviews.InterviewProject", project.pk, after={"format": kind, "rows": len(rows)},
                   user=request.user)  # fmt: skip
    response = HttpResponse(content, content_type=mime)
    response["Content-Disposition"] = (
        f'attachment; filename="{slugify(project.name) or "project"}-segments.{kind}"'
    )
    return response


# ------------------------------------------------------------------------------------------ suggestions


@login_required
def suggestions(request, pk: int):
    project, role = _project(request, pk)
    if request.method == "POST":
        action = request.POST.get("action")
        if role not in ((LEAD, CODER) if action == "generate" else (LEAD,)):
            raise PermissionDenied
        try:
            if action == "generate":
                transcripts = services.visible_transcripts(project, role).filter(
                    status=Transcript.PSEUDONYMISED
                )
                services.suggest_themes(project, transcripts, request.user)
            else:
                suggestion = get_object_or_404(
                    ThemeSuggestion, pk=request.POST.get("suggestion"), project=project
                )
                if action == "accept":
                    services.accept_suggestion(suggestion, request.user)
                elif action == "dismiss":
                    suggestion.status = ThemeSuggestion.DISMISSED
                    suggestion.save(update_fields=["status"])
        except BeneficeError as exc:
            messages.error(request, error_text(exc))
        return redirect("interviews:suggestions", pk=project.pk)
    visible = {t.pk: t for t in services.visible_transcripts(project, role)}
    rows = []
    for suggestion in project.suggestions.exclude(status=ThemeSuggestion.DISMISSED):
        examples = [
            {
                "transcript": visible[s["transcript"]],
                "text": visible[s["transcript"]].text[s["start"] : s["end"]],
            }
            for s in suggestion.segments
            if s["transcript"] in visible
        ]
        rows.append({"suggestion": suggestion, "examples": examples})
    return render(request, "interviews/suggestions.html", _context(project, role, rows=rows))


# ------------------------------------------------------------------------------------------ grounding


@login_required
def grounding(request, indicator_code: str):
    indicators = services.indicator_codes()
    indicator = indicators.get(indicator_code)
    if indicator is None:
        raise Http404
    my_codes = Code.objects.filter(
        project__memberships__user=request.user,
        project__memberships__role__in=(LEAD, CODER),
        active=True,
    ).select_related("project")
    if request.method == "POST":
        code = get_object_or_404(my_codes, pk=request.POST.get("code") or 0)
        quote = None
        if request.POST.get("quote"):
            quote = get_object_or_404(Coding, pk=request.POST["quote"], code=code)
        try:
            services.add_grounding(
                code, indicator_code, request.user, quote=quote, note=request.POST.get("note", "")
            )
        except BeneficeError as exc:
            messages.error(request, error_text(exc))
        return redirect("interviews:grounding", indicator_code=indicator_code)
    return render(
        request,
        "interviews/grounding.html",
        {
            "indicator_code": indicator_code,
            "indicator_name": pick_text(indicator.name, request.LANGUAGE_CODE),
            "rows": services.groundings_for(indicator_code, request.user),
            "my_codes": my_codes,
            "quotes": Coding.objects.filter(code__in=my_codes)
            .select_related("selection__transcript", "code")
            .filter(selection__transcript__status=Transcript.PSEUDONYMISED)
            .exclude(selection__transcript__participant__visibility=Participant.LEADS)[:300],
        },
    )
