"""Indicators and cases in the database: load from the data files, edit with history and locking, export.

The data files stay the reference. ``sync_indicators`` and ``sync_cases`` load them idempotently; a row a
person edited in the web app is kept as edited until the file's own version changes (then the file wins,
and the overwritten edit stays readable in the audit trail). Every edit goes through one function here
that (1) checks nobody saved the case or indicator since the editor opened it (optimistic locking), (2)
re-validates the whole case or catalogue with the same strict loader the files go through, so what is
stored can always be exported back to a valid file, and (3) writes an audit entry with before and after.
Any failure rolls the transaction back: nothing is half-written.

One module per concern (``indicators``, ``cases``, ``edits``; the loading and locking rules shared with the
source registry are ``core.curated_sync``); every name callers use is re-exported here, with the two
private helpers the indicator views read the catalogue file's units through.
"""

from __future__ import annotations

from benefice.core.curated_sync import EditConflict, SyncReport
from benefice.impact.services.cases import (
    CHILD_MODELS,
    OBJ_CASE,
    case_to_dict,
    cases_yaml,
    db_case,
    db_cases,
    find_in_corpus,
    link_publications,
    sync_cases,
    validate_case,
)
from benefice.impact.services.common import typology
from benefice.impact.services.edits import child_snapshot, delete_child, save_child, today, update_case
from benefice.impact.services.indicators import (
    OBJ_INDICATOR,
    _indicator_file_meta,  # noqa: F401 - read by impact.views
    _indicators_path,  # noqa: F401 - read by impact.views
    db_indicator_catalogue,
    indicators_yaml,
    sync_indicators,
    update_indicator,
)

__all__ = [
    "CHILD_MODELS",
    "OBJ_CASE",
    "OBJ_INDICATOR",
    "EditConflict",
    "SyncReport",
    "case_to_dict",
    "cases_yaml",
    "child_snapshot",
    "db_case",
    "db_cases",
    "db_indicator_catalogue",
    "delete_child",
    "find_in_corpus",
    "indicators_yaml",
    "link_publications",
    "save_child",
    "sync_cases",
    "sync_indicators",
    "today",
    "typology",
    "update_case",
    "update_indicator",
    "validate_case",
]
