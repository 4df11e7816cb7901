"""Merge reasons as messages (issue 19): the English sentence stays in ``reason``; ``reason_data`` gets its
parts (template and parameters) so the pages say it in French or English. Existing rows are read with
``dedup.reasons.parse``; a reason it cannot read (a manual note) keeps ``reason_data`` empty and is shown as
written, so no meaning is lost either way."""

from django.db import migrations, models


def fill_reason_data(apps, schema_editor):
    from benefice.corpus.dedup import reasons

    MergeEvent = apps.get_model("corpus", "MergeEvent")
    changed = []
    for event in MergeEvent.objects.exclude(reason="").only("pk", "reason").iterator(chunk_size=2000):
        parts = reasons.parse(event.reason)
        if parts:
            event.reason_data = reasons.to_data(parts)
            changed.append(event)
        if len(changed) >= 2000:
            MergeEvent.objects.bulk_update(changed, ["reason_data"])
            changed = []
    if changed:
        MergeEvent.objects.bulk_update(changed, ["reason_data"])


class Migration(migrations.Migration):
    dependencies = [
        ("corpus", "0010_corpus_generation"),
    ]

    operations = [
        migrations.AddField(
            model_name="mergeevent",
            name="reason_data",
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.RunPython(fill_reason_data, migrations.RunPython.noop),
    ]
