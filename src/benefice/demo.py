"""The demo: bundled real bibliographic facts loaded through the ordinary importers (idempotent).

After the corpus and the source scan, each capability app that has a ``demo`` module with a
``load_demo(echo)`` function adds its own part (cases, review, projects, the interview project, a barometer
edition…), in the order of ``APP_DEMOS``; every part must be idempotent, since the demo command is run again
and again.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

from benefice.paths import package_data

DEMO_FILES = ("corpus.ris", "corpus_pubmed.nbib")
APP_DEMOS = (
    "benefice.cases.demo",
    "benefice.review.demo",
    "benefice.custodians.demo",
    "benefice.interviews.demo",  # install_demo_project(): the workspace does not open empty
    "benefice.barometer.demo",  # last: an edition of everything above
)


def load_demo(echo: Callable[[str], None] = print) -> None:
    """Load the demo. Its files go through the same path as any import (import, then detect the sources of
    what each file brought); the registry is loaded first so that detection uses it."""
    from benefice.core.roles import ADMIN
    from benefice.core.users import ensure_user
    from benefice.corpus.services import import_file, scan_batch
    from benefice.errors import BeneficeError
    from benefice.sources.services import scan_database, sync_registry

    synced = sync_registry()
    echo(f"source registry: {len(synced.created)} sources added, {len(synced.updated)} updated")
    for name in DEMO_FILES:
        batch = import_file(package_data("demo", name), kind="demo")
        echo(
            f"demo {name}: records read: {batch.records_read}; new publications: {batch.new_publications}; "
            f"duplicates merged: {batch.duplicates_merged}; already known: {batch.already_known}"
        )
        scanned = scan_batch(batch)
        if scanned.failed:
            raise BeneficeError(f"demo {name}: {scanned.error}")
        echo(f"sources: {scanned.scanned} publications scanned, {scanned.with_sources} name a data source")
        echo(
            f"kinds of use: {scanned.classified} publications classified, {scanned.with_uses} have a kind of use"
        )
    # what the imports did not scan: publications of an earlier demo, scanned with an older registry
    scan = scan_database()
    echo(f"source detection: {scan.scanned} publications scanned, {scan.with_sources} name a data source")
    echo(f"kinds of use: {scan.classified} publications classified, {scan.with_uses} have a kind of use")
    ensure_user("demo", "demo", ADMIN, superuser=True, demo=True)  # flagged on every page (issue 17)
    for name in APP_DEMOS:  # every part is in the package: a failing import fails loudly
        importlib.import_module(name).load_demo(echo)
