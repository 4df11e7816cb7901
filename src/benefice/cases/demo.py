"""The impact part of the demo: the bundled indicator catalogue and the 18 cases, loaded into the database.

Idempotent: the sync keeps what is already there (and any web edit) and only links case publications to
corpus publications whose DOI or PMID has appeared since the last run.
"""

from __future__ import annotations

from collections.abc import Callable


def load_demo(echo: Callable[[str], None] = print) -> None:
    from benefice.cases.models import CasePublication
    from benefice.cases.services import link_publications, sync_cases
    from benefice.indicators.services import sync_indicators

    ind = sync_indicators()
    echo(
        f"indicator catalogue {ind.version}: {len(ind.created)} added, {len(ind.updated)} updated, "
        f"{ind.unchanged} unchanged, {len(ind.kept_edited)} kept as edited in the web app"
    )
    cases = sync_cases()
    link_publications()
    linked = CasePublication.objects.filter(publication__isnull=False).count()
    echo(
        f"impact cases {cases.version}: {len(cases.created)} added, {len(cases.updated)} updated, "
        f"{cases.unchanged} unchanged, {len(cases.kept_edited)} kept as edited; "
        f"{linked} of {CasePublication.objects.count()} case publications linked to the corpus"
    )
