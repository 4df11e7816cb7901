"""Read-only admin view: people edit indicators in the app (which validates and audits)."""

from django.contrib import admin

from benefice.indicators.models import Indicator


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ("code", "name_fr", "name_en", "family", "level", "edited", "version")
    list_filter = ("family", "level", "edited")
    search_fields = ("code", "name_fr", "name_en", "definition_fr", "definition_en")
    readonly_fields = [f.name for f in Indicator._meta.fields]

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_add_permission(self, request) -> bool:
        return False
