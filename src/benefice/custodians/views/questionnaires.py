"""Questionnaires for custodians: respondents answer through a personal link, without an account.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from benefice.core.roles import can_edit
from benefice.core.views import editor_required, reader_required
from benefice.custodians import services
from benefice.custodians.models import Question, Questionnaire, Respondent
from benefice.custodians.views._shared import _int, error_text
from benefice.errors import BeneficeError
from benefice.interviews.models import InterviewProject, Membership
from benefice.sources.models import Source


# ------------------------------------------------------------------------------------------ questionnaires
@reader_required
def questionnaire_list(request) -> HttpResponse:
    error = ""
    if request.method == "POST":
        if not can_edit(request.user):
            raise PermissionDenied(_("Your account does not have the role needed for this page."))
        try:
            questionnaire = services.create_questionnaire(
                request.POST.get("title", ""),
                request.user,
                description=request.POST.get("description", ""),
                source_id=request.POST.get("source_id", ""),
            )
        except BeneficeError as exc:
            error = error_text(exc)
        else:
            return redirect("custodians:questionnaire", qid=questionnaire.pk)
    return render(
        request,
        "custodians/questionnaires.html",
        {
            "questionnaires": Questionnaire.objects.annotate(
                n_questions=Count("questions", distinct=True),
                n_respondents=Count("respondents", distinct=True),
            ),
            "sources": Source.objects.order_by("id").values_list("id", flat=True),
            "can_edit": can_edit(request.user),
            "error": error,
        },
        status=400 if error else 200,
    )


@editor_required
def questionnaire_detail(request, qid: int) -> HttpResponse:
    questionnaire = get_object_or_404(Questionnaire, pk=qid)
    error = ""
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "question":
                services.add_question(
                    questionnaire,
                    kind=request.POST.get("kind", ""),
                    text=request.POST.get("text", ""),
                    choices=request.POST.get("choices", "").splitlines(),
                    scale_min=_int(request.POST.get("scale_min"), 1),
                    scale_max=_int(request.POST.get("scale_max"), 5),
                    unit=request.POST.get("unit", ""),
                    user=request.user,
                )
                messages.success(request, _("Question added."))
            elif action == "respondent":
                services.add_respondent(
                    questionnaire,
                    request.POST.get("label", ""),
                    source_id=request.POST.get("source_id", ""),
                    user=request.user,
                )
                messages.success(request, _("Respondent added: send them their private link."))
            elif action == "interviews":
                project = get_object_or_404(
                    InterviewProject,
                    pk=_int(request.POST.get("project"), 0),
                    memberships__user=request.user,
                    memberships__role=Membership.LEAD,
                )
                made = services.import_free_text(questionnaire, project, request.user)
                messages.success(
                    request,
                    ngettext(
                        "%(n)s transcript added to the interview project “%(name)s”, to be reviewed before coding.",
                        "%(n)s transcripts added to the interview project “%(name)s”, to be reviewed before coding.",
                        len(made),
                    )
                    % {"n": len(made), "name": project.name},
                )
            else:
                raise BeneficeError(_("unknown action"))
        except BeneficeError as exc:
            error = error_text(exc)
        else:
            return redirect("custodians:questionnaire", qid=questionnaire.pk)
    respondents = questionnaire.respondents.annotate(n_answers=Count("answers"))
    return render(
        request,
        "custodians/questionnaire.html",
        {
            "questionnaire": questionnaire,
            "questions": questionnaire.questions.all(),
            "respondents": [
                (r, request.build_absolute_uri(reverse("custodians:respond", args=[r.token])))
                for r in respondents
            ],
            "kinds": Question.KINDS,
            "error": error,
            "lead_projects": InterviewProject.objects.filter(
                memberships__user=request.user, memberships__role=Membership.LEAD
            ),
        },
        status=400 if error else 200,
    )


@editor_required
def questionnaire_export(request, qid: int, fmt: str) -> HttpResponse:
    questionnaire = get_object_or_404(Questionnaire, pk=qid)
    try:
        data = services.export_questionnaire(questionnaire, fmt)
    except BeneficeError as exc:
        raise Http404(error_text(exc)) from None
    types = {
        "csv": "text/csv; charset=utf-8",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }
    response = HttpResponse(data, content_type=types[fmt])
    response["Content-Disposition"] = f'attachment; filename="questionnaire-{questionnaire.pk}.{fmt}"'
    return response


def _respondent(token: str):
    return get_object_or_404(Respondent.objects.select_related("questionnaire"), token=token)


def respond(request, token: str) -> HttpResponse:
    """The private answer page: no account, the token is the key. Answers autosave (htmx); the submit
    button saves everything at once for browsers without JavaScript."""
    respondent = _respondent(token)
    questions = list(respondent.questionnaire.questions.all())
    errors: dict[int, str] = {}
    if request.method == "POST":
        for question in questions:
            try:
                services.save_answer(
                    respondent,
                    question,
                    request.POST.get(f"q{question.pk}", ""),
                    request.POST.get(f"q{question.pk}_source", ""),
                )
            except BeneficeError as exc:
                errors[question.pk] = error_text(exc)
        if not errors:
            respondent.submitted_at = timezone.now()
            respondent.save(update_fields=["submitted_at"])
            messages.success(
                request, _("Thank you: your answers are saved. You can come back to change them.")
            )
            return redirect("custodians:respond", token=token)
    answers = {r.question_id: r for r in respondent.answers.all()}
    rows = []
    for question in questions:
        answer = answers.get(question.pk)
        rows.append(
            {
                "question": question,
                "value": request.POST.get(f"q{question.pk}", "")
                if errors
                else (answer.value if answer else ""),
                "source": request.POST.get(f"q{question.pk}_source", "")
                if errors
                else (answer.source if answer else ""),
                "error": errors.get(question.pk, ""),
                "steps": list(range(question.scale_min, question.scale_max + 1))
                if question.kind == "scale"
                else [],
            }
        )
    return render(
        request,
        "custodians/respond.html",
        {"respondent": respondent, "rows": rows, "token": token},
        status=400 if errors else 200,
    )


@require_POST
def respond_answer(request, token: str, question_id: int) -> HttpResponse:
    """Autosave of one answer: returns the status line shown next to the question."""
    respondent = _respondent(token)
    question = get_object_or_404(respondent.questionnaire.questions, pk=question_id)
    try:
        services.save_answer(
            respondent,
            question,
            request.POST.get(f"q{question.pk}", ""),
            request.POST.get(f"q{question.pk}_source", ""),
        )
    except BeneficeError as exc:
        return render(request, "custodians/_answer_status.html", {"question": question, "error": error_text(exc)})
    return render(request, "custodians/_answer_status.html", {"question": question, "saved": timezone.now()})
