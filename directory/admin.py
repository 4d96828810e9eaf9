"""Django admin for the directory: search, filters and the history of every change.

Foreign keys to staff use autocomplete widgets: with 20,000 people a plain
select of all staff would make every form unusable. The import/export page is
linked from each directory changelist (templates/admin/directory/) and the
admin index.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from directory import admin_calendar  # noqa: F401 (registers the business calendar's admin)
from directory.models import Department, Extension, ImportBatch, InfoEntry, Staff


class ExtensionInline(admin.TabularInline):
    model = Extension
    fk_name = "staff"
    fields = ("number", "kind", "location", "label")
    extra = 0
    show_change_link = True
    verbose_name_plural = _("extensions")


@admin.register(Department)
class DepartmentAdmin(SimpleHistoryAdmin):
    list_display = ("name", "code", "parent", "main_extension", "email", "head", "active")
    list_display_links = ("name", "code")
    list_filter = ("active",)
    search_fields = ("name", "code", "email")
    autocomplete_fields = ("parent", "head", "main_extension")
    list_select_related = ("parent", "main_extension", "head")
    ordering = ("name",)
    list_per_page = 100


@admin.register(Staff)
class StaffAdmin(SimpleHistoryAdmin):
    list_display = (
        "full_name",
        "department",
        "job_title",
        "email",
        "mobile",
        "presence",
        "active",
    )
    list_filter = ("active", "presence", ("department", admin.RelatedOnlyFieldListFilter))
    search_fields = (
        "full_name",
        "email",
        "job_title",
        "aliases",
        "topics",
        "department__code",
        "=extensions__number",
    )
    autocomplete_fields = ("department", "cover", "user")
    list_select_related = ("department",)
    readonly_fields = ("presence_changed_at",)
    inlines = (ExtensionInline,)
    ordering = ("full_name",)
    list_per_page = 100
    show_full_result_count = False  # skip a second COUNT(*) over 20,000 rows
    fieldsets = (
        (None, {"fields": ("full_name", "department", "job_title", "email", "mobile", "user")}),
        (_("For operators"), {"fields": ("topics", "aliases", "operator_notes", "cover")}),
        (
            _("Presence"),
            {"fields": ("presence", "back_at", "presence_note", "presence_changed_at")},
        ),
        (None, {"fields": ("active",)}),
    )


@admin.register(Extension)
class ExtensionAdmin(SimpleHistoryAdmin):
    list_display = ("number", "kind", "staff", "department", "location", "label")
    list_filter = ("kind",)
    search_fields = ("number", "label", "location", "staff__full_name", "department__name")
    autocomplete_fields = ("staff", "department")
    list_select_related = ("staff", "department")
    ordering = ("number",)
    list_per_page = 100


@admin.register(InfoEntry)
class InfoEntryAdmin(SimpleHistoryAdmin):
    list_display = ("title", "disclosure", "owner", "last_reviewed", "active")
    list_filter = ("disclosure", "active")
    search_fields = ("title", "keywords", "answer")
    autocomplete_fields = ("owner",)
    list_select_related = ("owner",)
    date_hierarchy = "last_reviewed"
    ordering = ("title",)


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    """Read-only record of uploaded import files; changes go through the import page."""

    list_display = (
        "pk",
        "kind",
        "filename",
        "status",
        "row_count",
        "create_count",
        "update_count",
        "error_count",
        "created_by",
        "created_at",
        "applied_at",
    )
    list_filter = ("kind", "status")
    search_fields = ("filename", "created_by__username")
    list_select_related = ("created_by",)
    exclude = ("rows", "errors", "moves")  # up to MAX_ROWS rows of JSON each
    readonly_fields = (
        "kind",
        "filename",
        "status",
        "columns",
        "row_count",
        "create_count",
        "update_count",
        "unchanged_count",
        "error_count",
        "move_count",
        "created_by",
        "created_at",
        "confirmed_by",
        "confirmed_at",
        "sent_at",
        "applied_at",
    )

    def get_queryset(self, request):
        return super().get_queryset(request).defer("rows", "errors", "moves")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
