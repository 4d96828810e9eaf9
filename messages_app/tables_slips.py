"""The slip list's table (views/slip_list.py): newest first, sortable by
when a slip was taken and by its acknowledge-by time; paged by
tables.CappedPaginator, which never counts further than its cap."""

import django_tables2 as tables
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from messages_app.models import UNACKNOWLEDGED_SLIP_STATUSES, MessageSlip
from messages_app.tables import EMPTY, PER_PAGE
from switchboard.links import pk_link
from switchboard.phones import phone_display_e164


def _when(value) -> str:
    return timezone.localtime(value).strftime("%d/%m/%y %H:%M") if value else EMPTY


class StampColumn(tables.Column):
    """A moment, local, or a dash."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("orderable", False)
        kwargs.setdefault("empty_values", ())
        kwargs.setdefault("attrs", {"td": {"class": "text-nowrap"}})
        super().__init__(*args, **kwargs)

    def render(self, value):
        return _when(value)


class SlipTable(tables.Table):
    created_at = tables.Column(
        verbose_name=_("Taken"),
        order_by=("created_at", "id"),
        linkify=False,
        attrs={"td": {"class": "text-nowrap"}},
    )
    # The accessor a plain column (not the caller FK, which is not read).
    caller = tables.Column(
        verbose_name=_("Caller"), accessor="caller_name", empty_values=(), orderable=False
    )
    whom = tables.Column(
        verbose_name=_("For"), accessor="whom_name", empty_values=(), orderable=False
    )
    urgency = tables.Column(verbose_name=_("Urgency"), orderable=False)
    status = tables.Column(verbose_name=_("Status"), orderable=False)
    due_at = tables.Column(
        verbose_name=_("Acknowledge by"), order_by=("due_at", "id"), empty_values=()
    )
    delivered_at = StampColumn(verbose_name=_("Delivered"))
    acknowledged_at = StampColumn(verbose_name=_("Acknowledged"))
    done_at = StampColumn(verbose_name=_("Done"))
    escalation_level = tables.Column(verbose_name=_("Escalated"), orderable=False)

    class Meta:
        model = MessageSlip
        fields = ()
        sequence = (
            "created_at",
            "caller",
            "whom",
            "urgency",
            "status",
            "due_at",
            "delivered_at",
            "acknowledged_at",
            "done_at",
            "escalation_level",
        )
        order_by = ("-created_at",)
        per_page = PER_PAGE
        attrs = {"class": "table table-sm table-hover align-middle sb-slip-list"}
        row_attrs = {"data-slip-id": lambda record: record.pk}
        template_name = "messages_app/partials/_slip_list_table.html"
        empty_text = _("No messages match.")

    def __init__(self, *args, now=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.now = now or timezone.now()
        self.detail = pk_link("messages_app:slip-detail")

    def render_created_at(self, record):
        return format_html('<a href="{}">{}</a>', self.detail(record.pk), _when(record.created_at))

    def render_caller(self, record):
        name = record.caller_name or gettext("(no name)")
        if record.caller_company:
            name = f"{name} · {record.caller_company}"
        return format_html(
            '{} <span class="text-muted text-nowrap small">{}</span>',
            name,
            phone_display_e164(record.caller_number_text or ""),
        )

    def render_whom(self, value):
        return value or EMPTY

    def render_urgency(self, record):
        return format_html(
            '<span class="badge sb-urgency sb-urgency-{}">{}</span>',
            record.urgency,
            record.get_urgency_display(),
        )

    def render_status(self, record):
        return format_html(
            '<span class="badge sb-slip-status sb-slip-status-{}">{}</span>',
            record.status,
            record.get_status_display(),
        )

    def render_due_at(self, record):
        late = (
            record.due_at is not None
            and record.status in UNACKNOWLEDGED_SLIP_STATUSES
            and record.due_at < self.now
        )
        if not late:
            return _when(record.due_at)
        return format_html(
            '<span class="text-danger fw-bold text-nowrap">{} '
            '<span class="sb-overdue-mark">{}</span></span>',
            _when(record.due_at),
            gettext("overdue"),
        )

    def render_escalation_level(self, value):
        return value if value else EMPTY
