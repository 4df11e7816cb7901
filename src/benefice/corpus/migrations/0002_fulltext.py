from django.db import migrations

SQLITE_FORWARD = [
    """CREATE VIRTUAL TABLE IF NOT EXISTS corpus_publication_fts USING fts5(
        title, search_text, content='corpus_publication', content_rowid='id',
        tokenize='unicode61 remove_diacritics 2')""",
    """CREATE TRIGGER corpus_publication_ai AFTER INSERT ON corpus_publication BEGIN
        INSERT INTO corpus_publication_fts(rowid, title, search_text) VALUES (new.id, new.title, new.search_text);
    END""",
    """CREATE TRIGGER corpus_publication_ad AFTER DELETE ON corpus_publication BEGIN
        INSERT INTO corpus_publication_fts(corpus_publication_fts, rowid, title, search_text)
        VALUES ('delete', old.id, old.title, old.search_text);
    END""",
    """CREATE TRIGGER corpus_publication_au AFTER UPDATE OF title, search_text ON corpus_publication BEGIN
        INSERT INTO corpus_publication_fts(corpus_publication_fts, rowid, title, search_text)
        VALUES ('delete', old.id, old.title, old.search_text);
        INSERT INTO corpus_publication_fts(rowid, title, search_text) VALUES (new.id, new.title, new.search_text);
    END""",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS corpus_publication_au",
    "DROP TRIGGER IF EXISTS corpus_publication_ad",
    "DROP TRIGGER IF EXISTS corpus_publication_ai",
    "DROP TABLE IF EXISTS corpus_publication_fts",
]
PG_FORWARD = [
    "CREATE INDEX IF NOT EXISTS corpus_publication_fts_gin ON corpus_publication "
    "USING GIN (to_tsvector('simple'::regconfig, COALESCE(search_text, '')))",
]
PG_BACKWARD = ["DROP INDEX IF EXISTS corpus_publication_fts_gin"]


def forward(apps, schema_editor):
    statements = {"sqlite": SQLITE_FORWARD, "postgresql": PG_FORWARD}.get(schema_editor.connection.vendor, [])
    for sql in statements:
        schema_editor.execute(sql)


def backward(apps, schema_editor):
    statements = {"sqlite": SQLITE_BACKWARD, "postgresql": PG_BACKWARD}.get(
        schema_editor.connection.vendor, []
    )
    for sql in statements:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("corpus", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
