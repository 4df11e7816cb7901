"""Database side of the custodians app: projects from directories, links to publications, benefit records.

The directory file stays the truth for what it says (a re-import updates a project by its reference and
counts it as new, updated or unchanged); what people add — link decisions, benefit records — lives only here
and is never overwritten by an import.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from benefice.corpus.models import Publication
from benefice.weblinks import validate_web_reference


def validate_outputs(value: object) -> None:
    """Each output's reference is a citation, a DOI or an http(s) link (issue 17): a ``javascript:`` or
    ``ftp://`` reference is refused at the model, naming the output."""
    from django.core.exceptions import ValidationError

    for n, output in enumerate(value if isinstance(value, list) else [], start=1):
        reference = str((output or {}).get("reference") or "") if isinstance(output, dict) else ""
        try:
            validate_web_reference(reference)
        except ValidationError as exc:
            raise ValidationError(
                _("Output %(n)s: %(error)s"), code=exc.code, params={"n": n, "error": " ".join(exc.messages)}
            ) from None


class Custodian(models.Model):
    """An organisation that makes data available (the HDH's "entité mettant à disposition")."""

    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=300, unique=True)
    source_ids = models.JSONField(
        default=list, blank=True, help_text="registry ids of the sources it provides"
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("custodian")
        verbose_name_plural = _("custodians")

    def __str__(self) -> str:
        return self.name


class ProjectImport(models.Model):
    """One import of a directory file, with its counts and every rejected row."""

    started_at = models.DateTimeField(auto_now_add=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    origin = models.TextField()
    rows_read = models.PositiveIntegerField(default=0)
    new = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    rejected = models.JSONField(default=list, blank=True)  # [{path, line, field, reason}]
    columns = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]


class Project(models.Model):
    """A project authorised to use a custodian's data, as its directory describes it."""

    reference = models.CharField(_("reference"), max_length=100, unique=True)
    title = models.TextField(_("title"))
    custodian = models.ForeignKey(
        Custodian, null=True, blank=True, on_delete=models.SET_NULL, related_name="projects"
    )
    data_sources = models.JSONField(default=list, blank=True)
    snds_components = models.JSONField(default=list, blank=True)
    hdh_bases = models.JSONField(default=list, blank=True)
    other_sources = models.JSONField(default=list, blank=True)
    source_ids = models.JSONField(default=list, blank=True)
    unrecognised_labels = models.JSONField(default=list, blank=True)
    status = models.CharField(_("status"), max_length=200, blank=True)
    medical_domains = models.JSONField(default=list, blank=True)
    purpose = models.TextField(_("purpose"), blank=True)
    objectives = models.TextField(_("objectives"), blank=True)
    controllers = models.JSONField(default=list, blank=True)  # [{name, type}]
    investigators = models.JSONField(default=list, blank=True)
    start_date = models.DateField(_("start date"), null=True, blank=True)
    raw = models.JSONField(default=dict, blank=True, help_text="the directory row as last read")
    origin = models.TextField(blank=True, help_text="file and line last read from")
    last_import = models.ForeignKey(ProjectImport, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["reference"]
        verbose_name = _("project")
        verbose_name_plural = _("projects")

    def __str__(self) -> str:
        return f"{self.reference} {self.title[:80]}"


class ProjectLink(models.Model):
    """A candidate link between a project and a publication, and the decision a person took on it."""

    CANDIDATE, CONFIRMED, REJECTED = "candidate", "confirmed", "rejected"
    STATUSES = [(CANDIDATE, _("candidate")), (CONFIRMED, _("confirmed")), (REJECTED, _("rejected"))]

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="links")
    publication = models.ForeignKey(Publication, on_delete=models.CASCADE, related_name="project_links")
    score = models.FloatField(null=True, blank=True)
    components = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=STATUSES, default=CANDIDATE, db_index=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["project_id", "-score"]
        constraints = [
            models.UniqueConstraint(fields=["project", "publication"], name="custodians_link_unique")
        ]


class BenefitRecord(models.Model):
    """A structured declaration of what a project produced and changed, at closure or for a year after."""

    CLOSURE, YEARLY = "closure", "yearly"
    KINDS = [(CLOSURE, _("at closure")), (YEARLY, _("yearly follow-up"))]

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="benefit_records")
    kind = models.CharField(_("kind"), max_length=10, choices=KINDS, default=CLOSURE)
    year = models.PositiveSmallIntegerField(_("year"))
    outputs = models.JSONField(  # [{type, description, reference}]
        default=list, blank=True, validators=[validate_outputs]
    )
    decisions = models.TextField(_("decisions informed"), blank=True)
    practice_changes = models.TextField(_("changes in practice"), blank=True)
    people_concerned = models.TextField(_("people concerned"), blank=True)
    published = models.BooleanField(_("published"), default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["project_id", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["project", "kind", "year"], name="custodians_record_unique")
        ]


class BenefitFigure(models.Model):
    """A figure of a benefit record: never without its source."""

    record = models.ForeignKey(BenefitRecord, on_delete=models.CASCADE, related_name="figures")
    indicator = models.CharField(_("indicator"), max_length=10, blank=True)
    label = models.CharField(_("what is counted"), max_length=300)
    value = models.FloatField(_("value"))
    unit = models.CharField(_("unit"), max_length=60, blank=True)
    source = models.TextField(_("source"), validators=[validate_web_reference])

    class Meta:
        ordering = ["pk"]


def _token() -> str:
    import secrets

    return secrets.token_urlsafe(24)


class Questionnaire(models.Model):
    """A survey sent to custodians; answers are stored against the data source they describe."""

    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    source_id = models.CharField(_("data source"), max_length=40, blank=True, help_text="registry id")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("questionnaire")
        verbose_name_plural = _("questionnaires")

    def __str__(self) -> str:
        return self.title


class Question(models.Model):
    KINDS = [
        ("choice", _("choice")),
        ("scale", _("scale")),
        ("number", _("number with unit")),
        ("text", _("free text")),
        ("figure", _("figure with its source")),
    ]

    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveIntegerField(default=0)
    kind = models.CharField(_("type"), max_length=10, choices=KINDS)
    text = models.TextField(_("question"))
    choices = models.JSONField(default=list, blank=True)
    scale_min = models.SmallIntegerField(default=1)
    scale_max = models.SmallIntegerField(default=5)
    unit = models.CharField(_("unit"), max_length=60, blank=True)

    class Meta:
        ordering = ["questionnaire_id", "position", "pk"]

    def spec(self):
        from benefice.custodians.survey import QuestionSpec

        return QuestionSpec(self.kind, tuple(self.choices), self.scale_min, self.scale_max, self.unit)


class Respondent(models.Model):
    """One person asked to answer, reached by a private link that works without an account."""

    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.CASCADE, related_name="respondents")
    label = models.CharField(_("respondent"), max_length=200)
    source_id = models.CharField(_("data source"), max_length=40, blank=True)
    token = models.CharField(max_length=64, unique=True, default=_token)
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["questionnaire_id", "pk"]


class Response(models.Model):
    respondent = models.ForeignKey(Respondent, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    value = models.TextField(blank=True)
    number = models.FloatField(null=True, blank=True)
    source = models.TextField(blank=True, validators=[validate_web_reference])
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["respondent", "question"], name="custodians_response_unique")
        ]
