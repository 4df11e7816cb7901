"""Read-only admin views: people edit cases in the app (which validates and audits)."""

from django.contrib import admin

from benefice.cases.models import Case, CasePublication, Figure, PolicyDecision, TimelineEvent


class _ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class PublicationInline(_ReadOnlyInline):
    model = CasePublication


class DecisionInline(_ReadOnlyInline):
    model = PolicyDecision


class FigureInline(_ReadOnlyInline):
    model = Figure


class TimelineInline(_ReadOnlyInline):
    model = TimelineEvent


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    list_display = ("id", "title_en", "attribution_grade", "edited", "version")
    search_fields = ("id", "title_fr", "title_en")
    readonly_fields = [f.name for f in Case._meta.fields]
    inlines = [PublicationInline, DecisionInline, FigureInline, TimelineInline]

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_add_permission(self, request) -> bool:
        return False
