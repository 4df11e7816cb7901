"""Private helpers that several of the interview services modules use, kept in one place so that no module
imports another's private names: the audit object type, the codebook history record, REFI-QDA GUIDs and
the walk through the media sources kept as read (``exchange`` writes them, ``codebook`` and ``kept`` read).
"""

from __future__ import annotations

from benefice.core.models import audit
from benefice.interviews.models import CodeChange


def _type(obj) -> str:
    return f"interviews.{type(obj).__name__}"


def _record(project, kind: str, user, before=None, after=None, note: str = "") -> None:
    CodeChange.objects.create(project=project, kind=kind, before=before, after=after, note=note, user=user)
    obj_id = (
        (after or before or {}).get("id", project.pk) if isinstance(after or before, dict) else project.pk
    )
    audit(kind, "interviews.Code", obj_id, before=before, after=after, user=user, comment=note)


def _norm(guid: str) -> str:
    return guid.strip("{}").upper()


def _json_parts(data: dict):
    """A kept source and every text nested in it (the JSON counterpart of ``refi.QdaSource.walk``)."""
    yield data
    if data.get("representation"):
        yield from _json_parts(data["representation"])
    for transcript in data.get("transcripts", []):
        yield from _json_parts(transcript)
    for selection in data.get("selections", []):
        if selection.get("representation"):
            yield from _json_parts(selection["representation"])


def _json_codings(data: dict):
    """Every coding dict of a kept source, nested ones included (to count, list or rewrite them)."""
    for part in _json_parts(data):
        yield from part.get("codings", [])
        for selection in part.get("selections", []):
            yield from selection.get("codings", [])
