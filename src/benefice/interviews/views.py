"""Interview workspace pages. Thin: ``services`` does the work; here we check who may see what.

Every view starts from ``_project`` which answers 404 to anyone who is not a member of the project (the
project's existence is itself confidential), and transcripts come only from ``visible_transcripts`` so a
coder never reaches a transcript that is not yet pseudonymised or whose participant is for leads only.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from benefice.core.roles import can_edit
from benefice.errors import BeneficeError
from benefice.interviews import paging, refi, services
from benefice.interviews.forms import GuideForm, ImportForm, ParticipantForm, ProjectForm, QdaImportForm
from benefice.interviews.models import (
    Code,
    Coder,
    Coding,
    InterviewProject,
    Membership,
    Participant,
    ThemeSuggestion,
    Transcript,
)

LEAD, CODER, VIEWER = Membership.LEAD, Membership.CODER, Membership.VIEWER


def _project(request, pk: int, roles: tuple[str, ...] | None = None) -> tuple[InterviewProject, str]:
    project = get_object_or_404(InterviewProject, pk=pk)
    role = services.role_in(project, request.user)
    if role is None:
        raise Http404
    if roles and role not in roles:
        raise PermissionDenied
    return project, role


def _transcript(project: InterviewProject, role: str, transcript_id: int) -> Transcript:
    return get_object_or_404(services.visible_transcripts(project, role), pk=transcript_id)


def _ints(values) -> list[int]:
    return [int(v) for v in values if str(v).isdecimal()]


def _context(project, role, **extra) -> dict:
    return {
        "project": project,
        "role": role,
        "is_lead": role == LEAD,
        "can_code": role in (LEAD, CODER),
        **extra,
    }


# ------------------------------------------------------------------------------------------- projects


@login_required
def project_list(request):
    form = ProjectForm()
    if request.method == "POST":
        if not can_edit(request.user):
            raise PermissionDenied
        form = ProjectForm(request.POST)
        if form.is_valid():
            try:
                project = services.create_project(
                    form.cleaned_data["name"],
                    request.user,
                    description=form.cleaned_data["description"],
                    language=form.cleaned_data["language"],
                    keep_originals=form.cleaned_data["keep_originals"],
                )
                if form.cleaned_data["names_list"]:
                    services.update_project(project, request.user, names_list=form.cleaned_data["names_list"])
            except BeneficeError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Project created; you are its lead."))
                return redirect("interviews:project", pk=project.pk)
    projects = [
        (p, services.role_in(p, request.user), p.transcripts.count())
        for p in services.projects_for(request.user)
    ]
    return render(
        request,
        "interviews/project_list.html",
        {"projects": projects, "form": form, "may_create": can_edit(request.user)},
    )


@login_required
def project_detail(request, pk: int):
    project, role = _project(request, pk)
    settings_form = ProjectForm(instance=project)
    guide_form = GuideForm()
    if request.method == "POST":
        if role != LEAD:
            raise PermissionDenied
        action = request.POST.get("action")
        try:
            if action == "settings":
                settings_form = ProjectForm(
                    request.POST, instance=InterviewProject.objects.get(pk=project.pk)
                )
                if settings_form.is_valid():
                    data = settings_form.cleaned_data
                    services.update_project(project, request.user, **data)
                    messages.success(request, _("Project settings saved."))
                    return redirect("interviews:project", pk=project.pk)
            elif action == "member":
                username = request.POST.get("username", "").strip()
                member = get_user_model().objects.filter(username=username).first()
                if member is None:
                    raise BeneficeError(f"no user named {username!r}", field="username")
                services.set_member(project, member, request.POST.get("role") or None, request.user)
                messages.success(request, _("Members updated."))
                return redirect("interviews:project", pk=project.pk)
            elif action == "guide":
                guide_form = GuideForm(request.POST)
                if guide_form.is_valid():
                    guide = guide_form.save(commit=False)
                    guide.project = project
                    guide.save()
                    services.audit("create", "interviews.InterviewGuide", guide.pk, after={"title": guide.title},
                                   user=request.user)  # fmt: skip
                    return redirect("interviews:project", pk=project.pk)
        except BeneficeError as exc:
            messages.error(request, str(exc))
    transcripts = services.visible_transcripts(project, role)
    return render(
        request,
        "interviews/project_detail.html",
        _context(
            project,
            role,
            transcripts=transcripts,
            kept=services.kept_sources(project, role),
            memberships=project.memberships.select_related("user").order_by("role", "user__username"),
            guides=project.guides.all(),
            settings_form=settings_form,
            guide_form=guide_form,
            roles=Membership.ROLES,
        ),
    )


# ------------------------------------------------------------------------------------------ participants


@login_required
def participants(request, pk: int, participant_id: int | None = None):
    project, role = _project(request, pk)
    participant = get_object_or_404(project.participants, pk=participant_id) if participant_id else None
    if participant is not None and role != LEAD:
        raise PermissionDenied
    form = ParticipantForm(initial=ParticipantForm.initial_for(participant) if participant else None)
    if request.method == "POST":
        if role != LEAD:
            raise PermissionDenied
        form = ParticipantForm(request.POST)
        if form.is_valid():
            try:
                services.save_participant(project, request.user, form.cleaned_data, participant)
            except BeneficeError as exc:
                form.add_error("code", exc.message)
            else:
                messages.success(request, _("Participant saved."))
                return redirect("interviews:participants", pk=project.pk)
    visible = project.participants.all()
    if role != LEAD:
        visible = visible.exclude(visibility=Participant.LEADS)
    return render(
        request,
        "interviews/participants.html",
        _context(project, role, participants=visible, form=form, editing=participant),
    )


# ------------------------------------------------------------------------------ import and pseudonymise


@login_required
def transcript_import(request, pk: int):
    project, role = _project(request, pk, (LEAD,))
    form = ImportForm(project=project)
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES, project=project)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                transcript = services.import_transcript(
                    project,
                    upload.name,
                    upload.read(),
                    request.user,
                    title=form.cleaned_data["title"],
                    participant=form.cleaned_data["participant"],
                )
            except BeneficeError as exc:
                form.add_error("file", str(exc))
            else:
                messages.success(
                    request,
                    _("Transcript imported: %(n)s entities to review before anyone codes it.")
                    % {"n": len(transcript.review)},
                )
                return redirect("interviews:review", pk=project.pk, transcript_id=transcript.pk)
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
            messages.error(request, str(exc))
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
                raise BeneficeError("choose a code or name a new one", field="code")
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
            return JsonResponse({"error": str(exc), "field": exc.field}, status=400)
        messages.error(request, str(exc))
        return redirect(_transcript_page(project, transcript, request.POST.get("page")))
    if _wants_json(request):
        return JsonResponse(
            {
                "coding": coding.pk,
                "codings": _page_codings(transcript, request.POST.get("page")),
                "codes": [
                    {"id": c["id"], "name": c["name"], "colour": c["colour"]}
                    for c in services.flatten(services.code_tree(project))
                ],  # fmt: skip
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
        return JsonResponse({"codings": _page_codings(transcript, request.POST.get("page"))})
    return redirect(_transcript_page(project, transcript, at=at))


# ------------------------------------------------------------------------------------------- codebook


@login_required
def codebook(request, pk: int):
    project, role = _project(request, pk)
    if request.method == "POST":
        action = request.POST.get("action", "")
        if role not in ((LEAD, CODER) if action == "create" else (LEAD,)):
            raise PermissionDenied
        try:
            _codebook_action(request, project, action)
        except BeneficeError as exc:
            messages.error(request, str(exc))
        else:
            return redirect("interviews:codebook", pk=project.pk)
    tree = services.code_tree(project)
    flat = services.flatten(tree)
    codings_by_code: dict[int, list] = {}
    if role == LEAD:
        for coding in Coding.objects.filter(code__project=project, code__active=True).select_related(
            "selection__transcript", "coder"
        ):
            codings_by_code.setdefault(coding.code_id, []).append(coding)
    for node in flat:
        node["codings"] = codings_by_code.get(node["id"], [])
    return render(
        request,
        "interviews/codebook.html",
        _context(
            project,
            role,
            tree=tree,
            codes=flat,
            versions=project.versions.all()[:10],
            has_starter=project.codes.filter(name__in=services.STARTER_TITLES, active=True).exists(),
        ),
    )


def _codebook_action(request, project: InterviewProject, action: str) -> None:
    post = request.POST
    user = request.user

    def code(field: str) -> Code:
        value = post.get(field, "")
        if not value.isdecimal():
            raise BeneficeError("choose a code", field=field)
        return get_object_or_404(Code, pk=int(value), project=project)

    if action == "create":
        parent = code("parent") if post.get("parent") else None
        services.create_code(
            project,
            post.get("name", ""),
            user,
            parent=parent,
            description=post.get("description", ""),
            colour=post.get("colour", ""),
            memo=post.get("memo", ""),
            is_theme=bool(post.get("is_theme")),
        )
    elif action == "edit":
        target = code("code")
        parent = code("parent") if post.get("parent") else None
        services.update_code(
            target,
            user,
            name=post.get("name", target.name),
            description=post.get("description", ""),
            colour=post.get("colour", target.colour),
            memo=post.get("memo", ""),
            is_theme=bool(post.get("is_theme")),
            parent=parent,
        )
    elif action == "merge":
        services.merge_codes(code("source"), code("target"), user, post.get("note", ""))
    elif action == "split":
        source = code("code")
        parts = []
        for index in (1, 2, 3):
            name = post.get(f"name{index}", "").strip()
            if name:
                parts.append((name, _ints(post.getlist(f"codings{index}"))))
        services.split_code(source, parts, user, post.get("note", ""))
    elif action == "version":
        version = services.save_version(project, user, post.get("note", ""))
        messages.success(request, _("Codebook version %(n)s saved.") % {"n": version.number})
    elif action == "starter":
        services.load_starter_codebook(project, user)
        messages.success(request, _("Orders-of-worth starter codebook added."))
    else:
        raise BeneficeError(f"unknown action {action!r}")


@login_required
def codebook_history(request, pk: int):
    project, role = _project(request, pk)
    return render(
        request,
        "interviews/history.html",
        _context(project, role, changes=services.history(project)[:500], versions=project.versions.all()),
    )


# ------------------------------------------------------------------------------------------ agreement


@login_required
def agreement_view(request, pk: int):
    project, role = _project(request, pk)
    transcripts = services.visible_transcripts(project, role).filter(status=Transcript.PSEUDONYMISED)
    coders = project.coders.all()
    chosen_coders = _ints(request.GET.getlist("coders"))
    chosen_transcripts = _ints(request.GET.getlist("transcripts"))
    result, error = None, None
    if "coders" in request.GET or "transcripts" in request.GET:
        try:
            result = services.agreement_for(
                project,
                list(coders.filter(pk__in=chosen_coders)),
                list(transcripts.filter(pk__in=chosen_transcripts)),
            )
        except BeneficeError as exc:
            error = str(exc)
    return render(
        request,
        "interviews/agreement.html",
        _context(
            project,
            role,
            coders=coders,
            transcripts=transcripts,
            chosen_coders=chosen_coders,
            chosen_transcripts=chosen_transcripts,
            result=result,
            codes=sorted(result["codes"].items()) if result else [],
            error=error,
        ),
    )


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
            attributes=services.ATTRIBUTES,
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
        raise Http404(str(exc)) from None
    services.audit("export", "interviews.InterviewProject", project.pk, after={"format": kind, "rows": len(rows)},
                   user=request.user)  # fmt: skip
    response = HttpResponse(content, content_type=mime)
    response["Content-Disposition"] = (
        f'attachment; filename="{slugify(project.name) or "project"}-segments.{kind}"'
    )
    return response


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
            messages.error(request, str(exc))
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
            messages.error(request, str(exc))
        return redirect("interviews:grounding", indicator_code=indicator_code)
    lang = (request.LANGUAGE_CODE or "fr")[:2]
    return render(
        request,
        "interviews/grounding.html",
        {
            "indicator_code": indicator_code,
            "indicator_name": getattr(indicator.name, lang, indicator.name.fr),
            "rows": services.groundings_for(indicator_code, request.user),
            "my_codes": my_codes,
            "quotes": Coding.objects.filter(code__in=my_codes)
            .select_related("selection__transcript", "code")
            .filter(selection__transcript__status=Transcript.PSEUDONYMISED)
            .exclude(selection__transcript__participant__visibility=Participant.LEADS)[:300],
        },
    )


@login_required
def codings_data(request, pk: int, transcript_id: int):
    """The codings of one transcript as JSON (the coding screen refreshes from it)."""
    project, role = _project(request, pk)
    transcript = _transcript(project, role, transcript_id)
    codings = _page_codings(transcript, request.GET.get("page"))
    return HttpResponse(json.dumps(codings), content_type="application/json")
