"""Impact pages, the cases: the list with its ranking, case pages, edits of a case and of its figures,
decisions, publications and timeline, with history, YAML export."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from benefice.cases import operations
from benefice.cases import services as case_services
from benefice.cases.forms import CHILD_FORMS, CaseForm
from benefice.cases.labels import figure_value, provenance_name, scope_name, source_label, timeline_kind_name
from benefice.cases.models import Case
from benefice.cases.rank import METHODS as RANK_METHODS
from benefice.core.curated_pages import history_page, yaml_download
from benefice.core.curated_sync import EditConflict
from benefice.core.forms import reader_language
from benefice.core.models import AuditEntry
from benefice.core.views import editor_required, reader_required
from benefice.errors import BeneficeError
from benefice.i18n import pick_text
from benefice.indicators.display import catalogue_units, rebind_version, unit_name
from benefice.indicators.models import Indicator
from benefice.uses.typology import shipped_typology


def _ranking(method: str, category: str) -> tuple[Any, str]:
    """The ranking of the stored cases (as people edited them), or the reason there is none.

    Draws and concentration are the published defaults of ranking.yaml, with a fixed seed, so the page
    shows the same ranks as ``benefice rank`` and the barometer for the same data.
    """
    try:
        stored = operations.stored_cases(allow_empty=True)
        result = operations.rank(stored, method=method, category=category or None, seed=0)
    except BeneficeError as exc:
        return None, exc.localized(get_language(), name_only=True)
    if not result.rows:
        return None, _("No case in this category.")
    return result, ""


def _criteria_table(ranking: Any) -> list[dict[str, Any]]:
    """The published criteria with their weight, direction and why: the ranking is only as good as these."""
    spec = getattr(ranking, "spec", None)
    if spec is None:
        return []
    total = sum(c.weight for c in spec.criteria) or 1.0
    return [
        {
            "id": c.id,
            "name": pick_text(c.name, reader_language()),
            "definition": pick_text(c.definition, reader_language()),
            "weight": c.weight / total,
            "more_is_better": c.direction == "max",
            "rationale": pick_text(c.rationale, reader_language()),
        }
        for c in spec.criteria
    ]


def _cell_text(kind: str, cell: Any, case: Case | None) -> str:
    """What a criterion took from the case, in the reader's words (the ranking's own ``source`` is English,
    for the command line): the decision or figure it names, or the grade, count or sources."""
    typ = shipped_typology()
    lang = reader_language()
    ref = cell.refs[0] if cell.refs else ""
    _case_id, _sep, where = ref.partition("#")
    item, _dash, index = where.rpartition("-")
    if case is not None and index.isdecimal():
        if item == "decision":
            decisions = list(case.decisions.all())
            if int(index) < len(decisions):
                d = decisions[int(index)]
                rung = typ.decision_types.get(d.type)
                return _("decision %(n)s: %(type)s (%(agency)s, %(date)s)") % {
                    "n": int(index) + 1,
                    "type": pick_text(rung.name, lang) if rung else d.type,
                    "agency": d.agency,
                    "date": d.date,
                }
        if item == "figure":
            figures = list(case.figures.all())
            if int(index) < len(figures):
                f = figures[int(index)]
                return _("figure %(n)s (%(code)s): %(value)s %(unit)s") % {
                    "n": int(index) + 1,
                    "code": f.indicator_id,
                    "value": figure_value(f.value, f.low, f.high).text or "—",
                    "unit": unit_name(f.unit),
                }
    if case is None:
        return cell.source
    if kind == "decision_type":
        return str(_("no decision documented"))
    if kind == "attribution_grade":
        grade = typ.attribution_grades.get(case.attribution_grade)
        return pick_text(grade.name, lang) if grade else case.attribution_grade
    if kind == "data_sources":
        names = {s: pick_text(typ.data_sources[s], lang) for s in case.data_sources if s in typ.data_sources}
        return ", ".join(source_label(s, names.get(s, "")) for s in case.data_sources) or str(_("none"))
    if kind == "evidence_grade":
        return str(_("no figure"))
    return str(_("no figure for this criterion"))


def _criteria_cells(ranking: Any, case: Case | None, names: dict[str, str]) -> list[dict[str, Any]]:
    """What each criterion took from this case (value and the figure or decision it came from)."""
    matrix = getattr(ranking, "matrix", None)
    if matrix is None or case is None:
        return []
    kinds = {c.id: c.kind for c in getattr(ranking.spec, "criteria", ())}
    cells = matrix.cells.get(case.id, {})
    return [
        {
            "name": names.get(cid, cid),
            "raw": cell.raw,
            "source": _cell_text(kinds.get(cid, ""), cell, case),
            "missing": cell.missing,
        }
        for cid, cell in cells.items()
    ]


def _probabilities(value: Any, n: int) -> list[float]:
    """P(rank = 1..n) as a list, whether the ranking gives a list or a mapping rank -> probability."""
    if isinstance(value, dict):
        return [float(value.get(i, value.get(str(i), 0.0))) for i in range(1, n + 1)]
    return [float(p) for p in list(value)[:n]]


@reader_required
def case_list(request: HttpRequest) -> HttpResponse:
    typ = shipped_typology()
    method = request.GET.get("method", RANK_METHODS[0])
    if method not in RANK_METHODS:
        method = RANK_METHODS[0]
    category = request.GET.get("category", "")
    if category and category not in typ.categories:
        category = ""
    rows = {c.id: c for c in Case.objects.prefetch_related("figures", "decisions", "publications")}
    ranking, reason = _ranking(method, category)
    items = []
    criteria = _criteria_table(ranking) if ranking is not None else []
    names = {c["id"]: c["name"] for c in criteria}
    if ranking is not None:
        n = len(ranking.rows)
        for r in ranking.rows:
            case = rows.get(r.case_id)
            if case is None:
                continue
            probs = _probabilities(r.rank_probabilities, n)
            items.append(
                {
                    "case": case,
                    "title": case.title(reader_language()),
                    "rank": r.rank,
                    "score": r.score,
                    "rank_low": r.rank_low,
                    "rank_high": r.rank_high,
                    "stable": r.rank_low == r.rank_high,
                    "probabilities": [
                        {"rank": i + 1, "p": p, "height": max(1, round(p * 100))}
                        for i, p in enumerate(probs[:n])
                    ],
                    "top_p": round(100 * max(probs)) if probs else 0,
                    "top_rank": probs.index(max(probs)) + 1 if probs else r.rank,
                    "cells": _criteria_cells(ranking, case, names),
                }
            )
    else:
        for case in rows.values():
            if category and category not in case.categories:
                continue
            items.append({"case": case, "title": case.title(reader_language())})
    for it in items:
        it["categories"] = [pick_text(typ.categories[c].name, reader_language()) for c in it["case"].categories if c in typ.categories]
        it["unverified"] = any(not f.verified for f in it["case"].figures.all()) or any(
            not d.verified for d in it["case"].decisions.all()
        )
    return render(
        request,
        "cases/cases.html",
        {
            "items": items,
            "ranked": ranking is not None,
            "reason": reason,
            "method": method,
            "methods": [
                ("weighted_sum", _("weighted sum")),
                ("topsis", "TOPSIS"),
                ("promethee", "PROMETHEE II"),
            ],
            "category": category,
            "categories": [(c.id, pick_text(c.name, reader_language())) for c in typ.categories.values()],
            "criteria": criteria,
            "spec_version": getattr(ranking, "spec_version", ""),
            "samples": getattr(ranking, "samples", 0),
            "concentration": getattr(ranking, "concentration", 0),
        },
    )


def case_context(case: Case) -> dict[str, Any]:
    """Everything a case page or card shows, with names in the current language."""
    typ = shipped_typology()
    lang = reader_language()
    indicators = {i.code: i for i in Indicator.objects.all()}
    figures = []
    for f in case.figures.all():
        ind = indicators.get(f.indicator_id)
        shown = figure_value(f.value, f.low, f.high)
        figures.append(
            {
                "f": f,
                "indicator_name": ind.name(lang) if ind else f.indicator_id,
                "unit": unit_name(f.unit),
                "value": shown.value,
                "range": shown.range,
                "shown": shown,
                "provenance": provenance_name(f.source_provenance) if f.source_provenance else "",
                "evidence": pick_text(typ.evidence_grades[f.evidence_grade].name, reader_language())
                if f.evidence_grade in typ.evidence_grades
                else f.evidence_grade,
                "attribution": pick_text(typ.attribution_grades[f.attribution_grade].name, reader_language())
                if f.attribution_grade in typ.attribution_grades
                else f.attribution_grade,
            }
        )
    decisions = sorted(case.decisions.all(), key=lambda d: (d.date, d.position))
    return {
        "case": case,
        "title": case.title(lang),
        "categories": [pick_text(typ.categories[c].name, reader_language()) for c in case.categories if c in typ.categories],
        "data_sources": [
            (source_label(s, name), name)
            for s, name in (
                (s, pick_text(typ.data_sources[s], lang) if s in typ.data_sources else s) for s in case.data_sources
            )
        ],
        "attribution": pick_text(typ.attribution_grades[case.attribution_grade].name, reader_language())
        if case.attribution_grade in typ.attribution_grades
        else case.attribution_grade,
        "publications": list(case.publications.select_related("publication")),
        "decisions": [
            {
                "d": d,
                "scope": scope_name(d.scope),
                "provenance": provenance_name(d.provenance) if d.provenance else "",
                "type": pick_text(typ.decision_types[d.type].name, reader_language()) if d.type in typ.decision_types else d.type,
                "rank": typ.decision_types[d.type].rank if d.type in typ.decision_types else 0,
                "max_rank": max(r.rank for r in typ.decision_types.values()),
            }
            for d in decisions
        ],
        "figures": figures,
        "timeline": [
            {"t": t, "kind": timeline_kind_name(t.kind)}
            for t in sorted(case.timeline.all(), key=lambda t: (t.date, t.position))
        ],
    }


@reader_required
def case_detail(request: HttpRequest, case_id: str) -> HttpResponse:
    case = get_object_or_404(Case, pk=case_id)
    ctx = case_context(case)
    ctx["history"] = AuditEntry.objects.filter(object_type=case_services.OBJ_CASE, object_id=case.id)[:5]
    return render(request, "cases/case.html", ctx)


@editor_required
def case_edit(request: HttpRequest, case_id: str) -> HttpResponse:
    case = get_object_or_404(Case, pk=case_id)
    typ = shipped_typology()
    error, status, current = None, 200, None
    if request.method == "POST":
        form = CaseForm(request.POST, typology=typ, case=case)
        if form.is_valid():
            try:
                case_services.update_case(
                    case.id,
                    form.values(),
                    expected_version=form.cleaned_data["version"],
                    user=request.user,
                    comment=form.cleaned_data["comment"],
                )
            except EditConflict as exc:
                error, status = exc.localized(get_language(), name_only=True), 409
                case.refresh_from_db()
                current = CaseForm.initial_for(case)
                form = rebind_version(form, CaseForm, case.version, typology=typ, case=case)
            except BeneficeError as exc:
                error, status = exc.localized(get_language(), name_only=True), 400
            else:
                messages.success(request, _("Case saved."))
                return redirect("cases:case", case_id=case.id)
        else:
            status = 400
    else:
        form = CaseForm(initial=CaseForm.initial_for(case), typology=typ, case=case)
    return render(
        request,
        "cases/case_edit.html",
        {"case": case, "title": case.title(reader_language()), "form": form, "error": error, "current": current},
        status=status,
    )


def _kind_title(kind: str, adding: bool) -> str:
    titles = {
        ("figures", True): _("Add a figure"),
        ("figures", False): _("Edit a figure"),
        ("decisions", True): _("Add a decision"),
        ("decisions", False): _("Edit a decision"),
        ("publications", True): _("Add a publication"),
        ("publications", False): _("Edit a publication"),
        ("timeline", True): _("Add a timeline event"),
        ("timeline", False): _("Edit a timeline event"),
    }
    return titles[(kind, adding)]


@editor_required
def child_edit(request: HttpRequest, case_id: str, kind: str, child_id: int | None = None) -> HttpResponse:
    if kind not in CHILD_FORMS:
        raise Http404
    case = get_object_or_404(Case, pk=case_id)
    model = case_services.CHILD_MODELS[kind]
    obj = get_object_or_404(model, case=case, pk=child_id) if child_id is not None else None
    form_class = CHILD_FORMS[kind]
    kwargs = {"typology": shipped_typology(), "case": case, "units": catalogue_units()}
    error, status, current = None, 200, None
    if request.method == "POST":
        form = form_class(request.POST, **kwargs)
        if form.is_valid():
            entered = form.values()
            if kind == "figures":
                entered["entered_by"] = request.user.get_username()
                entered["entered_at"] = case_services.today()
            try:
                case_services.save_child(
                    case.id,
                    kind,
                    child_id,
                    entered,
                    expected_version=form.cleaned_data["version"],
                    user=request.user,
                    comment=form.cleaned_data["comment"],
                )
            except EditConflict as exc:
                error, status = exc.localized(get_language(), name_only=True), 409
                case.refresh_from_db()
                if obj is not None:
                    obj = model.objects.filter(pk=obj.pk).first()
                    current = case_services.child_snapshot(obj) if obj else None
                form = rebind_version(form, form_class, case.version, **kwargs)
            except BeneficeError as exc:
                error, status = exc.localized(get_language(), name_only=True), 400
            else:
                messages.success(request, _("Saved."))
                return redirect(f"{_case_url(case)}#{kind}")
        else:
            status = 400
    else:
        initial = {"version": case.version}
        if obj is not None:
            snap = case_services.child_snapshot(obj)
            initial.update(snap)
            if kind == "figures":
                initial["indicator"] = obj.indicator_id
        form = form_class(initial=initial, **kwargs)
    return render(
        request,
        "cases/child_edit.html",
        {
            "case": case,
            "case_title": case.title(reader_language()),
            "kind": kind,
            "obj": obj,
            "heading": _kind_title(kind, obj is None),
            "form": form,
            "error": error,
            "current": current,
            "indicator_units": {i.code: i.units for i in Indicator.objects.all()}
            if kind == "figures"
            else None,
        },
        status=status,
    )


def _case_url(case: Case) -> str:
    from django.urls import reverse

    return reverse("cases:case", kwargs={"case_id": case.id})


@editor_required
@require_POST
def child_delete(request: HttpRequest, case_id: str, kind: str, child_id: int) -> HttpResponse:
    if kind not in CHILD_FORMS:
        raise Http404
    case = get_object_or_404(Case, pk=case_id)
    try:
        version = int(request.POST.get("version", "0"))
        case_services.delete_child(
            case.id,
            kind,
            child_id,
            expected_version=version,
            user=request.user,
            comment=request.POST.get("comment", ""),
        )
    except (ValueError, case_services.CHILD_MODELS[kind].DoesNotExist):
        raise Http404 from None
    except BeneficeError as exc:
        messages.error(request, exc.localized(get_language(), name_only=True))
    else:
        messages.success(request, _("Removed (the history keeps what it held)."))
    return redirect(f"{_case_url(case)}#{kind}")


@reader_required
def case_history(request: HttpRequest, case_id: str) -> HttpResponse:
    case = get_object_or_404(Case, pk=case_id)
    return history_page(
        request,
        title=_("History of the case “%(title)s”") % {"title": case.title(reader_language())},
        crumbs=[
            (_("Impact cases"), reverse("cases:cases")),
            (case.title(reader_language()), reverse("cases:case", args=[case.id])),
        ],
        object_type=case_services.OBJ_CASE,
        object_id=case.id,
    )


@reader_required
def cases_export(request: HttpRequest) -> HttpResponse:
    return yaml_download(case_services.cases_yaml, "cases.yaml")
