"""A day's attendance for all operators (supervisors), with who is on duty
now when the day is today; corrections with a reason, and their withdrawal."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from reports.access import ATTENDANCE, require
from reports.forms_roster import CorrectionForm
from reports.models import AttendanceDay, AttendanceStatus
from reports.selectors_roster import (
    attendance_for_day,
    attendance_history,
    on_duty_now,
    roster_operators,
)
from reports.services.attendance import (
    AttendanceConflict,
    attendance_version,
    attendance_withdraw_correction,
)
from reports.services.attendance import (
    attendance_correct as attendance_correct_service,
)
from reports.views.roster.common import parse_day

FILTERS = [
    ("", _("All")),
    ("late", _("Late")),
    ("early", _("Left early")),
    (AttendanceStatus.ABSENT, AttendanceStatus.ABSENT.label),
    (AttendanceStatus.PRESENT, AttendanceStatus.PRESENT.label),
    (AttendanceStatus.SCHEDULED, AttendanceStatus.SCHEDULED.label),
    (AttendanceStatus.LEAVE, AttendanceStatus.LEAVE.label),
    (AttendanceStatus.SICK, AttendanceStatus.SICK.label),
    (AttendanceStatus.PERMISSION, AttendanceStatus.PERMISSION.label),
    (AttendanceStatus.UNSCHEDULED, AttendanceStatus.UNSCHEDULED.label),
    ("off", _("Day off")),
    ("corrected", _("Corrected")),
]


def day_url(day, status="") -> str:
    query = {"day": day.isoformat()}
    if status:
        query["status"] = status
    return reverse("reports:attendance-day") + "?" + urlencode(query)


@require_GET
def attendance_day(request):
    require(request.user, ATTENDANCE)
    today = timezone.localdate()
    day = parse_day(request.GET.get("day")) or today
    status = request.GET.get("status", "")
    if status not in {value for value, _label in FILTERS}:
        status = ""
    from datetime import timedelta

    context = {
        "day": day,
        "today": today,
        "is_today": day == today,
        "rows": attendance_for_day(day=day, status=status),
        "status": status,
        "filters": [(v, label, day_url(day, v)) for v, label in FILTERS],
        "previous_url": day_url(day - timedelta(days=1), status),
        "next_url": day_url(day + timedelta(days=1), status),
        "today_url": day_url(today, status),
        "on_duty": on_duty_now() if day == today else None,
    }
    return render(request, "reports/attendance_day.html", context)


def _operator_and_day(request):
    def value(name):
        return request.POST.get(name) or request.GET.get(name) or ""

    day = parse_day(value("day"))
    try:
        operator_id = int(value("operator"))
    except (TypeError, ValueError):
        operator_id = None
    if day is None or operator_id is None:
        raise Http404
    operator = roster_operators().filter(pk=operator_id).first()
    if operator is None:
        # A former operator's day can still be corrected if it has a row.
        operator = (
            get_user_model().objects.filter(pk=operator_id, attendance_days__date=day).first()
        )
    if operator is None:
        raise Http404
    return operator, day


@require_http_methods(["GET", "POST"])
def attendance_correct(request):
    require(request.user, ATTENDANCE)
    operator, day = _operator_and_day(request)
    row = (
        AttendanceDay.objects.filter(operator=operator, date=day)
        .select_related("shift_type", "corrected_by")
        .first()
    )
    initial = {
        "status": row.status if row and row.status != AttendanceStatus.SCHEDULED else "present",
        "late_minutes": row.late_minutes if row else 0,
        "early_minutes": row.early_minutes if row else 0,
        "version": attendance_version(row),
    }
    form = CorrectionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            attendance_correct_service(
                operator=operator,
                day=day,
                by=request.user,
                status=data["status"],
                late_minutes=data["late_minutes"],
                early_minutes=data["early_minutes"],
                reason=data["reason"],
                version=data["version"] or None,
            )
        except AttendanceConflict as exc:
            form.add_error(None, str(exc))
            row = AttendanceDay.objects.filter(operator=operator, date=day).first()
            form.data = form.data.copy()
            form.data["version"] = attendance_version(row)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("Attendance corrected; the history keeps the reason."))
            return redirect(day_url(day))
    context = {
        "form": form,
        "operator": operator,
        "name": operator.get_full_name() or operator.username,
        "day": day,
        "row": row,
        "history": attendance_history(row) if row else [],
        "back_url": day_url(day),
    }
    return render(
        request,
        "reports/attendance_correct.html",
        context,
        status=422 if form.is_bound else 200,
    )


@require_POST
def attendance_withdraw(request, pk):
    require(request.user, ATTENDANCE)
    row = AttendanceDay.objects.filter(pk=pk).first()
    if row is None:
        raise Http404
    try:
        attendance_withdraw_correction(
            attendance=row, by=request.user, version=request.POST.get("version") or None
        )
    except AttendanceConflict as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Correction withdrawn; the day is computed again."))
    return redirect(day_url(row.date))
