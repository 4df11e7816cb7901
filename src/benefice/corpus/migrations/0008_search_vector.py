"""PostgreSQL: a stored, weighted ``tsvector`` of the search text (the title line weighs A, the whole text D)
with a GIN index, so searches are matched and ranked from the stored vector instead of parsing every
matching row's text again (issue 17). The expression index of 0002 is replaced. SQLite keeps its FTS5 table."""

from django.db import migrations

PG_FORWARD = [
    "DROP INDEX IF EXISTS corpus_publication_fts_gin",
    """ALTER TABLE corpus_publication ADD COLUMN IF NOT EXISTS search_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('simple'::regconfig, split_part(COALESCE(search_text, ''), E'\\n', 1)), 'A')
        || setweight(to_tsvector('simple'::regconfig, COALESCE(search_text, '')), 'D')) STORED""",
    "CREATE INDEX IF NOT EXISTS corpus_publication_search_vector_gin ON corpus_publication USING GIN (search_vector)",
]
PG_BACKWARD = [
    "DROP INDEX IF EXISTS corpus_publication_search_vector_gin",
    "ALTER TABLE corpus_publication DROP COLUMN IF EXISTS search_vector",
    "CREATE INDEX IF NOT EXISTS corpus_publication_fts_gin ON corpus_publication "
    "USING GIN (to_tsvector('simple'::regconfig, COALESCE(search_text, '')))",
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in PG_FORWARD:
            schema_editor.execute(sql)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in PG_BACKWARD:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("corpus", "0007_dedupkey_one_publication_index")]
    operations = [migrations.RunPython(forward, backward)]
