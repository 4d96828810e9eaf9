"""The complaint list's filters (the list, its export, its report and the
saved filters all read them): several values at once for status, severity,
department, category, product and the person assigned, with "unrouted" and
"unassigned"; the recorded date range; overdue only (late now); late by the end of a
given day (the daily recap's rule); and the keyword search.

The choices come from one UNION query. People to filter by are those of the
department chosen, when one is (a few hundred at most; a department's staff
see their own), never a list of every member of staff; an id in the query
string outside them is still accepted, and shown."""

from datetime import timedelta

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import F, IntegerField, Q, Value
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from calls.filters import ID_RE, day_filter, option_rows
from directory.models import Department, Staff
from messages_app.models import (
    OPEN_COMPLAINT_STATUSES,
    ComplaintCategory,
    ComplaintStatus,
    Product,
    Severity,
)
from messages_app.selectors_complaints import (
    SHORT_WORD,
    created_between,
    keyword_filter,
    late_by_q,
    local_day_start,
    overdue_q,
    phone_of,
    reference_of,
    search_words,
)
from switchboard.widgets import FastSelectMultiple, FastTextInput

NONE = "none"  # "unrouted" for the department, "unassigned" for the person
OPEN = "open"  # every open status at once
LIST_SIZE = 4  # rows a list box shows
Q_MAX = 200

STATUS_CHOICES = [(OPEN, _("Any open")), *ComplaintStatus.choices]


def validate_keywords(value: str) -> None:
    value = (value or "").strip()
    if value and not (reference_of(value) or phone_of(value) or search_words(value)):
        raise ValidationError(
            _("Type at least %(n)s letters or digits."),
            code="too_short",
            params={"n": SHORT_WORD},
        )


def ids_in(values) -> list[int]:
    """The ASCII ids among raw query values (others' digits and huge ones left out)."""
    return [int(v) for v in values if isinstance(v, str) and ID_RE.fullmatch(v)]


def filter_options(*, departments: list[int], assignees: list[int]) -> dict[str, list]:
    """The choices of the list boxes in one UNION query: every department,
    category and product, and the active people of `departments` plus anyone
    in `assignees` (ids the query string names)."""
    zero = Value(0, output_field=IntegerField())
    parts = [
        option_rows(Department.objects.all(), "department", F("name"), zero),
        option_rows(ComplaintCategory.objects.all(), "category", F("name"), F("position")),
        option_rows(Product.objects.all(), "product", F("name"), zero),
    ]
    if departments or assignees:
        people = Staff.objects.filter(
            Q(department_id__in=departments, active=True) | Q(pk__in=assignees)
        )
        parts.append(option_rows(people, "assigned_to", F("full_name"), zero))
    rows = parts[0].union(*parts[1:], all=True).order_by("o_kind", "o_sort", "o_label", "o_id")
    options: dict[str, list] = {"department": [], "category": [], "product": [], "assigned_to": []}
    for kind, pk, label, _sort in rows:
        options[kind].append((str(pk), label))
    return options


class ComplaintFilterForm(forms.Form):
    def clean(self):
        cleaned = super().clean()
        first, last = cleaned.get("date_from"), cleaned.get("date_to")
        if first and last and first > last:
            self.add_error("date_to", _("The end comes before the start."))
        return cleaned


class ComplaintFilter(django_filters.FilterSet):
    """Every filter of the complaint list; each takes several values, and a
    value that is not one of its choices is a message next to it."""

    q = django_filters.CharFilter(
        label=_("Search"),
        method="filter_q",
        max_length=Q_MAX,
        validators=[validate_keywords],
        widget=FastTextInput(
            attrs={
                "type": "search",
                "placeholder": _("Reference, customer, number or words"),
                "autocomplete": "off",
            }
        ),
    )
    date_from = day_filter(_("Recorded from"))
    date_to = day_filter(_("to"))
    overdue = django_filters.BooleanFilter(
        label=_("Overdue only"), method="filter_overdue", widget=forms.CheckboxInput
    )
    escalated = django_filters.BooleanFilter(
        label=_("Escalated only"), method="filter_escalated", widget=forms.CheckboxInput
    )
    late_by = day_filter(_("Late by the end of"), "filter_late_by")
    status = django_filters.MultipleChoiceFilter(
        label=_("Status"), choices=STATUS_CHOICES, method="filter_status"
    )
    severity = django_filters.MultipleChoiceFilter(
        label=_("Severity"), choices=Severity.choices, method="filter_severity"
    )
    department = django_filters.MultipleChoiceFilter(
        label=_("Department"), method="filter_department"
    )
    category = django_filters.MultipleChoiceFilter(label=_("Category"), method="filter_category")
    product = django_filters.MultipleChoiceFilter(label=_("Product"), method="filter_product")
    assigned_to = django_filters.MultipleChoiceFilter(
        label=_("Assigned to"), method="filter_assigned_to"
    )

    LIST_BOXES = ("status", "severity", "department", "category", "product", "assigned_to")

    class Meta:
        fields: list[str] = []
        form = ComplaintFilterForm

    def __init__(self, data=None, *args, request=None, assignee_departments=None, **kwargs):
        super().__init__(data, *args, request=request, **kwargs)
        self.now = timezone.now()
        raw = self.data if self.data is not None else {}
        chosen = ids_in(raw.getlist("department") if hasattr(raw, "getlist") else [])
        # A department's staff see the people of their own department.
        departments = assignee_departments or (chosen if len(chosen) == 1 else [])
        named = ids_in(raw.getlist("assigned_to") if hasattr(raw, "getlist") else [])[:50]
        self.options = filter_options(departments=departments, assignees=named)
        fields = self.form.fields
        fields["department"].choices = [(NONE, _("Unrouted")), *self.options["department"]]
        fields["category"].choices = self.options["category"]
        fields["product"].choices = self.options["product"]
        fields["assigned_to"].choices = [(NONE, _("Unassigned")), *self.options["assigned_to"]]
        self.offers_people = bool(departments)
        for name in self.LIST_BOXES:
            fields[name].widget = FastSelectMultiple(
                attrs={"class": "form-select form-select-sm sb-filter-list", "size": LIST_SIZE},
                choices=fields[name].choices,
            )
        for name in ("q", "date_from", "date_to", "late_by"):
            fields[name].widget.attrs["class"] = "form-control form-control-sm"
        fields["overdue"].widget.attrs["class"] = "form-check-input"
        fields["escalated"].widget.attrs["class"] = "form-check-input"

    # Each multiple choice as one IN (its index), never an OR of equalities.

    def filter_noop(self, queryset, name, value):
        return queryset  # the date range is applied together, in filter_queryset

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        data = self.form.cleaned_data
        return created_between(queryset, data.get("date_from"), data.get("date_to"))

    def filter_q(self, queryset, name, value):
        return keyword_filter(queryset, value)

    def filter_overdue(self, queryset, name, value):
        return queryset.filter(overdue_q(self.now)) if value else queryset

    def filter_escalated(self, queryset, name, value):
        """Escalated at least once (to the department head, or on to the
        supervisors), as the recap counts them."""
        return queryset.filter(escalation_level__gt=0) if value else queryset

    def filter_late_by(self, queryset, name, value):
        """Late for either deadline as of that local day's end (the recap's
        "overdue at the day's end"), whatever happened since."""
        return queryset.filter(late_by_q(local_day_start(value + timedelta(days=1))))

    def filter_status(self, queryset, name, value):
        statuses = set(value)
        if OPEN in statuses:
            statuses = (statuses - {OPEN}) | set(OPEN_COMPLAINT_STATUSES)
        return queryset.filter(status__in=sorted(statuses))

    def filter_severity(self, queryset, name, value):
        return queryset.filter(severity__in=value)

    def _ids_or_none(self, queryset, field: str, value):
        wanted = Q(**{f"{field}__in": ids_in(value)})
        if NONE in value:
            wanted |= Q(**{f"{field}__isnull": True})
        return queryset.filter(wanted)

    def filter_department(self, queryset, name, value):
        return self._ids_or_none(queryset, "department_id", value)

    def filter_category(self, queryset, name, value):
        return queryset.filter(category_id__in=ids_in(value))

    def filter_product(self, queryset, name, value):
        return queryset.filter(product_id__in=ids_in(value))

    def filter_assigned_to(self, queryset, name, value):
        return self._ids_or_none(queryset, "assigned_to_id", value)

    # What the page says about the filter ---------------------------------------

    def labels(self) -> dict[str, dict[str, str]]:
        """Each list box's choices by value, to name what a filter holds."""
        return {
            name: {str(v): str(label) for v, label in self.form.fields[name].choices}
            for name in self.LIST_BOXES
        }

    def summary(self) -> list[tuple[str, str]]:
        """(filter label, what it holds) for each filter in use, in words."""
        if not self.is_bound or not self.form.is_valid():
            return []
        data = self.form.cleaned_data
        labels = self.labels()
        found = []
        for name, field in self.form.fields.items():
            value = data.get(name)
            if value in (None, "", [], False):
                continue
            if name in labels:
                text = ", ".join(labels[name].get(str(v), str(v)) for v in value)
            elif value is True:
                text = str(_("yes"))
            else:
                text = str(value)
            found.append((str(field.label), text))
        return found
