"""Django admin for the calls app.

Calls are read-mostly here: corrections and deletions go through calls.services
(with their rules and history), never through an admin form. Categories are kept
by directory admins. Callers are searched by number (typed any way) or name.
"""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from calls.filters import caller_number_e164
from calls.models import Call, CallCategory, Caller


@admin.register(CallCategory)
class CallCategoryAdmin(SimpleHistoryAdmin):
    list_display = ("name", "default_department", "active", "position")
    list_editable = ("active", "position")
    list_filter = ("active",)
    search_fields = ("name",)
    autocomplete_fields = ("default_department",)
    list_select_related = ("default_department",)
    ordering = ("position", "name")


class NumberSearchMixin:
    """A search that looks like a phone number matches its E.164 form exactly."""

    number_field = "number"

    def get_search_results(self, request, queryset, search_term):
        e164 = caller_number_e164(search_term)
        if e164:
            return queryset.filter(**{self.number_field: e164}), False
        return super().get_search_results(request, queryset, search_term)


@admin.register(Caller)
class CallerAdmin(NumberSearchMixin, admin.ModelAdmin):
    list_display = ("number", "name", "company", "kind", "last_call_at", "call_count")
    list_filter = ("kind",)
    search_fields = ("name", "company")
    readonly_fields = ("first_call_at", "last_call_at", "call_count")
    ordering = ("-last_call_at",)
    show_full_result_count = False
    list_per_page = 100


@admin.register(Call)
class CallAdmin(NumberSearchMixin, SimpleHistoryAdmin):
    """Read-only: see a call and its history; correct or delete it in the call log."""

    number_field = "caller__number"
    list_display = (
        "started_at",
        "direction",
        "operator",
        "caller",
        "caller_name",
        "category",
        "outcome",
        "deleted_at",
    )
    list_filter = ("direction", "outcome", "category", ("deleted_at", admin.EmptyFieldListFilter))
    search_fields = ("caller_name", "caller_company")
    list_select_related = ("operator", "caller", "category")
    raw_id_fields = (
        "operator",
        "caller",
        "asked_for_staff",
        "asked_for_department",
        "transferred_to",
        "category",
        "info_entry",
        "requested_by",
        "deleted_by",
    )
    ordering = ("-started_at", "-id")
    show_full_result_count = False  # no second COUNT(*) over millions of calls
    list_per_page = 100

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in Call._meta.concrete_fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def revert_disabled(self, request, obj=None):
        return True
