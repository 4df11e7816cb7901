"""Impact pages, the indicator catalogue: list, detail with the values the cases give, edit with
history, YAML export."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from benefice.cases import services as case_services
from benefice.cases.models import Case, Figure
from benefice.core.curated_pages import history_rows, yaml_download
from benefice.core.curated_sync import EditConflict
from benefice.core.forms import reader_language
from benefice.core.models import AuditEntry
from benefice.core.views import editor_required, reader_required
from benefice.errors import BeneficeError
from benefice.i18n import pick_text
from benefice.indicators import services as indicator_services
from benefice.indicators import values
from benefice.indicators.display import (
    catalogue_units,
    dimension_label,
    fmt_number,
    history_change,
    pitfall_label,
    rebind_version,
    type_label,
    unit_name,
)
from benefice.indicators.forms import IndicatorForm
from benefice.indicators.models import Indicator
from benefice.interviews import services as interview_services
from benefice.uses.typology import Typology, shipped_typology


@reader_required
def indicator_list(request: HttpRequest) -> HttpResponse:
    typ = shipped_typology()
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
            "name": ind.name(reader_language()),
            "family": pick_text(typ.families[ind.family].name, reader_language()) if ind.family in typ.families else ind.family,
            "level": pick_text(typ.ladder[ind.level].name, reader_language()) if ind.level in typ.ladder else ind.level,
            "units": [unit_name(u) for u in ind.units],
            "figures": counts.get(ind.code, 0),
        }
        for ind in rows
    ]
    families = [(f.id, pick_text(f.name, reader_language())) for f in typ.families.values()]
    return render(request, "indicators/indicators.html", {"items": items, "families": families, "family": family})


@reader_required
def indicator_detail(request: HttpRequest, code: str) -> HttpResponse:
    ind = get_object_or_404(Indicator, pk=code)
    typ = shipped_typology()
    lang = reader_language()
    d = ind.data
    units = catalogue_units()
    figures = (
        Figure.objects.filter(indicator=ind).select_related("case").order_by("case__position", "position")
    )
    values, values_error = _indicator_values(ind, typ)
    return render(
        request,
        "indicators/indicator.html",
        {
            "ind": ind,
            "d": d,
            "name": ind.name(lang),
            "definition": ind.definition(lang),
            "how_to_measure": ind.how_to_measure(lang),
            "data_needed": ind.data_needed(lang),
            "pitfalls": [(pitfall_label(k), text) for k, text in ind.pitfalls(lang)],
            "type": type_label(ind.type),
            "family": pick_text(typ.families[ind.family].name, reader_language()) if ind.family in typ.families else ind.family,
            "level": pick_text(typ.ladder[ind.level].name, reader_language()) if ind.level in typ.ladder else ind.level,
            "categories": [pick_text(typ.categories[c].name, reader_language()) for c in ind.categories(typ) if c in typ.categories],
            "all_categories": ind.all_categories,
            "units": [
                (unit_name(u), dimension_label((units.get(u) or {}).get("dimension", ""))) for u in ind.units
            ],
            "figures": [(f, f.case.title(lang)) for f in figures],
            "values": values,
            "values_error": values_error,
            "history": AuditEntry.objects.filter(object_type=indicator_services.OBJ_INDICATOR, object_id=ind.code)[:5],
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
            [case_services.db_case(c) for c in cases.values()], indicator_services.db_indicator_catalogue(), by="category"
        )
    except BeneficeError as exc:
        return [], exc.localized(get_language(), name_only=True)
    out = []
    for row in aggregated:
        if row.indicator != ind.code:
            continue
        links = [link for link in (_figure_link(cases, ref) for ref in row.figure_refs) if link[2] is not None]
        out.append(
            {
                "category": pick_text(typ.categories[row.key].name, reader_language()) if row.key in typ.categories else row.key,
                "value": fmt_number(row.value),
                "low": fmt_number(row.low),
                "high": fmt_number(row.high),
                "has_range": row.low != row.high,
                "unit": unit_name(row.unit),
                "method": row.method,
                "n_figures": row.n_figures,
                "links": links,
                "merged": [
                    (_in_language(population), [_figure_link(cases, ref) for ref in refs])
                    for population, refs in row.merged_populations
                ],
            }
        )
    return out, ""


def _in_language(text: Any) -> str:
    """A case's text in the reader's language when it has both (``fr``/``en``), else as it is."""
    return pick_text(text, reader_language()) if hasattr(text, "fr") and hasattr(text, "en") else str(text)


def _figure_link(cases: dict[str, Case], ref: str) -> tuple[str, str, int | None]:
    """(case id, case title, figure pk) of a ``case#figure-i`` reference; no pk when the figure is not found.

    The link reads the case's title in the reader's language: its id is a code, never shown."""
    case_id, _sep, index = ref.partition("#figure-")
    case = cases.get(case_id)
    figs = list(case.figures.all()) if case else []
    title = case.title(reader_language()) if case else case_id
    return case_id, title, figs[int(index)].pk if index.isdecimal() and int(index) < len(figs) else None


@editor_required
def indicator_edit(request: HttpRequest, code: str) -> HttpResponse:
    ind = get_object_or_404(Indicator, pk=code)
    typ = shipped_typology()
    meta = indicator_services.indicator_file_meta(str(indicator_services.indicators_path(None)))
    error, status = None, 200
    if request.method == "POST":
        form = IndicatorForm(request.POST, typology=typ, meta=meta)
        if form.is_valid():
            try:
                indicator_services.update_indicator(
                    ind.code,
                    form.to_data(ind.data),
                    expected_version=form.cleaned_data["version"],
                    user=request.user,
                    comment=form.cleaned_data["comment"],
                )
            except EditConflict as exc:
                error, status = exc.localized(get_language(), name_only=True), 409
                form = rebind_version(
                    form, IndicatorForm, Indicator.objects.get(pk=code).version, typology=typ, meta=meta
                )
            except BeneficeError as exc:
                error, status = exc.localized(get_language(), name_only=True), 400
            else:
                messages.success(request, _("Indicator %(code)s saved.") % {"code": ind.code})
                return redirect("indicators:indicator", code=ind.code)
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
        "indicators/indicator_edit.html",
        {
            "ind": ind,
            "form": form,
            "error": error,
            "current": current,
            "current_shown": _shown_values(form, current) if current else None,
        },
        status=status,
    )


def _shown_values(form: IndicatorForm, values: dict[str, Any]) -> dict[str, str]:
    """The saved version as a person reads it: each field by its label, codes by their names."""
    shown = {}
    for name, field in form.fields.items():
        if name not in values or name == "version":
            continue
        value = values[name]
        labels = dict(getattr(field, "choices", None) or [])
        if isinstance(value, bool):
            text = _("yes") if value else _("no")
        elif isinstance(value, list | tuple):
            text = ", ".join(str(labels.get(v, v)) for v in value)
        else:
            text = str(labels.get(value, value))
        shown[str(field.label)] = text
    return shown


@reader_required
def indicator_history(request: HttpRequest, code: str) -> HttpResponse:
    """The shared history page, its fields by their labels and values in the reader's language: an entry
    holds the catalogue entry as in the file (keys, {fr, en} texts, codes), which no reader should meet raw.
    (``core.curated_pages.history_page`` shows them as stored, hence its parts called here one by one.)"""
    ind = get_object_or_404(Indicator, pk=code)
    typ = shipped_typology()
    entries = AuditEntry.objects.filter(object_type=indicator_services.OBJ_INDICATOR, object_id=ind.code)
    rows = []
    for row in history_rows(entries):
        changes = []
        for key, before, after in row["changes"]:
            label, shown_before = history_change(key, before, typ)
            changes.append((label, shown_before, history_change(key, after, typ)[1]))
        rows.append({**row, "changes": changes})
    crumbs = [
        (_("Indicator catalogue"), reverse("indicators:indicators")),
        (ind.code, reverse("indicators:indicator", args=[ind.code])),
    ]
    title = _("History of indicator %(code)s") % {"code": ind.code}
    return render(request, "core/edit_history.html", {"title": title, "crumbs": crumbs, "rows": rows})


@reader_required
def indicators_export(request: HttpRequest) -> HttpResponse:
    return yaml_download(indicator_services.indicators_yaml, "indicators.yaml")
