"""Impact URLs must be http(s) (issue 17): the validator, and the rows stored before it.

Django's ``URLField`` accepted ``ftp://`` (and the web edit did, before the services checked URLs); such a row
would now fail ``full_clean`` and every later edit of its case. Each one is emptied and the value kept in the
case's history (audit log, ``impact.Case``), and the case is marked edited with its version bumped, so an
editor sees the change and an export writes it back to the data file.
"""

from django.db import migrations, models

import benefice.weblinks


def clear_refused_urls(apps, schema_editor):
    from benefice.weblinks import url_problem

    Case = apps.get_model("impact", "Case")
    AuditEntry = apps.get_model("core", "AuditEntry")
    changed: dict[str, tuple[dict, dict, list[str]]] = {}
    for model, kind, field in (
        ("CasePublication", "publications", "url"),
        ("Decision", "decisions", "source_url"),
        ("Figure", "figures", "source_url"),
    ):
        Model = apps.get_model("impact", model)
        for row in Model.objects.exclude(**{field: ""}).order_by("case_id", "position", "pk"):
            url = getattr(row, field)
            problem = url_problem(url)
            if not problem:
                continue
            Model.objects.filter(pk=row.pk).update(**{field: ""})
            before, after, notes = changed.setdefault(row.case_id, ({}, {}, []))
            key = f"{kind}[{row.position}].{field}"
            before[key], after[key] = url, ""
            notes.append(f"{key} {url[:200]!r} {problem}")
    for case_id, (before, after, notes) in changed.items():
        case = Case.objects.get(pk=case_id)
        Case.objects.filter(pk=case_id).update(version=case.version + 1, edited=True)
        AuditEntry.objects.create(
            action="update",
            object_type="impact.Case",
            object_id=case_id,
            before=before,
            after=after,
            comment="; ".join(notes) + ": removed by migration impact 0002 (issue 17)",
        )


class Migration(migrations.Migration):
    dependencies = [
        ("impact", "0001_initial"),
        ("core", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="casepublication",
            name="url",
            field=models.URLField(
                blank=True, max_length=1000, validators=[benefice.weblinks.WebURLValidator()]
            ),
        ),
        migrations.AlterField(
            model_name="decision",
            name="source_url",
            field=models.URLField(
                blank=True,
                max_length=1000,
                validators=[benefice.weblinks.WebURLValidator()],
                verbose_name="source URL",
            ),
        ),
        migrations.AlterField(
            model_name="figure",
            name="source_url",
            field=models.URLField(
                blank=True,
                max_length=1000,
                validators=[benefice.weblinks.WebURLValidator()],
                verbose_name="source URL",
            ),
        ),
        migrations.RunPython(clear_refused_urls, migrations.RunPython.noop),
    ]
