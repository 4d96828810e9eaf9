"""The operator's own page: my next weeks' shifts, my attendance this month
(or ?month=YYYY-MM), my swaps. Only ever the signed-in operator's."""

from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from reports.access import require_operator
from reports.forms_roster import SwapRequestForm
from reports.selectors_roster import (
    my_attendance_month,
    swap_choices,
    swaps_for_operator,
)
from reports.selectors_roster import (
    my_schedule as my_schedule_selector,
)
from reports.views.roster.common import parse_month


def my_schedule_page(request, *, swap_form=None, status=200):
    require_operator(request.user)
    now = timezone.now()
    today = timezone.localdate(now)
    month = parse_month(request.GET.get("month")) or today.replace(day=1)
    if month > today.replace(day=1):
        month = today.replace(day=1)
    mine, colleagues, theirs = swap_choices(operator=request.user, now=now)
    if swap_form is None:
        swap_form = SwapRequestForm(mine=mine, colleagues=colleagues, theirs=theirs)
    attendance = my_attendance_month(operator=request.user, month=month, until=today)
    context = {
        "days": my_schedule_selector(operator=request.user, today=today),
        "attendance": attendance,
        "is_this_month": month == today.replace(day=1),
        "swaps": swaps_for_operator(operator=request.user),
        "swap_form": swap_form,
        # Which colleague each of their shifts is (roster.js narrows the list).
        "entry_operators": {e.pk: e.operator_id for e in theirs},
        "has_shifts": bool(mine),
        "me": request.user,
    }
    return render(request, "reports/my_schedule.html", context, status=status)


@require_GET
def my_schedule(request):
    return my_schedule_page(request)
