"""Impact cases in the database (summary, publications, policy decisions, figures, timeline), so people can
edit them with a history.

The truth stays in the versioned data file (``data/cases.yaml``); the sync in ``services`` loads it and the
export writes it back. Rows convert to the frozen dataclasses of ``catalogue`` (``to_catalogue_case``) so
the pure ranking and value code runs on what people edited, not on a stale copy of the file. A figure is
coded against an indicator of ``benefice.indicators``.

Every prose field is stored twice, ``<field>_fr`` and ``<field>_en`` (French is the original); the
property of the plain name (``figure.label``) gives the version of the active language, falling back to the
other (``i18n.pick``), so a template only writes ``{{ figure.label }}``. Rows from before the French texts
(migration 0003) kept their text in ``_en`` and show it until the data file's French arrives.

Dates are kept as text because the sources are as precise as they are: ``2009``, ``2009-11`` or
``2009-11-30``. Every case edit bumps ``Case.version`` (optimistic locking: a second editor working from an
older version gets a conflict instead of silently overwriting the first).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from benefice.cases import catalogue
from benefice.curated import Text
from benefice.i18n import pick
from benefice.weblinks import validate_web_url


def _prose(fr: str, en: str) -> catalogue.Prose:
    return catalogue.Prose(fr, en)


class Picked:
    """A read-only attribute: the active language's version of the ``<name>_fr`` / ``<name>_en`` pair."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __get__(self, obj, owner=None):
        if obj is None:
            return self
        return pick(getattr(obj, f"{self.name}_fr"), getattr(obj, f"{self.name}_en"), get_language())


class BilingualMixin:
    def prose(self, name: str) -> catalogue.Prose:
        """The pair as the catalogue's bilingual text."""
        return _prose(getattr(self, f"{name}_fr"), getattr(self, f"{name}_en"))


class Case(BilingualMixin, models.Model):
    """An impact case in the REF/Payback shape: summary, publications, decisions, figures, timeline."""

    id = models.SlugField(primary_key=True, max_length=80)
    title_fr = models.TextField()
    title_en = models.TextField()
    summary_fr = models.TextField(blank=True)
    summary_en = models.TextField(blank=True)
    categories = models.JSONField(default=list)
    data_sources = models.JSONField(default=list, blank=True)
    attribution_grade = models.CharField(max_length=20)
    notes_fr = models.TextField(blank=True)
    notes_en = models.TextField(blank=True)
    position = models.PositiveIntegerField(default=0, help_text="order in the data file")
    file_version = models.CharField(max_length=40, blank=True, help_text="cases file version last loaded")
    edited = models.BooleanField(default=False, help_text="changed in the web app since the last load")
    version = models.PositiveIntegerField(default=1, help_text="incremented on each save: optimistic locking")
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)

    summary = Picked("summary")
    notes = Picked("notes")

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("impact case")
        verbose_name_plural = _("impact cases")

    def __str__(self) -> str:
        return self.id

    def title(self, language: str = "fr") -> str:
        return pick(self.title_fr, self.title_en, language)

    @property
    def has_unverified(self) -> bool:
        return (
            self.publications.filter(verified=False).exists()
            or self.decisions.filter(verified=False).exists()
            or self.figures.filter(verified=False).exists()
            or self.timeline.filter(verified=False).exists()
        )

    def to_catalogue_case(self) -> catalogue.Case:
        """The case as the frozen dataclass the pure modules (ranking, values, classifier) work on."""
        return catalogue.Case(
            id=self.id,
            title=Text(fr=self.title_fr, en=self.title_en),
            summary=self.prose("summary"),
            categories=tuple(self.categories),
            data_sources=tuple(self.data_sources),
            attribution_grade=self.attribution_grade,
            publications=tuple(p.to_catalogue() for p in self.publications.all()),
            decisions=tuple(d.to_catalogue() for d in self.decisions.all()),
            figures=tuple(f.to_catalogue() for f in self.figures.all()),
            timeline=tuple(t.to_catalogue() for t in self.timeline.all()),
            notes=self.prose("notes"),
        )


class SourceFields(BilingualMixin, models.Model):
    """Where something comes from: a DOI or URL, and the exact place in it (location) or a quote."""

    source_doi = models.CharField(_("source DOI"), max_length=255, blank=True)
    # http(s) only, at the model too (issue 17): Django's URLValidator alone lets ftp:// through
    source_url = models.URLField(_("source URL"), max_length=1000, blank=True, validators=[validate_web_url])
    source_pmid = models.CharField(_("source PMID"), max_length=20, blank=True)
    source_location_fr = models.TextField(_("location in the source (French)"), blank=True)
    source_location_en = models.TextField(_("location in the source (English)"), blank=True)
    source_quote = models.TextField(_("quote from the source"), blank=True)
    source_provenance = models.CharField(
        max_length=10, blank=True, help_text="S: archived source; S-prev: earlier compilation; M: unchecked"
    )
    verified = models.BooleanField(default=True)

    source_location = Picked("source_location")

    class Meta:
        abstract = True

    @property
    def source_link(self) -> str:
        """The one click to the evidence: the DOI resolver when there is a DOI, else the URL."""
        if self.source_doi:
            return f"https://doi.org/{self.source_doi}"
        return self.source_url

    def source_catalogue(self) -> catalogue.Reference:
        return catalogue.Reference(
            doi=self.source_doi,
            url=self.source_url,
            pmid=self.source_pmid,
            location=self.prose("source_location"),
            quote=self.source_quote,
            provenance=self.source_provenance,
        )

    @property
    def has_source(self) -> bool:
        return bool(self.source_doi or self.source_url)


class CasePublication(models.Model):
    """A publication underpinning a case, linked to the corpus when its DOI or PMID is there."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="publications")
    position = models.PositiveIntegerField(default=0)
    citation = models.TextField()
    doi = models.CharField(max_length=255, blank=True, db_index=True)
    pmid = models.CharField(max_length=20, blank=True)
    url = models.URLField(max_length=1000, blank=True, validators=[validate_web_url])
    verified = models.BooleanField(default=True)
    language = models.CharField(max_length=12, blank=True, help_text="ISO 639-1 code of the publication")
    publication = models.ForeignKey(
        "corpus.Publication", null=True, blank=True, on_delete=models.SET_NULL, related_name="impact_cases"
    )

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.citation[:80]

    @property
    def link(self) -> str:
        if self.doi:
            return f"https://doi.org/{self.doi}"
        if self.pmid:
            return f"https://pubmed.ncbi.nlm.nih.gov/{self.pmid}/"
        return self.url

    def to_catalogue(self) -> catalogue.Publication:
        return catalogue.Publication(
            citation=self.citation,
            doi=self.doi,
            pmid=self.pmid,
            url=self.url,
            verified=self.verified,
            language=self.language,
        )

    @property
    def citation_language(self) -> str:
        """The language of the citation when known (the case file's, else the corpus record's): the page sets
        it as the citation's ``lang``."""
        if self.language:
            return self.language
        corpus_language = (self.publication.language if self.publication_id and self.publication else "").lower()
        return {"eng": "en", "fre": "fr", "fra": "fr"}.get(corpus_language, corpus_language if len(corpus_language) == 2 else "")


class PolicyDecision(SourceFields):
    """A decision the case's evidence informed, coded on the ordinal scale of typology.decision_types."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="decisions")
    position = models.PositiveIntegerField(default=0)
    agency_fr = models.CharField(max_length=200, blank=True)
    agency_en = models.CharField(max_length=200, blank=True)
    date = models.CharField(max_length=10)
    type = models.CharField(max_length=40)
    scope = models.CharField(max_length=20, default="national")
    description_fr = models.TextField(blank=True)
    description_en = models.TextField(blank=True)
    provenance = models.CharField(max_length=10, blank=True, help_text="the decision's own provenance tag")

    agency = Picked("agency")
    description = Picked("description")

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return f"{self.agency} {self.date} {self.type}"

    def to_catalogue(self) -> catalogue.PolicyDecision:
        return catalogue.PolicyDecision(
            agency=self.prose("agency"),
            date=self.date,
            type=self.type,
            description=self.prose("description"),
            scope=self.scope,
            reference=self.source_catalogue() if self.has_source else None,
            provenance=self.provenance,
            verified=self.verified,
        )


class Figure(SourceFields):
    """One number (or narrative) about a case, with its range, population, period, source and grades."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="figures")
    position = models.PositiveIntegerField(default=0)
    indicator = models.ForeignKey("indicators.Indicator", on_delete=models.PROTECT, related_name="figures")
    label_fr = models.TextField(blank=True)
    label_en = models.TextField(blank=True)
    value = models.FloatField(null=True, blank=True)
    low = models.FloatField(null=True, blank=True)
    high = models.FloatField(null=True, blank=True)
    unit = models.CharField(max_length=40)
    text_fr = models.TextField(blank=True)
    text_en = models.TextField(blank=True)
    population_fr = models.TextField(blank=True)
    population_en = models.TextField(blank=True)
    period_fr = models.CharField(max_length=100, blank=True)
    period_en = models.CharField(max_length=100, blank=True)
    evidence_grade = models.CharField(max_length=20)
    attribution_grade = models.CharField(max_length=20)
    entered_by = models.CharField(max_length=200)
    entered_at = models.CharField(max_length=10)

    label = Picked("label")
    text = Picked("text")
    population = Picked("population")
    period = Picked("period")

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.label[:60]}"

    def to_catalogue(self) -> catalogue.Figure:
        return catalogue.Figure(
            indicator=self.indicator_id,
            label=self.prose("label"),
            unit=self.unit,
            source=self.source_catalogue(),
            evidence_grade=self.evidence_grade,
            attribution_grade=self.attribution_grade,
            entered_by=self.entered_by,
            entered_at=self.entered_at,
            value=self.value,
            low=self.low,
            high=self.high,
            text=self.prose("text"),
            population=self.prose("population"),
            period=self.prose("period"),
            verified=self.verified,
        )


class TimelineEvent(BilingualMixin, models.Model):
    """A dated step of a case; its ``kind`` (catalogue.TIMELINE_KINDS) says which step is the study."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="timeline")
    position = models.PositiveIntegerField(default=0)
    date = models.CharField(max_length=10)
    kind = models.CharField(
        max_length=20, default="other", choices=[(k, k) for k in catalogue.TIMELINE_KINDS]
    )
    event_fr = models.TextField(blank=True)
    event_en = models.TextField(blank=True)
    verified = models.BooleanField(default=True)

    event = Picked("event")

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return f"{self.date} {self.event[:60]}"

    def to_catalogue(self) -> catalogue.TimelineEvent:
        return catalogue.TimelineEvent(
            date=self.date, event=self.prose("event"), kind=self.kind, verified=self.verified
        )
