"""Admin: roster, swaps, clock and attendance.

Shift types are kept here (supervisors and directory admins): their keys are
what the roster grid is filled with. Roster entries, swaps, clock sessions and
attendance days are listed, filtered and searched here with their history;
changes to them go through the roster grid, the swap pages, the clock and the
attendance page (reports.services), which keep the rules, so they are read-only
here.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from reports.models import AttendanceDay, ClockSession, RosterEntry, ShiftSwap, ShiftType


@admin.register(ShiftType)
class ShiftTypeAdmin(SimpleHistoryAdmin):
    list_display = (
        "name",
        "code",
        "starts_at",
        "ends_at",
        "late_grace_minutes",
        "early_grace_minutes",
        "active",
        "order",
    )
    list_editable = ("active", "order")
    list_filter = ("active",)
    search_fields = ("name", "code")
    ordering = ("order", "starts_at")


class ReadOnlyAdmin(SimpleHistoryAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def _operator_search():
    return ("operator__username", "operator__first_name", "operator__last_name")


@admin.register(RosterEntry)
class RosterEntryAdmin(ReadOnlyAdmin):
    list_display = ("date", "operator", "kind", "shift_type", "note", "updated_at")
    list_filter = ("kind", "shift_type", "date")
    search_fields = (*_operator_search(), "note")
    date_hierarchy = "date"
    list_select_related = ("operator", "shift_type")


@admin.register(ShiftSwap)
class ShiftSwapAdmin(ReadOnlyAdmin):
    list_display = ("requested_at", "requester", "colleague", "status", "decided_by", "decided_at")
    list_filter = ("status", "requested_at")
    search_fields = (
        "requester__username",
        "requester__first_name",
        "colleague__username",
        "colleague__first_name",
        "reason",
        "decision_note",
    )
    list_select_related = ("requester", "colleague", "decided_by")


@admin.register(ClockSession)
class ClockSessionAdmin(admin.ModelAdmin):
    """The clock's raw record: read-only, attendance corrections happen on
    the attendance page instead."""

    list_display = ("operator", "clock_in", "clock_out")
    list_filter = ("clock_in",)
    search_fields = _operator_search()
    date_hierarchy = "clock_in"
    list_select_related = ("operator",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AttendanceDay)
class AttendanceDayAdmin(ReadOnlyAdmin):
    list_display = (
        "date",
        "operator",
        "status",
        "late_minutes",
        "early_minutes",
        "worked_minutes",
        "corrected",
    )
    list_filter = ("status", "corrected", "date", "shift_type")
    search_fields = (*_operator_search(), "correction_reason")
    date_hierarchy = "date"
    list_select_related = ("operator", "shift_type")
    readonly_fields = ()

    @admin.display(description=_("late"), boolean=True)
    def late(self, obj):
        return obj.late_minutes > 0
