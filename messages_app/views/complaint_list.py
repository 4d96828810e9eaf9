"""The complaint list (see messages_app/urls.py), for those who see all
complaints (supervisors, the desk) and, restricted to their department's,
for a department's staff:

- complaint-list: the filtered, sortable table (ComplaintFilter,
  ComplaintTable), overdue rows marked, counted no further than
  tables.COUNT_CAP; ticked rows go to the bulk actions of
  messages_app:complaint-bulk, which come back here with what was done;
- complaint-export: the same rows as CSV (streamed) or XLSX (capped);
- complaint-report: counts by category and by product over time, a chart
  with the same figures in a table;
- complaint-filter-new / complaint-filter-delete: saved filters.

Every page checks who may see it here, and reads only what
messages_app.access.complaints_visible_to gives the user.
"""

import re

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from directory.access import linked_staff
from messages_app import complaint_report, exports
from messages_app.access import ANY_COMPLAINT, VIEW_COMPLAINT, complaints_visible_to
from messages_app.filters import ComplaintFilter
from messages_app.forms_complaint_list import BulkActionForm, SavedFilterForm
from messages_app.models import Complaint, SavedFilter
from messages_app.selectors_complaints import (
    complaint_counts,
    complaint_list_rows,
    created_between,
    saved_filters_for,
)
from messages_app.services.saved_filters import saved_filter_create, saved_filter_delete
from messages_app.tables import PER_PAGE, CappedPaginator, ComplaintTable

EXPORT_PERMISSION = "messages_app.export_complaint"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PAGE_KEYS = ("page",)
SORT_RE = re.compile(r"-?[a-z_]{1,40}")


def may_see_list(request) -> bool:
    """Supervisors and the desk (all complaints), a department's staff (theirs)."""
    user = request.user
    return (
        user.has_perm(ANY_COMPLAINT)
        or user.has_perm(VIEW_COMPLAINT)
        or linked_staff(request) is not None
    )


def may_act_in_bulk(request) -> bool:
    """Who messages_app:complaint-bulk lets act: supervisors, a department's
    staff (on their department's complaints); the desk only reads."""
    return request.user.has_perm(ANY_COMPLAINT) or linked_staff(request) is not None


def _own_department(request) -> list[int] | None:
    """A department's staff (who see only its complaints): their department."""
    user = request.user
    if user.has_perm(ANY_COMPLAINT) or user.has_perm(VIEW_COMPLAINT):
        return None
    me = linked_staff(request)
    return [me.department_id] if me is not None else None


def _require_list(request) -> None:
    if not may_see_list(request):
        raise PermissionDenied


def _filterset(request, queryset) -> ComplaintFilter:
    return ComplaintFilter(
        request.GET or None,
        queryset=queryset,
        request=request,
        assignee_departments=_own_department(request),
    )


def list_query(request) -> str:
    """The list's query string without its page number."""
    query = request.GET.copy()
    for key in PAGE_KEYS:
        query.pop(key, None)
    return query.urlencode()


def _back_to_list(request) -> str:
    query = list_query(request)
    return reverse("messages_app:complaint-list") + (f"?{query}" if query else "")


class ComplaintListView(SingleTableMixin, FilterView):
    """Newest first; every filter takes several values; rows can be ticked
    for a bulk action by those who may act."""

    table_class = ComplaintTable
    filterset_class = ComplaintFilter
    table_pagination = {
        "paginator_class": CappedPaginator,
        "per_page": PER_PAGE,
        "rows": complaint_list_rows,
    }
    template_name = "messages_app/complaint_list.html"

    def dispatch(self, request, *args, **kwargs):
        _require_list(request)
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        return complaints_visible_to(self.request)

    def get_filterset_kwargs(self, filterset_class):
        kwargs = super().get_filterset_kwargs(filterset_class)
        kwargs["assignee_departments"] = _own_department(self.request)
        return kwargs

    def get_table_kwargs(self):
        return {} if may_act_in_bulk(self.request) else {"exclude": ("select",)}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        request = self.request
        query = list_query(request)
        saved = saved_filters_for(request.user)
        filterset = self.filterset
        context.update(
            {
                "query": query,
                "saved_filters": saved,
                "current_saved": next((f.pk for f in saved if f.query == query), None),
                "summary": filterset.summary(),
                "can_export": request.user.has_perm(EXPORT_PERMISSION),
                "can_bulk": may_act_in_bulk(request),
                "filter_invalid": filterset.is_bound and not filterset.is_valid(),
                "bulk_form": BulkActionForm(
                    people=filterset.options["assigned_to"] if filterset.offers_people else [],
                    departments=filterset.options["department"],
                ),
            }
        )
        return context


complaint_list = ComplaintListView.as_view()


def _ordered(request, queryset):
    """The queryset in the order the list shows (its `sort`, else newest first)."""
    table = ComplaintTable(queryset)
    sort = [alias for alias in request.GET.get("sort", "").split(",") if SORT_RE.fullmatch(alias)]
    if sort:
        table.order_by = sort
    return table.data.data


@require_GET
def complaint_export(request, fmt):
    """The filtered list as CSV (streamed, every row) or XLSX (capped), for
    those who may export complaints (supervisors), of what they may see."""
    if fmt not in ("csv", "xlsx"):
        raise Http404
    _require_list(request)
    if not request.user.has_perm(EXPORT_PERMISSION):
        raise PermissionDenied
    filterset = _filterset(request, complaints_visible_to(request))
    if filterset.is_bound and not filterset.is_valid():
        messages.error(request, _("The filter is not valid; correct it and export again."))
        return redirect(_back_to_list(request))
    queryset = _ordered(request, filterset.qs)
    filename = f"complaints-{timezone.localtime():%Y%m%d-%H%M}.{fmt}"
    if fmt == "csv":
        response = StreamingHttpResponse(
            exports.complaints_csv(queryset), content_type="text/csv; charset=utf-8"
        )
    else:
        if exports.xlsx_too_many(queryset):
            messages.error(
                request,
                _(
                    "More than %(max)s complaints match, too many for one XLSX file. "
                    "Narrow the filter (for example the dates) or export CSV instead."
                )
                % {"max": f"{exports.XLSX_MAX_ROWS:,}"},
            )
            return redirect(_back_to_list(request))
        response = HttpResponse(exports.complaints_xlsx(queryset), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
def complaint_report_view(request):
    """Complaints by category and by product per month (per week for a short
    range) for the list's filter: a chart and the same figures as a table.
    Without dates, the last twelve months. One GROUP BY query for both."""
    _require_list(request)
    filterset = _filterset(request, complaints_visible_to(request))
    context = {"filter": filterset, "query": list_query(request), "charts": [], "error": ""}
    if filterset.is_bound and not filterset.is_valid():
        return render(request, "messages_app/complaint_report.html", context)
    data = filterset.form.cleaned_data if filterset.is_bound else {}
    last = data.get("date_to") or timezone.localdate()
    first = data.get("date_from") or complaint_report.default_range(last)[0]
    if complaint_report.months_between(first, last) > complaint_report.MAX_MONTHS:
        context["error"] = _("Choose a range of at most %(n)s months.") % {
            "n": complaint_report.MAX_MONTHS
        }
        return render(request, "messages_app/complaint_report.html", context)
    kind, starts = complaint_report.periods_for(first, last)
    queryset = created_between(filterset.qs, first, last)
    counts = complaint_counts(queryset, period=kind)
    for by, title, none in (
        ("category", _("Complaints by category"), _("(no category)")),
        ("product", _("Complaints by product"), _("(no product)")),
    ):
        names = dict(filterset.options[by])
        context["charts"].append(
            complaint_report.build_chart(
                counts, by, names, kind=kind, starts=starts, title=title, none=none
            )
        )
    context.update(
        {
            "first": first,
            "last": last,
            "weekly": kind == complaint_report.WEEK,
            "defaulted": not data.get("date_from"),
        }
    )
    return render(request, "messages_app/complaint_report.html", context)


# Saved filters ----------------------------------------------------------------


def _summary(query: str) -> list[tuple[str, str]]:
    data = QueryDict(query)
    return ComplaintFilter(data, queryset=Complaint.objects.none()).summary() if data else []


@require_http_methods(["GET", "POST"])
def saved_filter_new(request):
    """Save the list's current filter (its query string) under a name,
    private or shared; then the list with it. A name the user has already
    used, or a filter the list would refuse, is said next to its field."""
    _require_list(request)
    if request.method == "POST":
        form = SavedFilterForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                saved = saved_filter_create(
                    owner=request.user,
                    name=data["name"],
                    query=data["query"],
                    shared=data["shared"],
                )
            except ValidationError as exc:
                for name, errors in exc.message_dict.items():
                    form.add_error(name if name in ("name", "shared") else None, errors)
            else:
                messages.success(request, _("Filter “%(name)s” saved.") % {"name": saved.name})
                return redirect(f"{reverse('messages_app:complaint-list')}?{saved.query}")
        query = request.POST.get("query", "")[:4000]
        status = 422
    else:
        query = list_query(request)
        form = SavedFilterForm(initial={"query": query})
        status = 200
    context = {"form": form, "query": query, "summary": _summary(query)}
    return render(request, "messages_app/savedfilter_form.html", context, status=status)


@require_POST
def saved_filter_delete_view(request, pk):
    """Delete one of the user's own saved filters (anyone else's: 404)."""
    _require_list(request)
    saved = get_object_or_404(SavedFilter, pk=pk, owner=request.user)
    saved_filter_delete(saved_filter=saved, by=request.user)
    messages.success(request, _("Filter “%(name)s” deleted.") % {"name": saved.name})
    return redirect("messages_app:complaint-list")


urlpatterns = [
    path("complaints/", complaint_list, name="complaint-list"),
    path("complaints/export/<slug:fmt>/", complaint_export, name="complaint-export"),
    path("complaints/report/", complaint_report_view, name="complaint-report"),
    path("complaints/filters/new/", saved_filter_new, name="complaint-filter-new"),
    path(
        "complaints/filters/<int:pk>/delete/",
        saved_filter_delete_view,
        name="complaint-filter-delete",
    ),
]
