"""Admin: project settings and memberships only. Transcripts and codings stay behind the project pages,
where the membership check applies; the admin would show them to any staff member."""

from __future__ import annotations

from django.contrib import admin

from benefice.interviews.models import InterviewProject, Membership


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0


@admin.register(InterviewProject)
class InterviewProjectAdmin(admin.ModelAdmin):
    list_display = ("name", "language", "keep_originals", "created_at")
    fields = ("name", "description", "language", "keep_originals")
    inlines = [MembershipInline]
