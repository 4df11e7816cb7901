"""``benefice search-index``: check or rebuild the corpus full-text index (issue 17).

Triggers (SQLite FTS5) and a generated column (PostgreSQL tsvector) keep the index in step with every write,
the bulk writes of imports included; this command repairs it after a restore or a manual edit of the database.
"""

from __future__ import annotations

import click

from benefice.commands.messages import say, say_n
from benefice.i18n import gettext_noop


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
        click.echo(say_n("search index rebuilt: %(n)s publication", "search index rebuilt: %(n)s publications", n))
        return
    count = say_n("%(n)s publication", "%(n)s publications", Publication.objects.count())
    click.echo(say(gettext_noop("search index: %(count)s (%(engine)s)"), count=count, engine=search.engine()))


COMMANDS = [search_index]
