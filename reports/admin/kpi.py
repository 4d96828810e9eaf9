"""Django admin for the KPIs: the settings (one row, with history), the
sign-offs (read-only here: sheets are signed on the KPI sheet page, so every
step goes through reports.services.kpi), and the per-day call figures
(derived data, read-only; rebuilt by `manage.py build_operator_days`)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from reports.models import KpiSettings, KpiSignOff, OperatorDay, OperatorDayDirty


@admin.register(KpiSettings)
class KpiSettingsAdmin(SimpleHistoryAdmin):
    list_display = (
        "__str__",
        "quality_target",
        "productivity_target",
        "discipline_rule",
        "discipline_target",
        "updated_at",
    )
    readonly_fields = ("updated_at",)

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not KpiSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyMixin:
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(KpiSignOff)
class KpiSignOffAdmin(ReadOnlyMixin, SimpleHistoryAdmin):
    list_display = ("month", "operator", "status", "signed_by", "signed_at", "withdrawn_at")
    list_filter = ("status", "month")
    search_fields = ("operator__username", "operator__first_name", "operator__last_name", "note")
    date_hierarchy = "month"
    list_select_related = ("operator", "signed_by")


@admin.register(OperatorDay)
class OperatorDayAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("date", "operator", "calls_handled", "calls_timed", "talk_seconds", "built_at")
    list_filter = ("date",)
    search_fields = ("operator__username", "operator__first_name", "operator__last_name")
    date_hierarchy = "date"
    list_select_related = ("operator",)


@admin.register(OperatorDayDirty)
class OperatorDayDirtyAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("date", "operator", "marked_at")
    search_fields = ("operator__username",)
    list_select_related = ("operator",)
