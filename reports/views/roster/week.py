"""The supervisors' roster week: a grid of operators × days, filled by
keyboard (static/js/roster.js) or by dragging a cell onto another."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from reports import selectors_roster
from reports.access import ROSTER, require
from reports.forms_roster import CopyWeekForm, RosterCellForm
from reports.services.roster import roster_copy_week, roster_set, week_start
from reports.views.roster.common import parse_day, parse_week


def week_from(request):
    """Monday of the week asked for (?week=2026-W49 or ?start=2026-12-07); this
    week for anything else."""
    today = timezone.localdate()
    start = parse_week(request.GET.get("week")) or parse_day(request.GET.get("start")) or today
    return week_start(start), today


def week_url(start) -> str:
    year, week, _day = start.isocalendar()
    return reverse("reports:roster-week") + "?" + urlencode({"week": f"{year}-W{week:02d}"})


@require_GET
def roster_week(request):
    require(request.user, ROSTER)
    start, today = week_from(request)
    context = selectors_roster.roster_week(start=start, today=today)
    context["previous_url"] = week_url(context["previous"])
    context["next_url"] = week_url(context["next"])
    context["this_week_url"] = week_url(week_start(today))
    context["is_this_week"] = start == week_start(today)
    return render(request, "reports/roster_week.html", context)


@require_POST
def roster_cell(request):
    """Save one cell; answers with the cell as it now is (422 and the reason
    in the cell when refused)."""
    require(request.user, ROSTER)
    form = RosterCellForm(request.POST)
    if not form.is_valid():
        errors = " ".join(e for errs in form.errors.values() for e in errs)
        return render(
            request,
            "reports/partials/_roster_cell.html",
            {"cell": None, "error": errors or _("This cell could not be saved.")},
            status=422,
        )
    operator, day = form.cleaned_data["operator"], form.cleaned_data["date"]
    try:
        roster_set(by=request.user, operator=operator, day=day, key=form.cleaned_data["key"])
    except ValidationError as exc:
        cell = selectors_roster.roster_cell(operator=operator, day=day)
        cell.error = " ".join(exc.messages)
        return render(request, "reports/partials/_roster_cell.html", {"cell": cell}, status=422)
    cell = selectors_roster.roster_cell(operator=operator, day=day)
    return render(request, "reports/partials/_roster_cell.html", {"cell": cell})


@require_POST
def roster_copy(request):
    require(request.user, ROSTER)
    form = CopyWeekForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the week to fill."))
        return redirect("reports:roster-week")
    start = week_start(form.cleaned_data["start"])
    result = roster_copy_week(
        by=request.user, start=start, overwrite=form.cleaned_data["overwrite"]
    )
    copied = ngettext(
        "%(count)d entry copied from the week before",
        "%(count)d entries copied from the week before",
        result["copied"],
    ) % {"count": result["copied"]}
    skipped = ngettext(
        "%(count)d kept as it was", "%(count)d kept as they were", result["skipped"]
    ) % {"count": result["skipped"]}
    messages.success(request, f"{copied}; {skipped}.")
    for refusal in result["refused"][:10]:
        messages.warning(request, refusal)
    return redirect(week_url(start))
