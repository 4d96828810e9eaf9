"""Admin: call quality.

The scorecard is configured here: a scorecard with its sections inline, each
section with its items inline (weights, "fails the whole review", "may be not
applicable"), and the items on their own with a section filter. Changing a
scorecard that reviews were scored on changes no saved score: a review keeps
its answers and its score.

Reviews, samples and calibration rounds are read-only here: every change goes
through reports.services.quality (the review pages), which check the
transitions and concurrent changes.
"""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from reports.models import (
    CalibrationRound,
    Review,
    ReviewAnswer,
    ReviewSample,
    Scorecard,
    ScorecardItem,
    ScorecardSection,
)


class ScorecardSectionInline(admin.TabularInline):
    model = ScorecardSection
    fields = ("name", "weight", "order")
    extra = 0
    show_change_link = True


class ScorecardItemInline(admin.TabularInline):
    model = ScorecardItem
    fields = ("text", "weight", "fails_review", "allows_na", "order", "active")
    extra = 0
    show_change_link = True


@admin.register(Scorecard)
class ScorecardAdmin(SimpleHistoryAdmin):
    list_display = ("name", "active", "created_at")
    list_filter = ("active",)
    search_fields = ("name", "description")
    inlines = [ScorecardSectionInline]


@admin.register(ScorecardSection)
class ScorecardSectionAdmin(SimpleHistoryAdmin):
    list_display = ("name", "scorecard", "weight", "order")
    list_filter = ("scorecard",)
    search_fields = ("name",)
    inlines = [ScorecardItemInline]


@admin.register(ScorecardItem)
class ScorecardItemAdmin(SimpleHistoryAdmin):
    list_display = ("text", "section", "weight", "fails_review", "allows_na", "order", "active")
    list_filter = ("section__scorecard", "section", "fails_review", "allows_na", "active")
    list_select_related = ("section",)
    search_fields = ("text", "guidance")


class ReadOnlyAdminMixin:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReviewAnswerInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = ReviewAnswer
    fields = ("item", "answer", "note")
    readonly_fields = fields
    extra = 0


@admin.register(Review)
class ReviewAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    list_display = (
        "call_date",
        "operator",
        "reviewer",
        "kind",
        "status",
        "score",
        "auto_failed",
    )
    list_filter = ("kind", "status", "auto_failed", "dispute_decision", "call_date")
    list_select_related = ("operator", "reviewer")
    search_fields = (
        "operator__username",
        "operator__first_name",
        "reviewer__username",
        "=call__id",
    )
    date_hierarchy = "call_date"
    raw_id_fields = ("call", "calibration")
    inlines = [ReviewAnswerInline]


@admin.register(ReviewSample)
class ReviewSampleAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("month", "operator", "call", "proposed_at", "review")
    list_filter = ("month",)
    list_select_related = ("operator", "call", "review")
    search_fields = ("operator__username", "operator__first_name", "=call__id")
    raw_id_fields = ("call", "review")


@admin.register(CalibrationRound)
class CalibrationRoundAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("pk", "call", "created_by", "created_at", "closed_at")
    list_filter = ("closed_at",)
    search_fields = ("note", "=call__id")
    raw_id_fields = ("call",)
