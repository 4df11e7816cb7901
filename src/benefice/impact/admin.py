"""Read-mostly admin views: people edit cases and indicators in the app (which validates and audits)."""

from django.contrib import admin

from benefice.impact.models import Case, CasePublication, Decision, Figure, Indicator, TimelineEvent


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ("code", "name_en", "family", "level", "edited", "version")
    list_filter = ("family", "level", "edited")
    search_fields = ("code", "name_fr", "name_en")
    readonly_fields = [f.name for f in Indicator._meta.fields]

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_add_permission(self, request) -> bool:
        return False


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
    model = Decision


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
