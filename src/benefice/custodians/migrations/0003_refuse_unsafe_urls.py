"""References and sources that are links must be http(s) or a DOI (issue 17): validators, and old rows.

A benefit record's output reference, a benefit figure's source and a survey answer's source are free text (a
citation, a DOI or a link); one that is a link of another kind (``javascript:``, ``ftp://``…) was accepted
before and would now fail ``full_clean`` and every later edit of its record. Each one is emptied and the value
kept in the audit log with the record or answer it belonged to, so nothing is lost and an editor can put
the right source back (a figure so emptied shows an empty source until then).
"""

from django.db import migrations, models

import benefice.custodians.models
import benefice.weblinks

COMMENT = "removed by migration custodians 0003 (issue 17)"


def clear_refused_links(apps, schema_editor):
    from benefice.weblinks import reference_problem

    BenefitRecord = apps.get_model("custodians", "BenefitRecord")
    BenefitFigure = apps.get_model("custodians", "BenefitFigure")
    Response = apps.get_model("custodians", "Response")
    AuditEntry = apps.get_model("core", "AuditEntry")

    def note(object_type, object_id, field, value, problem):
        AuditEntry.objects.create(
            action="update",
            object_type=object_type,
            object_id=str(object_id),
            before={field: value},
            after={field: ""},
            comment=f"{field} {value[:200]!r} {problem}: {COMMENT}",
        )

    for record in BenefitRecord.objects.all():
        outputs = [dict(o) if isinstance(o, dict) else o for o in (record.outputs or [])]
        for n, output in enumerate(outputs, start=1):
            if not isinstance(output, dict):
                continue
            reference = str(output.get("reference") or "")
            if problem := reference_problem(reference):
                output["reference"] = ""
                note("custodians.BenefitRecord", record.pk, f"outputs[{n}].reference", reference, problem)
        if outputs != record.outputs:
            BenefitRecord.objects.filter(pk=record.pk).update(outputs=outputs)
    for figure in BenefitFigure.objects.exclude(source=""):
        if problem := reference_problem(figure.source):
            BenefitFigure.objects.filter(pk=figure.pk).update(source="")
            note(
                "custodians.BenefitRecord",
                figure.record_id,
                f"figure {figure.pk} source",
                figure.source,
                problem,
            )
    for response in Response.objects.exclude(source=""):
        if problem := reference_problem(response.source):
            Response.objects.filter(pk=response.pk).update(source="")
            note("custodians.Response", response.pk, "source", response.source, problem)


class Migration(migrations.Migration):
    dependencies = [
        ("custodians", "0002_questionnaire_question_respondent_response"),
        ("core", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="benefitfigure",
            name="source",
            field=models.TextField(
                validators=[benefice.weblinks.WebURLValidator(reference=True)], verbose_name="source"
            ),
        ),
        migrations.AlterField(
            model_name="benefitrecord",
            name="outputs",
            field=models.JSONField(
                blank=True, default=list, validators=[benefice.custodians.models.validate_outputs]
            ),
        ),
        migrations.AlterField(
            model_name="response",
            name="source",
            field=models.TextField(
                blank=True, validators=[benefice.weblinks.WebURLValidator(reference=True)]
            ),
        ),
        migrations.RunPython(clear_refused_links, migrations.RunPython.noop),
    ]
