"""REFI-QDA exchange with other QDA tools: the project as a REFI-QDA project (``.qdpx``) or codebook
(``.qdc``) and back. The file format itself is ``benefice.interviews.refi``; this module maps it to the
database. Exports carry pseudonymised transcripts only, never originals, participants or the mapping;
media sources this workspace cannot show are kept as read (JSON) and given back with the next export.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from pathlib import Path

from django.db import transaction
from django.db.models import Q

from benefice.core.models import audit
from benefice.errors import BeneficeError
from benefice.i18n import gettext_noop
from benefice.interviews import refi
from benefice.interviews.models import (
    Code,
    CodeChange,
    Coder,
    Coding,
    InterviewProject,
    Selection,
    Transcript,
)
from benefice.interviews.services._shared import _json_codings, _norm, _record, _type
from benefice.interviews.services.codebook import PALETTE
from benefice.interviews.services.coding import coder_for


def _note(guid_source: list, name: str, text: str) -> str:
    note = refi.Note(guid=refi.new_guid(), name=name, text=text)
    guid_source.append(note)
    return note.guid


def to_refi(project: InterviewProject) -> refi.Project:
    """The project as REFI-QDA: pseudonymised transcripts only, never originals, participants or the mapping."""
    notes: list[refi.Note] = [
        refi.Note(guid=n["guid"], name=n.get("name"), text=n.get("text"))
        for n in project.notes
        if n.get("guid")
    ]
    media_codes = media_code_guids(project)
    exported_codes = project.codes.filter(
        Q(active=True) | Q(codings__isnull=False) | Q(guid__in=media_codes)
    ).distinct()
    by_parent: dict[int | None, list[Code]] = defaultdict(list)
    ids = {c.pk for c in exported_codes}
    for code in exported_codes:
        by_parent[code.parent_id if code.parent_id in ids else None].append(code)

    def build(parent_id) -> list[refi.Code]:
        out = []
        for code in by_parent.get(parent_id, []):
            refs = [_note(notes, f"Memo: {code.name}", code.memo)] if code.memo else []
            out.append(
                refi.Code(
                    guid=code.guid,
                    name=code.name,
                    is_codable=code.is_codable,
                    color=code.colour,
                    description=code.description or None,
                    children=build(code.pk),
                    note_refs=refs,
                )
            )
        return out

    codes = build(None)
    sources = []
    exported_transcripts = project.transcripts.filter(
        status__in=(Transcript.PSEUDONYMISED, Transcript.NO_TEXT)
    )
    for transcript in exported_transcripts.order_by("pk"):
        has_text = transcript.status == Transcript.PSEUDONYMISED
        selections = []
        whole: list[refi.Coding] = []
        for selection in transcript.selections.prefetch_related("codings__coder", "codings__code"):
            codings = [
                refi.Coding(
                    guid=c.guid,
                    code_guid=c.code.guid,
                    creating_user=c.coder.guid,
                    creation_datetime=c.refi_extra["creationDateTime"]
                    if "creationDateTime" in (c.refi_extra or {})  # as imported, even when absent
                    else c.created_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
                    note_refs=[_note(notes, f"Memo: {c.code.name}", c.memo)] if c.memo else [],
                )
                for c in selection.codings.all()
                if c.code.pk in ids
            ]
            if selection.whole_source:
                whole += codings
                continue
            extra = selection.refi_extra or {}
            audit_attributes = dict(extra.get("audit") or {})
            if selection.created_by:
                audit_attributes["creatingUser"] = selection.created_by.guid
            selections.append(
                refi.Selection(
                    guid=selection.guid,
                    start=selection.start,
                    end=selection.end,
                    name=extra["name"]
                    if "name" in extra  # as imported, even when absent
                    else transcript.text[selection.start : selection.end][:60] or None,
                    description=extra.get("description"),
                    codings=codings,
                    note_refs=[_note(notes, "Memo", selection.memo)] if selection.memo else [],
                    audit=audit_attributes,
                )
            )
        extra = transcript.refi_extra or {}
        sources.append(
            refi.QdaSource(
                guid=transcript.guid,
                name=transcript.title,
                text=transcript.text if has_text else None,
                description=extra.get("description"),
                paths={} if has_text else dict(transcript.refi_paths),
                selections=selections,
                codings=whole,
                note_refs=[_note(notes, f"Memo: {transcript.title}", transcript.memo)]
                if transcript.memo
                else [],
                audit=dict(extra.get("audit") or {}),
            )
        )
    code_guids = {_norm(c.guid) for c in exported_codes}
    sources += [_source_from_json(item, code_guids, notes) for item in project.other_sources]
    users = [refi.User(guid=c.guid, name=c.name) for c in project.coders.all()]
    return refi.Project(
        name=project.name,
        origin="benefice",
        users=users,
        codes=codes,
        sources=sources,
        notes=notes,
        description=project.description or None,
    )


def export_qdpx(project: InterviewProject, path: Path | str, user=None) -> dict:
    data = to_refi(project)
    refi.write_qdpx(data, path)
    counts = data.counts()
    audit("export", _type(project), project.pk, after={"format": "qdpx", **counts}, user=user)
    return counts


def export_qdc(project: InterviewProject, path: Path | str, user=None) -> None:
    data = to_refi(project)
    if not data.codes:
        raise BeneficeError(gettext_noop("the codebook is empty: nothing to export"))
    refi.write_qdc(refi.Codebook(codes=data.codes, origin="benefice"), path)
    audit(
        "export",
        _type(project),
        project.pk,
        after={"format": "qdc", "codes": len(data.all_codes())},
        user=user,
    )


def _note_text(notes: dict[str, refi.Note], refs: list[str]) -> str:
    return "\n\n".join((notes[r].text or "") for r in refs if r in notes and notes[r].text)


def _import_codes(project, codes: list[refi.Code], notes: dict, parent=None, mapping=None) -> dict[str, Code]:
    mapping = {} if mapping is None else mapping
    existing = {_norm(c.guid): c for c in project.codes.all()}
    for item in codes:
        code = existing.get(_norm(item.guid))
        if code is None:
            code = Code.objects.create(
                project=project,
                parent=parent,
                name=item.name[:200],
                guid=_norm(item.guid),
                colour=(item.color or PALETTE[len(mapping) % len(PALETTE)])[:7],
                description=item.description or "",
                memo=_note_text(notes, item.note_refs),
                is_codable=item.is_codable,
            )
        mapping[_norm(item.guid)] = code
        _import_codes(project, item.children, notes, code, mapping)
    return mapping


@transaction.atomic
def import_refi(
    project: InterviewProject, data: refi.Project, user, *, pseudonymised: bool = False
) -> dict[str, int]:
    """Store a REFI-QDA project's users, codes, text sources, selections, codings and memos.

    Sources from elsewhere are not trusted to be pseudonymised: unless ``pseudonymised`` says the team
    did it, each arrives as ``imported`` and waits for a lead's review (its selections follow the text).
    """
    notes = {n.guid: n for n in data.notes}
    used_notes: set[str] = set()
    for code in data.all_codes():
        used_notes.update(code.note_refs)
    coders = {_norm(c.guid): c for c in project.coders.all()}
    for user_item in data.users:
        if _norm(user_item.guid) not in coders:
            coders[_norm(user_item.guid)] = Coder.objects.create(
                project=project,
                name=(user_item.name or user_item.id or "coder")[:150],
                guid=_norm(user_item.guid),
            )
    codes = _import_codes(project, data.codes, notes)
    stored = Counter()
    skipped = Counter()

    def coder_of(guid: str | None) -> Coder:
        if guid and _norm(guid) in coders:
            return coders[_norm(guid)]
        if guid:  # a coder the file names only on its codings
            coders[_norm(guid)] = Coder.objects.create(
                project=project, name=f"coder {guid[:8]}", guid=_norm(guid)
            )
            return coders[_norm(guid)]
        return coder_for(project, user) if user is not None else _anonymous_coder(project)

    def add(selection: Selection, item: refi.Coding) -> None:
        used_notes.update(item.note_refs)
        Coding.objects.create(
            selection=selection,
            code=codes[_norm(item.code_guid)],
            coder=coder_of(item.creating_user),
            memo=_note_text(notes, item.note_refs),
            guid=_norm(item.guid),
            refi_extra={"creationDateTime": item.creation_datetime},  # None too: given back as read
        )
        stored["codings"] += 1

    other_sources = list(project.other_sources)
    for source in data.sources:
        used_notes.update(source.note_refs)
        if source.kind != "TextSource":
            # media we cannot show: kept as read so that an export gives them back to the other tool
            for part in source.walk():
                used_notes.update(part.note_refs)
                for item in part.selections:
                    used_notes.update(item.note_refs)
            for item in source.all_codings():
                used_notes.update(item.note_refs)
                if item.creating_user:
                    coder_of(item.creating_user)  # a coder named only here is still a project coder
            other_sources.append(_source_to_json(source, notes))
            skipped[f"{source.kind} (kept without its media)"] += 1
            stored["selections"] += len(source.all_selections())
            stored["codings"] += len(source.all_codings())
            continue
        has_text = source.text is not None
        if not has_text:
            skipped["TextSource without its text in the file (kept with its selections)"] += 1
        transcript = _new_transcript(project, source, notes, pseudonymised)
        stored["sources"] += 1
        for item in source.selections:
            used_notes.update(item.note_refs)
            creator = item.audit.get("creatingUser")
            selection = Selection.objects.create(
                transcript=transcript,
                start=item.start,
                end=item.end,
                memo=_note_text(notes, item.note_refs),
                guid=_norm(item.guid),
                created_by=coder_of(creator) if creator else None,
                refi_extra=_extra(
                    {k: v for k, v in item.audit.items() if k != "creatingUser"},
                    description=item.description,
                )
                # The name, None too (an export then leaves it out instead of quoting), unless the text
                # awaits pseudonymisation: tools name a selection by its quotation, original words that
                # must not reach coders or an export; the export then quotes the pseudonymised text.
                | ({} if has_text and not pseudonymised else {"name": item.name}),
            )
            stored["selections"] += 1
            for coding in item.codings:
                add(selection, coding)
        if source.codings:  # a whole-source coding: a selection spanning the text
            whole = Selection.objects.create(
                transcript=transcript,
                start=0,
                end=max(1, len(source.text or transcript.original_text or " ")),
                whole_source=True,
            )
            stored["selections"] += 1
            for coding in source.codings:
                add(whole, coding)
    project.other_sources = other_sources
    project.notes = list(project.notes) + [
        {"guid": n.guid, "name": n.name, "text": n.text} for n in data.notes if n.guid not in used_notes
    ]
    project.save(update_fields=["notes", "other_sources"])
    counts = {**data.counts(), "stored_sources": stored["sources"], "stored_selections": stored["selections"],
              "stored_codings": stored["codings"], "skipped": dict(skipped), "ignored": dict(data.ignored)}  # fmt: skip
    audit("import", _type(project), project.pk, after={"format": "qdpx", **counts}, user=user)
    CodeChange.objects.create(project=project, kind="import", after={"codes": len(codes)}, user=user)
    return counts


def _new_transcript(
    project: InterviewProject, source: refi.QdaSource, notes: dict, pseudonymised: bool
) -> Transcript:
    """The transcript of a REFI text source (``import_refi``): its text held for review unless the team
    pseudonymised it, or no text at all when the file did not carry it (then its paths are kept)."""
    has_text = source.text is not None
    return Transcript.objects.create(
        project=project,
        title=(source.name or "source")[:200],
        file_name=(source.name or "")[:255],
        format="qdpx",
        text=source.text if has_text and pseudonymised else "",
        original_text="" if not has_text or pseudonymised else source.text,
        status=(
            Transcript.NO_TEXT
            if not has_text
            else Transcript.PSEUDONYMISED
            if pseudonymised
            else Transcript.IMPORTED
        ),
        refi_paths={} if has_text else dict(source.paths),
        refi_extra=_extra(source.audit, description=source.description),
        memo=_note_text(notes, source.note_refs),
        guid=_norm(source.guid),
    )


def _extra(audit_attributes: dict, **fields) -> dict:
    """The ``refi_extra`` of a row: the other tool's audit attributes and fields, empty ones left out."""
    extra = {name: value for name, value in fields.items() if value is not None}
    if audit_attributes:
        extra["audit"] = dict(audit_attributes)
    return extra


def _source_to_json(source: refi.QdaSource, notes: dict) -> dict:
    """A source we cannot display (PDF, picture, audio, video, or a text nested in one) as JSON, whole.

    Why JSON and not rows: nothing here shows or edits these media, so they are kept exactly as read for
    the next export: positions as the other tool wrote them, codings by code and coder GUID with their
    creation time, audit attributes, descriptions, memos (the note's text) and the nested texts with
    their own selections. Codes are referred to by GUID; ``merge_codes`` rewrites them.
    """

    def coding(item: refi.Coding) -> dict:
        return {"guid": _norm(item.guid), "code": _norm(item.code_guid), "coder": item.creating_user,
                "when": item.creation_datetime, "memo": _note_text(notes, item.note_refs)}  # fmt: skip

    def selection(item: refi.Selection) -> dict:
        data = {
            "guid": item.guid,
            "kind": item.kind,
            "name": item.name,
            "description": item.description,
            "positions": dict(item.positions),
            "audit": dict(item.audit),
            "memo": _note_text(notes, item.note_refs),
            "codings": [coding(c) for c in item.codings],
        }
        if item.kind == "PlainTextSelection":
            data["positions"] = {"startPosition": str(item.start), "endPosition": str(item.end)}
        if item.representation is not None:
            data["representation"] = _source_to_json(item.representation, notes)
        return data

    data = {
        "guid": source.guid,
        "name": source.name,
        "kind": source.kind,
        "paths": dict(source.paths),
        "description": source.description,
        "audit": dict(source.audit),
        "memo": _note_text(notes, source.note_refs),
        "selections": [selection(s) for s in source.selections],
        "codings": [coding(c) for c in source.codings],
    }
    if source.text is not None:
        data["text"] = source.text
    if source.representation is not None:
        data["representation"] = _source_to_json(source.representation, notes)
    if source.transcripts:
        data["transcripts"] = [_source_to_json(t, notes) for t in source.transcripts]
    if source.sync_points:
        data["sync_points"] = [dict(p) for p in source.sync_points]
    return data


def _source_from_json(data: dict, code_guids: set[str], notes: list) -> refi.QdaSource:
    """The REFI source kept by ``_source_to_json``; codings of codes deleted since are left out."""

    def memo_refs(item: dict, name: str = "Memo") -> list[str]:
        return [_note(notes, name, item["memo"])] if item.get("memo") else []

    def codings(items: list[dict]) -> list[refi.Coding]:
        return [
            refi.Coding(
                guid=c["guid"],
                code_guid=c["code"],
                creating_user=c.get("coder"),
                creation_datetime=c.get("when"),
                note_refs=memo_refs(c),
            )
            for c in items
            if _norm(c["code"]) in code_guids  # a code deleted since the import takes its codings with it
        ]

    def selection(s: dict) -> refi.Selection:
        positions = dict(s.get("positions") or {})
        item = refi.Selection(
            guid=s["guid"],
            kind=s["kind"],
            name=s.get("name"),
            description=s.get("description"),
            codings=codings(s.get("codings", [])),
            note_refs=memo_refs(s),
            audit=dict(s.get("audit") or {}),
        )
        if item.kind == "PlainTextSelection":
            item.start, item.end = int(positions["startPosition"]), int(positions["endPosition"])
        else:
            item.positions = positions
        if s.get("representation"):
            item.representation = _source_from_json(s["representation"], code_guids, notes)
        return item

    return refi.QdaSource(
        guid=data["guid"],
        name=data.get("name"),
        kind=data["kind"],
        text=data.get("text"),
        paths=dict(data.get("paths") or {}),
        description=data.get("description"),
        selections=[selection(s) for s in data.get("selections", [])],
        codings=codings(data.get("codings", [])),
        note_refs=memo_refs(data, f"Memo: {data.get('name') or ''}"),
        audit=dict(data.get("audit") or {}),
        representation=_source_from_json(data["representation"], code_guids, notes)
        if data.get("representation")
        else None,
        transcripts=[_source_from_json(t, code_guids, notes) for t in data.get("transcripts", [])],
        sync_points=[dict(p) for p in data.get("sync_points", [])],
    )


def media_code_guids(project: InterviewProject) -> set[str]:
    """GUIDs of the codes that codings on kept media sources use (so an export keeps those codes)."""
    return {_norm(c["code"]) for item in project.other_sources for c in _json_codings(item)}


def _anonymous_coder(project) -> Coder:
    coder = project.coders.filter(user=None, name="unknown").first()
    return coder or Coder.objects.create(project=project, name="unknown")


@transaction.atomic
def import_codebook(project: InterviewProject, codebook: refi.Codebook, user) -> int:
    """Add a ``.qdc`` codebook's codes (those whose GUID the project already has are kept as they are)."""
    before = project.codes.count()
    _import_codes(project, codebook.codes, {})
    added = project.codes.count() - before
    _record(project, "import", user, after={"id": project.pk, "codes_added": added})
    return added
