"""Cases in the database: load from cases.yaml, edit with history and locking, export.

The data file stays the reference. ``sync_cases`` loads it idempotently; a case a person edited in the web
app is kept as edited until the file's own version changes (then the file wins, and the overwritten edit
stays readable in the audit trail). Every edit goes through one function here that (1) checks nobody saved
the case since the editor opened it (optimistic locking), (2) re-validates the whole case with the same
strict loader the file goes through, against the indicator catalogue as stored
(``benefice.indicators.services``), so what is stored can always be exported back to a valid file, and
(3) writes an audit entry with before and after. Any failure rolls the transaction back.

One module per concern (``cases``, ``edits``; the loading and locking rules shared with the source registry
and the indicators are ``core.curated_sync``); every name callers use is re-exported here.
"""

from __future__ import annotations

from benefice.cases.services.cases import (
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
from benefice.cases.services.edits import child_snapshot, delete_child, save_child, today, update_case

__all__ = [
    "CHILD_MODELS",
    "OBJ_CASE",
    "case_to_dict",
    "cases_yaml",
    "child_snapshot",
    "db_case",
    "db_cases",
    "delete_child",
    "find_in_corpus",
    "link_publications",
    "save_child",
    "sync_cases",
    "today",
    "update_case",
    "validate_case",
]
