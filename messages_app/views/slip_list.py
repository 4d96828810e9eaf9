"""The slip list (messages_app:slip-list, /messages/list/): every message
slip, filtered (filters_slips.SlipFilter) and paged (tables.CappedPaginator:
the count stops at its cap), newest first, for those who see every slip
(the desk and supervisors: the same access as the slip board). The daily
recap's message figures link here, each with the filter of its rule."""

from django.contrib.auth.mixins import PermissionRequiredMixin
from django.urls import path
from django.utils import timezone
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from messages_app.access import ANY_SLIP
from messages_app.filters_slips import SlipFilter
from messages_app.models import MessageSlip
from messages_app.selectors_slips import slip_list_rows
from messages_app.tables import PER_PAGE, CappedPaginator
from messages_app.tables_slips import SlipTable
from messages_app.views.complaint_list import list_query


class SlipListView(PermissionRequiredMixin, SingleTableMixin, FilterView):
    permission_required = ANY_SLIP
    raise_exception = True
    table_class = SlipTable
    filterset_class = SlipFilter
    table_pagination = {
        "paginator_class": CappedPaginator,
        "per_page": PER_PAGE,
        "rows": slip_list_rows,
    }
    template_name = "messages_app/slip_list.html"
    http_method_names = ["get", "head"]

    def get_queryset(self):
        return MessageSlip.objects.all()

    def get_table_kwargs(self):
        return {"now": timezone.now()}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        filterset = self.filterset
        context.update(
            {
                "query": list_query(self.request),
                "summary": filterset.summary(),
                "filter_invalid": filterset.is_bound and not filterset.is_valid(),
            }
        )
        return context


slip_list = SlipListView.as_view()

urlpatterns = [
    path("list/", slip_list, name="slip-list"),
]
