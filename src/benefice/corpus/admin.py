"""Django admin for the corpus: a read-mostly window for administrators.

Raw records and merge events are provenance: the admin shows them but does not let anyone edit or delete
them (undo a merge from the publication page, which keeps the history). Publications can be corrected.
"""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from benefice.corpus.models import ImportBatch, MergeEvent, Publication, RawRecord


class ReadOnlyAdmin(admin.ModelAdmin):
    """Viewable, never added, changed or deleted through the admin."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class RawRecordInline(admin.TabularInline):
    model = RawRecord
    fields = ("source_format", "origin", "position", "line", "batch")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(Publication)
class PublicationAdmin(admin.ModelAdmin):
    list_display = ("pk", "title", "year", "journal", "doi", "pmid", "doc_type", "language")
    list_filter = ("doc_type", "language", "oa_status")
    search_fields = ("title", "doi", "pmid", "pmcid", "openalex_id", "hal_id", "journal")
    readonly_fields = ("field_sources", "search_text", "created_at", "updated_at")
    inlines = [RawRecordInline]


@admin.register(RawRecord)
class RawRecordAdmin(ReadOnlyAdmin):
    list_display = ("pk", "source_format", "origin", "position", "line", "batch", "publication")
    list_filter = ("source_format",)
    search_fields = ("origin", "content_hash", "raw")
    list_select_related = ("batch", "publication")


@admin.register(ImportBatch)
class ImportBatchAdmin(ReadOnlyAdmin):
    list_display = (
        "pk",
        "kind",
        "format",
        "status",
        "user",
        "started_at",
        "records_read",
        "new_publications",
        "duplicates_merged",
        "already_known",
    )
    list_filter = ("status", "kind", "format")
    search_fields = ("origin",)


@admin.register(MergeEvent)
class MergeEventAdmin(ReadOnlyAdmin):
    list_display = ("pk", "publication", "raw_record", "method", "score", "created_at", "undone_at")
    list_filter = ("method",)
    list_select_related = ("publication", "raw_record")
