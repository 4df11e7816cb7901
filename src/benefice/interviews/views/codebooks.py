"""The codebook and the agreement between coders on it, both led by the project's leads.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from benefice.errors import BeneficeError
from benefice.i18n import gettext_noop
from benefice.interviews import services
from benefice.interviews.models import Code, Coding, InterviewProject, Transcript
from benefice.interviews.views._shared import CODER, LEAD, _context, _ints, _project, error_text

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
            messages.error(request, error_text(exc))
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
            next_colour=services.next_colour_for(project),
        ),
    )


def _codebook_action(request, project: InterviewProject, action: str) -> None:
    post = request.POST
    user = request.user

    def code(field: str) -> Code:
        value = post.get(field, "")
        if not value.isdecimal():
            raise BeneficeError(gettext_noop("choose a code"), field=field)
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
        raise BeneficeError(gettext_noop("unknown action %(action)r"), params={"action": action})


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
            error = error_text(exc)
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
