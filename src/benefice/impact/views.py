"""Impact pages: indicator catalogue, cases with their ranking, case pages, edits with history, impact cards.

Thin: the services load, validate, lock and audit; ``rank`` (pure) computes the ranking on the cases as
stored. Every figure on a case page links to its source (DOI resolver or URL) with the exact location or
quote beside it: the one-click rule of the design.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from benefice.core.models import AuditEntry
from benefice.core.views import editor_required, reader_required
from benefice.curated import Text
from benefice.errors import BeneficeError
from benefice.impact import card as card_module
from benefice.impact import operations, services, values
from benefice.impact.forms import CHILD_FORMS, CaseForm, IndicatorForm
from benefice.impact.models import Case, Figure, Indicator
from benefice.interviews import services as interview_services
from benefice.uses.typology import Typology

RANK_METHODS = ("weighted_sum", "topsis", "promethee")  # those of benefice.impact.rank.METHODS


def _lang() -> str:
    return "fr" if (get_language() or "fr").startswith("fr") else "en"


def _t(text: Text) -> str:
    return text.fr if _lang() == "fr" else text.en


def _units() -> dict[str, Any]:
    return services._indicator_file_meta(str(services._indicators_path(None))).get("units", {})


def unit_name(unit: str) -> str:
    return (_units().get(unit) or {}).get(_lang(), unit)


# --------------------------------------------------------------------------------------------------
# Indicators
# --------------------------------------------------------------------------------------------------
@reader_required
def indicator_list(request: HttpRequest) -> HttpResponse:
    typ = services.typology()
    family = request.GET.get("family", "")
    rows = Indicator.objects.all()
    if family:
        rows = rows.filter(family=family)
    counts: dict[str, int] = {}
    for code in Figure.objects.values_list("indicator_id", flat=True):
        counts[code] = counts.get(code, 0) + 1
    items = [
        {
            "ind": ind,
            "name": ind.name(_lang()),
            "family": _t(typ.families[ind.family].name) if ind.family in typ.families else ind.family,
            "level": _t(typ.ladder[ind.level].name) if ind.level in typ.ladder else ind.level,
            "units": [unit_name(u) for u in ind.units],
            "figures": counts.get(ind.code, 0),
        }
        for ind in rows
    ]
    families = [(f.id, _t(f.name)) for f in typ.families.values()]
    return render(request, "impact/indicators.html", {"items": items, "families": families, "family": family})


@reader_required
def indicator_detail(request: HttpRequest, code: str) -> HttpResponse:
    ind = get_object_or_404(Indicator, pk=code)
    typ = services.typology()
    d = ind.data
    figures = (
        Figure.objects.filter(indicator=ind).select_related("case").order_by("case__position", "position")
    )
    values, values_error = _indicator_values(ind, typ)
    return render(
        request,
        "impact/indicator.html",
        {
            "ind": ind,
            "d": d,
            "name": ind.name(_lang()),
            "family": _t(typ.families[ind.family].name) if ind.family in typ.families else ind.family,
            "level": _t(typ.ladder[ind.level].name) if ind.level in typ.ladder else ind.level,
            "categories": [_t(typ.categories[c].name) for c in ind.categories(typ) if c in typ.categories],
            "all_categories": ind.all_categories,
            "units": [unit_name(u) for u in ind.units],
            "figures": figures,
            "values": values,
            "values_error": values_error,
            "history": AuditEntry.objects.filter(object_type=services.OBJ_INDICATOR, object_id=ind.code)[:5],
            # codes and quotes that ground it, only from interview projects this user is a member of
            "groundings": interview_services.groundings_for(ind.code, request.user),
        },
    )


def _indicator_values(ind: Indicator, typ: Typology) -> tuple[list[dict[str, Any]], str]:
    """This indicator's values per category of use, ranges carried through, each linked to its figures.

    ``values.aggregate`` does the arithmetic (people counted once per population, envelopes for ratios);
    here each ``case#figure-i`` reference becomes a link to that figure on its case page.
    """

    rows = (
        Case.objects.filter(figures__indicator=ind)
        .distinct()
        .prefetch_related("publications", "decisions", "figures", "timeline")
    )
    cases = {c.id: c for c in rows}
    try:
        aggregated = values.aggregate(
            [services.db_case(c) for c in cases.values()], services.db_indicator_catalogue(), by="category"
        )
    except BeneficeError as exc:
        return [], str(exc)
    out = []
    for row in aggregated:
        if row.indicator != ind.code:
            continue
        links = []
        for ref in row.figure_refs:
            case_id, _sep, index = ref.partition("#figure-")
            case = cases.get(case_id)
            figs = list(case.figures.all()) if case else []
            if index.isdecimal() and int(index) < len(figs):
                links.append((case_id, figs[int(index)].pk))
        out.append(
            {
                "category": _t(typ.categories[row.key].name) if row.key in typ.categories else row.key,
                "value": fmt_number(row.value),
                "low": fmt_number(row.low),
                "high": fmt_number(row.high),
                "unit": unit_name(row.unit),
                "method": row.method,
                "n_figures": row.n_figures,
                "links": links,
                "deduplicated": row.deduplicated_populations,
            }
        )
    return out, ""


@editor_required
def indicator_edit(request: HttpRequest, code: str) -> HttpResponse:
    ind = get_object_or_404(Indicator, pk=code)
    typ = services.typology()
    meta = services._indicator_file_meta(str(services._indicators_path(None)))
    error, status = None, 200
    if request.method == "POST":
        form = IndicatorForm(request.POST, typology=typ, meta=meta)
        if form.is_valid():
            try:
                services.update_indicator(
                    ind.code,
                    form.to_data(ind.data),
                    expected_version=form.cleaned_data["version"],
                    user=request.user,
                    comment=form.cleaned_data["comment"],
                )
            except services.EditConflict as exc:
                error, status = str(exc), 409
                form = _rebind_version(
                    form, IndicatorForm, Indicator.objects.get(pk=code).version, typology=typ, meta=meta
                )
            except BeneficeError as exc:
                error, status = str(exc), 400
            else:
                messages.success(request, _("Indicator %(code)s saved.") % {"code": ind.code})
                return redirect("impact:indicator", code=ind.code)
        else:
            status = 400
    else:
        form = IndicatorForm(initial=IndicatorForm.initial_for(ind), typology=typ, meta=meta)
    current = None
    if status == 409:
        ind.refresh_from_db()
        current = IndicatorForm.initial_for(ind)
    return render(
        request,
        "impact/indicator_edit.html",
        {"ind": ind, "form": form, "error": error, "current": current},
        status=status,
    )


def _rebind_version(form, form_class, version: int, **kwargs):
    """The same posted text, now based on the current version: saving again is a conscious overwrite."""
    data = form.data.copy()
    data["version"] = str(version)
    new = form_class(data, **kwargs)
    new.is_valid()
    return new


@reader_required
def indicator_history(request: HttpRequest, code: str) -> HttpResponse:
    ind = get_object_or_404(Indicator, pk=code)
    entries = AuditEntry.objects.filter(object_type=services.OBJ_INDICATOR, object_id=ind.code)
    return render(
        request,
        "impact/history.html",
        {
            "title": _("History of indicator %(code)s") % {"code": ind.code},
            "back_url": ind.code,
            "kind": "indicator",
            "rows": _history_rows(entries),
            "obj": ind,
        },
    )


def _history_rows(entries) -> list[dict[str, Any]]:
    return [
        {
            "entry": e,
            "changes": [(f, (e.before or {}).get(f), (e.after or {}).get(f)) for f in e.changed_fields],
        }
        for e in entries
    ]


@reader_required
def indicators_export(request: HttpRequest) -> HttpResponse:
    try:
        text = services.indicators_yaml()
    except BeneficeError as exc:
        return HttpResponse(str(exc), status=409, content_type="text/plain; charset=utf-8")
    response = HttpResponse(text, content_type="application/yaml; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="indicators.yaml"'
    return response


# --------------------------------------------------------------------------------------------------
# Cases and ranking
# --------------------------------------------------------------------------------------------------
def _ranking(method: str, category: str) -> tuple[Any, str]:
    """The ranking of the stored cases (as people edited them), or the reason there is none.

    Draws and concentration are the published defaults of ranking.yaml, with a fixed seed, so the page
    shows the same ranks as ``benefice rank`` and the barometer for the same data.
    """
    try:
        stored = operations.stored_cases(allow_empty=True)
        result = operations.rank(stored, method=method, category=category or None, seed=0)
    except BeneficeError as exc:
        return None, str(exc)
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
            "name": _t(c.name),
            "definition": _t(c.definition),
            "weight": c.weight / total,
            "more_is_better": c.direction == "max",
            "rationale": c.rationale,
        }
        for c in spec.criteria
    ]


def _criteria_cells(ranking: Any, case_id: str, names: dict[str, str]) -> list[dict[str, Any]]:
    """What each criterion took from this case (value and the figure or decision it came from)."""
    matrix = getattr(ranking, "matrix", None)
    if matrix is None:
        return []
    cells = matrix.cells.get(case_id, {})
    return [
        {
            "name": names.get(cid, cid),
            "raw": cell.raw,
            "source": cell.source,
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
    typ = services.typology()
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
                    "title": case.title(_lang()),
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
                    "cells": _criteria_cells(ranking, r.case_id, names),
                }
            )
    else:
        for case in rows.values():
            if category and category not in case.categories:
                continue
            items.append({"case": case, "title": case.title(_lang())})
    for it in items:
        it["categories"] = [_t(typ.categories[c].name) for c in it["case"].categories if c in typ.categories]
        it["unverified"] = any(not f.verified for f in it["case"].figures.all()) or any(
            not d.verified for d in it["case"].decisions.all()
        )
    return render(
        request,
        "impact/cases.html",
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
            "categories": [(c.id, _t(c.name)) for c in typ.categories.values()],
            "criteria": criteria,
            "spec_version": getattr(ranking, "spec_version", ""),
            "samples": getattr(ranking, "samples", 0),
            "concentration": getattr(ranking, "concentration", 0),
        },
    )


def case_context(case: Case) -> dict[str, Any]:
    """Everything a case page or card shows, with names in the current language."""
    typ = services.typology()
    lang = _lang()
    indicators = {i.code: i for i in Indicator.objects.all()}
    figures = []
    for f in case.figures.all():
        ind = indicators.get(f.indicator_id)
        figures.append(
            {
                "f": f,
                "indicator_name": ind.name(lang) if ind else f.indicator_id,
                "unit": unit_name(f.unit),
                "value": fmt_number(f.value),
                "low": fmt_number(f.low),
                "high": fmt_number(f.high),
                "evidence": _t(typ.evidence_grades[f.evidence_grade].name)
                if f.evidence_grade in typ.evidence_grades
                else f.evidence_grade,
                "attribution": _t(typ.attribution_grades[f.attribution_grade].name)
                if f.attribution_grade in typ.attribution_grades
                else f.attribution_grade,
            }
        )
    decisions = sorted(case.decisions.all(), key=lambda d: (d.date, d.position))
    return {
        "case": case,
        "title": case.title(lang),
        "categories": [_t(typ.categories[c].name) for c in case.categories if c in typ.categories],
        "data_sources": [
            (s, _t(typ.data_sources[s]) if s in typ.data_sources else s) for s in case.data_sources
        ],
        "attribution": _t(typ.attribution_grades[case.attribution_grade].name)
        if case.attribution_grade in typ.attribution_grades
        else case.attribution_grade,
        "publications": list(case.publications.select_related("publication")),
        "decisions": [
            {
                "d": d,
                "type": _t(typ.decision_types[d.type].name) if d.type in typ.decision_types else d.type,
                "rank": typ.decision_types[d.type].rank if d.type in typ.decision_types else 0,
                "max_rank": max(r.rank for r in typ.decision_types.values()),
            }
            for d in decisions
        ],
        "figures": figures,
        "timeline": sorted(case.timeline.all(), key=lambda t: (t.date, t.position)),
    }


def fmt_number(value: float | None) -> str:
    """A figure as people read it: thousands separated, no spurious decimals, in the page's language."""
    if value is None:
        return ""
    if float(value).is_integer():
        text = f"{int(value):,}"
    else:
        text = f"{value:,.3f}".rstrip("0").rstrip(".")
    if _lang() == "fr":
        text = text.replace(",", "\u202f").replace(".", ",")
    return text


@reader_required
def case_detail(request: HttpRequest, case_id: str) -> HttpResponse:
    case = get_object_or_404(Case, pk=case_id)
    ctx = case_context(case)
    ctx["history"] = AuditEntry.objects.filter(object_type=services.OBJ_CASE, object_id=case.id)[:5]
    return render(request, "impact/case.html", ctx)


@editor_required
def case_edit(request: HttpRequest, case_id: str) -> HttpResponse:
    case = get_object_or_404(Case, pk=case_id)
    typ = services.typology()
    error, status, current = None, 200, None
    if request.method == "POST":
        form = CaseForm(request.POST, typology=typ, case=case)
        if form.is_valid():
            try:
                services.update_case(
                    case.id,
                    form.values(),
                    expected_version=form.cleaned_data["version"],
                    user=request.user,
                    comment=form.cleaned_data["comment"],
                )
            except services.EditConflict as exc:
                error, status = str(exc), 409
                case.refresh_from_db()
                current = CaseForm.initial_for(case)
                form = _rebind_version(form, CaseForm, case.version, typology=typ, case=case)
            except BeneficeError as exc:
                error, status = str(exc), 400
            else:
                messages.success(request, _("Case saved."))
                return redirect("impact:case", case_id=case.id)
        else:
            status = 400
    else:
        form = CaseForm(initial=CaseForm.initial_for(case), typology=typ, case=case)
    return render(
        request,
        "impact/case_edit.html",
        {"case": case, "title": case.title(_lang()), "form": form, "error": error, "current": current},
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
    model = services.CHILD_MODELS[kind]
    obj = get_object_or_404(model, case=case, pk=child_id) if child_id is not None else None
    form_class = CHILD_FORMS[kind]
    kwargs = {"typology": services.typology(), "case": case, "units": _units()}
    error, status, current = None, 200, None
    if request.method == "POST":
        form = form_class(request.POST, **kwargs)
        if form.is_valid():
            entered = form.values()
            if kind == "figures":
                entered["entered_by"] = request.user.get_username()
                entered["entered_at"] = services.today()
            try:
                services.save_child(
                    case.id,
                    kind,
                    child_id,
                    entered,
                    expected_version=form.cleaned_data["version"],
                    user=request.user,
                    comment=form.cleaned_data["comment"],
                )
            except services.EditConflict as exc:
                error, status = str(exc), 409
                case.refresh_from_db()
                if obj is not None:
                    obj = model.objects.filter(pk=obj.pk).first()
                    current = services.child_snapshot(obj) if obj else None
                form = _rebind_version(form, form_class, case.version, **kwargs)
            except BeneficeError as exc:
                error, status = str(exc), 400
            else:
                messages.success(request, _("Saved."))
                return redirect(f"{_case_url(case)}#{kind}")
        else:
            status = 400
    else:
        initial = {"version": case.version}
        if obj is not None:
            snap = services.child_snapshot(obj)
            initial.update(snap)
            if kind == "figures":
                initial["indicator"] = obj.indicator_id
        form = form_class(initial=initial, **kwargs)
    return render(
        request,
        "impact/child_edit.html",
        {
            "case": case,
            "case_title": case.title(_lang()),
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

    return reverse("impact:case", kwargs={"case_id": case.id})


@editor_required
@require_POST
def child_delete(request: HttpRequest, case_id: str, kind: str, child_id: int) -> HttpResponse:
    if kind not in CHILD_FORMS:
        raise Http404
    case = get_object_or_404(Case, pk=case_id)
    try:
        version = int(request.POST.get("version", "0"))
        services.delete_child(
            case.id,
            kind,
            child_id,
            expected_version=version,
            user=request.user,
            comment=request.POST.get("comment", ""),
        )
    except (ValueError, services.CHILD_MODELS[kind].DoesNotExist):
        raise Http404 from None
    except BeneficeError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Removed (the history keeps what it held)."))
    return redirect(f"{_case_url(case)}#{kind}")


@reader_required
def case_history(request: HttpRequest, case_id: str) -> HttpResponse:
    case = get_object_or_404(Case, pk=case_id)
    entries = AuditEntry.objects.filter(object_type=services.OBJ_CASE, object_id=case.id)
    return render(
        request,
        "impact/history.html",
        {
            "title": _("History of case %(id)s") % {"id": case.id},
            "kind": "case",
            "rows": _history_rows(entries),
            "obj": case,
            "obj_title": case.title(_lang()),
        },
    )


@reader_required
def cases_export(request: HttpRequest) -> HttpResponse:
    try:
        text = services.cases_yaml()
    except BeneficeError as exc:
        return HttpResponse(str(exc), status=409, content_type="text/plain; charset=utf-8")
    response = HttpResponse(text, content_type="application/yaml; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="cases.yaml"'
    return response


# --------------------------------------------------------------------------------------------------
# Impact card
# --------------------------------------------------------------------------------------------------
def _card_language(request: HttpRequest) -> str:
    lang = request.GET.get("lang", "") or _lang()
    return lang if lang in ("fr", "en") else _lang()


@reader_required
def case_card(request: HttpRequest, case_id: str) -> HttpResponse:
    case = get_object_or_404(Case, pk=case_id)
    html = card_module.render_card_html(
        case, _card_language(request), base_url=request.build_absolute_uri("/")
    )
    return HttpResponse(html, content_type="text/html; charset=utf-8")


@reader_required
def case_card_pdf(request: HttpRequest, case_id: str) -> HttpResponse:
    case = get_object_or_404(Case, pk=case_id)
    lang = _card_language(request)
    pdf = card_module.render_card_pdf(case, lang)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="impact-{case.id}-{lang}.pdf"'
    return response
