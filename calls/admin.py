"""Django admin for the calls app.

Calls are read-mostly here. A supervisor may correct one (the fields of the
correction page), but the change form validates and saves through
calls.services.call_update, so it gives the console's and the correction page's
answers and keeps the history; nobody adds or deletes calls here (a deletion
needs its reason and trace: the call log's delete). Categories are kept by
directory admins. Callers are searched by number (typed any way) or name.
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from simple_history.admin import SimpleHistoryAdmin

from calls.filters import caller_number_e164
from calls.models import Call, CallCategory, Caller, PhoneLineIncident
from calls.services import EDITABLE_FIELDS, call_update, call_update_check, can_edit_call


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


class CallAdminForm(forms.ModelForm):
    """The admin's change form for a call: the service decides, not the form.

    ModelForm would validate its own copy with Call.full_clean alone; this runs
    call_update_check instead (the same tidying, the same Call.clean rules and
    the operator's same-day rule), on a fresh copy of the call, and puts its
    errors on the fields."""

    user = None  # set per request by CallAdmin.get_form

    class Meta:
        model = Call
        fields = EDITABLE_FIELDS

    def changes(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.changed_data}

    def _post_clean(self):
        # Fields that did not even convert have their errors already.
        if self.instance.pk is None or self._errors or not self.changed_data:
            return
        fresh = Call.objects.get(pk=self.instance.pk)
        try:
            call_update_check(call=fresh, by=self.user, **self.changes())
        except ValidationError as exc:
            self._update_errors(exc)
        except PermissionDenied as exc:
            self.add_error(None, str(exc))


@admin.register(Call)
class CallAdmin(NumberSearchMixin, SimpleHistoryAdmin):
    """See a call and its history; a supervisor may correct it through
    call_update (CallAdminForm). No adding or deleting here."""

    form = CallAdminForm
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
        if obj is not None and self.has_change_permission(request, obj):
            return [f.name for f in Call._meta.concrete_fields if f.name not in EDITABLE_FIELDS]
        return [field.name for field in Call._meta.concrete_fields]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"user": request.user})

    def save_model(self, request, obj, form, change):
        # CallAdminForm checked these changes with call_update_check; this saves
        # them the one way calls are corrected (history reason "corrected").
        if form.changed_data:
            call_update(call=Call.objects.get(pk=obj.pk), by=request.user, **form.changes())

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        return obj is None or can_edit_call(request.user, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def revert_disabled(self, request, obj=None):
        return True


@admin.register(PhoneLineIncident)
class PhoneLineIncidentAdmin(SimpleHistoryAdmin):
    """Incidents are logged and closed on their own pages (the services keep
    the rules and the history); here they are searched and read, and a
    correction made here is kept in the same history."""

    list_display = (
        "line",
        "kind",
        "started_at",
        "ended_at",
        "contacted",
        "ticket_reference",
        "logged_by",
        "closed_by",
    )
    list_filter = ("kind", ("ended_at", admin.EmptyFieldListFilter), "started_at")
    search_fields = ("line", "ticket_reference", "contacted", "description", "notes")
    date_hierarchy = "started_at"
    readonly_fields = ("logged_by", "closed_by", "created_at")
    list_select_related = ("logged_by", "closed_by")
    ordering = ("-started_at",)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.logged_by = request.user
        if obj.ended_at is not None and obj.closed_by_id is None:
            obj.closed_by = request.user
        elif obj.ended_at is None:
            obj.closed_by = None
        super().save_model(request, obj, form, change)
