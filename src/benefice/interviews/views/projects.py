"""Projects and their participants: what a member sees first, and the leads' settings."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from benefice.core.roles import can_edit
from benefice.errors import BeneficeError
from benefice.i18n import gettext_noop
from benefice.interviews import services
from benefice.interviews.forms import GuideForm, ParticipantForm, ProjectForm
from benefice.interviews.models import InterviewProject, Membership, Participant
from benefice.interviews.views._shared import LEAD, _context, _project, error_text

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
                lists = {
                    name: form.cleaned_data[name]
                    for name in ("names_list", "kept_names", "masked_names")
                    if form.cleaned_data[name]
                }
                if lists:
                    services.update_project(project, request.user, **lists)
            except BeneficeError as exc:
                form.add_error(None, error_text(exc))
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
                    raise BeneficeError(
                        gettext_noop("no user named “%(name)s”"), params={"name": username}, field="username"
                    )
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
            messages.error(request, error_text(exc))
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
                form.add_error("code", error_text(exc))
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
