"""Curated data files in the database: one way to load them and one way to refuse a stale edit.

The source registry, the indicator catalogue and the impact cases are all edited in two places, the data
file (the reference, versioned with the code) and the web app. The rules that keep both honest are the same
for all three, so they live here once:

* loading a file is idempotent: a row equal to the file is left alone (only its position and file version
  are brought up to date), and every row created or replaced writes a ``load`` audit entry with the value
  before and after;
* a row a person edited in the web app is kept while the file's version is the one it was loaded from; a new
  file version wins and the overwritten edit stays readable in the audit trail. The registry stores no file
  version per row, so there a person's edit is kept until someone settles it by exporting the registry;
* an edit saved from a form carries the row version the form was opened on: if someone saved since, the
  edit is refused with :class:`EditConflict` naming who, so nobody overwrites a change unseen.

Each app says how its rows are written (a :class:`Table`); the loop, the report and the audit are here.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from benefice.core.models import AuditEntry, audit
from benefice.errors import BeneficeError

__all__ = [
    "CONFLICT_ADVICE",
    "EditConflict",
    "Entry",
    "SyncReport",
    "Table",
    "check_version",
    "edited_file_meta",
    "load_rows",
    "save_edit",
    "stored_json",
]

#: What a refused edit of an indicator or a case tells the person (after who saved since, and when).
CONFLICT_ADVICE = "your text is kept below: compare with the current version, then save again"


def stored_json(value: Any) -> Any:
    """The value as JSON would store and give it back (so comparisons with stored rows are exact)."""
    return json.loads(json.dumps(value, ensure_ascii=False, default=str))


def edited_file_meta(meta: dict[str, Any], edited: list[Any], entries: list[Any]) -> dict[str, Any]:
    """The file's version, or, when people edited rows in the web app, a version that says so.

    ``1.0.0+web.<hash of the content>`` with a changelog line naming what was edited: an export of edited
    data must not pass for the released file. Dated by the last edit, so the same data exports the same bytes.
    """
    if not edited:
        return meta
    digest = hashlib.sha256(json.dumps(entries, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
    version = f"{meta['version']}+web.{digest[:12]}"
    keys = sorted(str(row.pk) for row in edited)
    entry = {
        "version": version,
        "date": max(row.updated_at for row in edited).date().isoformat(),
        "author": "benefice web app",
        "change": f"Edited in the web app since {meta['version']}: {', '.join(keys)} (see each one's history).",
    }
    return {**meta, "version": version, "changelog": [*(meta.get("changelog") or []), entry]}


class EditConflict(BeneficeError):
    """Someone saved the same source, case or indicator since this edit began."""


@dataclass
class SyncReport:
    version: str = ""
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0
    kept_edited: list[str] = field(default_factory=list)  # web edits kept: the file version is unchanged
    overwritten: list[str] = field(default_factory=list)  # web edits replaced by a new file version


@dataclass(frozen=True)
class Entry:
    """One record of the file: its key, its data as audited and compared, and what the table writes from."""

    key: str
    data: Any
    item: Any = None


class Table:
    """How one kind of row is stored; the defaults are those of rows with an ``edited`` flag and a
    ``file_version`` (indicators, cases)."""

    object_type = ""

    def __init__(self, version: str, user=None) -> None:
        self.version = version
        self.user = user

    def stored(self, row) -> Any:
        """The row's data in the file's format, to compare with the file's record."""
        return row.data

    def flagged(self, row) -> bool:
        """Whether the row carries an edit flag that a new file version clears (and the report names)."""
        return bool(row.edited)

    def keeps_edit(self, row) -> bool:
        """Whether the row differs from the file because of a person's edit that this load must keep."""
        return row.edited and row.file_version == self.version

    def refresh(self, row, position: int) -> None:
        """Bring an unchanged row's bookkeeping up to date without a new version or an audit entry."""
        if row.file_version != self.version or row.position != position:
            type(row).objects.filter(pk=row.pk).update(file_version=self.version, position=position)

    def create(self, entry: Entry, position: int) -> None:
        raise NotImplementedError

    def replace(self, row, entry: Entry, position: int) -> None:
        raise NotImplementedError

    def stamp_loaded(self, row, position: int) -> None:
        """Save a row the file has just replaced: a new row version, no longer edited."""
        row.position, row.file_version, row.edited = position, self.version, False
        row.version += 1
        row.updated_by = self.user
        row.save()


def load_rows(
    table: Table, entries: Iterable[Entry], existing: Mapping[str, Any], *, comment: str
) -> SyncReport:
    """Load the file's records into the table in one transaction (see the module docstring for the rules)."""
    report = SyncReport(version=table.version)
    with transaction.atomic():
        for position, entry in enumerate(entries):
            row = existing.get(entry.key)
            if row is None:
                table.create(entry, position)
                audit("load", table.object_type, entry.key, after=entry.data, user=table.user, comment=comment)
                report.created.append(entry.key)
                continue
            current = table.stored(row)
            flagged = table.flagged(row)
            if current == entry.data and not flagged:
                table.refresh(row, position)
                report.unchanged += 1
            elif table.keeps_edit(row):
                report.kept_edited.append(entry.key)
            else:
                if flagged:
                    report.overwritten.append(entry.key)
                table.replace(row, entry, position)
                audit(
                    "load",
                    table.object_type,
                    entry.key,
                    before=current,
                    after=entry.data,
                    user=table.user,
                    comment=comment,
                )
                report.updated.append(entry.key)
    return report


def check_version(
    row,
    expected_version: int,
    *,
    object_type: str,
    what: str,
    advice: str,
    fld: str | None = "version",
    named_only: bool = True,
) -> None:
    """Refuse an edit opened on an older version of the row, naming who saved since.

    ``named_only`` names the last person who saved; without it, the last entry decides (a load by the
    command line then names nobody), as the registry always did."""
    if row.version == expected_version:
        return
    key = str(row.pk)
    entries = AuditEntry.objects.filter(object_type=object_type, object_id=key)
    if named_only:
        entries = entries.exclude(user=None)
    last = entries.first()
    who = f" by {last.user}" if last and last.user else ""
    raise EditConflict(
        f"{what} {key} was changed{who} since you opened it (version {row.version}, yours "
        f"{expected_version}); {advice}",
        field=fld,
    )


def save_edit(
    row,
    data: Any,
    columns: Mapping[str, Any],
    *,
    object_type: str,
    user=None,
    comment: str = "",
    flag_edited: bool = False,
):
    """Store a person's edit of a row's data (and the columns derived from it), with a new version and an
    ``update`` audit entry holding the data before and after."""
    before = row.data
    row.data = data
    for k, v in columns.items():
        setattr(row, k, v)
    row.version += 1
    if flag_edited:
        row.edited = True
    row.updated_by = user
    row.save()
    audit("update", object_type, row.pk, before=before, after=data, user=user, comment=comment)
    return row
