"""Questionnaires to custodians and their users: questions, respondents, answers saved one at a time
(autosave), exports, and the free-text answers handed to an interview project as transcripts. The rules
of questions and answers are the pure ``benefice.custodians.survey``; this module stores them.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from benefice import csvout
from benefice.core.models import audit
from benefice.custodians import survey
from benefice.custodians.models import Question, Questionnaire, Respondent, Response
from benefice.errors import BeneficeError
from benefice.i18n import gettext_noop
from benefice.interviews import services as interviews


def create_questionnaire(title: str, user, *, description: str = "", source_id: str = "") -> Questionnaire:
    title = " ".join((title or "").split())
    if not title:
        raise BeneficeError(_("a questionnaire needs a title"), field="title")
    questionnaire = Questionnaire.objects.create(
        title=title,
        description=description.strip(),
        source_id=source_id.strip(),
        created_by=user if getattr(user, "is_authenticated", False) else None,
    )
    audit(
        "create",
        "custodians.Questionnaire",
        questionnaire.pk,
        after={"title": title, "source": source_id},
        user=user,
    )
    return questionnaire


def add_question(
    questionnaire: Questionnaire,
    *,
    kind: str,
    text: str,
    choices: Iterable[str] = (),
    scale_min: int = 1,
    scale_max: int = 5,
    unit: str = "",
    user=None,
) -> Question:
    """Add a question at the end; an unanswerable one (choice without options, reversed scale) is refused."""
    text = (text or "").strip()
    options = [c.strip() for c in choices if c.strip()]
    if not text:
        raise BeneficeError(_("write the question"), field="text")
    try:
        survey.validate_spec(kind, options, scale_min, scale_max)
    except survey.AnswerError as exc:
        raise BeneficeError(_translated(exc), field="kind") from None
    position = (questionnaire.questions.aggregate(m=models_max("position"))["m"] or 0) + 1
    question = Question.objects.create(
        questionnaire=questionnaire,
        position=position,
        kind=kind,
        text=text,
        choices=options if kind == "choice" else [],
        scale_min=scale_min,
        scale_max=scale_max,
        unit=unit.strip() if kind in ("number", "figure") else "",
    )
    audit("create", "custodians.Question", question.pk, after={"kind": kind, "text": text}, user=user)
    return question


def _translated(exc) -> str:
    """An AnswerError of the pure survey module in the user's language."""
    return _(exc.template) % exc.params if exc.params else _(exc.template)


def models_max(field_name: str):
    return Max(field_name)


def add_respondent(questionnaire: Questionnaire, label: str, *, source_id: str = "", user=None) -> Respondent:
    label = " ".join((label or "").split())
    if not label:
        raise BeneficeError(_("name the respondent (a person or an organisation)"), field="label")
    respondent = Respondent.objects.create(
        questionnaire=questionnaire, label=label, source_id=(source_id or questionnaire.source_id).strip()
    )
    audit("create", "custodians.Respondent", respondent.pk, after={"label": label}, user=user)
    return respondent


def save_answer(
    respondent: Respondent, question: Question, value: str = "", source: str = ""
) -> Response | None:
    """Store (or clear) one answer, validated; called on every autosave, so it writes one row only."""
    if question.questionnaire_id != respondent.questionnaire_id:
        raise BeneficeError(gettext_noop("this question is not part of this questionnaire"), field="question")
    try:
        answer = survey.clean_answer(question.spec(), value, source)
    except survey.AnswerError as exc:
        raise BeneficeError(_translated(exc), field=f"q{question.pk}") from None
    if answer.empty:
        Response.objects.filter(respondent=respondent, question=question).delete()
        return None
    response, _created = Response.objects.update_or_create(
        respondent=respondent,
        question=question,
        defaults={"value": answer.value, "number": answer.number, "source": answer.source},
    )
    return response


def questionnaire_rows(questionnaire: Questionnaire) -> list[list[Any]]:
    responses = (
        Response.objects.filter(question__questionnaire=questionnaire)
        .select_related("respondent", "question")
        .order_by("respondent_id", "question__position")
    )
    return survey.export_rows(
        {
            "respondent": r.respondent.label,
            "data_source": r.respondent.source_id or questionnaire.source_id,
            "question": r.question.text,
            "position": r.question.position,
            "kind": r.question.kind,
            "value": r.value,
            "number": r.number,
            "unit": r.question.unit,
            "source": r.source,
            "updated_at": r.updated_at.isoformat(timespec="seconds"),
        }
        for r in responses
    )


def export_questionnaire(questionnaire: Questionnaire, fmt: str) -> bytes:
    """The responses as CSV (UTF-8 with BOM, for spreadsheets) or XLSX, formula-like text neutralised."""
    rows = [[survey.spreadsheet_safe(v) for v in row] for row in questionnaire_rows(questionnaire)]
    if fmt == "csv":
        out = io.StringIO()
        csvout.writer(out).writerows(rows)
        return ("\ufeff" + out.getvalue()).encode("utf-8")
    if fmt == "xlsx":
        import openpyxl  # deferred: over half a second to import, only the XLSX export needs it

        book = openpyxl.Workbook()
        sheet = book.active
        sheet.title = "responses"
        for row in rows:
            sheet.append(row)
        buffer = io.BytesIO()
        book.save(buffer)
        return buffer.getvalue()
    raise BeneficeError(f"unknown export format {fmt!r} (csv, xlsx)", field="format")


def import_free_text(questionnaire: Questionnaire, interview_project, user) -> list:
    """Each respondent's free-text answers become one transcript of the interview project (question turns by
    "ENQ", answers by a pseudonymous respondent code), to be pseudonymised and coded like an interview."""
    made = []
    text_questions = list(questionnaire.questions.filter(kind="text"))
    with transaction.atomic():
        for n, respondent in enumerate(questionnaire.respondents.order_by("pk"), start=1):
            answers = dict(
                respondent.answers.filter(question__in=text_questions).values_list("question_id", "value")
            )
            pairs = [(q.text, answers.get(q.pk, "")) for q in text_questions]
            text = survey.transcript_text(pairs, f"R{n:02d}")
            if not text:
                continue
            name = f"questionnaire-{questionnaire.pk}-R{n:02d}.txt"
            made.append(
                interviews.import_transcript(
                    interview_project,
                    name,
                    text.encode("utf-8"),
                    user,
                    title=f"{questionnaire.title} — R{n:02d}",
                )
            )
    audit(
        "import",
        "custodians.Questionnaire",
        questionnaire.pk,
        after={"interview_project": interview_project.pk, "transcripts": len(made)},
        user=user,
    )
    return made
