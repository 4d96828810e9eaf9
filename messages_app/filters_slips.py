"""The slip list's filters (views/slip_list.py): the taken date range (local
days), several statuses, urgencies and recipient departments at once, whether
a slip has been delivered, acknowledged, done or escalated, and "late by" a
day (the daily recap's overdue rule). A value a filter cannot take is said
next to it; nothing in a query string reaches the database unchecked."""

from datetime import timedelta

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from calls.filters import day_filter
from directory.models import Department
from messages_app.filters import LIST_SIZE, ComplaintFilterForm, ids_in
from messages_app.models import SlipStatus, Urgency
from messages_app.selectors_complaints import created_between, local_day_start
from messages_app.selectors_slips import slip_late_by_q, slip_recipient_department_q
from switchboard.widgets import FastSelectMultiple, FlatSelect

YES, NO = "yes", "no"
YES_NO = [("", _("Any")), (YES, _("Yes")), (NO, _("No"))]
# The stamps a yes/no filter looks at: "has it" is the stamp set.
STAMPS = {
    "delivered": "delivered_at__isnull",
    "acknowledged": "acknowledged_at__isnull",
    "done": "done_at__isnull",
}


def department_options() -> list[tuple[str, str]]:
    """Every department (a few hundred at most), by name: one query."""
    rows = Department.objects.order_by("name", "pk").values_list("pk", "name")
    return [(str(pk), name) for pk, name in rows]


class SlipFilterForm(ComplaintFilterForm):
    """An end date before the start is said next to the end."""


def _yes_no(label):
    return django_filters.ChoiceFilter(
        label=label, choices=YES_NO[1:], empty_label=YES_NO[0][1], method="filter_stamp"
    )


class SlipFilter(django_filters.FilterSet):
    date_from = day_filter(_("Taken from"))
    date_to = day_filter(_("to"))
    late_by = day_filter(_("Late by the end of"), "filter_late_by")
    status = django_filters.MultipleChoiceFilter(
        label=_("Status"), choices=SlipStatus.choices, method="filter_status"
    )
    urgency = django_filters.MultipleChoiceFilter(
        label=_("Urgency"), choices=Urgency.choices, method="filter_urgency"
    )
    department = django_filters.MultipleChoiceFilter(
        label=_("For department"), method="filter_department"
    )
    delivered = _yes_no(_("Delivered"))
    acknowledged = _yes_no(_("Acknowledged"))
    done = _yes_no(_("Done"))
    escalated = _yes_no(_("Escalated"))

    LIST_BOXES = ("status", "urgency", "department")
    YES_NO_FIELDS = ("delivered", "acknowledged", "done", "escalated")

    class Meta:
        fields: list[str] = []
        form = SlipFilterForm

    def __init__(self, data=None, *args, **kwargs):
        super().__init__(data, *args, **kwargs)
        fields = self.form.fields
        fields["department"].choices = department_options()
        for name in self.LIST_BOXES:
            fields[name].widget = FastSelectMultiple(
                attrs={"class": "form-select form-select-sm sb-filter-list", "size": LIST_SIZE},
                choices=fields[name].choices,
            )
        for name in self.YES_NO_FIELDS:
            fields[name].widget = FlatSelect(
                attrs={"class": "form-select form-select-sm"}, choices=fields[name].choices
            )
        for name in ("date_from", "date_to", "late_by"):
            fields[name].widget.attrs["class"] = "form-control form-control-sm"

    def filter_noop(self, queryset, name, value):
        return queryset  # the date range is applied together, in filter_queryset

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        data = self.form.cleaned_data
        return created_between(queryset, data.get("date_from"), data.get("date_to"))

    def filter_late_by(self, queryset, name, value):
        return queryset.filter(slip_late_by_q(local_day_start(value + timedelta(days=1))))

    def filter_status(self, queryset, name, value):
        return queryset.filter(status__in=value)

    def filter_urgency(self, queryset, name, value):
        return queryset.filter(urgency__in=value)

    def filter_department(self, queryset, name, value):
        return queryset.filter(slip_recipient_department_q(ids_in(value)))

    def filter_stamp(self, queryset, name, value):
        if name == "escalated":
            wanted = Q(escalation_level__gt=0)
        else:
            wanted = Q(**{STAMPS[name]: False})
        return queryset.filter(wanted if value == YES else ~wanted)

    def labels(self) -> dict[str, dict[str, str]]:
        return {
            name: {str(v): str(label) for v, label in self.form.fields[name].choices}
            for name in (*self.LIST_BOXES, *self.YES_NO_FIELDS)
        }

    def summary(self) -> list[tuple[str, str]]:
        """(filter label, what it holds) for each filter in use, in words."""
        if not self.is_bound or not self.form.is_valid():
            return []
        labels = self.labels()
        found = []
        for name, field in self.form.fields.items():
            value = self.form.cleaned_data.get(name)
            if value in (None, "", []):
                continue
            if name in self.LIST_BOXES:
                text = ", ".join(labels[name].get(str(v), str(v)) for v in value)
            elif name in labels:
                text = labels[name].get(str(value), str(value))
            else:
                text = str(value)
            found.append((str(field.label), text))
        return found
