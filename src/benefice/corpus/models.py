"""The corpus: publications, the verbatim records they were merged from, and the batches that brought them.

Nothing a user imported is ever dropped: every input record is a ``RawRecord``; a ``Publication`` is a view
merged from one or more of them, and ``MergeEvent`` keeps each merge so it can be reviewed and undone.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from benefice.weblinks import validate_web_url_or_doi


class ImportBatch(models.Model):
    class Status(models.TextChoices):
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")
        INTERRUPTED = "interrupted", _("interrupted")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    kind = models.CharField(max_length=20, default="file")  # file, openalex, pubmed, hal, crossref, demo
    origin = models.TextField(help_text="file path or API query")
    format = models.CharField(max_length=40, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.RUNNING)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    records_read = models.PositiveIntegerField(default=0)
    new_publications = models.PositiveIntegerField(default=0)
    duplicates_merged = models.PositiveIntegerField(default=0)
    already_known = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    state = models.JSONField(default=dict, blank=True, help_text="resume state (cursor, slice…)")

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("import batch")
        verbose_name_plural = _("import batches")

    def __str__(self) -> str:
        return f"#{self.pk} {self.kind} {self.origin}"


class Publication(models.Model):
    doi = models.CharField(max_length=255, blank=True, db_index=True)
    pmid = models.CharField(max_length=20, blank=True, db_index=True)
    pmcid = models.CharField(max_length=20, blank=True, db_index=True)
    openalex_id = models.CharField(max_length=20, blank=True, db_index=True)
    hal_id = models.CharField(max_length=40, blank=True, db_index=True)
    title = models.TextField(blank=True)
    abstract = models.TextField(blank=True)
    year = models.PositiveSmallIntegerField(null=True, blank=True, db_index=True)
    date = models.CharField(max_length=10, blank=True)
    journal = models.TextField(blank=True)
    issn = models.JSONField(default=list, blank=True)
    publisher = models.TextField(blank=True)
    volume = models.CharField(max_length=64, blank=True)
    issue = models.CharField(max_length=64, blank=True)
    pages = models.CharField(max_length=64, blank=True)
    doc_type = models.CharField(max_length=40, blank=True, db_index=True)
    language = models.CharField(max_length=12, blank=True, db_index=True)
    authors = models.JSONField(default=list, blank=True)
    keywords = models.JSONField(default=list, blank=True)
    mesh = models.JSONField(default=list, blank=True)
    funders = models.JSONField(default=list, blank=True)
    oa_status = models.CharField(max_length=20, blank=True)
    cited_by_count = models.PositiveIntegerField(null=True, blank=True)
    referenced_works = models.JSONField(default=list, blank=True)
    # http(s) or a DOI (issue 17); an import drops a refused URL and says so (fields.acceptable)
    url = models.TextField(blank=True, validators=[validate_web_url_or_doi])
    field_sources = models.JSONField(
        default=dict, blank=True, help_text="field name → id of the RawRecord its value came from"
    )
    search_text = models.TextField(
        blank=True, help_text="title, authors, abstract, keywords for full-text search"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-year", "title"]
        verbose_name = _("publication")
        verbose_name_plural = _("publications")

    def __str__(self) -> str:
        return self.title[:120] or f"publication {self.pk}"

    @property
    def author_names(self) -> list[str]:
        return [a.get("name", "") for a in self.authors]

    @property
    def sources_label(self) -> str:
        formats = sorted({r.source_format for r in self.raw_records.all()})
        return ", ".join(formats)


class RawRecord(models.Model):
    """One record exactly as read, with where it came from."""

    batch = models.ForeignKey(ImportBatch, on_delete=models.PROTECT, related_name="raw_records")
    publication = models.ForeignKey(
        Publication, on_delete=models.PROTECT, related_name="raw_records", null=True, blank=True
    )
    source_format = models.CharField(max_length=40)
    origin = models.TextField(help_text="file name or API URL")
    position = models.PositiveIntegerField(help_text="1-based index in its file or response stream")
    line = models.PositiveIntegerField(null=True, blank=True)
    raw = models.TextField()
    parsed = models.JSONField(default=dict)
    content_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["batch_id", "position"]

    def __str__(self) -> str:
        return f"{self.source_format} #{self.position} ({self.origin})"


class MergeEvent(models.Model):
    """A raw record attached to a publication that already existed: reviewable and undoable."""

    class Method(models.TextChoices):
        IDENTIFIER = "identifier", _("same identifier")
        FUZZY = "fuzzy", _("fuzzy match")
        MANUAL = "manual", _("manual")

    publication = models.ForeignKey(Publication, on_delete=models.CASCADE, related_name="merge_events")
    raw_record = models.ForeignKey(RawRecord, on_delete=models.CASCADE, related_name="merge_events")
    method = models.CharField(max_length=20, choices=Method.choices)
    score = models.FloatField(null=True, blank=True)
    reason = models.TextField(blank=True)  # in English, for the admin and logs
    #: the reason as messages (template and parameters), said in the reader's language by the pages
    reason_data = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed = models.BooleanField(default=False)
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    split_into = models.ForeignKey(
        Publication, null=True, blank=True, on_delete=models.SET_NULL, related_name="split_from"
    )

    class Meta:
        ordering = ["-created_at"]


class DedupKey(models.Model):
    """A blocking key of a publication (DOI, PMID, title skeleton…): candidates for duplicates are looked up
    here, so importing a large file keeps memory flat instead of holding the whole corpus in an index."""

    key = models.CharField(max_length=255, db_index=True)
    publication = models.ForeignKey(Publication, on_delete=models.CASCADE, related_name="dedup_keys")
    # the year the engine compares (its prepared form's): a candidate two years away from a record can only
    # be its duplicate through a shared identifier, so title and author keys skip it before its form is read
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    # (the foreign key's own index serves look-ups by publication: a second one only slowed every insert)


class DedupForm(models.Model):
    """A publication's prepared deduplication form (:func:`benefice.corpus.dedup.dump_prepared`), written with
    its keys: reading it back is about twenty times cheaper than preparing the publication again, which a
    large import does for every stored candidate it compares."""

    publication = models.OneToOneField(
        Publication, on_delete=models.CASCADE, primary_key=True, related_name="dedup_form"
    )
    form = models.TextField()


class CorpusGeneration(models.Model):
    """One row whose ``token`` changes, by database trigger, whenever the corpus a list page shows changes.

    Changed in the same transaction as the data (publications, their raw records, their source detections),
    so a reader who sees a token sees the data it stands for; a random value rather than a counter, so a
    rolled-back write cannot hand a later, different corpus the token of a page computed inside it. The
    list pages key their cached counts and facets by it (``corpus.listcache``): never stale, whatever
    process or path wrote (an import, a merge, a correction, raw SQL)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    token = models.CharField(max_length=64, default="")

    class Meta:
        db_table = "corpus_generation"
