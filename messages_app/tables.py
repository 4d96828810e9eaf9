"""The complaint list's table: its columns, headers and the sorts a million
complaints can afford, and the paginator that never counts them all.

Sorting is offered on the columns an index orders (reference, recorded, the
two deadlines), each with the id as tie-breaker; the other columns are
filters instead (a sort by customer name would sort every matching row on
every page). The rows are written by a template from plain values prepared
in one pass (ComplaintTable.list_rows), not cell by cell through
django-tables2's machinery.
"""

import django_tables2 as tables
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from messages_app.models import Complaint
from messages_app.selectors_complaints import capped_count
from messages_app.views.complaints import deadline_flags
from switchboard.links import pk_link
from switchboard.phones import phone_display

PER_PAGE = 50
MAX_PER_PAGE = 100
# Pages reach this many rows deep and counts stop here ("10,000+"): nobody
# reads further than that page by page; narrowing the filter, or sorting the
# other way, brings any complaint within reach.
COUNT_CAP = 10_000
EMPTY = "—"


class CappedPaginator(Paginator):
    """Pages of at most MAX_PER_PAGE rows over the first COUNT_CAP matches.

    The count is a COUNT over a LIMIT (at most COUNT_CAP + 1 rows read, an
    index-only scan when nothing else is asked), so `more` says whether there
    are more than that. A page picks its ids on the bare filtered table first
    (an index scan, no joins) and joins only those rows, in one query:
    WHERE id IN (SELECT id ... ORDER BY ... LIMIT n OFFSET m)."""

    def __init__(self, object_list, per_page, *args, **kwargs):
        try:
            per_page = min(max(int(per_page), 1), MAX_PER_PAGE)
        except (TypeError, ValueError, OverflowError):
            per_page = PER_PAGE
        super().__init__(object_list, per_page, *args, **kwargs)

    def _queryset(self) -> QuerySet | None:
        # self.object_list is the table's BoundRows; .data its TableQuerysetData.
        table_data = getattr(self.object_list, "data", None)
        queryset = getattr(table_data, "data", None)
        return queryset if isinstance(queryset, QuerySet) else None

    @cached_property
    def matches(self) -> int:
        """How many rows match, up to COUNT_CAP + 1."""
        queryset = self._queryset()
        if queryset is None:
            return len(self.object_list)
        return capped_count(queryset, COUNT_CAP)

    @property
    def more(self) -> bool:
        return self.matches > COUNT_CAP

    @property
    def cap(self) -> str:
        """The cap as the reader writes numbers ("10,000", "10.000")."""
        return number_format(COUNT_CAP, force_grouping=True)

    @cached_property
    def count(self) -> int:
        return min(self.matches, COUNT_CAP)

    def page(self, number):
        table_data = getattr(self.object_list, "data", None)
        queryset = self._queryset()
        if queryset is None:
            return super().page(number)
        self.count  # noqa: B018 - counted on the filtered queryset, before the swap
        ordering = queryset.query.order_by or queryset.model._meta.ordering
        rows = queryset.model._default_manager.all()
        rows.query.select_related = queryset.query.select_related
        table_data.data = _Window(queryset.values("pk"), rows.order_by(*ordering))
        try:
            return super().page(number)
        finally:
            table_data.data = queryset


class _Window:
    """What the paginator slices: the joined rows whose ids the slice picks."""

    def __init__(self, ids, rows):
        self.ids = ids
        self.rows = rows

    def __getitem__(self, key):
        return self.rows.filter(pk__in=self.ids[key])


class ComplaintTable(tables.Table):
    """Newest first by default; sortable by reference, recorded and the deadlines."""

    select = tables.CheckBoxColumn(
        accessor="pk",
        verbose_name=_("Tick"),
        attrs={
            "th__input": {
                "data-select-all": "",
                "aria-label": _("Tick every complaint on this page"),
                "class": "form-check-input",
            }
        },
    )
    reference = tables.Column(verbose_name=_("Reference"), order_by=("reference",))
    created_at = tables.Column(verbose_name=_("Recorded"), order_by=("created_at", "id"))
    customer = tables.Column(verbose_name=_("Customer"), empty_values=(), orderable=False)
    category = tables.Column(verbose_name=_("Category / product"), empty_values=(), orderable=False)
    severity = tables.Column(verbose_name=_("Severity"), orderable=False)
    status = tables.Column(verbose_name=_("Status"), orderable=False)
    department = tables.Column(verbose_name=_("Department"), orderable=False)
    assigned_to = tables.Column(verbose_name=_("Assigned to"), orderable=False)
    acknowledge_due_at = tables.Column(
        verbose_name=_("Acknowledge by"), order_by=("acknowledge_due_at", "id")
    )
    resolve_due_at = tables.Column(verbose_name=_("Resolve by"), order_by=("resolve_due_at", "id"))

    class Meta:
        model = Complaint
        fields = ()
        sequence = (
            "select",
            "reference",
            "created_at",
            "customer",
            "category",
            "severity",
            "status",
            "department",
            "assigned_to",
            "acknowledge_due_at",
            "resolve_due_at",
        )
        order_by = ("-created_at",)
        per_page = PER_PAGE
        attrs = {"class": "table table-sm table-hover align-middle sb-complaint-list"}
        template_name = "messages_app/partials/_complaint_list_table.html"
        empty_text = _("No complaints match.")

    @property
    def selectable(self) -> bool:
        """Whether rows have a tick box (for those who may act in bulk)."""
        return "select" not in (self.exclude or ())

    @cached_property
    def list_rows(self) -> list[dict]:
        """The page's rows as plain values (times local, numbers national,
        overdue flags), for the rows template."""
        now = timezone.now()
        tz = timezone.get_current_timezone()
        detail = pk_link("messages_app:complaint-detail")
        statuses = dict(Complaint._meta.get_field("status").flatchoices)
        severities = dict(Complaint._meta.get_field("severity").flatchoices)

        def when(value, fmt="%d/%m/%y %H:%M"):
            return value.astimezone(tz).strftime(fmt) if value else EMPTY

        rows = []
        for row in self.paginated_rows:
            record = row.record
            flags = deadline_flags(record, now)
            rows.append(
                {
                    "pk": record.pk,
                    "url": detail(record.pk),
                    "reference": record.reference,
                    "created": when(record.created_at),
                    "customer": record.customer_name,
                    "number": phone_display(record.customer_number),
                    "category": record.category.name if record.category_id else EMPTY,
                    "product": record.product.name if record.product_id else EMPTY,
                    "severity": severities.get(record.severity, record.severity),
                    "severity_code": record.severity,
                    "status": statuses.get(record.status, record.status),
                    "status_code": record.status,
                    "department": record.department.name if record.department_id else EMPTY,
                    "assigned_to": record.assigned_to.full_name if record.assigned_to_id else EMPTY,
                    "acknowledge_by": when(record.acknowledge_due_at),
                    "resolve_by": when(record.resolve_due_at),
                    "flags": flags,
                }
            )
        return rows
