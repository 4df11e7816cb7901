"""Sources kept without their content: media sources (PDF, picture, audio, video) and texts an imported
REFI-QDA file did not carry. Nothing here shows them; the project page lists where their selections lie,
with their codes and coders, so that a lead sees the codings made elsewhere are kept.
"""

from __future__ import annotations

from django.utils.translation import gettext

from benefice.interviews.models import Coding, InterviewProject, Membership, Transcript
from benefice.interviews.services._shared import _json_codings, _json_parts, _norm
from benefice.interviews.services.access import visible_transcripts

MAX_KEPT_ROWS = 2000  # selections listed on the project page; the export always carries them all


def _clock(milliseconds: str | int | None) -> str:
    """REFI media positions are milliseconds; shown as 00:01:02 (with .250 when not a whole second)."""
    try:
        value = int(milliseconds)
    except (TypeError, ValueError):
        return "?"
    seconds, ms = divmod(max(value, 0), 1000)
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}" + (f".{ms:03d}" if ms else "")


def describe_position(kind: str, positions: dict, sync_points: list[dict] | None = None) -> str:
    """Where a selection lies, in the user's language: what we show for media we cannot display.

    Positions are given as the other tool wrote them (a PDF page number is not renumbered).
    """
    get = positions.get
    if kind == "PDFSelection":
        return gettext("page %(page)s, (%(x1)s, %(y1)s)–(%(x2)s, %(y2)s)") % {
            "page": get("page", "?"), "x1": get("firstX", "?"), "y1": get("firstY", "?"),
            "x2": get("secondX", "?"), "y2": get("secondY", "?"),
        }  # fmt: skip
    if kind == "PictureSelection":
        return gettext("area (%(x1)s, %(y1)s)–(%(x2)s, %(y2)s) of the picture") % {
            "x1": get("firstX", "?"), "y1": get("firstY", "?"),
            "x2": get("secondX", "?"), "y2": get("secondY", "?"),
        }  # fmt: skip
    if kind in ("AudioSelection", "VideoSelection"):
        return f"{_clock(get('begin'))}–{_clock(get('end'))}"
    if kind == "TranscriptSelection":
        points = {p.get("guid"): p for p in sync_points or []}
        start, end = points.get(get("fromSyncPoint"), {}), points.get(get("toSyncPoint"), {})
        return gettext("transcript from %(start)s to %(end)s") % {
            "start": _clock(start.get("timeStamp")) if start else gettext("the beginning"),
            "end": _clock(end.get("timeStamp")) if end else gettext("the end"),
        }
    if kind == "PlainTextSelection":
        return gettext("characters %(start)s–%(end)s") % {
            "start": get("startPosition", "?"), "end": get("endPosition", "?")
        }  # fmt: skip
    return ", ".join(f"{k}={v}" for k, v in positions.items())


def kept_sources(project: InterviewProject, role: str | None) -> dict:
    """What the project keeps but cannot show: media sources and texts the imported file did not carry.

    Each source is listed with its selections, their positions, codes and coders, so that a lead sees
    that the codings made in another tool are here and will go back with the next export. Selection
    names often quote the medium's words, which nobody pseudonymised: only leads see them.
    """
    if role is None:
        return {"sources": [], "truncated": 0}
    code_names = {_norm(c.guid): c.name for c in project.codes.all()}
    coder_names = {_norm(c.guid): c.name for c in project.coders.all()}
    part_labels = {
        "Representation": gettext("text representation"),
        "TextDescription": gettext("text description"),
        "Transcript": gettext("transcript"),
    }
    kind_labels = {
        "PDFSource": gettext("PDF"),
        "PictureSource": gettext("picture"),
        "AudioSource": gettext("audio"),
        "VideoSource": gettext("video"),
        "TextSource": gettext("text not in the file"),
    }
    listed = 0
    truncated = 0

    def codings(items: list[dict]) -> list[dict]:
        return [
            {
                "code": code_names.get(_norm(c["code"]), c["code"]),
                "coder": coder_names.get(_norm(c.get("coder") or ""), c.get("coder") or "—"),
            }
            for c in items
            if _norm(c["code"]) in code_names
        ]

    def rows(data: dict, part: str | None) -> list[dict]:
        nonlocal listed, truncated
        out = []
        for selection in data.get("selections", []):
            if listed >= MAX_KEPT_ROWS:
                truncated += 1
                continue
            listed += 1
            where = describe_position(selection["kind"], selection.get("positions") or {},
                                      data.get("sync_points"))  # fmt: skip
            name = (selection.get("name") or "") if role == Membership.LEAD else ""  # may quote originals
            out.append({"part": part, "where": where, "name": name,
                        "codings": codings(selection.get("codings", []))})  # fmt: skip
        return out

    sources = []
    for item in project.other_sources:
        selections = []
        for data in _json_parts(item):
            part = None if data is item else part_labels.get(data.get("kind"), data.get("kind"))
            selections += rows(data, part)
        sources.append(
            {
                "kind": kind_labels.get(item["kind"], item["kind"]),
                "name": item.get("name") or item["guid"],
                "selections": selections,
                "codings": [c for data in _json_parts(item) for c in codings(data.get("codings", []))],
            }
        )
    textless = visible_transcripts(project, role).filter(status=Transcript.NO_TEXT).order_by("pk")
    for transcript in textless.prefetch_related("selections__codings__code", "selections__codings__coder"):
        selections, whole = [], []
        for selection in transcript.selections.all():
            found = [{"code": c.code.name, "coder": c.coder.name} for c in selection.codings.all()]
            if selection.whole_source:
                whole += found
                continue
            if listed >= MAX_KEPT_ROWS:
                truncated += 1
                continue
            listed += 1
            where = describe_position(
                "PlainTextSelection",
                {"startPosition": selection.start, "endPosition": selection.end},
            )
            name = (selection.refi_extra or {}).get("name") or "" if role == Membership.LEAD else ""
            selections.append({"part": None, "where": where, "name": name, "codings": found})
        sources.append(
            {
                "kind": kind_labels["TextSource"],
                "name": transcript.title,
                "selections": selections,
                "codings": whole,
            }  # fmt: skip
        )
    return {"sources": sources, "truncated": truncated}


def stored_coding_count(project: InterviewProject) -> int:
    """Every coding the project holds: on transcripts and on the media sources kept as read."""
    on_media = sum(1 for item in project.other_sources for _coding in _json_codings(item))
    return Coding.objects.filter(selection__transcript__project=project).count() + on_media
