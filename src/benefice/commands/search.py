"""``benefice search-index``: check or rebuild the corpus full-text index (issue 17).

Triggers (SQLite FTS5) and a generated column (PostgreSQL tsvector) keep the index in step with every write,
the bulk writes of imports included; this command repairs it after a restore or a manual edit of the database.
"""

from __future__ import annotations

import click


@click.command(name="search-index")
@click.option("--rebuild", is_flag=True, help="Rebuild the index from the stored search texts.")
def search_index(rebuild: bool) -> None:
    """Check (count) or rebuild the corpus full-text index."""
    from benefice.commands.corpus import initialise

    initialise()
    from benefice.corpus import search
    from benefice.corpus.models import Publication

    if rebuild:
        n = search.rebuild_index()
        click.echo(f"search index rebuilt: {n} publications")
        return
    click.echo(f"search index: {Publication.objects.count()} publications ({search.engine()})")


COMMANDS = [search_index]
