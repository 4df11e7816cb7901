"""The corpus generation token and the triggers that change it on publications and raw records (see
``CorpusGeneration``; source detections get theirs in the sources app's migration 0004)."""

import secrets

from django.db import migrations, models

from benefice.corpus.migrations._generation import PG_FUNCTION, bump_triggers

TABLES = ("corpus_publication", "corpus_rawrecord")


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    # random from the start: two databases (or a test database made again) never share a first token
    apps.get_model("corpus", "CorpusGeneration").objects.get_or_create(
        id=1, defaults={"token": secrets.token_hex(16)}
    )
    if vendor == "postgresql":
        schema_editor.execute(PG_FUNCTION)
    for table in TABLES:
        for sql in bump_triggers(vendor, table)[0]:
            schema_editor.execute(sql)


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table in TABLES:
        for sql in bump_triggers(vendor, table)[1]:
            schema_editor.execute(sql)
    if vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS corpus_generation_bump()")


class Migration(migrations.Migration):
    dependencies = [("corpus", "0009_refuse_unsafe_urls")]
    operations = [
        migrations.CreateModel(
            name="CorpusGeneration",
            fields=[
                ("id", models.PositiveSmallIntegerField(default=1, primary_key=True, serialize=False)),
                ("token", models.CharField(default="", max_length=64)),
            ],
            options={"db_table": "corpus_generation"},
        ),
        migrations.RunPython(forward, backward),
    ]
