"""Import and pseudonymise: a transcript file becomes a transcript whose detected entities wait for a
lead's review, and the review replaces them consistently across the project before anyone codes it.

The readers of transcript files are ``benefice.interviews.transcripts`` and the detection is
``benefice.interviews.pseudonymise``; this module stores their results and records every decision.
"""

from __future__ import annotations

import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from benefice.core.models import audit
from benefice.errors import BeneficeError
from benefice.i18n import gettext_noop
from benefice.interviews.models import EntityReplacement, InterviewProject, Participant, Transcript
from benefice.interviews.pseudonymise import PERSON, KeepList, Mapping, detect, fold, project_keep_list
from benefice.interviews.services._shared import _type
from benefice.interviews.services.access import parse_names, update_project
from benefice.interviews.transcripts import read_transcript

TRANSCRIPT_FORMATS = ("txt", "docx", "odt", "vtt", "srt")


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
    suffix = Path(file_name).suffix.lower().lstrip(".") or "txt"
    if suffix not in TRANSCRIPT_FORMATS:
        raise BeneficeError(
            gettext_noop("unsupported transcript format “%(format)s” (txt, docx, odt, vtt, srt)"),
            params={"format": suffix},
            path=file_name,
        )
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"upload.{suffix}"
        path.write_bytes(data)
        try:
            parsed = read_transcript(path)
        except BeneficeError as exc:  # name the user's file, not our temporary copy
            raise BeneficeError(exc.template, params=exc.params, path=file_name, line=exc.line) from None
    if not parsed.text.strip():
        raise BeneficeError(gettext_noop("the transcript is empty"), path=file_name)
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
    entries = [
        {"type": r.entity_type, "original": r.original, "replacement": r.replacement}
        for r in project.replacements.exclude(decision=EntityReplacement.REJECTED).order_by("pk")
    ]
    return Mapping.from_json({"lang": project.language, "entries": entries})


def keep_list_for(project: InterviewProject) -> KeepList:
    """The names this project leaves as written: the default list with the project's additions and removals."""
    return project_keep_list(project.kept_names, project.masked_names)


def propose_entities(transcript: Transcript, nlp=None, use_ner: bool = True) -> list[dict]:
    """Detect entities in the original and propose replacements consistent with the project's mapping.

    Public institutions, data sources and drugs (the project's keep-list) are not proposed at all."""
    project = transcript.project
    text = transcript.original_text
    entities = detect(
        text,
        project.language,
        parse_names(project.names_list),
        nlp=nlp,
        use_ner=use_ner,
        keep=keep_list_for(project),
    )
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
    if transcript.is_pseudonymised:
        raise BeneficeError(gettext_noop("this transcript has already been pseudonymised"))
    if transcript.status == Transcript.NO_TEXT:
        raise BeneficeError(
            gettext_noop("the imported file did not include the text of this source: nothing to pseudonymise")
        )
    project = transcript.project
    by_key = {}
    for group in review_groups(transcript):
        choice, custom = decisions.get(group.id, (group.default, ""))
        if choice not in ("accept", "reject", "replace"):
            raise BeneficeError(
                gettext_noop("unknown decision “%(choice)s”"), params={"choice": choice}, field=f"decision-{group.id}"
            )
        if choice == "replace":
            custom = custom.strip()
            if not custom:
                raise BeneficeError(
                    gettext_noop("give the replacement for “%(original)s”"),
                    params={"original": group.original},
                    field=f"custom-{group.id}",
                )
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
