"""The registry in the database: load the data file, check and save an edit with history and locking.

The data file stays the reference: ``sync_registry`` loads it, but never overwrites a source a person has edited
in the web app (that edit is reported as a conflict to settle by exporting and reviewing the file). The load
loop, its report and the conflict are those of every curated file (``core.curated_sync``).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.db import transaction

from benefice.core.curated_sync import (
    EditConflict,
    Entry,
    SyncReport,
    Table,
    check_version,
    load_rows,
    save_edit,
)
from benefice.core.models import AuditEntry
from benefice.sources.models import Source
from benefice.sources.registry import Registry, check_source, load_registry, registry_from_dict

__all__ = [
    "OBJECT_TYPE",
    "EditConflict",
    "SyncReport",
    "db_registry",
    "registry_hash",
    "sync_registry",
    "update_source",
]

OBJECT_TYPE = "sources.Source"


def _columns(data: dict[str, Any]) -> dict[str, Any]:
    names = data.get("names") or {}
    custodian = data.get("custodian") or ""
    if isinstance(custodian, dict):  # prose, {fr, en}; a proper name is one text, the same in both languages
        custodian_fr, custodian_en = custodian.get("fr") or "", custodian.get("en") or ""
    else:
        custodian_fr = custodian_en = str(custodian)
    return {
        "name_fr": names.get("fr", ""),
        "name_en": names.get("en", ""),
        "kind": data.get("kind", ""),
        "country": data.get("country", ""),
        "parent_id_value": data.get("parent") or "",
        "custodian_fr": custodian_fr,
        "custodian_en": custodian_en,
    }


def _edited_by_person(source_id: str) -> bool:
    return AuditEntry.objects.filter(object_type=OBJECT_TYPE, object_id=source_id, action="update").exists()


class _SourceTable(Table):
    """Sources carry no edit flag nor file version: an audited edit by a person is what keeps a row."""

    object_type = OBJECT_TYPE

    def flagged(self, row) -> bool:
        return False

    def keeps_edit(self, row) -> bool:
        return _edited_by_person(row.id)

    def refresh(self, row, position: int) -> None:
        pass

    def create(self, entry: Entry, position: int) -> None:
        Source.objects.create(id=entry.key, data=entry.data, updated_by=self.user, **_columns(entry.data))

    def replace(self, row, entry: Entry, position: int) -> None:
        row.data = entry.data
        for k, v in _columns(entry.data).items():
            setattr(row, k, v)
        row.version += 1
        row.save()


def sync_registry(registry: Registry | None = None, *, user=None) -> SyncReport:
    """Load the registry file into the database (idempotent)."""
    registry = registry or load_registry()
    existing = {s.id: s for s in Source.objects.all()}
    entries = [Entry(src.id, _strip_derived(src.to_dict())) for src in registry]
    table = _SourceTable(registry.version, user)
    return load_rows(table, entries, existing, comment=f"registry {registry.version}")


def db_registry(overrides: dict[str, dict[str, Any]] | None = None) -> Registry:
    """The registry as stored in the database, validated; ``overrides`` replaces entries (for checking an edit).

    An entry stored by an older version may still lack a French note (the migration keeps its English):
    read as such, shown in English until someone edits it (an edit must write both, ``update_source``)."""
    entries = {s.id: s.data for s in Source.objects.order_by("id")}
    entries.update(overrides or {})
    if not entries:
        return load_registry()
    data = {"version": "database", "changelog": [], "sources": [_strip_derived(d) for d in entries.values()]}
    return registry_from_dict(data, path="database registry")


def _strip_derived(data: dict[str, Any]) -> dict[str, Any]:
    """``components`` is derived from the parents: stored nowhere, so an edit of a parent cannot disagree."""
    return {k: v for k, v in data.items() if k != "components"}


def registry_hash(registry: Registry) -> str:
    payload = json.dumps(registry.to_records(), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()


def update_source(
    source_id: str, data: dict[str, Any], *, expected_version: int, user=None, comment: str = ""
) -> Source:
    """Save an edit of one source after checking the whole registry stays valid and nobody saved meanwhile."""
    data = {**data, "id": source_id}
    check_source(data, path=f"source {source_id}")  # its notes in French and in English
    registry = db_registry(
        {source_id: data}
    )  # raises BeneficeError on alias collision, cycle, unknown parent
    with transaction.atomic():
        row = Source.objects.select_for_update().get(pk=source_id)
        check_version(
            row,
            expected_version,
            object_type=OBJECT_TYPE,
            what="source",
            advice="reload to see the changes, your text is kept below",
            named_only=False,
        )
        clean = _strip_derived(registry[source_id].to_dict())
        save_edit(row, clean, _columns(clean), object_type=OBJECT_TYPE, user=user, comment=comment)
    return row
