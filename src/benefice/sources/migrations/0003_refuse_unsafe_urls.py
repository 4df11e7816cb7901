"""Documentation URLs stored before links were checked (issue 17) that the check now refuses.

The registry loader refuses a ``javascript:`` or ``data:`` URL naming the field; a row saved before the check
would make the whole database registry fail to load. This moves each such URL out of the entry (the field is
emptied) into the audit log, with the full entry before and after, so nothing is lost and the source pages
load again; an editor sees the change in the source's history.
"""

from django.db import migrations


def clear_refused_urls(apps, schema_editor):
    from benefice.weblinks import url_problem

    Source = apps.get_model("sources", "Source")
    AuditEntry = apps.get_model("core", "AuditEntry")
    for src in Source.objects.all():
        url = str((src.data or {}).get("documentation_url") or "").strip()
        problem = url_problem(url)
        if not problem:
            continue
        before = dict(src.data)
        src.data = {**src.data, "documentation_url": ""}
        src.version += 1
        src.save(update_fields=["data", "version"])
        AuditEntry.objects.create(
            action="update",
            object_type="sources.Source",
            object_id=src.id,
            before=before,
            after=src.data,
            comment=f"documentation_url {url[:200]!r} {problem}: removed by migration 0003 (issue 17)",
        )


class Migration(migrations.Migration):
    dependencies = [
        ("sources", "0002_corrections"),
        ("core", "0001_initial"),
    ]

    operations = [migrations.RunPython(clear_refused_urls, migrations.RunPython.noop)]
