"""Edits of a case in the web app: its own fields and its items, each re-validated as a whole case, locked
against a concurrent save and written to the history."""

from __future__ import annotations

import datetime as _dt
from typing import Any

from django.db import transaction
from django.db.models import Max

from benefice.cases.models import Case
from benefice.cases.services.cases import CHILD_MODELS, OBJ_CASE, db_case, find_in_corpus, validate_case
from benefice.core.curated_sync import CONFLICT_ADVICE, check_version, stored_json
from benefice.core.models import audit
from benefice.errors import BeneficeError

__all__ = ["child_snapshot", "delete_child", "save_child", "today", "update_case"]


def _lock_case(case_id: str, expected_version: int) -> Case:
    row = Case.objects.select_for_update().get(pk=case_id)
    check_version(row, expected_version, object_type=OBJ_CASE, what="case", advice=CONFLICT_ADVICE)
    return row


def _bump(row: Case, user) -> None:
    row.version += 1
    row.edited = True
    row.updated_by = user
    row.save()


def update_case(
    case_id: str, fields: dict[str, Any], *, expected_version: int, user=None, comment: str = ""
) -> Case:
    """Save the case's own fields (title, summary, categories…) after the whole case re-validates."""
    allowed = {
        "title_fr", "title_en", "summary_fr", "summary_en", "categories", "data_sources", "attribution_grade",
        "notes_fr", "notes_en",
    }  # fmt: skip
    unknown = set(fields) - allowed
    if unknown:
        raise BeneficeError(f"not a case field: {', '.join(sorted(unknown))}", field=sorted(unknown)[0])
    with transaction.atomic():
        row = _lock_case(case_id, expected_version)
        before = {k: getattr(row, k) for k in allowed}
        for k, v in fields.items():
            setattr(row, k, v)
        _bump(row, user)
        validate_case(db_case(row))
        after = {k: getattr(row, k) for k in allowed}
        audit(
            "update", OBJ_CASE, case_id, before=stored_json(before), after=stored_json(after), user=user, comment=comment
        )
    return row


def child_snapshot(obj) -> dict[str, Any]:
    """A child row's fields (what the history shows before and after an edit)."""
    skip = {"id", "case", "position", "publication"}
    return stored_json({f.name: getattr(obj, f.attname) for f in obj._meta.concrete_fields if f.name not in skip})


def save_child(
    case_id: str,
    kind: str,
    child_id: int | None,
    values: dict[str, Any],
    *,
    expected_version: int,
    user=None,
    comment: str = "",
):
    """Add (``child_id`` None) or change a publication, decision, figure or timeline event of a case."""
    model = CHILD_MODELS[kind]
    with transaction.atomic():
        row = _lock_case(case_id, expected_version)
        if child_id is None:
            position = (model.objects.filter(case=row).aggregate(m=Max("position"))["m"] or 0) + 1
            obj = model(case=row, position=position)
            before = None
        else:
            obj = model.objects.get(case=row, pk=child_id)
            before = child_snapshot(obj)
        for k, v in values.items():
            setattr(obj, k, v)
        if kind == "publications":
            obj.publication = find_in_corpus(obj.doi, obj.pmid)
        obj.save()
        _bump(row, user)
        validate_case(db_case(row))
        key = f"{kind}[{obj.pk}]"
        audit(
            "update" if before else "create",
            OBJ_CASE,
            case_id,
            before={key: before} if before else None,
            after={key: child_snapshot(obj)},
            user=user,
            comment=comment,
        )
    return obj


def delete_child(
    case_id: str, kind: str, child_id: int, *, expected_version: int, user=None, comment: str = ""
):
    """Remove one item of a case; what it held stays in the history."""
    model = CHILD_MODELS[kind]
    with transaction.atomic():
        row = _lock_case(case_id, expected_version)
        obj = model.objects.get(case=row, pk=child_id)
        before = child_snapshot(obj)
        obj.delete()
        _bump(row, user)
        validate_case(db_case(row))
        audit(
            "delete",
            OBJ_CASE,
            case_id,
            before={f"{kind}[{child_id}]": before},
            after=None,
            user=user,
            comment=comment,
        )


def today() -> str:
    return _dt.date.today().isoformat()

