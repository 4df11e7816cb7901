"""Benefit records: public once the custodian published them, so their page needs no account.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from benefice.core.roles import can_edit, role_of
from benefice.core.views import editor_required
from benefice.custodians import services
from benefice.custodians.models import BenefitRecord, Project
from benefice.custodians.views._shared import _int, _outcome_labels, error_text
from benefice.errors import BeneficeError
from benefice.indicators.catalogue import load_indicators

FIGURE_ROWS, OUTPUT_ROWS = 3, 3


# ------------------------------------------------------------------------------------------ benefit records
def record_detail(request, record_id: int) -> HttpResponse:
    """A benefit record: public when published, otherwise for signed-in readers only."""
    record = get_object_or_404(
        BenefitRecord.objects.select_related("project", "project__custodian").prefetch_related("figures"),
        pk=record_id,
    )
    if not record.published and role_of(request.user) is None:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        raise Http404
    return render(
        request,
        "custodians/record.html",
        {"record": record, "outcome_labels": _outcome_labels(), "can_edit": can_edit(request.user)},
    )


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
            error = error_text(exc)
        else:
            messages.success(request, _("Benefit record saved."))
            return redirect("custodians:record", record_id=saved.pk)
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
