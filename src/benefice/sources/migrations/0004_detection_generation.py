"""Source detections change the corpus generation token too: the list pages' "source used / mentioned"
facets count them (see ``corpus.models.CorpusGeneration``)."""

from django.db import migrations

from benefice.corpus.migrations import _generation

TABLE = "sources_publicationdetection"


def forward(apps, schema_editor):
    for sql in _generation.bump_triggers(schema_editor.connection.vendor, TABLE)[0]:
        schema_editor.execute(sql)


def backward(apps, schema_editor):
    for sql in _generation.bump_triggers(schema_editor.connection.vendor, TABLE)[1]:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("sources", "0003_refuse_unsafe_urls"), ("corpus", "0010_corpus_generation")]
    operations = [migrations.RunPython(forward, backward)]
