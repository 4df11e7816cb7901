"""Who may do what in an interview project, and the project's own settings: projects, members and their
roles, participants, and the project list of names the pseudonymisation masks in every transcript.

Site roles give no access to interviews: only a membership does, so that coders see only what the lead
lets them see, whichever view or command asks.
"""

from __future__ import annotations

from django.db import transaction

from benefice.core.models import audit
from benefice.errors import BeneficeError
from benefice.i18n import gettext_noop
from benefice.interviews.models import InterviewProject, Membership, Participant, Transcript
from benefice.interviews.pseudonymise import ORG, PERSON, PLACE
from benefice.interviews.services._shared import _type

ATTRIBUTES = ("role", "organisation", "data_source")


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
        raise BeneficeError(gettext_noop("a project needs a name"), field="name")
    if InterviewProject.objects.filter(name=name).exists():
        raise BeneficeError(
            gettext_noop("a project named “%(name)s” already exists"), params={"name": name}, field="name"
        )
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
        "kept_names": [line.strip() for line in project.kept_names.splitlines() if line.strip()],
        "masked_names": [line.strip() for line in project.masked_names.splitlines() if line.strip()],
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
        raise BeneficeError(
            gettext_noop("unknown project role “%(role)s” (lead, coder, viewer)"), params={"role": role}, field="role"
        )
    if before == Membership.LEAD and role != Membership.LEAD:
        if project.memberships.filter(role=Membership.LEAD).count() == 1:
            raise BeneficeError(gettext_noop("a project needs at least one lead"), field="role")
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
        raise BeneficeError(gettext_noop("a participant needs a pseudonymous code"), field="code")
    clash = project.participants.filter(code=code)
    if participant is not None:
        clash = clash.exclude(pk=participant.pk)
    if clash.exists():
        raise BeneficeError(
            gettext_noop("participant code “%(code)s” is already used in this project"),
            params={"code": code},
            field="code",
        )
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


def parse_names(text: str) -> list[tuple[str, str]]:
    """The project list of names (same format as ``benefice pseudonymise --names``)."""
    names: list[tuple[str, str]] = []
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, _, kind = line.partition("\t")
        kind = kind.strip().upper() or PERSON
        if kind not in (PERSON, PLACE, ORG):
            raise BeneficeError(
                gettext_noop("list of names: unknown type “%(kind)s” (PERSON, PLACE or ORG)"),
                params={"kind": kind},
                line=number,
            )
        names.append((name.strip(), kind))
    return names
