"""Every view starts from ``_project``, so a non-member gets the same 404 as for a project that does not
exist (the project's existence is itself confidential).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from benefice.interviews import services
from benefice.interviews.models import InterviewProject, Membership, Transcript

LEAD, CODER, VIEWER = Membership.LEAD, Membership.CODER, Membership.VIEWER


def _project(request, pk: int, roles: tuple[str, ...] | None = None) -> tuple[InterviewProject, str]:
    project = get_object_or_404(InterviewProject, pk=pk)
    role = services.role_in(project, request.user)
    if role is None:
        raise Http404
    if roles and role not in roles:
        raise PermissionDenied
    return project, role


def _transcript(project: InterviewProject, role: str, transcript_id: int) -> Transcript:
    return get_object_or_404(services.visible_transcripts(project, role), pk=transcript_id)


def _ints(values) -> list[int]:
    return [int(v) for v in values if str(v).isdecimal()]


def _context(project, role, **extra) -> dict:
    return {
        "project": project,
        "role": role,
        "is_lead": role == LEAD,
        "can_code": role in (LEAD, CODER),
        **extra,
    }


def error_text(exc) -> str:
    """A ``BeneficeError`` as the reader reads it: in the page's language, a file named without its
    directory; without a file, line or record, the message alone (the field's internal name means nothing
    to a reader: the form shows where)."""
    from benefice.core.forms import reader_language

    lang = reader_language()
    if exc.path or exc.line is not None or exc.record is not None:
        return exc.localized(lang, name_only=True)
    return exc.localized_message(lang)
