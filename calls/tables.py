"""The call log table: one row per call, everything from Call.objects.for_log_table()."""

import django_tables2 as tables
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from calls.models import Call

PER_PAGE = 50


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

    def render_started_at(self, value):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")

    def render_operator(self, value):
        return value.get_full_name() or value.get_username()

    def render_caller(self, record):
        name = record.caller_name
        if record.caller_id:
            number = record.caller.number.as_national
            return format_html(
                '<a href="{}">{}</a>{}',
                record.caller.get_absolute_url(),
                number,
                format_html(" · {}", name) if name else "",
            )
        if record.number_withheld:
            return format_html("{} <span class='text-muted'>({})</span>", name, _("withheld"))
        return name or "—"

    def render_asked_for(self, record):
        parts = []
        if record.asked_for_staff_id:
            parts.append(record.asked_for_staff.full_name)
        if record.asked_for_department_id:
            parts.append(record.asked_for_department.name)
        return " · ".join(parts) or "—"

    def render_duration_seconds(self, value):
        minutes, seconds = divmod(int(value), 60)
        return f"{minutes}:{seconds:02d}"
