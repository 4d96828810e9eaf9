"""The call log: the filtered table, its export, a call's detail with its history,
corrections, supervisor deletions and the page of one caller.

Pages never count the whole result: the tables use django-tables2's LazyPaginator
(picking the page's ids before joining them, calls.tables.IdsFirstLazyPaginator),
which fetches one page plus one row and offers Previous/Next only.
"""

from django.contrib import messages
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_filters.views import FilterView
from django_tables2 import RequestConfig, SingleTableMixin

from calls import exports
from calls.extensions import caller_panel_sections
from calls.filters import CallLogFilter
from calls.forms_log import PICKER_FIELDS, CallCorrectionForm, CallDeleteForm
from calls.models import CALL_DETAIL_RELATED, Call, Caller, ChangeReason
from calls.services import call_delete as call_delete_service
from calls.services import call_update, can_edit_call
from calls.tables import PER_PAGE, CallTable, IdsFirstLazyPaginator

VIEW_PERMISSION = "calls.view_call"
# Callers' numbers are personal data: exporting the log is a permission of its own.
EXPORT_PERMISSION = "calls.export_call"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
LAZY_PAGINATION = {"paginator_class": IdsFirstLazyPaginator, "per_page": PER_PAGE}


def _require(user, *perms: str) -> None:
    if not user.has_perms(perms):
        raise PermissionDenied


def get_call_for_user(request, pk: int, *, queryset=None) -> Call:
    """A call the user may see: 403 without the call-log permission, 404 if
    unknown; a deleted call stays visible only to those who may delete calls."""
    _require(request.user, VIEW_PERMISSION)
    queryset = queryset if queryset is not None else Call.objects.all()
    call = get_object_or_404(queryset, pk=pk)
    if call.is_deleted and not request.user.has_perm("calls.delete_call"):
        raise Http404
    return call


# History -------------------------------------------------------------------

# Fields whose history rows the detail page shows as "from -> to".
_HISTORY_SKIP = {"id", "duration_seconds", "caller", "operator", "number_withheld"}


def _related_name(obj) -> str:
    """A related row as people know it: a user by full name (else log-in), the
    rest by str(); never by id."""
    if isinstance(obj, AbstractBaseUser):
        return obj.get_full_name() or obj.get_username()
    return str(obj)


def _history_value(field, value, related: dict) -> str:
    if value in (None, ""):
        return "—"
    if field.is_relation:
        obj = related.get(field.name, {}).get(value)
        return _related_name(obj) if obj is not None else _("(removed)")
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if hasattr(value, "tzinfo") and value.tzinfo is not None:
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return str(value)


def history_reason(stored: str | None) -> str:
    """A history row's reason in the reader's language. New rows store a code
    (ChangeReason); rows from before the codes stored English text: "corrected"
    (now the code itself) and "deleted: <reason>" are translated too, anything
    else is shown as it was stored."""
    stored = stored or ""
    labels = dict(ChangeReason.choices)
    if stored in labels:
        return str(labels[stored])
    code, sep, rest = stored.partition(": ")
    if sep and code in labels:
        return f"{labels[code]}: {rest}"
    return stored


def call_history_entries(call: Call) -> list[dict]:
    """The call's history, newest first: who, when, why, and each field changed
    from -> to. Related names are looked up once per related model."""
    records = list(call.history.select_related("history_user").order_by("history_date", "pk"))
    fields = {f.name: f for f in Call._meta.concrete_fields if f.name not in _HISTORY_SKIP}
    raw = []
    wanted: dict[str, set] = {}
    for older, newer in zip([None, *records], records, strict=False):
        changes = []
        if older is not None:
            delta = newer.diff_against(older, included_fields=list(fields))
            for change in delta.changes:
                changes.append(change)
                field = fields[change.field]
                if field.is_relation:
                    ids = wanted.setdefault(field.name, set())
                    ids.update(v for v in (change.old, change.new) if v is not None)
        raw.append((newer, changes))
    related = {
        name: fields[name].related_model._default_manager.in_bulk(ids)
        for name, ids in wanted.items()
    }
    entries = []
    for record, changes in raw:
        entries.append(
            {
                "when": record.history_date,
                "user": record.history_user,
                "kind": record.history_type,
                "reason": history_reason(record.history_change_reason),
                "changes": [
                    {
                        "field": fields[c.field].verbose_name,
                        "old": _history_value(fields[c.field], c.old, related),
                        "new": _history_value(fields[c.field], c.new, related),
                    }
                    for c in changes
                ],
            }
        )
    entries.reverse()
    return entries


# Views ---------------------------------------------------------------------


class CallListView(LoginRequiredMixin, PermissionRequiredMixin, SingleTableMixin, FilterView):
    """The call log, filtered (today by default), newest first."""

    permission_required = VIEW_PERMISSION
    raise_exception = True
    table_class = CallTable
    filterset_class = CallLogFilter
    table_pagination = LAZY_PAGINATION
    template_name = "calls/call_list.html"

    def get_queryset(self):
        return Call.objects.for_log_table()

    def get_template_names(self):
        if getattr(self.request, "htmx", False) and not self.request.htmx.boosted:
            return ["calls/partials/_log_results.html"]
        return [self.template_name]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["querystring"] = self.request.GET.urlencode()
        return context


call_list = CallListView.as_view()


@require_GET
def call_export(request, fmt):
    """The filtered log as CSV (streamed, all rows) or XLSX (capped), for those
    who may export it (supervisors)."""
    _require(request.user, VIEW_PERMISSION, EXPORT_PERMISSION)
    if fmt not in ("csv", "xlsx"):
        raise Http404
    log_filter = CallLogFilter(request.GET, queryset=Call.objects.live())
    if not log_filter.is_valid():
        messages.error(request, _("The filter is not valid; correct it and export again."))
        return redirect(f"{reverse('calls:call-list')}?{request.GET.urlencode()}")
    queryset = log_filter.qs.order_by("-started_at", "-id")
    filename = f"calls-{timezone.localtime():%Y%m%d-%H%M}.{fmt}"
    if fmt == "csv":
        response = StreamingHttpResponse(
            exports.calls_csv(queryset), content_type="text/csv; charset=utf-8"
        )
    else:
        if exports.xlsx_too_many(queryset):
            messages.error(
                request,
                _(
                    "More than %(max)s calls match, too many for one XLSX file. "
                    "Narrow the filter (for example the dates) or export CSV instead."
                )
                % {"max": f"{exports.XLSX_MAX_ROWS:,}"},
            )
            return redirect(f"{reverse('calls:call-list')}?{request.GET.urlencode()}")
        response = HttpResponse(exports.calls_xlsx(queryset), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
def call_detail(request, pk):
    """One call, its corrections (who changed what, from → to) and any deletion trace."""
    call = get_call_for_user(
        request,
        pk,
        queryset=Call.objects.select_related(*CALL_DETAIL_RELATED),
    )
    user = request.user
    context = {
        "call": call,
        "history": call_history_entries(call),
        "can_edit": can_edit_call(user, call),
        "can_delete": not call.is_deleted and user.has_perm("calls.delete_call"),
        "delete_form": CallDeleteForm(),
    }
    return render(request, "calls/call_detail.html", context)


@require_http_methods(["GET", "POST"])
def call_edit(request, pk):
    """Correct a call: operators their own on the day, supervisors any (call_update).
    The form converts what was sent; call_update decides, and its errors are
    shown on the fields."""
    call = get_call_for_user(request, pk, queryset=Call.objects.for_correction())
    # A deleted call is not found at all (live()); can_edit_call refuses it too.
    if not can_edit_call(request.user, call):
        raise PermissionDenied
    form = CallCorrectionForm(request.POST or None, instance=call)
    if request.method == "POST" and form.is_valid():
        changes = form.changes()
        if not changes:
            messages.info(request, _("Nothing changed."))
            return redirect(call)
        # The service works on a fresh copy; the page keeps showing the call as saved.
        fresh = Call.objects.get(pk=call.pk)
        try:
            call_update(call=fresh, by=request.user, **changes)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
        else:
            messages.success(request, _("The call was corrected."))
            return redirect(fresh)
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "call": call, "picker_names": PICKER_FIELDS}
    return render(request, "calls/call_form.html", context, status=status)


@require_POST
def call_delete(request, pk):
    """A supervisor deletes a call with a reason (call_delete keeps the trace)."""
    call = get_call_for_user(request, pk)
    if not request.user.has_perm("calls.delete_call"):
        raise PermissionDenied
    form = CallDeleteForm(request.POST)
    if form.is_valid():
        try:
            call_delete_service(call=call, by=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            for error in exc.messages:
                form.add_error("reason", error)
        else:
            messages.success(request, _("The call was deleted; its trace is kept."))
            return redirect("calls:call-list")
    return render(
        request, "calls/call_confirm_delete.html", {"call": call, "form": form}, status=400
    )


@require_GET
def caller_detail(request, pk):
    """Everything about one number: who it is, and every call, newest first."""
    _require(request.user, VIEW_PERMISSION, "calls.view_caller")
    caller = get_object_or_404(Caller, pk=pk)
    table = CallTable(Call.objects.for_log_table().filter(caller=caller))
    RequestConfig(request, paginate=LAZY_PAGINATION).configure(table)
    sections = caller_panel_sections(caller, user=request.user, compact=False)
    context = {"caller": caller, "table": table, "sections": sections}
    return render(request, "calls/caller_detail.html", context)
