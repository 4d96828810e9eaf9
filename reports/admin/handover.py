"""Admin: shift handovers, read-only (they are written by the handover page
through reports.services.handover, which keeps "once per shift" and the
acknowledgement race), with their history."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from reports.models import ShiftHandover


@admin.register(ShiftHandover)
class ShiftHandoverAdmin(SimpleHistoryAdmin):
    list_display = ("date", "operator", "shift_type", "period_start", "period_end",
                    "acknowledged_by", "acknowledged_at")  # fmt: skip
    list_filter = ("date", "shift_type", ("acknowledged_at", admin.EmptyFieldListFilter))
    search_fields = ("operator__username", "operator__first_name", "operator__last_name", "note")
    date_hierarchy = "date"
    list_select_related = ("operator", "shift_type", "acknowledged_by")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
