"""The complaint list's table: its columns, headers and the sorts a million
complaints can afford, and the paginator that never counts them all.

Sorting is offered on the columns an index orders (reference, recorded, the
two deadlines), each with the id as tie-breaker; the other columns are
filters instead (a sort by customer name would sort every matching row on
every page). The rows are written in one pass of format_html
(ComplaintTable.tbody_html), not cell by cell through django-tables2's
machinery or the template engine.
"""

import django_tables2 as tables
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.functional import cached_property
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_tables2.rows import BoundRows

from messages_app.models import Complaint
from messages_app.selectors_complaints import ListRow, capped_count, deadline_flags
from switchboard.links import pk_link
from switchboard.phones import phone_display_e164

PER_PAGE = 50
MAX_PER_PAGE = 100
# Counts stop here ("more than 1,000"): counting further reads every matching
# row (a filter an index does not cover reads them from the table), and a
# supervisor narrowing a list needs to know it is long, not how long; the
# report gives the figures. Pages go further, up to MAX_ROWS rows deep: nobody
# reads further than that page by page, and sorting the other way or
# narrowing the filter brings any complaint within reach.
COUNT_CAP = 1_000
MAX_ROWS = 10_000
EMPTY = "—"


class CappedPaginator(Paginator):
    """Pages of 1 to MAX_PER_PAGE rows, never more than MAX_ROWS deep, and a
    count that stops at COUNT_CAP.

    The count is a COUNT over a LIMIT (at most COUNT_CAP + 1 rows read). Under
    the cap it is exact and so are the pages; above it, a page is read with one
    row more than it shows, which says whether there is a next one (as
    django-tables2's LazyPaginator does). A page picks its ids on the bare
    filtered table first (an index scan, no joins) and reads only those rows,
    as `rows` (a function of a queryset of the model) says, in one query:
    WHERE id IN (SELECT id ... ORDER BY ... LIMIT n OFFSET m). A page number
    out of range gets EmptyPage, which django-tables2 answers with the last
    page when the count is exact, else with the first."""

    def __init__(self, object_list, per_page, *args, rows=None, **kwargs):
        try:
            per_page = min(max(int(per_page), 1), MAX_PER_PAGE)
        except (TypeError, ValueError, OverflowError):
            per_page = PER_PAGE
        self.rows = rows
        self._pages_seen = None
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
        """More than COUNT_CAP match: the count and the last page are not known."""
        return self.matches > COUNT_CAP

    @property
    def cap(self) -> str:
        """The cap as the reader writes numbers ("1,000", "1.000")."""
        return number_format(COUNT_CAP, force_grouping=True)

    @property
    def max_page(self) -> int:
        return max(1, MAX_ROWS // self.per_page)

    @property
    def count(self) -> int:
        return min(self.matches, COUNT_CAP)

    @property
    def num_pages(self) -> int:
        if not self.more:
            return max(1, -(-self.count // self.per_page))
        # Known as far as the page read (and the one after it, if it has rows).
        return self._pages_seen or 1

    @property
    def reach(self) -> str:
        """How deep pages go, as the reader writes numbers."""
        return number_format(MAX_ROWS, force_grouping=True)

    def validate_number(self, number):
        if not self.more:
            return super().validate_number(number)
        try:
            if isinstance(number, float) and not number.is_integer():
                raise ValueError
            number = int(number)
        except (TypeError, ValueError):
            raise PageNotAnInteger(_("That page number is not an integer")) from None
        if not 1 <= number <= self.max_page:
            raise EmptyPage(_("That page number is out of range."))
        return number

    def page(self, number):
        table_data = getattr(self.object_list, "data", None)
        queryset = self._queryset()
        if queryset is None:
            return super().page(number)
        more = self.more  # counted on the filtered queryset, before the swap
        ordering = queryset.query.order_by or queryset.model._meta.ordering
        rows = queryset.model._default_manager.all()
        if self.rows is not None:
            rows = self.rows(rows)
        window = _Window(queryset.values("pk"), rows.order_by(*ordering))
        if not more:
            table_data.data = window
            try:
                return super().page(number)
            finally:
                table_data.data = queryset
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        found = list(window[bottom : bottom + self.per_page + 1])
        if not found and number > 1:
            raise EmptyPage(_("That page contains no results"))
        further = len(found) > self.per_page and number < self.max_page
        self._pages_seen = number + 1 if further else number
        page_rows = BoundRows(found[: self.per_page], table=self.object_list.table)
        return self._get_page(page_rows, number, self)


class _Window:
    """What the paginator slices: the joined rows whose ids the slice picks."""

    def __init__(self, ids, rows):
        self.ids = ids
        self.rows = rows

    def __getitem__(self, key):
        return self.rows.filter(pk__in=self.ids[key])


def _escaped_once(choices) -> dict[str, tuple[SafeString, SafeString]]:
    """Each choice's code and label, escaped, by code."""
    return {code: (format_html("{}", code), format_html("{}", label)) for code, label in choices}


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

    def tbody_html(self) -> SafeString:
        """The <tbody> of the current page, in one format_html per row (every
        value escaped): times local, numbers national, overdue rows marked as
        deadline_flags says, a tick box for those who may
        act in bulk. Rendering fifty rows cell by cell through the template
        engine was most of the page's time."""
        now = timezone.now()
        tz = timezone.get_current_timezone()
        detail = pk_link("messages_app:complaint-detail")
        # The same few texts on every row, escaped once (codes, labels, marks).
        statuses = _escaped_once(Complaint._meta.get_field("status").flatchoices)
        severities = _escaped_once(Complaint._meta.get_field("severity").flatchoices)
        late = format_html(' <span class="sb-overdue-mark">{}</span>', gettext("overdue"))
        late_class = SafeString(" text-danger fw-bold")
        overdue_row = SafeString(' class="sb-complaint-overdue" data-overdue')
        empty = SafeString("—")  # EMPTY
        tick_label = gettext("Tick %(reference)s")

        def when(value) -> str:
            return value.astimezone(tz).strftime("%d/%m/%y %H:%M") if value else empty

        rows = []
        for row in self.paginated_rows:
            record = ListRow(**row.record)
            flags = deadline_flags(record, now)
            ack_late, resolve_late = flags["acknowledge"], flags["resolve"]
            rows.append(
                (
                    record.pk,
                    overdue_row if flags["any"] else "",
                    record.pk,
                    tick_label % {"reference": record.reference},
                    detail(record.pk),
                    record.reference,
                    when(record.created_at),
                    record.customer_name,
                    phone_display_e164(record.number_text),
                    record.category_name or empty,
                    record.product_name or empty,
                    *severities.get(record.severity, (record.severity, record.severity)),
                    *statuses.get(record.status, (record.status, record.status)),
                    record.department_name or empty,
                    record.assigned_to_name or empty,
                    late_class if ack_late else "",
                    when(record.acknowledge_due_at),
                    late if ack_late else "",
                    late_class if resolve_late else "",
                    when(record.resolve_due_at),
                    late if resolve_late else "",
                )
            )
        if not rows:
            return format_html(
                '<tbody><tr><td colspan="{}" class="text-muted">{}</td></tr></tbody>',
                len(self.columns),
                self.empty_text,
            )
        if self.selectable:
            body = format_html_join(
                "\n",
                '<tr data-complaint-id="{}"{}><td class="sb-tick"><input class="form-check-input" '
                'type="checkbox" name="ids" value="{}" form="complaint-bulk" data-tick '
                'aria-label="{}"></td>'
                '<td class="font-monospace text-nowrap"><a href="{}">{}</a></td>'
                '<td class="text-nowrap">{}</td>'
                '<td>{} <span class="text-muted text-nowrap small">{}</span></td><td>{} / {}</td>'
                '<td><span class="badge sb-severity sb-severity-{}">{}</span></td>'
                '<td><span class="badge sb-complaint-status sb-complaint-status-{}">{}</span></td>'
                '<td>{}</td><td>{}</td><td class="text-nowrap{}">{}{}</td>'
                '<td class="text-nowrap{}">{}{}</td></tr>',
                rows,
            )
        else:
            body = format_html_join(
                "\n",
                '<tr data-complaint-id="{}"{}>'
                '<td class="font-monospace text-nowrap"><a href="{}">{}</a></td>'
                '<td class="text-nowrap">{}</td>'
                '<td>{} <span class="text-muted text-nowrap small">{}</span></td><td>{} / {}</td>'
                '<td><span class="badge sb-severity sb-severity-{}">{}</span></td>'
                '<td><span class="badge sb-complaint-status sb-complaint-status-{}">{}</span></td>'
                '<td>{}</td><td>{}</td><td class="text-nowrap{}">{}{}</td>'
                '<td class="text-nowrap{}">{}{}</td></tr>',
                (row[:2] + row[4:] for row in rows),
            )
        return format_html("<tbody>\n{}\n</tbody>", body)
