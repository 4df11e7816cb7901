"""Triggers that change the corpus generation token (``corpus.models.CorpusGeneration``), shared by the
migrations of the apps whose tables the corpus list pages read. Kept here, beside the migrations that use it,
and not to be changed once released (a change would alter what old migrations did).

SQLite has row-level triggers only: one cheap update of a one-row table per row written (a few
microseconds, inside the writer's transaction). PostgreSQL runs one statement-level trigger per statement."""

SQLITE_NEW_TOKEN = "UPDATE corpus_generation SET token = lower(hex(randomblob(16))) WHERE id = 1;"
PG_FUNCTION = """CREATE OR REPLACE FUNCTION corpus_generation_bump() RETURNS trigger AS $$
BEGIN
    UPDATE corpus_generation SET token = md5(random()::text || clock_timestamp()::text) WHERE id = 1;
    RETURN NULL;
END $$ LANGUAGE plpgsql"""


def bump_triggers(vendor: str, table: str) -> tuple[list[str], list[str]]:
    """(forward, backward) SQL making every insert, update and delete on ``table`` change the token."""
    if vendor == "sqlite":
        forward = [
            f"CREATE TRIGGER {table}_generation_{suffix} AFTER {event} ON {table} BEGIN {SQLITE_NEW_TOKEN} END"
            for suffix, event in (("ai", "INSERT"), ("au", "UPDATE"), ("ad", "DELETE"))
        ]
        backward = [f"DROP TRIGGER IF EXISTS {table}_generation_{s}" for s in ("ai", "au", "ad")]
        return forward, backward
    if vendor == "postgresql":
        forward = [
            f"CREATE TRIGGER {table}_generation AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION corpus_generation_bump()"
        ]
        return forward, [f"DROP TRIGGER IF EXISTS {table}_generation ON {table}"]
    return [], []
