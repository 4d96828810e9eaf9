"""The call log table: one row per call, everything from Call.objects.for_log_table().

The Table class defines the columns, their headers and how they sort; the rows
are rendered by tbody_html() in one pass of plain string formatting (the generic
django-tables2 cell machinery costs milliseconds per row on a 50-row page).
"""

from html import escape

import django_tables2 as tables
from django.core.paginator import EmptyPage
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_tables2 import LazyPaginator

from calls.models import Call, Direction, Outcome
from switchboard.links import pk_link

PER_PAGE = 50
MAX_PER_PAGE = 100
# The deepest page served (5 million calls in): a deeper offset would overflow
# the database's 64-bit OFFSET and is no page anyone reads. Deeper pages and
# page sizes out of range fall back to what the request would get without them.
MAX_PAGE = 100_000
EMPTY = "—"


class IdsFirstLazyPaginator(LazyPaginator):
    """LazyPaginator that picks the page's ids on the bare filtered table first
    (an index scan, no joins), then joins only those rows, in one query:
    ``WHERE id IN (SELECT id ... ORDER BY ... LIMIT n OFFSET m)``. A deep page no
    longer joins the thousands of rows it skips.

    Whatever the query string says, a page holds 1 to MAX_PER_PAGE rows and its
    number is at most MAX_PAGE (beyond: EmptyPage, which django-tables2's
    RequestConfig answers with the first page)."""

    def __init__(self, object_list, per_page, *args, **kwargs):
        try:
            per_page = min(max(int(per_page), 1), MAX_PER_PAGE)
        except (TypeError, ValueError, OverflowError):
            per_page = PER_PAGE
        super().__init__(object_list, per_page, *args, **kwargs)

    def validate_number(self, number):
        number = super().validate_number(number)
        if number > MAX_PAGE:
            raise EmptyPage(_("That page number is too large."))
        return number

    def page(self, number):
        # self.object_list is the table's BoundRows; .data its TableQuerysetData.
        table_data = getattr(self.object_list, "data", None)
        queryset = getattr(table_data, "data", None)
        if not isinstance(queryset, QuerySet) or self.look_ahead != 1:
            return super().page(number)
        ordering = queryset.query.order_by or queryset.model._meta.ordering
        rows = queryset.model._default_manager.all()
        rows.query.select_related = queryset.query.select_related
        table_data.data = _Window(queryset.values("pk"), rows.order_by(*ordering))
        try:
            return super().page(number)
        finally:
            table_data.data = queryset


class _Window:
    """What LazyPaginator slices: the joined rows whose ids the slice picks."""

    def __init__(self, ids, rows):
        self.ids = ids
        self.rows = rows

    def __getitem__(self, key):
        return self.rows.filter(pk__in=self.ids[key])


# Cells --------------------------------------------------------------------------
# Plain functions of a record, escaped with the standard library's html.escape
# (what Django's escape() calls, without its lazy-string checks per value).


def _time(value, tz) -> str:
    return value.astimezone(tz).strftime("%Y-%m-%d %H:%M")


def _operator(user) -> str:
    if user is None:
        return EMPTY
    return user.get_full_name() or user.get_username()


def _caller_html(record, withheld_label: str, caller_url, extension_label: str) -> str:
    """HTML of the caller cell (escaped here): the number (with the extension
    the caller gave), then the name."""
    name = record.caller_name
    if record.caller_id:
        caller = record.caller
        html = f'<a href="{escape(caller_url(caller.pk))}">{escape(caller.number.as_national)}</a>'
        if record.caller_extension:
            html += " " + escape(extension_label % {"extension": record.caller_extension})
        return f"{html} · {escape(name)}" if name else html
    if record.number_withheld:
        return f"{escape(name)} <span class='text-muted'>({escape(withheld_label)})</span>"
    return escape(name or EMPTY)


def _asked_for(record) -> str:
    parts = []
    if record.asked_for_staff_id:
        parts.append(record.asked_for_staff.full_name)
    if record.asked_for_department_id:
        parts.append(record.asked_for_department.name)
    return " · ".join(parts) or EMPTY


def _duration(value) -> str:
    if value is None:
        return EMPTY
    minutes, seconds = divmod(int(value), 60)
    return f"{minutes}:{seconds:02d}"


class CallTable(tables.Table):
    """Sortable by time (default: newest first), direction, outcome, operator and
    duration. Time sorts on (started_at, id), which the log's index serves both ways."""

    started_at = tables.Column(verbose_name=_("Time"), order_by=("started_at", "id"), linkify=True)
    direction = tables.Column(verbose_name=_("Direction"))
    operator = tables.Column(verbose_name=_("Operator"), order_by=("operator__username",))
    caller = tables.Column(verbose_name=_("Caller"), empty_values=(), orderable=False)
    asked_for = tables.Column(verbose_name=_("Asked for"), empty_values=(), orderable=False)
    category = tables.Column(verbose_name=_("Category"), orderable=False)
    outcome = tables.Column(verbose_name=_("Outcome"))
    duration_seconds = tables.Column(verbose_name=_("Duration"))

    class Meta:
        model = Call
        fields = (
            "started_at",
            "direction",
            "operator",
            "caller",
            "asked_for",
            "category",
            "outcome",
            "duration_seconds",
        )
        order_by = ("-started_at",)
        per_page = PER_PAGE
        attrs = {"class": "table table-sm table-hover align-middle sb-call-log"}
        template_name = "calls/partials/_log_table_layout.html"
        empty_text = _("No calls match.")

    def tbody_html(self) -> str:
        """The <tbody> of the current page, built in one pass."""
        records = [row.record for row in self.paginated_rows]
        tz = timezone.get_current_timezone()
        directions = {value: str(label) for value, label in Direction.choices}
        outcomes = {value: str(label) for value, label in Outcome.choices}
        withheld = gettext("withheld")
        extension_label = gettext("ext. %(extension)s")
        call_url = pk_link("calls:call-detail")
        caller_url = pk_link("calls:caller-detail")

        rows = []
        for counter, record in enumerate(records):
            category = record.category
            cells = (
                escape(_time(record.started_at, tz)),
                escape(directions.get(record.direction, record.direction or EMPTY)),
                escape(_operator(record.operator)),
                _caller_html(record, withheld, caller_url, extension_label),
                escape(_asked_for(record)),
                escape(str(category) if category is not None else EMPTY),
                escape(outcomes.get(record.outcome, record.outcome or EMPTY)),
                escape(_duration(record.duration_seconds)),
            )
            rows.append(
                f'<tr class="{"odd" if counter % 2 else "even"}">'
                f'<td><a href="{call_url(record.pk)}">{cells[0]}</a></td><td>'
                + "</td><td>".join(cells[1:])
                + "</td></tr>"
            )
        if not rows and self.empty_text:
            rows.append(
                format_html('<tr><td colspan="{}">{}</td></tr>', len(self.columns), self.empty_text)
            )
        return mark_safe("<tbody>" + "\n".join(rows) + "</tbody>")  # noqa: S308 - escaped
