"""The review list's table."""

import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from reports.models import Review, ReviewStatus
from switchboard.links import pk_link

PER_PAGE = 50


def person(user) -> str:
    return (user.get_full_name() or user.get_username()) if user else "—"


class ReviewTable(tables.Table):
    call_date = tables.DateColumn(
        verbose_name=_("Call date"), format="Y-m-d", attrs={"td": {"class": "text-nowrap"}}
    )
    call = tables.Column(verbose_name=_("Call"), orderable=False, empty_values=())
    operator = tables.Column(verbose_name=_("Operator"), order_by=("operator__first_name",))
    reviewer = tables.Column(verbose_name=_("Reviewer"), order_by=("reviewer__first_name",))
    score = tables.Column(verbose_name=_("Score"), attrs={"td": {"class": "text-end text-nowrap"}})
    auto_failed = tables.Column(verbose_name=_("Auto-fail"))
    status = tables.Column(verbose_name=_("Status"))

    class Meta:
        model = Review
        fields = ("call_date", "call", "operator", "reviewer", "score", "auto_failed", "status")
        attrs = {"class": "table table-sm table-hover align-middle"}
        empty_text = _("No reviews match.")
        order_by = ("-call_date", "-id")

    def render_call(self, record):
        if not hasattr(self, "_link"):
            self._link = pk_link("reports:review-detail")
        return format_html(
            '<a href="{}">#{} · {}</a>',
            self._link(record.pk),
            record.call_id,
            record.call.get_outcome_display(),
        )

    def render_operator(self, value):
        return person(value)

    def render_reviewer(self, value):
        return person(value)

    def render_score(self, record):
        if record.score is None or record.status == ReviewStatus.DRAFT:
            return "—"  # a draft's partial score means nothing yet
        css = "text-danger fw-bold" if record.auto_failed or record.score < 70 else ""
        return format_html('<span class="{}">{}</span>', css, record.score)

    def render_auto_failed(self, value):
        return (
            format_html('<span class="badge text-bg-danger">{}</span>', _("Auto-fail"))
            if value
            else ""
        )

    def render_status(self, record):
        return record.get_status_display()
