"""Admin: review settings and team only. Records and decisions stay behind the review pages, where blind
screening applies; the admin would show every reviewer's decisions to any staff member."""

from __future__ import annotations

from django.contrib import admin

from benefice.review.models import Member, Review


class MemberInline(admin.TabularInline):
    model = Member
    extra = 0


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ("title", "reviewers_per_record", "blind", "model_name", "created_at")
    fields = ("title", "question", "reviewers_per_record", "blind", "model_name", "retrain_every")
    inlines = [MemberInline]
