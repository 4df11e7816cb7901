"""Benefit records: what a project yielded in a year (outputs by Researchfish outcome type, decisions,
practice changes, sourced figures), and the projects whose yearly follow-up is due. A figure without a
source is refused; every record saved is audited.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from benefice.core.models import audit
from benefice.custodians.models import BenefitFigure, BenefitRecord, Custodian, Project
from benefice.errors import BeneficeError
from benefice.i18n import gettext_noop
from benefice.indicators.catalogue import load_indicators
from benefice.weblinks import validate_web_reference

#: Researchfish common question set outcome types a benefit record's outputs are classified under
OUTCOME_TYPES = (
    "publications", "collaborations", "further_funding", "engagement_activities", "influence_on_policy",
    "research_tools_methods", "research_databases_models", "intellectual_property",
    "medical_products_interventions", "software_technical_products", "other_outputs",
)  # fmt: skip


@dataclass
class FigureInput:
    label: str
    value: float
    unit: str = ""
    indicator: str = ""
    source: str = ""


def save_benefit_record(
    project: Project,
    *,
    kind: str,
    year: int,
    outputs: list[dict[str, str]],
    decisions: str = "",
    practice_changes: str = "",
    people_concerned: str = "",
    figures: list[FigureInput] = (),
    published: bool = False,
    user=None,
    record: BenefitRecord | None = None,
) -> BenefitRecord:
    """Create or replace a benefit record. A figure without a source, an output of an unknown type or an
    unknown indicator code is refused with the field named; nothing is saved then."""
    codes = {ind.code for ind in load_indicators().indicators.values()}
    if kind not in dict(BenefitRecord.KINDS):
        raise BeneficeError(gettext_noop("unknown record kind “%(kind)s”"), params={"kind": kind}, field="kind")
    for n, output in enumerate(outputs, start=1):
        if output.get("type") not in OUTCOME_TYPES:
            raise BeneficeError(
                gettext_noop("output %(n)s: unknown outcome type “%(type)s”"),
                params={"n": n, "type": output.get("type")},
                field="outputs",
            )
        if not (output.get("description") or "").strip():
            raise BeneficeError(
                gettext_noop("output %(n)s: a description is needed"), params={"n": n}, field="outputs"
            )
        _check_link(str(output.get("reference") or ""), _("output %(n)s") % {"n": n}, "outputs")
    for n, fig in enumerate(figures, start=1):
        if not fig.source.strip():
            raise BeneficeError(
                gettext_noop("figure %(n)s (%(label)s): a figure without a source is refused"),
                params={"n": n, "label": fig.label},
                field="source",
            )
        if not fig.label.strip():
            raise BeneficeError(gettext_noop("figure %(n)s: say what is counted"), params={"n": n}, field="label")
        _check_link(fig.source, _("figure %(n)s") % {"n": n}, "source")
        if fig.indicator and fig.indicator not in codes:
            raise BeneficeError(
                gettext_noop("figure %(n)s: unknown indicator code “%(code)s”"),
                params={"n": n, "code": fig.indicator},
                field="indicator",
            )
    with transaction.atomic():
        before = _record_state(record) if record else None
        if record is None:
            record = BenefitRecord(
                project=project, created_by=user if getattr(user, "is_authenticated", False) else None
            )
        record.kind, record.year, record.outputs = kind, year, outputs
        record.decisions, record.practice_changes = decisions, practice_changes
        record.people_concerned, record.published = people_concerned, published
        try:
            with transaction.atomic():
                record.save()
        except Exception as exc:  # noqa: BLE001 - the unique constraint, whatever the backend calls it
            if (
                BenefitRecord.objects.filter(project=project, kind=kind, year=year)
                .exclude(pk=record.pk)
                .exists()
            ):
                raise BeneficeError(
                    gettext_noop("a record of this kind for %(year)s already exists for project %(project)s"),
                    params={"year": year, "project": project.reference},
                    field="year",
                ) from exc
            raise
        record.figures.all().delete()
        BenefitFigure.objects.bulk_create(
            BenefitFigure(
                record=record,
                indicator=f.indicator,
                label=f.label,
                value=f.value,
                unit=f.unit,
                source=f.source,
            )
            for f in figures
        )
        audit(
            "update" if before else "create",
            "custodians.BenefitRecord",
            record.pk,
            before=before,
            after=_record_state(record),
            user=user,
        )
    return record


def _check_link(value: str, where: str, field: str) -> None:
    """A reference or source that is a link must be http(s) or a DOI (issue 17): the model's validator, run
    here so the message names the output or figure before anything is saved."""
    try:
        validate_web_reference(value)
    except ValidationError as exc:
        raise BeneficeError(f"{where}: {' '.join(exc.messages)}", field=field) from None


def _record_state(record: BenefitRecord) -> dict[str, Any]:
    return {
        "project": record.project.reference,
        "kind": record.kind,
        "year": record.year,
        "outputs": record.outputs,
        "decisions": record.decisions,
        "practice_changes": record.practice_changes,
        "people_concerned": record.people_concerned,
        "published": record.published,
        "figures": [
            {"indicator": f.indicator, "label": f.label, "value": f.value, "unit": f.unit, "source": f.source}
            for f in record.figures.all()
        ],
    }


def follow_up_due(custodian: Custodian | None = None, *, today: dt.date | None = None):
    """Projects that have a benefit record but none for last year or later: the yearly follow-up is due."""
    last_year = (today or dt.date.today()).year - 1
    qs = Project.objects.annotate(latest=Max("benefit_records__year")).filter(latest__lt=last_year)
    if custodian is not None:
        qs = qs.filter(custodian=custodian)
    return qs.order_by("latest", "reference")


def projects_without_record(custodian: Custodian | None = None):
    qs = Project.objects.filter(benefit_records__isnull=True)
    if custodian is not None:
        qs = qs.filter(custodian=custodian)
    return qs.order_by("start_date", "reference")
