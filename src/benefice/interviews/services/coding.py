"""Coding: applying a code to a passage of a pseudonymised transcript, removing it, and the codings a page
of the coding screen carries. Every coding and removal is audited.
"""

from __future__ import annotations

from django.db import transaction

from benefice.core.models import audit
from benefice.errors import BeneficeError
from benefice.i18n import gettext_noop
from benefice.interviews.models import Code, Coder, Coding, InterviewProject, Selection, Transcript
from benefice.interviews.services._shared import _type


def coder_for(project: InterviewProject, user) -> Coder:
    coder = Coder.objects.filter(project=project, user=user).first()
    if coder is None:
        coder = Coder.objects.create(project=project, user=user, name=user.get_username())
    return coder


def _as_int(value, name: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise BeneficeError(
            gettext_noop("%(name)s must be an integer, got “%(value)s”"),
            params={"name": name, "value": value},
            field=name,
        ) from None


@transaction.atomic
def add_coding(transcript: Transcript, start, end, code: Code, user, memo: str = "") -> Coding:
    """Apply ``code`` to characters ``start``..``end`` of the pseudonymised text (overlaps are allowed)."""
    if not transcript.is_pseudonymised:
        raise BeneficeError(gettext_noop("a transcript is coded only once its pseudonymisation has been reviewed"))
    start, end = _as_int(start, "start"), _as_int(end, "end")
    length = len(transcript.text)
    if not 0 <= start < end <= length:
        raise BeneficeError(
            gettext_noop(
                "selection %(start)s-%(end)s is out of range or empty: the text has %(length)s characters "
                "(need 0 <= start < end <= length)"
            ),
            params={"start": start, "end": end, "length": length},
            field="end" if end > length else "start",
        )
    if code.project_id != transcript.project_id or not code.active or not code.is_codable:
        raise BeneficeError(
            gettext_noop("code “%(code)s” cannot be applied in this project"), params={"code": code.name}, field="code"
        )
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
