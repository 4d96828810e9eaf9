"""Django admin for the daily recaps: readable, with their history, never
edited here (every change goes through reports.services.recap: the recap
page, the nightly job, `manage.py build_recap`). The figures show as
indented JSON."""

import json

from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from reports.models import DailyRecap


def _json(value) -> str:
    return format_html("<pre>{}</pre>", json.dumps(value, indent=2, ensure_ascii=False))


@admin.register(DailyRecap)
class DailyRecapAdmin(SimpleHistoryAdmin):
    list_display = ("date", "status", "calls", "builds", "built_at", "signed_by", "signed_at")
    list_filter = ("status", "date")
    search_fields = ("date", "comment", "rebuild_reason")
    date_hierarchy = "date"
    list_select_related = ("signed_by",)
    exclude = ("figures", "signed_figures")
    readonly_fields = (
        "date",
        "status",
        "figures_json",
        "signed_figures_json",
        "built_at",
        "build_ms",
        "builds",
        "comment",
        "reviewed_by",
        "reviewed_at",
        "signed_by",
        "signed_at",
        "rebuild_reason",
        "version",
        "notified_at",
    )

    @admin.display(description=_("calls"))
    def calls(self, recap):
        return (recap.figures or {}).get("calls", {}).get("total")

    @admin.display(description=_("figures"))
    def figures_json(self, recap):
        return _json(recap.figures)

    @admin.display(description=_("figures as signed"))
    def signed_figures_json(self, recap):
        return _json(recap.signed_figures) if recap.signed_figures else "–"

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        # Viewing needs view_dailyrecap; a saved form would change nothing anyway.
        return False
