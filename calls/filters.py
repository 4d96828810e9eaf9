"""The call log's filters. Every widget stays small: operators, departments and
categories are short lists; the person asked for is typed (an id or a name),
never a select of 20,000 staff."""

import re
from datetime import date, datetime, time, timedelta

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import CharField, F, IntegerField, Value
from django.db.models.functions import Coalesce, Concat, NullIf, Trim
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from calls.models import Call, CallCategory, Caller, Direction, Outcome
from directory.models import Department, Staff
from directory.text import fold
from switchboard.phones import parse_phone_number
from switchboard.roles import OPERATOR
from switchboard.widgets import (
    FastDateInput,
    FastSelect,
    FastSelectMultiple,
    FastTextInput,
    FastTimeInput,
)


def caller_number_e164(value: str) -> str | None:
    """The E.164 form of a typed number, read as the console stores it
    (calls.forms.parse_phone_number), or None for a name or a number that is
    not valid."""
    value = (value or "").strip()
    if not value or not any(ch.isdigit() for ch in value):
        return None
    if any(ch.isalpha() for ch in value):
        return None
    try:
        return parse_phone_number(value)
    except ValidationError:
        return None


# Ids typed into a filter: ASCII digits only (str.isdigit() also passes "²³" and
# other scripts' digits, which int() or the database then refuse) and short
# enough for a 64-bit column.
ID_RE = re.compile(r"[0-9]{1,18}")
# Dates a filter accepts: outside these, building the range's datetimes (and
# moving them to UTC) overflows, and no call is that old or that far ahead.
DATE_MIN = date(2000, 1, 1)
DATE_MAX = date(9998, 12, 31)
OUTCOME_ROWS = 3  # rows the outcome list box shows (it scrolls)
DATE_ATTRS = {"type": "date", "min": DATE_MIN.isoformat(), "max": DATE_MAX.isoformat()}


def validate_filter_date(value: date) -> None:
    if not DATE_MIN <= value <= DATE_MAX:
        raise ValidationError(
            _("Give a date between %(min)s and %(max)s."),
            code="date_range",
            params={"min": DATE_MIN.isoformat(), "max": DATE_MAX.isoformat()},
        )


def day_filter(label, method: str = "filter_noop") -> django_filters.DateFilter:
    """A local day (a date input, bounded by validate_filter_date); by
    default left to the filter set's own range query (filter_noop)."""
    return django_filters.DateFilter(
        label=label,
        method=method,
        validators=[validate_filter_date],
        widget=FastDateInput(attrs=DATE_ATTRS),
    )


def validate_staff_query(value: str) -> None:
    value = (value or "").strip()
    if value.isascii() and value.isdigit() and not ID_RE.fullmatch(value):
        raise ValidationError(_("No one has this staff id."), code="staff_id")


def option_rows(queryset, kind: str, label, sort):
    """(kind, id, label, sort) rows of one list box's choices, to UNION with
    the others' so that a filter form reads all its choices in one query."""
    return (
        queryset.order_by()
        .annotate(
            o_kind=Value(kind, output_field=CharField()),
            o_id=F("pk"),
            o_label=label,
            o_sort=sort,
        )
        .values_list("o_kind", "o_id", "o_label", "o_sort")
    )


def filter_options() -> dict[str, list[tuple[str, str]]]:
    """The choices of the three small selects (operators, departments,
    categories) in one UNION query, so the list page's query count stays low.

    Operators are the users in the Operator group; departments number a few
    hundred at most; categories a few dozen."""
    full_name = Trim(Concat("first_name", Value(" "), "last_name", output_field=CharField()))
    operators = option_rows(
        get_user_model().objects.filter(groups__name=OPERATOR, is_active=True),
        "operator",
        Coalesce(NullIf(full_name, Value("")), "username", output_field=CharField()),
        Value(0, output_field=IntegerField()),
    )
    departments = option_rows(
        Department.objects.all(), "department", F("name"), Value(0, output_field=IntegerField())
    )
    categories = option_rows(CallCategory.objects.all(), "category", F("name"), F("position"))
    rows = operators.union(departments, categories, all=True).order_by(
        "o_kind", "o_sort", "o_label", "o_id"
    )
    options: dict[str, list[tuple[str, str]]] = {
        "operator": [],
        "department": [],
        "category": [],
    }
    for kind, pk, label, _sort in rows:
        options[kind].append((str(pk), label))
    return options


# Widgets rendered in Python: the selects hold a few hundred options, and each
# option through Django's widget templates costs the page tens of milliseconds.


class CallLogFilter(django_filters.FilterSet):
    """Filters of the call log. The date range defaults to today (local time):
    the log of a whole year is never the first thing a page asks for."""

    date_from = day_filter(_("From"))
    time_from = django_filters.TimeFilter(
        label=_("From time"), method="filter_noop", widget=FastTimeInput(attrs={"type": "time"})
    )
    date_to = day_filter(_("To"))
    time_to = django_filters.TimeFilter(
        label=_("To time"), method="filter_noop", widget=FastTimeInput(attrs={"type": "time"})
    )
    operator = django_filters.ChoiceFilter(
        label=_("Operator"), field_name="operator_id", widget=FastSelect
    )
    direction = django_filters.ChoiceFilter(
        label=_("Direction"), choices=Direction.choices, widget=FastSelect
    )
    # Several outcomes at once (?outcome=no_answer&outcome=call_back: the
    # recap's missed calls); a link with one outcome reads as before.
    outcome = django_filters.MultipleChoiceFilter(
        label=_("Outcome"),
        choices=Outcome.choices,
        method="filter_outcome",
        widget=FastSelectMultiple(attrs={"size": OUTCOME_ROWS}),
    )
    category = django_filters.ChoiceFilter(
        label=_("Category"), field_name="category_id", widget=FastSelect
    )
    department = django_filters.ChoiceFilter(
        label=_("Department"), field_name="asked_for_department_id", widget=FastSelect
    )
    staff = django_filters.CharFilter(
        label=_("Asked for"),
        method="filter_staff",
        widget=FastTextInput(attrs={"placeholder": _("Staff id or name")}),
        validators=[validate_staff_query],
    )
    caller = django_filters.CharFilter(
        label=_("Caller"),
        method="filter_caller",
        widget=FastTextInput(attrs={"placeholder": _("Number or name")}),
    )

    class Meta:
        model = Call
        fields = []

    def __init__(self, data=None, *args, **kwargs):
        # Default to today: copy the query so a bare page lists today's calls.
        data = data.copy() if data is not None else {}
        today = timezone.localdate().isoformat()
        if not data.get("date_from") and not data.get("date_to"):
            data["date_from"] = today
            data["date_to"] = today
        super().__init__(data, *args, **kwargs)
        options = filter_options()
        for name, choices in options.items():
            # django-filter's ChoiceField puts its empty choice first itself.
            self.form.fields[name].choices = choices
        for field in self.form.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs["class"] = f"{css} {css}-sm"

    def filter_noop(self, queryset, name, value):
        return queryset  # applied together in filter_queryset

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        data = self.form.cleaned_data
        tz = timezone.get_current_timezone()
        if data.get("date_from"):
            start = datetime.combine(data["date_from"], data.get("time_from") or time.min)
            queryset = queryset.filter(started_at__gte=start.replace(tzinfo=tz))
        if data.get("date_to"):
            if data.get("time_to"):
                end = datetime.combine(data["date_to"], data["time_to"]) + timedelta(minutes=1)
            else:
                end = datetime.combine(data["date_to"] + timedelta(days=1), time.min)
            queryset = queryset.filter(started_at__lt=end.replace(tzinfo=tz))
        return queryset

    def filter_outcome(self, queryset, name, value):
        # One IN on the outcome, never an OR of equalities.
        return queryset.filter(outcome__in=value)

    def filter_staff(self, queryset, name, value):
        value = value.strip()
        if ID_RE.fullmatch(value):
            return queryset.filter(asked_for_staff_id=int(value))
        folded = fold(value)
        if not folded:
            return queryset
        # Resolve the name among staff first, then use the (staff, started) index.
        matches = Staff.objects.filter(search_name__contains=folded).values("pk")
        return queryset.filter(asked_for_staff_id__in=matches)

    def filter_caller(self, queryset, name, value):
        e164 = caller_number_e164(value)
        if e164:
            # The number names one Caller: filter on the caller FK (its index).
            return queryset.filter(caller_id__in=Caller.objects.filter(number=e164).values("pk"))
        value = value.strip()
        return queryset.filter(caller_name__icontains=value) if value else queryset
