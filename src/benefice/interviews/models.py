"""Interview projects: who may see what, pseudonymised transcripts, the codebook and the codings.

Why the shape: coders must only ever see pseudonymised text, so a ``Transcript`` keeps the text shown to
coders (``text``) apart from the original, which is held only while a lead reviews the detected entities
and afterwards only if the project says originals are kept. Selections and codings follow REFI-QDA (a
selection of characters, then one coding per code and coder) so a project can go to NVivo, ATLAS.ti,
MAXQDA or QualCoder and come back without loss. Coders are project-level identities (``Coder``) rather
than Django accounts because coders imported from another tool have no account here.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


def new_guid() -> str:
    """REFI-QDA GUIDs are upper-case UUIDs; ours are too, so exports need no conversion."""
    return str(uuid.uuid4()).upper()


class InterviewProject(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True)
    description = models.TextField(_("description"), blank=True)
    language = models.CharField(
        _("language of the interviews"),
        max_length=2,
        choices=[("fr", "Français"), ("en", "English")],
        default="fr",
    )
    keep_originals = models.BooleanField(
        _("keep original transcripts"),
        default=False,
        help_text=_("When off, the original text is deleted once pseudonymisation has been reviewed."),
    )
    names_list = models.TextField(
        _("project list of names"),
        blank=True,
        help_text=_("One per line, optionally 'name<TAB>PERSON|PLACE|ORG'; always masked."),
    )
    # Public institutions, data sources and drugs are kept as written (pseudonymise.default_keep_list);
    # a project adds names to keep, or names of that list to mask anyway (one per line each).
    kept_names = models.TextField(
        _("names kept as written"),
        blank=True,
        help_text=_(
            "One per line: public bodies, data sources or drugs to leave unmasked, in addition to the "
            "default list (registry sources, public health institutions, drugs)."
        ),
    )
    masked_names = models.TextField(
        _("default kept names to mask anyway"),
        blank=True,
        help_text=_("One per line: names of the default kept list that this project masks all the same."),
    )
    notes = models.JSONField(default=list, blank=True)  # REFI project-level notes: [{guid, name, text}]
    # REFI picture, PDF, audio and video sources, kept as read (positions, codings) without their media
    other_sources = models.JSONField(default=list, blank=True)
    guid = models.CharField(max_length=40, default=new_guid)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, through="Membership", related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("interview project")

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    LEAD, CODER, VIEWER = "lead", "coder", "viewer"
    ROLES = [(LEAD, _("lead")), (CODER, _("coder")), (VIEWER, _("viewer"))]

    project = models.ForeignKey(InterviewProject, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="interview_roles"
    )
    role = models.CharField(max_length=10, choices=ROLES, default=CODER)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["project", "user"], name="one_role_per_project")]

    def __str__(self) -> str:
        return f"{self.user} · {self.role} · {self.project}"


class Participant(models.Model):
    """A person interviewed, known only by a pseudonymous code; consent metadata travel with them."""

    TEAM, LEADS = "team", "leads"
    VISIBILITY = [(TEAM, _("all project members")), (LEADS, _("project leads only"))]

    project = models.ForeignKey(InterviewProject, on_delete=models.CASCADE, related_name="participants")
    code = models.CharField(_("pseudonymous code"), max_length=40)
    attributes = models.JSONField(default=dict, blank=True)  # role, organisation, data_source
    legal_basis = models.CharField(_("legal basis"), max_length=200, blank=True)
    consent_date = models.DateField(_("consent date"), null=True, blank=True)
    retention_date = models.DateField(_("keep until"), null=True, blank=True)
    visibility = models.CharField(_("who may see"), max_length=10, choices=VISIBILITY, default=TEAM)

    class Meta:
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["project", "code"], name="participant_code_unique")]

    def __str__(self) -> str:
        return self.code


class InterviewGuide(models.Model):
    project = models.ForeignKey(InterviewProject, on_delete=models.CASCADE, related_name="guides")
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("questions"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title


class Transcript(models.Model):
    IMPORTED, PSEUDONYMISED, NO_TEXT = "imported", "pseudonymised", "no_text"
    STATUSES = [
        (IMPORTED, _("imported, awaiting review")),
        (PSEUDONYMISED, _("pseudonymised (reviewed)")),
        (NO_TEXT, _("text not included in the imported file")),
    ]

    project = models.ForeignKey(InterviewProject, on_delete=models.CASCADE, related_name="transcripts")
    participant = models.ForeignKey(
        Participant, null=True, blank=True, on_delete=models.SET_NULL, related_name="transcripts"
    )
    title = models.CharField(_("title"), max_length=200)
    file_name = models.CharField(max_length=255, blank=True)
    format = models.CharField(max_length=10, blank=True)
    text = models.TextField(blank=True)  # pseudonymised: the only text coders see
    turns = models.JSONField(default=list, blank=True)  # [{speaker, start_seconds, end_seconds, start, end}]
    original_text = models.TextField(blank=True)  # during review; afterwards only if the project keeps it
    review = models.JSONField(default=list, blank=True)  # proposed entities (hold originals: leads only)
    report = models.JSONField(default=dict, blank=True)  # counts by type and decision, no originals
    status = models.CharField(max_length=20, choices=STATUSES, default=IMPORTED)
    memo = models.TextField(blank=True)
    refi_paths = models.JSONField(
        default=dict, blank=True
    )  # REFI plainTextPath etc. of a source without text
    # What another tool gave that we do not use but give back on export: audit attributes
    # (creatingUser, creationDateTime, modifyingUser, modifiedDateTime) and the source's description.
    refi_extra = models.JSONField(default=dict, blank=True)
    guid = models.CharField(max_length=40, default=new_guid)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["title", "pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_pseudonymised(self) -> bool:
        return self.status == self.PSEUDONYMISED


class EntityReplacement(models.Model):
    """Project-wide decision for one original: the same person gets the same pseudonym everywhere.

    Holds originals, so only project leads see it, and no export includes it.
    """

    ACCEPTED, REPLACED, REJECTED = "accepted", "replaced", "rejected"
    DECISIONS = [
        (ACCEPTED, _("accepted")),
        (REPLACED, _("replaced by hand")),
        (REJECTED, _("not personal data")),
    ]

    project = models.ForeignKey(InterviewProject, on_delete=models.CASCADE, related_name="replacements")
    entity_type = models.CharField(max_length=20)
    key = models.CharField(max_length=300)  # folded original (case, accents, spacing ignored)
    original = models.CharField(max_length=300)
    replacement = models.CharField(max_length=300, blank=True)
    decision = models.CharField(max_length=10, choices=DECISIONS, default=ACCEPTED)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["project", "entity_type", "key"], name="one_replacement_per_original"
            )
        ]


class Coder(models.Model):
    """Who coded: a member of this site, or a coder named in an imported REFI-QDA project."""

    project = models.ForeignKey(InterviewProject, on_delete=models.CASCADE, related_name="coders")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    name = models.CharField(max_length=150)
    guid = models.CharField(max_length=40, default=new_guid)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["project", "guid"], name="coder_guid_unique")]

    def __str__(self) -> str:
        return self.name


class Code(models.Model):
    project = models.ForeignKey(InterviewProject, on_delete=models.CASCADE, related_name="codes")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children"
    )
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    colour = models.CharField(_("colour"), max_length=7, default="#ffd966")
    memo = models.TextField(_("memo"), blank=True)
    is_theme = models.BooleanField(_("theme"), default=False)
    is_codable = models.BooleanField(default=True)
    active = models.BooleanField(default=True)
    guid = models.CharField(max_length=40, default=new_guid)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if not self.colour.startswith("#") or len(self.colour) not in (4, 7):
            raise ValidationError({"colour": _("A colour is #RRGGBB.")})


class CodebookVersion(models.Model):
    project = models.ForeignKey(InterviewProject, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    note = models.TextField(blank=True)
    snapshot = models.JSONField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["project", "number"], name="codebook_version_unique")]


class Selection(models.Model):
    """Characters ``start`` to ``end`` (end exclusive) of a transcript's pseudonymised text."""

    transcript = models.ForeignKey(Transcript, on_delete=models.CASCADE, related_name="selections")
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    memo = models.TextField(blank=True)
    created_by = models.ForeignKey(Coder, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    guid = models.CharField(max_length=40, default=new_guid)
    created_at = models.DateTimeField(auto_now_add=True)
    # REFI codings of a whole source are held by a selection spanning the text; exported back as such
    whole_source = models.BooleanField(default=False)
    refi_extra = models.JSONField(default=dict, blank=True)  # imported name, description, audit attributes

    class Meta:
        ordering = ["transcript", "start", "end", "pk"]

    def clean(self) -> None:
        if not 0 <= self.start < self.end <= len(self.transcript.text):
            raise ValidationError(
                _("Selection %(start)s-%(end)s is outside the text (0-%(length)s) or empty.")
                % {"start": self.start, "end": self.end, "length": len(self.transcript.text)}
            )

    @property
    def quote(self) -> str:
        return self.transcript.text[self.start : self.end]


class Coding(models.Model):
    selection = models.ForeignKey(Selection, on_delete=models.CASCADE, related_name="codings")
    code = models.ForeignKey(Code, on_delete=models.CASCADE, related_name="codings")
    coder = models.ForeignKey(Coder, on_delete=models.CASCADE, related_name="codings")
    memo = models.TextField(blank=True)
    guid = models.CharField(max_length=40, default=new_guid)
    created_at = models.DateTimeField(auto_now_add=True)
    refi_extra = models.JSONField(default=dict, blank=True)  # imported creationDateTime, given back as read

    class Meta:
        ordering = ["selection__start", "pk"]


class CodeChange(models.Model):
    """The codebook's history: creations, renames, merges, splits, with before and after."""

    project = models.ForeignKey(InterviewProject, on_delete=models.CASCADE, related_name="code_changes")
    kind = models.CharField(max_length=20)  # create, rename, edit, merge, split, move, import, starter
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    note = models.TextField(blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    when = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-when", "-pk"]


class ThemeSuggestion(models.Model):
    """A candidate theme computed from uncoded text: never a code until someone accepts it."""

    OPEN, ACCEPTED, DISMISSED = "open", "accepted", "dismissed"

    project = models.ForeignKey(InterviewProject, on_delete=models.CASCADE, related_name="suggestions")
    label = models.CharField(max_length=200)
    terms = models.JSONField(default=list)
    segments = models.JSONField(default=list)  # [{transcript, start, end}] best examples
    method = models.TextField()
    is_suggestion = models.BooleanField(default=True, editable=False)
    status = models.CharField(max_length=10, default=OPEN)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["status", "-created_at", "pk"]


class IndicatorGrounding(models.Model):
    """An indicator of the catalogue cites a code (and optionally one quote) that supports it."""

    indicator_code = models.CharField(max_length=20, db_index=True)
    code = models.ForeignKey(Code, on_delete=models.CASCADE, related_name="groundings")
    quote = models.ForeignKey(
        Coding, null=True, blank=True, on_delete=models.SET_NULL, related_name="groundings"
    )
    note = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["indicator_code", "pk"]
