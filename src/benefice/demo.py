"""The demo: bundled real bibliographic facts loaded through the ordinary importers (idempotent)."""

from __future__ import annotations

from collections.abc import Callable

from benefice.paths import package_data

DEMO_FILES = ("corpus.ris", "corpus_pubmed.nbib")


def load_demo(echo: Callable[[str], None] = print) -> None:
    from benefice.core.roles import ADMIN
    from benefice.core.users import ensure_user
    from benefice.corpus.services import import_file

    for name in DEMO_FILES:
        batch = import_file(package_data("demo", name), kind="demo")
        echo(
            f"demo {name}: records read: {batch.records_read}; new publications: {batch.new_publications}; "
            f"duplicates merged: {batch.duplicates_merged}; already known: {batch.already_known}"
        )
    from benefice.sources.services import scan_database, sync_registry

    synced = sync_registry()
    echo(f"source registry: {len(synced.created)} sources added, {len(synced.updated)} updated")
    scan = scan_database()
    echo(f"source detection: {scan.scanned} publications scanned, {scan.with_sources} name a data source")
    ensure_user("demo", "demo", ADMIN, superuser=True)
