"""Clocking in and out, from the navigation bar of every page."""

from django.contrib import messages
from django.shortcuts import redirect
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from reports.access import require_clock
from reports.models import AttendanceStatus
from reports.services.roster import ClockRefused
from reports.services.roster import clock_in as clock_in_service
from reports.services.roster import clock_out as clock_out_service
from reports.views.roster.common import next_url


def _time(moment) -> str:
    return formats.time_format(timezone.localtime(moment), "H:i")


def clock_in_message(session, day) -> tuple[str, str]:
    """(level, text) telling the operator at once whether they are late."""
    at = _time(session.clock_in)
    if day is None or day.status == AttendanceStatus.UNSCHEDULED:
        return "warning", _("Clocked in at %(at)s. You have no shift rostered today.") % {"at": at}
    if day.status != AttendanceStatus.PRESENT or day.shift_type_id is None:
        return "info", _("Clocked in at %(at)s.") % {"at": at}
    shift = day.shift_type
    values = {"at": at, "shift": shift.name, "start": _time(day.scheduled_start)}
    if day.late_minutes:
        values["minutes"] = day.late_minutes
        return "warning", _(
            "Clocked in at %(at)s: %(minutes)d minutes late for %(shift)s (starts %(start)s)."
        ) % values
    return "success", _("Clocked in at %(at)s for %(shift)s (starts %(start)s): on time.") % values


@require_POST
def clock_in(request):
    require_clock(request.user)
    try:
        session, day = clock_in_service(operator=request.user)
    except ClockRefused as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        level, text = clock_in_message(session, day)
        getattr(messages, level)(request, text)
    return redirect(next_url(request, "/"))


@require_POST
def clock_out(request):
    require_clock(request.user)
    try:
        session, day = clock_out_service(operator=request.user)
    except ClockRefused as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        text = _("Clocked out at %(at)s.") % {"at": _time(session.clock_out)}
        if day is not None and day.early_minutes:
            text += " " + _("%(minutes)d minutes before the end of your shift.") % {
                "minutes": day.early_minutes
            }
            messages.warning(request, text)
        else:
            messages.success(request, text)
    return redirect(next_url(request, "/"))
