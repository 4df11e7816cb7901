"""Custodian pages: directory import, projects and their candidate links, benefit records, reports.

Thin: services do the work. Reading needs a role (viewer and up); changes need editor or admin. A benefit
record the custodian published is readable by anyone, without an account.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from benefice.core.paging import BoundedPaginator
from benefice.core.roles import can_edit, role_of
from benefice.core.views import editor_required, reader_required
from benefice.custodians import services
from benefice.custodians.models import BenefitRecord, Custodian, Project, ProjectLink
from benefice.errors import BeneficeError

OUTCOME_LABELS = {
    "publications": gettext_lazy("Publications"),
    "collaborations": gettext_lazy("Collaborations and partnerships"),
    "further_funding": gettext_lazy("Further funding"),
    "engagement_activities": gettext_lazy("Engagement activities"),
    "influence_on_policy": gettext_lazy("Influence on policy, practice, patients and the public"),
    "research_tools_methods": gettext_lazy("Research tools and methods (e.g. algorithms)"),
    "research_databases_models": gettext_lazy("Research databases and models (e.g. datasets)"),
    "intellectual_property": gettext_lazy("Intellectual property and licensing"),
    "medical_products_interventions": gettext_lazy("Medical products, interventions and clinical trials"),
    "software_technical_products": gettext_lazy("Software and technical products"),
    "other_outputs": gettext_lazy("Other outputs and knowledge (e.g. reports)"),
}
FIGURE_ROWS, OUTPUT_ROWS = 3, 3


def _outcome_labels() -> dict[str, str]:
    # evaluated per request so the active language applies
    return {key: str(label) for key, label in OUTCOME_LABELS.items()}


@reader_required
def custodian_list(request) -> HttpResponse:
    custodians = Custodian.objects.annotate(
        n_projects=Count("projects", distinct=True),
        n_confirmed=Count(
            "projects__links", filter=Q(projects__links__status=ProjectLink.CONFIRMED), distinct=True
        ),
    )
    return render(
        request,
        "custodians/list.html",
        {
            "custodians": custodians,
            "unassigned": Project.objects.filter(custodian__isnull=True).count(),
            "reminders": services.projects_without_record().count(),
            "can_edit": can_edit(request.user),
        },
    )


@reader_required
def project_list(request) -> HttpResponse:
    projects = Project.objects.select_related("custodian").annotate(
        n_candidates=Count("links", filter=Q(links__status=ProjectLink.CANDIDATE), distinct=True),
        n_confirmed=Count("links", filter=Q(links__status=ProjectLink.CONFIRMED), distinct=True),
    )
    custodian = request.GET.get("custodian", "")
    if custodian:
        projects = projects.filter(custodian__slug=custodian)
    query = request.GET.get("q", "").strip()
    if query:
        projects = projects.filter(Q(reference__icontains=query) | Q(title__icontains=query))
    page = BoundedPaginator(projects.order_by("reference"), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "custodians/projects.html",
        {
            "page": page,
            "query": query,
            "custodian": custodian,
            "custodians": Custodian.objects.all(),
            "can_edit": can_edit(request.user),
        },
    )


@reader_required
def project_detail(request, pk: int) -> HttpResponse:
    project = get_object_or_404(Project.objects.select_related("custodian"), pk=pk)
    links = project.links.select_related("publication", "decided_by").order_by("-score")
    return render(
        request,
        "custodians/project.html",
        {
            "project": project,
            "links": links,
            "records": project.benefit_records.prefetch_related("figures"),
            "can_edit": can_edit(request.user),
            "outcome_labels": _outcome_labels(),
        },
    )


@editor_required
@require_POST
def link_decide(request, pk: int, link_id: int) -> HttpResponse:
    link = get_object_or_404(
        ProjectLink.objects.select_related("publication", "project"), pk=link_id, project_id=pk
    )
    try:
        services.decide_link(link, request.POST.get("status", ""), request.user)
    except BeneficeError as exc:
        if request.headers.get("HX-Request"):
            return HttpResponse(str(exc), status=400)
        messages.error(request, str(exc))
    if request.headers.get("HX-Request"):
        return render(
            request, "custodians/_link_row.html", {"link": link, "can_edit": True, "project": link.project}
        )
    return redirect("custodians:project", pk=pk)


@editor_required
@require_POST
def propose_links(request) -> HttpResponse:
    """Score candidate links for every project again (decisions already taken are kept)."""
    report = services.propose_links()
    messages.success(
        request,
        _("%(n)s candidate links scored (%(new)s new); %(kept)s links already decided were kept.")
        % {"n": report.candidates, "new": report.new, "kept": report.kept_decided},
    )
    return redirect("custodians:projects")


@editor_required
def import_directory(request) -> HttpResponse:
    context: dict = {}
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            context["error"] = _("Choose a file to import.")
        else:
            suffix = Path(upload.name).suffix.lower() or ".csv"
            with tempfile.TemporaryDirectory() as tmp:
                path = Path(tmp) / f"upload{suffix}"
                with path.open("wb") as handle:
                    for chunk in upload.chunks():
                        handle.write(chunk)
                try:
                    report = services.import_projects(
                        path, custodian=request.POST.get("custodian", ""), user=request.user
                    )
                except BeneficeError as exc:
                    context["error"] = str(exc).replace(str(path), upload.name)
                else:
                    for rejection in report.rejected:
                        rejection.path = upload.name
                    context["report"] = report
                    context["file_name"] = upload.name
    return render(request, "custodians/import.html", context)


@reader_required
def reminders(request) -> HttpResponse:
    custodian = None
    slug = request.GET.get("custodian", "")
    if slug:
        custodian = get_object_or_404(Custodian, slug=slug)
    return render(
        request,
        "custodians/reminders.html",
        {
            "projects": services.projects_without_record(custodian).select_related("custodian"),
            "custodian": custodian,
        },
    )


@reader_required
def links_csv(request) -> HttpResponse:
    links = ProjectLink.objects.select_related("project").order_by("project__reference", "-score")
    response = HttpResponse(services.links_csv(links), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="project-links.csv"'
    return response


# ------------------------------------------------------------------------------------------ benefit records
def record_detail(request, record_id: int) -> HttpResponse:
    """A benefit record: public when published, otherwise for signed-in readers only."""
    record = get_object_or_404(
        BenefitRecord.objects.select_related("project", "project__custodian").prefetch_related("figures"),
        pk=record_id,
    )
    if not record.published and role_of(request.user) is None:
        if not request.user.is_authenticated:
            from django.contrib.auth.views import redirect_to_login

            return redirect_to_login(request.get_full_path())
        raise Http404
    return render(
        request,
        "custodians/record.html",
        {"record": record, "outcome_labels": _outcome_labels(), "can_edit": can_edit(request.user)},
    )


def _int(value, default: int) -> int:
    try:
        return max(0, min(int(value), 50))
    except (TypeError, ValueError):
        return default


def _record_input(post) -> dict:
    outputs = []
    for n in range(_int(post.get("output_rows"), OUTPUT_ROWS)):
        kind, description = post.get(f"output_type_{n}", ""), post.get(f"output_description_{n}", "").strip()
        reference = post.get(f"output_reference_{n}", "").strip()
        if kind or description or reference:
            outputs.append({"type": kind, "description": description, "reference": reference})
    figures = []
    for n in range(_int(post.get("figure_rows"), FIGURE_ROWS)):
        label, value = post.get(f"figure_label_{n}", "").strip(), post.get(f"figure_value_{n}", "").strip()
        source, unit = post.get(f"figure_source_{n}", "").strip(), post.get(f"figure_unit_{n}", "").strip()
        indicator = post.get(f"figure_indicator_{n}", "").strip()
        if not (label or value or source or unit or indicator):
            continue
        try:
            number = float(value.replace(",", ".").replace("\u202f", "").replace(" ", ""))
        except ValueError:
            raise BeneficeError(
                _("figure %(n)s: the value %(value)r is not a number") % {"n": n + 1, "value": value},
                field="value",
            ) from None
        figures.append(
            services.FigureInput(label=label, value=number, unit=unit, indicator=indicator, source=source)
        )
    try:
        year = int(post.get("year", ""))
    except ValueError:
        raise BeneficeError(_("the year must be a number"), field="year") from None
    return {
        "kind": post.get("kind", BenefitRecord.CLOSURE),
        "year": year,
        "outputs": outputs,
        "figures": figures,
        "decisions": post.get("decisions", "").strip(),
        "practice_changes": post.get("practice_changes", "").strip(),
        "people_concerned": post.get("people_concerned", "").strip(),
        "published": post.get("published") == "on",
    }


@editor_required
def record_edit(request, pk: int, record_id: int | None = None) -> HttpResponse:
    project = get_object_or_404(Project, pk=pk)
    record = get_object_or_404(BenefitRecord, pk=record_id, project=project) if record_id else None
    error = ""
    values = request.POST if request.method == "POST" else None
    if request.method == "POST":
        try:
            data = _record_input(request.POST)
            saved = services.save_benefit_record(project, user=request.user, record=record, **data)
        except BeneficeError as exc:
            error = str(exc)
        else:
            messages.success(request, _("Benefit record saved."))
            return redirect("custodians:record", record_id=saved.pk)
    from benefice.impact.catalogue import load_indicators

    indicators = sorted(load_indicators().indicators.values(), key=lambda i: i.code)
    if values is not None:  # redisplay what was typed, not what is stored
        outputs = [
            {k: values.get(f"output_{k}_{n}", "") for k in ("type", "description", "reference")}
            for n in range(_int(values.get("output_rows"), OUTPUT_ROWS))
        ]
        figures = [
            {k: values.get(f"figure_{k}_{n}", "") for k in ("indicator", "label", "value", "unit", "source")}
            for n in range(_int(values.get("figure_rows"), FIGURE_ROWS))
        ]
    else:
        outputs = list(record.outputs) if record else []
        figures = [
            {
                "indicator": f.indicator,
                "label": f.label,
                "value": f"{f.value:g}",
                "unit": f.unit,
                "source": f.source,
            }
            for f in (record.figures.all() if record else [])
        ]
    n_outputs = max(OUTPUT_ROWS, len(outputs) + (0 if values is not None else 1))
    n_figures = max(FIGURE_ROWS, len(figures) + (0 if values is not None else 1))
    return render(
        request,
        "custodians/record_form.html",
        {
            "project": project,
            "record": record,
            "error": error,
            "values": values,
            "kinds": BenefitRecord.KINDS,
            "default_year": record.year if record else dt.date.today().year,
            "outcome_labels": _outcome_labels(),
            "indicators": indicators,
            "output_rows": [(n, outputs[n] if n < len(outputs) else {}) for n in range(n_outputs)],
            "figure_rows": [(n, figures[n] if n < len(figures) else None) for n in range(n_figures)],
            "n_outputs": n_outputs,
            "n_figures": n_figures,
        },
        status=400 if error else 200,
    )


# ------------------------------------------------------------------------------------------------- reports
def _report_context(request, custodian: Custodian) -> dict:
    report = services.custodian_report(custodian, lang=translation.get_language() or "fr")
    lang = (translation.get_language() or "fr")[:2]
    report["recommendation_rows"] = [
        {"rule": r.rule, "figure": r.figure, "text": r.text(lang), "rationale": r.rationale(lang)}
        for r in report["recommendations"]
    ]
    pks = dict(custodian.projects.values_list("reference", "pk"))
    links = {fid: _record_links(f, pks) for fid, f in report["figures"].items()}
    for row in report["recommendation_rows"]:
        row["links"] = links.get(row["figure"].id, [])
    report["figure_rows"] = [
        {"figure": f, "label": str(FIGURE_LABELS.get(fid, fid)), "links": links[fid]}
        for fid, f in report["figures"].items()
    ]
    report["lang"] = lang
    report["max_per_year"] = max((n for _, n in report["per_year"]), default=0)
    return report


def _record_links(figure, project_pks: dict[str, int], limit: int = 15) -> list[dict[str, str]]:
    """The first records a figure counted, each with the page that shows it: publications of the corpus,
    projects, or the impact case holding the decision (``case#n``)."""
    out = []
    for record in figure.records[:limit]:
        url = ""
        if figure.id.startswith("pubs_") and record.isdecimal():
            url = reverse("corpus:detail", args=[int(record)])
        elif "#" in record:
            try:
                url = reverse("impact:case", args=[record.split("#", 1)[0]])
            except Exception:  # noqa: BLE001 - the impact app may not be installed: plain text then
                url = ""
        elif record in project_pks:
            url = reverse("custodians:project", args=[project_pks[record]])
        out.append({"label": record, "url": url})
    return out


FIGURE_LABELS = {
    "pubs_source_not_named_in_full": gettext_lazy("Publications that never name the source in full"),
    "pubs_documentation_not_cited": gettext_lazy("Publications that cite no documentation of the source"),
    "pubs_authorisation_not_cited": gettext_lazy("Publications that cite no authorisation"),
    "projects_without_publication": gettext_lazy(
        "Projects started 3 or more years ago with no confirmed publication"
    ),
    "projects_without_benefit_record": gettext_lazy("Projects without a benefit record"),
    "decisions_without_data_trail": gettext_lazy(
        "Decisions of related impact cases with no reference to the decision text"
    ),
    "unrecognised_source_labels": gettext_lazy(
        "Projects with a data-source label the registry does not recognise"
    ),
}


def _with_language(request):
    lang = request.GET.get("lang", "")
    return lang if lang in ("fr", "en") else None


@reader_required
def report(request, slug: str) -> HttpResponse:
    custodian = get_object_or_404(Custodian, slug=slug)
    lang = _with_language(request)
    if lang:
        with translation.override(lang):
            html = render_to_string(
                "custodians/report.html", _report_context(request, custodian) | {"pdf": False}, request
            )
        return HttpResponse(html)
    return render(request, "custodians/report.html", _report_context(request, custodian) | {"pdf": False})


@reader_required
def report_pdf(request, slug: str) -> HttpResponse:
    from weasyprint import HTML

    custodian = get_object_or_404(Custodian, slug=slug)
    lang = _with_language(request) or (translation.get_language() or "fr")[:2]
    with translation.override(lang):
        html = render_to_string(
            "custodians/report_pdf.html", _report_context(request, custodian) | {"pdf": True}
        )
    pdf = HTML(string=html, base_url=request.build_absolute_uri(reverse("custodians:list"))).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="benefice-{custodian.slug}-{lang}.pdf"'
    return response


# ------------------------------------------------------------------------------------------ questionnaires
@reader_required
def questionnaire_list(request) -> HttpResponse:
    from benefice.custodians.models import Questionnaire
    from benefice.sources.models import Source

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
            error = str(exc)
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
    from benefice.custodians.models import Question, Questionnaire
    from benefice.interviews.models import Membership

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
                from benefice.interviews.models import InterviewProject

                project = get_object_or_404(
                    InterviewProject,
                    pk=_int(request.POST.get("project"), 0),
                    memberships__user=request.user,
                    memberships__role=Membership.LEAD,
                )
                made = services.import_free_text(questionnaire, project, request.user)
                messages.success(
                    request,
                    _(
                        "%(n)s transcript(s) added to the interview project “%(name)s”, to be reviewed before coding."
                    )
                    % {"n": len(made), "name": project.name},
                )
            else:
                raise BeneficeError(_("unknown action"))
        except BeneficeError as exc:
            error = str(exc)
        else:
            return redirect("custodians:questionnaire", qid=questionnaire.pk)
    from benefice.interviews.models import InterviewProject

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
    from benefice.custodians.models import Questionnaire

    questionnaire = get_object_or_404(Questionnaire, pk=qid)
    try:
        data = services.export_questionnaire(questionnaire, fmt)
    except BeneficeError as exc:
        raise Http404(str(exc)) from None
    types = {
        "csv": "text/csv; charset=utf-8",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }
    response = HttpResponse(data, content_type=types[fmt])
    response["Content-Disposition"] = f'attachment; filename="questionnaire-{questionnaire.pk}.{fmt}"'
    return response


def _respondent(token: str):
    from benefice.custodians.models import Respondent

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
                errors[question.pk] = exc.message
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
        return render(request, "custodians/_answer_status.html", {"question": question, "error": exc.message})
    return render(request, "custodians/_answer_status.html", {"question": question, "saved": timezone.now()})
