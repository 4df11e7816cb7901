"""The projects of the custodians' directories: a directory file is imported in one transaction, so that
it either updates the registry completely or not at all; a re-import audits what it changed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.text import slugify

from benefice.core.models import audit
from benefice.custodians import directory
from benefice.custodians.models import Custodian, Project, ProjectImport

#: the fields of a project that come from the directory (compared to count a re-import as unchanged)
DIRECTORY_FIELDS = (
    "title", "data_sources", "snds_components", "hdh_bases", "other_sources", "source_ids",
    "unrecognised_labels", "status", "medical_domains", "purpose", "objectives", "controllers",
    "investigators",
)  # fmt: skip


@dataclass
class ImportReport:
    path: str
    rows_read: int = 0
    new: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    rejected: list[directory.Rejection] = field(default_factory=list)
    unrecognised: dict[str, list[str]] = field(default_factory=dict)  # reference -> labels
    batch_id: int | None = None


def custodian_named(name: str) -> Custodian | None:
    """The custodian with this name (created when new); None for an empty name."""
    name = " ".join((name or "").split())
    if not name:
        return None
    found = Custodian.objects.filter(name__iexact=name).first()
    if found:
        return found
    base = slugify(name)[:70] or "custodian"
    slug, n = base, 2
    while Custodian.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return Custodian.objects.create(name=name, slug=slug)


def import_projects(path: str | Path, *, custodian: str = "", user=None, normalise=None) -> ImportReport:
    """Read a directory file and upsert its projects by reference, in one transaction. ``custodian`` names
    the custodian of rows that do not say (a generic list)."""
    parsed = directory.read_directory(path, custodian=custodian, normalise=normalise)
    report = ImportReport(path=str(path), rows_read=parsed.rows_read, rejected=list(parsed.rejected))
    with transaction.atomic():
        batch = ProjectImport.objects.create(
            user=user if getattr(user, "is_authenticated", False) else None,
            origin=str(path),
            rows_read=parsed.rows_read,
            columns=parsed.columns,
        )
        touched: set[int] = set()
        for record in parsed.records:
            values = {name: getattr(record, name) for name in DIRECTORY_FIELDS}
            holder = custodian_named(record.custodian)
            start = dt.date.fromisoformat(record.start_date) if record.start_date else None
            project = Project.objects.filter(reference=record.reference).first()
            if project is None:
                project = Project.objects.create(
                    reference=record.reference,
                    custodian=holder,
                    start_date=start,
                    raw=record.raw,
                    origin=f"{path}:{record.line}",
                    last_import=batch,
                    **values,
                )
                report.new.append(record.reference)
            else:
                before = {name: getattr(project, name) for name in DIRECTORY_FIELDS}
                before["start_date"], before["custodian"] = project.start_date, project.custodian_id
                after = dict(values, start_date=start, custodian=holder.pk if holder else None)
                if before == after:
                    report.unchanged.append(record.reference)
                else:
                    for name, value in values.items():
                        setattr(project, name, value)
                    project.start_date, project.custodian = start, holder
                    report.updated.append(record.reference)
                    audit(
                        "update",
                        "custodians.Project",
                        project.reference,
                        before={k: _jsonable(v) for k, v in before.items() if before[k] != after[k]},
                        after={k: _jsonable(v) for k, v in after.items() if before[k] != after[k]},
                        user=user,
                        comment=f"re-import of {path}",
                    )
                project.raw, project.origin, project.last_import = record.raw, f"{path}:{record.line}", batch
                project.save()
            if record.unrecognised_labels:
                report.unrecognised[record.reference] = record.unrecognised_labels
            if holder is not None:
                touched.add(holder.pk)
        for holder in Custodian.objects.filter(pk__in=touched):
            ids: list[str] = []
            for source_ids in holder.projects.values_list("source_ids", flat=True):
                ids.extend(s for s in source_ids if s not in ids)
            if sorted(ids) != sorted(holder.source_ids):
                holder.source_ids = sorted(ids)
                holder.save(update_fields=["source_ids"])
        batch.new, batch.updated, batch.unchanged = (
            len(report.new),
            len(report.updated),
            len(report.unchanged),
        )
        batch.rejected = [vars(r) for r in report.rejected]
        batch.save()
        audit(
            "load",
            "custodians.ProjectImport",
            batch.pk,
            after={"new": batch.new, "updated": batch.updated, "unchanged": batch.unchanged,
                   "rejected": len(report.rejected)},
            user=user,
            comment=str(path),
        )  # fmt: skip
    report.batch_id = batch.pk
    return report


def _jsonable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value
