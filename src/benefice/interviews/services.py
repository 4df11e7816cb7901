"""What the interview workspace does, apart from HTTP: access, import, pseudonymisation review, coding,
codebook changes, agreement, analysis, exports, REFI-QDA exchange, theme suggestions and groundings.

Views and the ``qda`` command call these functions so the rules (coders only see pseudonymised text,
every change is audited, exports never carry originals) hold whatever the entry point.
"""

from __future__ import annotations

import io
import re
import tempfile
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext

from benefice import csvout
from benefice.core.models import audit
from benefice.errors import BeneficeError
from benefice.interviews import refi
from benefice.interviews.models import (
    Code,
    CodebookVersion,
    CodeChange,
    Coder,
    Coding,
    EntityReplacement,
    IndicatorGrounding,
    InterviewProject,
    Membership,
    Participant,
    Selection,
    ThemeSuggestion,
    Transcript,
)

TRANSCRIPT_FORMATS = ("txt", "docx", "odt", "vtt", "srt")
ATTRIBUTES = ("role", "organisation", "data_source")
PALETTE = ("#ffd966", "#9fc5e8", "#b6d7a8", "#f4cccc", "#d9d2e9", "#fce5cd", "#d0e0e3", "#ead1dc")


def _type(obj) -> str:
    return f"interviews.{type(obj).__name__}"


# --------------------------------------------------------------------------------------------- access


def role_in(project: InterviewProject, user) -> str | None:
    """The user's role in this project, or None: site roles give no access to interviews."""
    if not getattr(user, "is_authenticated", False):
        return None
    return Membership.objects.filter(project=project, user=user).values_list("role", flat=True).first()


def projects_for(user):
    if not getattr(user, "is_authenticated", False):
        return InterviewProject.objects.none()
    return InterviewProject.objects.filter(memberships__user=user).distinct()


def visible_transcripts(project: InterviewProject, role: str | None):
    """Leads see every transcript; others only reviewed ones whose participant allows the whole team."""
    if role is None:
        return Transcript.objects.none()
    queryset = project.transcripts.select_related("participant")
    if role == Membership.LEAD:
        return queryset
    return queryset.filter(status=Transcript.PSEUDONYMISED).exclude(participant__visibility=Participant.LEADS)


@transaction.atomic
def create_project(name: str, user, *, description: str = "", language: str = "fr", keep_originals=False):
    name = name.strip()
    if not name:
        raise BeneficeError("a project needs a name", field="name")
    if InterviewProject.objects.filter(name=name).exists():
        raise BeneficeError(f"a project named {name!r} already exists", field="name")
    project = InterviewProject.objects.create(
        name=name, description=description, language=language, keep_originals=keep_originals
    )
    if user is not None:
        Membership.objects.create(project=project, user=user, role=Membership.LEAD)
    audit("create", _type(project), project.pk, after=_project_state(project), user=user)
    return project


def _project_state(project: InterviewProject) -> dict:
    return {
        "name": project.name,
        "description": project.description,
        "language": project.language,
        "keep_originals": project.keep_originals,
        "names_list_lines": len([line for line in project.names_list.splitlines() if line.strip()]),
    }


def update_project(project: InterviewProject, user, **fields) -> None:
    before = _project_state(project)
    for name, value in fields.items():
        setattr(project, name, value)
    if "names_list" in fields:
        parse_names(project.names_list)  # refuse a bad list before saving it
    project.save()
    if not project.keep_originals:
        project.transcripts.filter(status=Transcript.PSEUDONYMISED).exclude(original_text="").update(
            original_text=""
        )
    audit("update", _type(project), project.pk, before=before, after=_project_state(project), user=user)


def set_member(project: InterviewProject, member, role: str | None, user) -> None:
    """Give ``member`` a role in the project (None removes them); a project always keeps a lead."""
    current = Membership.objects.filter(project=project, user=member).first()
    before = current.role if current else None
    if role is not None and role not in dict(Membership.ROLES):
        raise BeneficeError(f"unknown project role {role!r} (lead, coder, viewer)", field="role")
    if before == Membership.LEAD and role != Membership.LEAD:
        if project.memberships.filter(role=Membership.LEAD).count() == 1:
            raise BeneficeError("a project needs at least one lead", field="role")
    if role is None:
        if current:
            current.delete()
    else:
        Membership.objects.update_or_create(project=project, user=member, defaults={"role": role})
    audit(
        "member",
        _type(project),
        project.pk,
        before={"user": member.username, "role": before},
        after={"user": member.username, "role": role},
        user=user,
    )


def save_participant(project: InterviewProject, user, data: dict, participant: Participant | None = None):
    code = (data.get("code") or "").strip()
    if not code:
        raise BeneficeError("a participant needs a pseudonymous code", field="code")
    clash = project.participants.filter(code=code)
    if participant is not None:
        clash = clash.exclude(pk=participant.pk)
    if clash.exists():
        raise BeneficeError(f"participant code {code!r} is already used in this project", field="code")
    before = _participant_state(participant) if participant else None
    participant = participant or Participant(project=project)
    participant.code = code
    participant.attributes = {key: (data.get(key) or "").strip() for key in ATTRIBUTES}
    participant.legal_basis = (data.get("legal_basis") or "").strip()
    participant.consent_date = data.get("consent_date") or None
    participant.retention_date = data.get("retention_date") or None
    participant.visibility = data.get("visibility") or Participant.TEAM
    participant.save()
    audit(
        "update" if before else "create",
        _type(participant),
        participant.pk,
        before=before,
        after=_participant_state(participant),
        user=user,
    )
    return participant


def _participant_state(participant: Participant) -> dict:
    return {
        "code": participant.code,
        "attributes": participant.attributes,
        "legal_basis": participant.legal_basis,
        "consent_date": str(participant.consent_date or ""),
        "retention_date": str(participant.retention_date or ""),
        "visibility": participant.visibility,
    }


# ------------------------------------------------------------------------------ import and pseudonymise


def parse_names(text: str) -> list[tuple[str, str]]:
    """The project list of names (same format as ``benefice pseudonymise --names``)."""
    from benefice.interviews.pseudonymise import ORG, PERSON, PLACE

    names: list[tuple[str, str]] = []
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, _, kind = line.partition("\t")
        kind = kind.strip().upper() or PERSON
        if kind not in (PERSON, PLACE, ORG):
            raise BeneficeError(
                f"unknown type {kind!r} (PERSON, PLACE or ORG)", path="project list of names", line=number
            )
        names.append((name.strip(), kind))
    return names


def import_transcript(
    project: InterviewProject,
    file_name: str,
    data: bytes,
    user,
    *,
    title: str = "",
    participant: Participant | None = None,
    nlp=None,
) -> Transcript:
    """Read the file, keep its turns, and propose the entities to mask; nothing is shown to coders yet."""
    from benefice.interviews.transcripts import read_transcript

    suffix = Path(file_name).suffix.lower().lstrip(".") or "txt"
    if suffix not in TRANSCRIPT_FORMATS:
        raise BeneficeError(
            f"unsupported transcript format {suffix!r} (txt, docx, odt, vtt, srt)", path=file_name
        )
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"upload.{suffix}"
        path.write_bytes(data)
        try:
            parsed = read_transcript(path)
        except BeneficeError as exc:  # name the user's file, not our temporary copy
            raise BeneficeError(exc.message, path=file_name, line=exc.line) from None
    if not parsed.text.strip():
        raise BeneficeError("the transcript is empty", path=file_name)
    transcript = Transcript.objects.create(
        project=project,
        participant=participant,
        title=title.strip() or Path(file_name).stem,
        file_name=Path(file_name).name,
        format=suffix,
        original_text=parsed.text,
        turns=[
            {
                "speaker": turn.speaker,
                "start_seconds": turn.start_seconds,
                "end_seconds": turn.end_seconds,
                "start": turn.start_offset,
                "end": turn.end_offset,
            }
            for turn in parsed.turns
        ],
    )
    audit(
        "import",
        _type(transcript),
        transcript.pk,
        after={
            "file": transcript.file_name,
            "format": suffix,
            "turns": len(parsed.turns),
            "characters": len(parsed.text),
        },
        user=user,
    )
    propose_entities(transcript, nlp=nlp)
    return transcript


def project_mapping(project: InterviewProject):
    """The project's pseudonyms so far, as the core ``Mapping`` (rejected originals left out)."""
    from benefice.interviews.pseudonymise import Mapping

    entries = [
        {"type": r.entity_type, "original": r.original, "replacement": r.replacement}
        for r in project.replacements.exclude(decision=EntityReplacement.REJECTED).order_by("pk")
    ]
    return Mapping.from_json({"lang": project.language, "entries": entries})


def propose_entities(transcript: Transcript, nlp=None, use_ner: bool = True) -> list[dict]:
    """Detect entities in the original and propose replacements consistent with the project's mapping."""
    from benefice.interviews.pseudonymise import detect, fold

    project = transcript.project
    text = transcript.original_text
    entities = detect(text, project.language, parse_names(project.names_list), nlp=nlp, use_ner=use_ner)
    mapping = project_mapping(project)
    for entity in sorted(entities, key=lambda e: (-len(e.text.split()), e.start)):
        entity.replacement = mapping.pseudonym(entity.type, entity.text)
    rejected = {
        (r.entity_type, r.key) for r in project.replacements.filter(decision=EntityReplacement.REJECTED)
    }
    transcript.review = [
        {
            "start": e.start,
            "end": e.end,
            "type": e.type,
            "text": e.text,
            "key": fold(e.text),
            "source": e.source,
            "replacement": e.replacement,
            "default": "reject" if (e.type, fold(e.text)) in rejected else "accept",
        }
        for e in entities
    ]
    transcript.save(update_fields=["review"])
    return transcript.review


@dataclass
class ReviewGroup:
    """All mentions of one original, decided together so that replacements stay consistent."""

    id: str
    type: str
    key: str
    original: str
    replacement: str
    count: int
    detectors: list[str]
    contexts: list[tuple[str, str, str]]
    default: str


def review_groups(transcript: Transcript) -> list[ReviewGroup]:
    groups: dict[tuple[str, str], ReviewGroup] = {}
    text = transcript.original_text
    for entity in transcript.review:
        key = (entity["type"], entity["key"])
        group = groups.get(key)
        if group is None:
            group = groups[key] = ReviewGroup(
                id=str(len(groups)),
                type=entity["type"],
                key=entity["key"],
                original=entity["text"],
                replacement=entity["replacement"],
                count=0,
                detectors=[],
                contexts=[],
                default=entity["default"],
            )
        group.count += 1
        if entity["source"] not in group.detectors:
            group.detectors.append(entity["source"])
        if len(group.contexts) < 3:
            start, end = entity["start"], entity["end"]
            group.contexts.append((text[max(0, start - 50) : start], text[start:end], text[end : end + 50]))
    return list(groups.values())


def _offset_mapper(spans: list[tuple[int, int, int]]):
    """Map an offset of the original to the new text, given (start, end, new length) of each replacement."""

    def shift(offset: int, is_end: bool) -> int:
        delta = 0
        for start, end, length in spans:
            if offset >= end:
                delta += length - (end - start)
            elif offset > start or (offset == start and is_end and offset != end):
                # inside a replaced span: snap outward so the selection still covers the pseudonym
                return start + delta + (length if is_end else 0)
            else:
                break
        return offset + delta

    return shift


@transaction.atomic
def apply_review(transcript: Transcript, decisions: dict[str, tuple[str, str]], user) -> dict:
    """Replace accepted entities, record each decision project-wide, and drop the original if not kept.

    ``decisions`` maps a review group id to (``accept`` | ``reject`` | ``replace``, custom replacement).
    """
    from benefice.interviews.pseudonymise import PERSON

    if transcript.is_pseudonymised:
        raise BeneficeError("this transcript has already been pseudonymised")
    if transcript.status == Transcript.NO_TEXT:
        raise BeneficeError(
            "the imported file did not include the text of this source: nothing to pseudonymise"
        )
    project = transcript.project
    by_key = {}
    for group in review_groups(transcript):
        choice, custom = decisions.get(group.id, (group.default, ""))
        if choice not in ("accept", "reject", "replace"):
            raise BeneficeError(f"unknown decision {choice!r}", field=f"decision-{group.id}")
        if choice == "replace":
            custom = custom.strip()
            if not custom:
                raise BeneficeError(f"give the replacement for entity {group.id}", field=f"custom-{group.id}")
        by_key[(group.type, group.key)] = (choice, custom, group)
    mapping = project_mapping(project)
    replacements: dict[tuple[str, str], str | None] = {}
    ordered = sorted(
        by_key.items(), key=lambda item: (-len(item[1][2].original.split()), item[1][2].original)
    )
    for (entity_type, key), (choice, custom, group) in ordered:
        if choice == "reject":
            replacements[(entity_type, key)] = None
            value = ""
            decision = EntityReplacement.REJECTED
        elif choice == "replace":
            value = custom
            mapping.entries.setdefault(entity_type, {})[key] = custom
            decision = EntityReplacement.REPLACED
        else:
            value = mapping.pseudonym(entity_type, group.original)
            decision = EntityReplacement.ACCEPTED
        replacements[(entity_type, key)] = value or None
        EntityReplacement.objects.update_or_create(
            project=project,
            entity_type=entity_type,
            key=key,
            defaults={
                "original": group.original,
                "replacement": value,
                "decision": decision,
                "decided_by": user,
            },
        )
    original = transcript.original_text
    pieces, spans, cursor, new_position = [], [], 0, 0
    for entity in sorted(transcript.review, key=lambda e: e["start"]):
        value = replacements.get((entity["type"], entity["key"]))
        if value is None or entity["start"] < cursor:
            continue
        pieces.append(original[cursor : entity["start"]])
        new_position += entity["start"] - cursor
        pieces.append(value)
        spans.append((entity["start"], entity["end"], len(value)))
        new_position += len(value)
        cursor = entity["end"]
    pieces.append(original[cursor:])
    text = "".join(pieces)
    shift = _offset_mapper(spans)
    turns = []
    for turn in transcript.turns:
        start, end = shift(turn["start"], False), shift(turn["end"], True)
        turns.append({**turn, "start": start, "end": max(start, end)})
    for selection in transcript.selections.all():  # selections imported with an unreviewed source
        start, end = shift(selection.start, False), shift(selection.end, True)
        selection.start, selection.end = start, max(end, start + 1)
        selection.save(update_fields=["start", "end"])
    counts = Counter(
        (entity["type"], "kept" if replacements.get((entity["type"], entity["key"])) is None else "masked")
        for entity in transcript.review
    )
    report = {
        "masked": sum(n for (_, state), n in counts.items() if state == "masked"),
        "kept": sum(n for (_, state), n in counts.items() if state == "kept"),
        "by_type": {f"{t}:{state}": n for (t, state), n in sorted(counts.items())},
        "person_groups_masked": sum(
            1 for (t, _), (c, _, _) in by_key.items() if t == PERSON and c != "reject"
        ),
    }
    transcript.text = text
    transcript.turns = turns
    transcript.report = report
    transcript.review = []
    transcript.status = Transcript.PSEUDONYMISED
    if not project.keep_originals:
        transcript.original_text = ""
    transcript.save()
    audit("pseudonymise", _type(transcript), transcript.pk, after=report, user=user)
    return report


def add_names_and_redetect(transcript: Transcript, names: str, user, nlp=None) -> None:
    """Names the detector missed go into the project list (so every transcript masks them) and detection reruns."""
    lines = [line.strip() for line in names.splitlines() if line.strip()]
    if not lines:
        return
    project = transcript.project
    parse_names("\n".join(lines))
    update_project(
        project, user, names_list=(project.names_list.rstrip("\n") + "\n" + "\n".join(lines)).strip()
    )
    propose_entities(transcript, nlp=nlp)


# --------------------------------------------------------------------------------------------- coding


def coder_for(project: InterviewProject, user) -> Coder:
    coder = Coder.objects.filter(project=project, user=user).first()
    if coder is None:
        coder = Coder.objects.create(project=project, user=user, name=user.get_username())
    return coder


def _as_int(value, name: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise BeneficeError(f"{name} must be an integer, got {value!r}", field=name) from None


@transaction.atomic
def add_coding(transcript: Transcript, start, end, code: Code, user, memo: str = "") -> Coding:
    """Apply ``code`` to characters ``start``..``end`` of the pseudonymised text (overlaps are allowed)."""
    if not transcript.is_pseudonymised:
        raise BeneficeError("a transcript is coded only once its pseudonymisation has been reviewed")
    start, end = _as_int(start, "start"), _as_int(end, "end")
    length = len(transcript.text)
    if not 0 <= start < end <= length:
        raise BeneficeError(
            f"selection {start}-{end} is out of range or empty: the text has {length} characters "
            "(need 0 <= start < end <= length)",
            field="end" if end > length else "start",
        )
    if code.project_id != transcript.project_id or not code.active or not code.is_codable:
        raise BeneficeError(f"code {code.name!r} cannot be applied in this project", field="code")
    coder = coder_for(transcript.project, user)
    selection = Selection.objects.filter(transcript=transcript, start=start, end=end).first()
    if selection is None:
        selection = Selection.objects.create(transcript=transcript, start=start, end=end, created_by=coder)
    coding, created = Coding.objects.get_or_create(
        selection=selection, code=code, coder=coder, defaults={"memo": memo.strip()}
    )
    if created:
        audit(
            "code",
            _type(coding),
            coding.pk,
            after={
                "transcript": transcript.pk,
                "start": start,
                "end": end,
                "code": code.name,
                "coder": coder.name,
            },
            user=user,
        )
    return coding


def delete_coding(coding: Coding, user) -> None:
    selection = coding.selection
    before = {"transcript": selection.transcript_id, "start": selection.start, "end": selection.end,
              "code": coding.code.name, "coder": coding.coder.name}  # fmt: skip
    pk = coding.pk
    coding.delete()
    if not selection.codings.exists() and not selection.memo:
        selection.delete()
    audit("delete", "interviews.Coding", pk, before=before, user=user)


QUOTE_CHARACTERS = 200  # of a coding's passage in the coding screen's table


def codings_json(transcript: Transcript, start: int | None = None, end: int | None = None) -> list[dict]:
    """The codings of a transcript (those overlapping characters ``start`` to ``end`` when given) for
    the coding screen, with absolute positions and a short quote, so that a page of a long transcript
    carries only its own codings, each a bounded size, and a coding crossing a page cut is on both."""
    codings = Coding.objects.filter(selection__transcript=transcript)
    if start is not None and end is not None:
        codings = codings.filter(selection__start__lt=max(end, start + 1), selection__end__gt=start)
    out = []
    for c in codings.select_related("selection", "code", "coder"):
        a, b = c.selection.start, c.selection.end
        quote = transcript.text[a : min(b, a + QUOTE_CHARACTERS + 1)]
        out.append(
            {
                "id": c.pk,
                "start": a,
                "end": b,
                "code": c.code_id,
                "code_name": c.code.name,
                "colour": c.code.colour,
                "coder": c.coder_id,
                "coder_name": c.coder.name,
                "memo": c.memo,
                "quote": quote[:QUOTE_CHARACTERS] + "…" if len(quote) > QUOTE_CHARACTERS else quote,
            }
        )
    return out


# ------------------------------------------------------------------------------------------- codebook


def _code_state(code: Code) -> dict:
    return {
        "id": code.pk,
        "name": code.name,
        "parent": code.parent_id,
        "description": code.description,
        "colour": code.colour,
        "memo": code.memo,
        "is_theme": code.is_theme,
        "active": code.active,
    }


def _record(project, kind: str, user, before=None, after=None, note: str = "") -> None:
    CodeChange.objects.create(project=project, kind=kind, before=before, after=after, note=note, user=user)
    obj_id = (
        (after or before or {}).get("id", project.pk) if isinstance(after or before, dict) else project.pk
    )
    audit(kind, "interviews.Code", obj_id, before=before, after=after, user=user, comment=note)


def _check_colour(colour: str) -> str:
    colour = (colour or "").strip() or PALETTE[0]
    if not refi.RGB_RE.fullmatch(colour):
        raise BeneficeError(f"colour {colour!r} is not #RRGGBB", field="colour")
    return colour


def create_code(
    project: InterviewProject,
    name: str,
    user,
    *,
    parent: Code | None = None,
    description: str = "",
    colour: str = "",
    memo: str = "",
    is_theme: bool = False,
) -> Code:
    name = name.strip()
    if not name:
        raise BeneficeError("a code needs a name", field="name")
    if parent is not None and parent.project_id != project.pk:
        raise BeneficeError("the parent code belongs to another project", field="parent")
    if project.codes.filter(parent=parent, name__iexact=name, active=True).exists():
        raise BeneficeError(f"a code named {name!r} already exists at this level", field="name")
    if not colour:
        colour = PALETTE[project.codes.count() % len(PALETTE)]
    code = Code.objects.create(
        project=project,
        parent=parent,
        name=name,
        description=description.strip(),
        colour=_check_colour(colour),
        memo=memo.strip(),
        is_theme=is_theme,
    )
    _record(project, "create", user, after=_code_state(code))
    return code


def update_code(code: Code, user, **fields) -> Code:
    """Edit name, description, colour, memo, theme flag or parent; a new name is a 'rename' in the history."""
    before = _code_state(code)
    if "name" in fields:
        fields["name"] = (fields["name"] or "").strip()
        if not fields["name"]:
            raise BeneficeError("a code needs a name", field="name")
    if "colour" in fields:
        fields["colour"] = _check_colour(fields["colour"])
    if "parent" in fields and fields["parent"] is not None:
        ancestor = fields["parent"]
        while ancestor is not None:
            if ancestor.pk == code.pk:
                raise BeneficeError("a code cannot be placed under itself or its descendants", field="parent")
            ancestor = ancestor.parent
    for name, value in fields.items():
        setattr(code, name, value)
    code.save()
    after = _code_state(code)
    kind = (
        "rename"
        if before["name"] != after["name"]
        else "move"
        if before["parent"] != after["parent"]
        else "edit"
    )
    if before != after:
        _record(code.project, kind, user, before=before, after=after)
    return code


@transaction.atomic
def merge_codes(source: Code, target: Code, user, note: str = "") -> Code:
    """Move every coding and child of ``source`` to ``target``; ``source`` stays, inactive, for the history."""
    if source.pk == target.pk or source.project_id != target.project_id:
        raise BeneficeError("merge two different codes of the same project", field="target")
    moved = 0
    for coding in list(source.codings.all()):
        if Coding.objects.filter(selection=coding.selection, coder=coding.coder, code=target).exists():
            coding.delete()  # the coder had already applied the target here
        else:
            coding.code = target
            coding.save(update_fields=["code"])
        moved += 1
    moved += _merge_media_codings(source.project, _norm(source.guid), _norm(target.guid))
    source.children.update(parent=target)
    IndicatorGrounding.objects.filter(code=source).update(code=target)
    before = {"source": _code_state(source), "target": _code_state(target)}
    if source.memo:
        target.memo = (target.memo + "\n\n" if target.memo else "") + f"[{source.name}] {source.memo}"
        target.save(update_fields=["memo"])
    source.active = False
    source.memo = (source.memo + "\n" if source.memo else "") + f"→ merged into {target.name}"
    source.save(update_fields=["active", "memo"])
    after = {
        "id": target.pk,
        "source": _code_state(source),
        "target": _code_state(target),
        "codings_moved": moved,
    }
    _record(source.project, "merge", user, before=before, after=after, note=note)
    return target


def _merge_media_codings(project: InterviewProject, old: str, new: str) -> int:
    """Codings kept on media sources move from code ``old`` to ``new`` (GUIDs), as text codings do."""
    moved = 0
    project = InterviewProject.objects.select_for_update().get(pk=project.pk)
    for item in project.other_sources:
        for part in _json_parts(item):
            for holder in [part, *part.get("selections", [])]:
                codings = holder.get("codings", [])
                coders_with_new = {c.get("coder") for c in codings if _norm(c["code"]) == new}
                kept = []
                for coding in codings:
                    if _norm(coding["code"]) == old:
                        moved += 1
                        if coding.get("coder") in coders_with_new:
                            continue  # the coder had already applied the target here
                        coders_with_new.add(coding.get("coder"))
                        coding = {**coding, "code": new}
                    kept.append(coding)
                holder["codings"] = kept
    if moved:
        project.save(update_fields=["other_sources"])
    return moved


@transaction.atomic
def split_code(code: Code, parts: list[tuple[str, list[int]]], user, note: str = "") -> list[Code]:
    """New sibling codes, each taking the given codings of ``code``; the rest stay where they were."""
    if not parts:
        raise BeneficeError("a split needs at least one new code", field="name")
    owned = set(code.codings.values_list("pk", flat=True))
    taken: set[int] = set()
    for name, coding_ids in parts:
        if not name.strip():
            raise BeneficeError("each new code needs a name", field="name")
        wrong = set(coding_ids) - owned
        if wrong:
            raise BeneficeError(f"codings {sorted(wrong)} are not codings of {code.name!r}", field="codings")
        if taken & set(coding_ids):
            raise BeneficeError("a coding can go to one new code only", field="codings")
        taken |= set(coding_ids)
    before = {"code": _code_state(code), "codings": sorted(owned)}
    created = []
    for name, coding_ids in parts:
        new = Code.objects.create(
            project=code.project,
            parent=code.parent,
            name=name.strip(),
            description=f"← split from {code.name}",
            colour=PALETTE[(code.project.codes.count()) % len(PALETTE)],
        )
        Coding.objects.filter(pk__in=coding_ids).update(code=new)
        created.append(new)
    after = {
        "id": code.pk,
        "code": _code_state(code),
        "parts": [
            {"code": _code_state(c), "codings": ids} for c, (_, ids) in zip(created, parts, strict=True)
        ],
    }
    _record(code.project, "split", user, before=before, after=after, note=note)
    return created


def code_tree(project: InterviewProject, include_inactive: bool = False) -> list[dict]:
    """Codes as nested dicts with coding counts (the codebook page and the snapshots)."""
    codes = list(project.codes.all() if include_inactive else project.codes.filter(active=True))
    counts = Counter(Coding.objects.filter(code__project=project).values_list("code_id", flat=True))
    children: dict[int | None, list[Code]] = defaultdict(list)
    ids = {c.pk for c in codes}
    for code in codes:
        children[code.parent_id if code.parent_id in ids else None].append(code)

    def build(parent_id, depth):
        return [
            {
                **_code_state(c),
                "guid": c.guid,
                "count": counts.get(c.pk, 0),
                "depth": depth,
                "children": build(c.pk, depth + 1),
            }  # fmt: skip
            for c in children.get(parent_id, [])
        ]

    return build(None, 0)


def flatten(tree: list[dict]) -> list[dict]:
    out = []
    for node in tree:
        out.append(node)
        out.extend(flatten(node["children"]))
    return out


def save_version(project: InterviewProject, user, note: str = "") -> CodebookVersion:
    number = (project.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    version = CodebookVersion.objects.create(
        project=project, number=number, note=note.strip(), snapshot=code_tree(project), created_by=user
    )
    audit(
        "version", "interviews.CodebookVersion", version.pk, after={"number": number, "note": note}, user=user
    )
    return version


# Boltanski & Thévenot, De la justification (1991), plus the project city (Boltanski & Chiapello 1999)
# and the green order (Lafaye & Thévenot 1993). Definitions written for this workspace, short on purpose.
ORDERS_OF_WORTH = [
    ("civic", "Civique", "Civic", "#4a86e8",
     "La grandeur tient à l'intérêt général, à la solidarité et à l'égalité : volonté collective exprimée "
     "par des règles, des droits et des instances représentatives.",
     "Worth lies in the general interest, solidarity and equality: the collective will expressed through "
     "rules, rights and representative bodies."),
    ("market", "Marchande", "Market", "#f1c232",
     "La grandeur tient au prix et à la concurrence : ce qui se vend, s'achète et rapporte.",
     "Worth lies in price and competition: what is bought, sold and profitable."),
    ("industrial", "Industrielle", "Industrial", "#6aa84f",
     "La grandeur tient à l'efficacité et à la performance : mesure, méthode, planification, expertise, "
     "normes.",
     "Worth lies in efficiency and performance: measurement, method, planning, expertise, standards."),
    ("domestic", "Domestique", "Domestic", "#a64d79",
     "La grandeur tient à la tradition, à la confiance et à la fidélité : relations personnelles, "
     "hiérarchie, réputation acquise dans la durée.",
     "Worth lies in tradition, trust and loyalty: personal relations, hierarchy, reputation built over "
     "time."),
    ("inspired", "Inspirée", "Inspired", "#e06666",
     "La grandeur tient à la créativité et à la passion : singularité, intuition, rupture avec la routine.",
     "Worth lies in creativity and passion: singularity, intuition, breaking with routine."),
    ("fame", "De l'opinion (renom)", "Fame", "#ff9900",
     "La grandeur tient à la reconnaissance par les autres : visibilité, notoriété, place dans les médias.",
     "Worth lies in recognition by others: visibility, renown, presence in the media."),
    ("project", "Par projets (connexionniste)", "Project", "#45818e",
     "La grandeur tient à l'activité et aux connexions : réseaux, flexibilité, capacité à lancer et "
     "rejoindre des projets.",
     "Worth lies in activity and connections: networks, flexibility, the ability to start and join "
     "projects."),
    ("green", "Écologique", "Green", "#38761d",
     "La grandeur tient à la préservation de l'environnement : durabilité, soin de la nature et des "
     "générations futures.",
     "Worth lies in protecting the environment: sustainability, care for nature and future generations."),
]  # fmt: skip


STARTER_TITLES = (
    "Économies de la grandeur (Boltanski et Thévenot)",
    "Orders of worth (Boltanski & Thévenot)",
)


@transaction.atomic
def load_starter_codebook(project: InterviewProject, user) -> Code:
    """The orders of worth as a theme with one code per order, in the project's language (once)."""
    french = project.language == "fr"
    title = STARTER_TITLES[0] if french else STARTER_TITLES[1]
    existing = project.codes.filter(name=title, parent=None, active=True).first()
    if existing:
        raise BeneficeError("the orders-of-worth starter codebook is already loaded")
    root = Code.objects.create(
        project=project,
        name=title,
        is_theme=True,
        is_codable=False,
        colour="#999999",
        description=(
            "Comment les acteurs justifient la valeur des usages des données."
            if french
            else "How actors justify the worth of data uses."
        ),
    )
    for _key, name_fr, name_en, colour, text_fr, text_en in ORDERS_OF_WORTH:
        Code.objects.create(
            project=project,
            parent=root,
            name=name_fr if french else name_en,
            colour=colour,
            description=text_fr if french else text_en,
            memo=f"{name_en if french else name_fr}: {text_en if french else text_fr}",
        )
    _record(project, "starter", user, after={"id": root.pk, "name": title, "codes": len(ORDERS_OF_WORTH)})
    return root


def history(project: InterviewProject):
    return project.code_changes.select_related("user")


# ------------------------------------------------------------------------------------------ agreement


def _labels(objects, attribute: str) -> dict[int, str]:
    """Display names, disambiguated when two objects share one (agreement keys must be unique)."""
    counts = Counter(getattr(o, attribute) for o in objects)
    return {o.pk: getattr(o, attribute) if counts[getattr(o, attribute)] == 1 else f"{getattr(o, attribute)} #{o.pk}"
            for o in objects}  # fmt: skip


def agreement_for(project: InterviewProject, coders: list[Coder], transcripts: list[Transcript]) -> dict:
    """Character-level agreement (``agreement.agreement``) of the chosen coders on the chosen transcripts."""
    from benefice.interviews.agreement import Coding as AgreementCoding
    from benefice.interviews.agreement import agreement

    if len(coders) < 2:
        raise BeneficeError("choose at least two coders", field="coders")
    if not transcripts:
        raise BeneficeError("choose at least one transcript", field="transcripts")
    coder_names = _labels(coders, "name")
    document_names = {t.pk: f"{t.title} #{t.pk}" for t in transcripts}
    codings = list(
        Coding.objects.filter(coder__in=coders, selection__transcript__in=transcripts).select_related(
            "selection", "code"
        )
    )
    code_names = _labels({c.code for c in codings}, "name")
    rows = [
        AgreementCoding(
            coder_names[c.coder_id],
            document_names[c.selection.transcript_id],
            c.selection.start,
            c.selection.end,
            code_names[c.code_id],
        )
        for c in codings
    ]
    lengths = {document_names[t.pk]: len(t.text) for t in transcripts}
    result = agreement(rows, lengths)
    texts = {document_names[t.pk]: t.text for t in transcripts}
    for item in result["disagreements"]:
        item["quote"] = texts[item["document"]][item["start"] : item["end"]]
    return result


# ------------------------------------------------------------------------------------------- analysis


def coded_segments(project: InterviewProject, transcripts, code_ids=None, coder_ids=None) -> list[dict]:
    queryset = Coding.objects.filter(selection__transcript__in=transcripts).select_related(
        "selection__transcript__participant", "code", "coder"
    )
    if code_ids:
        queryset = queryset.filter(code_id__in=code_ids)
    if coder_ids:
        queryset = queryset.filter(coder_id__in=coder_ids)
    rows = []
    for coding in queryset.order_by("selection__transcript__title", "selection__start", "pk"):
        selection = coding.selection
        participant = selection.transcript.participant
        rows.append(
            {
                "code": coding.code.name,
                "transcript": selection.transcript.title,
                "participant": participant.code if participant else "",
                **{key: (participant.attributes.get(key, "") if participant else "") for key in ATTRIBUTES},
                "coder": coding.coder.name,
                "start": selection.start,
                "end": selection.end,
                "text": selection.quote,
                "memo": coding.memo,
            }
        )
    return rows


def frequencies(project: InterviewProject, transcripts, attribute: str) -> tuple[list[str], list[dict]]:
    """Codings per code and value of a participant attribute (and how many participants said it)."""
    if attribute not in ATTRIBUTES:
        raise BeneficeError(f"unknown attribute {attribute!r} ({', '.join(ATTRIBUTES)})", field="attribute")
    cells: dict[str, Counter] = defaultdict(Counter)
    people: dict[str, dict[str, set]] = defaultdict(lambda: defaultdict(set))
    values: set[str] = set()
    for row in coded_segments(project, transcripts):
        value = row[attribute] or "—"
        values.add(value)
        cells[row["code"]][value] += 1
        people[row["code"]][value].add(row["participant"] or row["transcript"])
    columns = sorted(values)
    table = [
        {
            "code": code,
            "cells": [(cells[code][v], len(people[code][v])) for v in columns],
            "total": sum(cells[code].values()),
        }
        for code in sorted(cells)
    ]
    return columns, table


def cooccurrence(project: InterviewProject, transcripts) -> tuple[list[str], list[list[int]]]:
    """How often two codes sit on overlapping text (in the same transcript); the diagonal counts codings."""
    codings = list(
        Coding.objects.filter(selection__transcript__in=transcripts).select_related("selection", "code")
    )
    codes = sorted({c.code for c in codings}, key=lambda c: (c.name, c.pk))
    index = {code.pk: i for i, code in enumerate(codes)}
    matrix = [[0] * len(codes) for _ in codes]
    by_transcript: dict[int, list[Coding]] = defaultdict(list)
    for coding in codings:
        by_transcript[coding.selection.transcript_id].append(coding)
        matrix[index[coding.code_id]][index[coding.code_id]] += 1
    for items in by_transcript.values():
        items.sort(key=lambda c: c.selection.start)
        for i, first in enumerate(items):
            for second in items[i + 1 :]:
                if second.selection.start >= first.selection.end:
                    break
                if first.code_id != second.code_id:
                    a, b = index[first.code_id], index[second.code_id]
                    matrix[a][b] += 1
                    matrix[b][a] += 1
    return [c.name for c in codes], matrix


SEGMENT_COLUMNS = ("code", "transcript", "participant", *ATTRIBUTES, "coder", "start", "end", "text", "memo")


def export_segments(rows: list[dict], kind: str, title: str) -> tuple[bytes, str]:
    """Coded segments as CSV, XLSX or DOCX: (content, MIME type). Pseudonymised text only."""
    if kind == "csv":
        buffer = io.StringIO()
        writer = csvout.DictWriter(
            buffer, fieldnames=SEGMENT_COLUMNS, extrasaction="ignore", lineterminator="\r\n"
        )
        writer.writeheader()
        writer.writerows(rows)
        return buffer.getvalue().encode("utf-8-sig"), "text/csv; charset=utf-8"
    if kind == "xlsx":
        from openpyxl import Workbook
        from openpyxl.styles import Font

        workbook = Workbook()
        sheet = workbook.active
        sheet.title = "segments"
        sheet.append(list(SEGMENT_COLUMNS))
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append([_spreadsheet_safe(row[c]) for c in SEGMENT_COLUMNS])
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    if kind == "docx":
        import docx

        document = docx.Document()
        document.add_heading(refi.xml_safe(title), level=1)
        current = None
        for row in sorted(rows, key=lambda r: (r["code"], r["transcript"], r["start"])):
            if row["code"] != current:
                current = row["code"]
                document.add_heading(refi.xml_safe(current), level=2)
            meta = f"{row['transcript']} · {row['participant'] or '—'} · {row['coder']} · {row['start']}-{row['end']}"
            document.add_paragraph(refi.xml_safe(meta)).italic = True
            document.add_paragraph(refi.xml_safe(row["text"]), style="Quote")
            if row["memo"]:
                document.add_paragraph(refi.xml_safe(f"Memo: {row['memo']}"))
        buffer = io.BytesIO()
        document.save(buffer)
        return buffer.getvalue(), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    raise BeneficeError(f"unknown export format {kind!r} (csv, xlsx, docx)")


def _spreadsheet_safe(value):
    """Text a spreadsheet would run as a formula gets a quote in front (``benefice.csvout``)."""
    if isinstance(value, str):
        value = refi.xml_safe(value)
    return csvout.neutralise(value)


# --------------------------------------------------------------------------------------------- REFI-QDA


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
            refi.Source(
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
        raise BeneficeError("the codebook is empty: nothing to export")
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


def _norm(guid: str) -> str:
    return guid.strip("{}").upper()


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
        transcript = Transcript.objects.create(
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


def _extra(audit_attributes: dict, **fields) -> dict:
    """The ``refi_extra`` of a row: the other tool's audit attributes and fields, empty ones left out."""
    extra = {name: value for name, value in fields.items() if value is not None}
    if audit_attributes:
        extra["audit"] = dict(audit_attributes)
    return extra


def _source_to_json(source: refi.Source, notes: dict) -> dict:
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


def _source_from_json(data: dict, code_guids: set[str], notes: list) -> refi.Source:
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

    return refi.Source(
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


def _json_parts(data: dict):
    """A kept source and every text nested in it (the JSON counterpart of ``refi.Source.walk``)."""
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


def media_code_guids(project: InterviewProject) -> set[str]:
    """GUIDs of the codes that codings on kept media sources use (so an export keeps those codes)."""
    return {_norm(c["code"]) for item in project.other_sources for c in _json_codings(item)}


# ------------------------------------------------------------------- sources kept without their content

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


# ------------------------------------------------------------------------------------ theme suggestions

_PLACEHOLDER = re.compile(r"\[[A-Z_]+_\d+\]")


def uncoded_segments(transcripts) -> list[tuple[Transcript, int, int, str]]:
    """Speaker turns (or lines) that are mostly uncoded: the material for suggesting new themes."""
    out = []
    for transcript in transcripts:
        covered = bytearray(len(transcript.text))
        for start, end in Selection.objects.filter(transcript=transcript, codings__isnull=False).values_list(
            "start", "end"
        ):
            covered[start:end] = b"\x01" * (end - start)
        spans = [(t["start"], t["end"]) for t in transcript.turns] or [
            (m.start(), m.end()) for m in re.finditer(r"[^\n]+", transcript.text)
        ]
        for start, end in spans:
            if end - start < 40:
                continue
            if sum(covered[start:end]) / (end - start) < 0.5:
                out.append((transcript, start, end, transcript.text[start:end]))
    return out


def suggest_themes(project: InterviewProject, transcripts, user, topics: int = 5) -> list[ThemeSuggestion]:
    """Candidate themes: NMF topics over TF-IDF of uncoded turns. Suggestions only, labelled with the method."""
    import sklearn
    from sklearn.decomposition import NMF
    from sklearn.feature_extraction.text import TfidfVectorizer

    segments = uncoded_segments(transcripts)
    if len(segments) < 3:
        raise BeneficeError(
            f"only {len(segments)} mostly uncoded speaker turns: too little text to suggest themes (need 3)"
        )
    stop_words = _stop_words()
    vectorizer = TfidfVectorizer(
        stop_words=sorted(stop_words),
        token_pattern=r"(?u)\b[^\W\d_][\w'-]{2,}\b",
        ngram_range=(1, 2),
        max_df=0.9,
        min_df=1,
        sublinear_tf=True,
    )
    documents = [_PLACEHOLDER.sub(" ", text).lower() for _t, _s, _e, text in segments]
    try:
        matrix = vectorizer.fit_transform(documents)
    except ValueError:
        raise BeneficeError("the uncoded text holds no usable words to suggest themes from") from None
    k = max(1, min(topics, len(segments) - 1, matrix.shape[1] - 1))
    model = NMF(n_components=k, init="nndsvd", random_state=0, max_iter=500)
    weights = model.fit_transform(matrix)
    terms = vectorizer.get_feature_names_out()
    method = (
        f"NMF, {k} topics (scikit-learn {sklearn.__version__}), on TF-IDF (words and pairs of words, "
        f"stop words removed) of {len(segments)} mostly uncoded speaker turns; top terms per topic and the "
        "turns that weigh most"
    )
    project.suggestions.filter(status=ThemeSuggestion.OPEN).delete()
    created = []
    for topic in range(k):
        top = [str(terms[i]) for i in model.components_[topic].argsort()[::-1][:8]]
        best = weights[:, topic].argsort()[::-1][:3]
        examples = [
            {"transcript": segments[i][0].pk, "start": segments[i][1], "end": segments[i][2]}
            for i in best
            if weights[i, topic] > 0
        ]
        created.append(
            ThemeSuggestion.objects.create(
                project=project, label=" · ".join(top[:3]), terms=top, segments=examples, method=method
            )
        )
    audit(
        "suggest",
        _type(project),
        project.pk,
        after={"suggestions": len(created), "method": method},
        user=user,
    )
    return created


def _stop_words() -> set[str]:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    words = set(ENGLISH_STOP_WORDS)
    try:
        from spacy.lang.fr.stop_words import STOP_WORDS

        words |= set(STOP_WORDS)
    except ImportError:  # pragma: no cover - spaCy is a dependency of pseudonymisation
        pass
    words |= {"euh", "ben", "bah", "hum", "voilà", "enfin", "quoi", "truc", "oui", "non", "ouais", "bon"}
    return {w for w in words if re.fullmatch(r"[^\W\d_][\w'-]{2,}", w)}


def accept_suggestion(suggestion: ThemeSuggestion, user) -> Code:
    """Turn a suggestion into a theme code whose memo says where it came from."""
    code = create_code(
        suggestion.project,
        suggestion.label,
        user,
        is_theme=True,
        memo=f"Suggestion ({suggestion.method}); terms: {', '.join(suggestion.terms)}",
    )
    suggestion.status = ThemeSuggestion.ACCEPTED
    suggestion.save(update_fields=["status"])
    return code


# ------------------------------------------------------------------------------------------ groundings


def indicator_codes() -> dict[str, object]:
    from benefice.impact.catalogue import load_indicators

    return load_indicators().indicators


def add_grounding(code: Code, indicator_code: str, user, *, quote: Coding | None = None, note: str = ""):
    indicators = indicator_codes()
    if indicator_code not in indicators:
        raise BeneficeError(f"unknown indicator {indicator_code!r}", field="indicator")
    if quote is not None and quote.code.project_id != code.project_id:
        raise BeneficeError("the quote comes from another project", field="quote")
    grounding = IndicatorGrounding.objects.create(
        indicator_code=indicator_code, code=code, quote=quote, note=note.strip(), created_by=user
    )
    audit(
        "ground",
        "interviews.IndicatorGrounding",
        grounding.pk,
        after={"indicator": indicator_code, "code": code.name, "quote": quote.pk if quote else None},
        user=user,
    )
    return grounding


def groundings_for(indicator_code: str, user) -> list[dict]:
    """Codes and quotes supporting an indicator, only from projects the user belongs to."""
    rows = []
    memberships = dict(Membership.objects.filter(user=user).values_list("project_id", "role")) if user else {}
    groundings = IndicatorGrounding.objects.filter(
        indicator_code=indicator_code, code__project_id__in=list(memberships)
    ).select_related("code__project", "quote__selection__transcript__participant", "created_by")
    for grounding in groundings:
        project = grounding.code.project
        quote = None
        if grounding.quote is not None:
            transcript = grounding.quote.selection.transcript
            if visible_transcripts(project, memberships[project.pk]).filter(pk=transcript.pk).exists():
                quote = {"text": grounding.quote.selection.quote, "transcript": transcript}
        rows.append({"grounding": grounding, "project": project, "quote": quote})
    return rows
