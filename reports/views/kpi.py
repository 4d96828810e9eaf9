"""The KPI pages (reports.selectors_kpi has the arithmetic):

- kpi-month: every operator's month against the targets, with a 12-month
  sparkline per KPI (supervisors; `?month=YYYY-MM`, anything else is this
  month);
- kpi-sheet: one operator's month and 12-month trend, printable, with the
  sign-off (supervisors; an operator their own only, 404 for anyone else's);
- kpi-sheet-xlsx: the same as an XLSX workbook with real numbers;
- kpi-sign-off / kpi-sign-off-withdraw: POST-only actions on the sheet;
- my-kpis: an operator's own sheet (`?month=`).
"""

import re
from datetime import date

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from reports import access_kpi
from reports.forms_kpi import SignOffForm, WithdrawForm
from reports.models import KpiSignOff
from reports.selectors_kpi import (
    add_months,
    kpi_month_table,
    kpi_sheet,
    month_start,
    parse_month,
)
from reports.services.kpi import KpiConflict, kpi_sign_off, kpi_sign_off_withdraw
from switchboard.spreadsheets import xlsx_bytes

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _this_month() -> date:
    return month_start(timezone.localdate())


def _month_or_this(value) -> date:
    """A ?month= value, or this month for anything else (a later month too)."""
    month = parse_month(value)
    this = _this_month()
    return month if month is not None and month <= this else this


def _month_or_404(value) -> date:
    month = parse_month(value)
    if month is None or month > _this_month():
        raise Http404
    return month


def _name(user) -> str:
    return user.get_full_name() or user.get_username()


@require_GET
def kpi_month(request):
    access_kpi.require_all(request.user)
    month = _month_or_this(request.GET.get("month"))
    table = kpi_month_table(month=month)
    this = _this_month()
    context = {
        **table,
        "month": month,
        "month_value": f"{month:%Y-%m}",
        "prev_month": f"{add_months(month, -1):%Y-%m}",
        "next_month": f"{add_months(month, 1):%Y-%m}" if month < this else None,
        "this_month": f"{this:%Y-%m}",
    }
    return render(request, "reports/kpi_month.html", context)


def _sheet_context(request, operator, month, *, own: bool, sign_form=None, withdraw_form=None):
    sheet = kpi_sheet(operator=operator, month=month)
    sign_off = sheet["sign_off"]
    can_sign = not own and access_kpi.may_sign_off(request.user) and sheet["month_over"]
    version = sign_off.version if sign_off else ""
    return {
        **sheet,
        "own": own,
        "operator_name": _name(operator),
        "month_value": f"{month:%Y-%m}",
        "can_sign": can_sign and not (sign_off and sign_off.is_signed),
        "can_withdraw": can_sign and bool(sign_off and sign_off.is_signed),
        "sign_form": sign_form or SignOffForm(initial={"version": version}),
        "withdraw_form": withdraw_form or WithdrawForm(initial={"version": version}),
    }


def _sheet_url(operator_id: int, month: date, *, own: bool) -> str:
    if own:
        return f"{reverse('reports:my-kpis')}?month={month:%Y-%m}"
    return reverse("reports:kpi-sheet", args=[operator_id, f"{month:%Y-%m}"])


@require_GET
def kpi_sheet_view(request, operator_id: int, month: str):
    operator = access_kpi.get_kpi_operator_for_user(request, operator_id)
    month = _month_or_404(month)
    own = operator.pk == request.user.pk and not access_kpi.may_see_all(request.user)
    context = _sheet_context(request, operator, month, own=own)
    return render(request, "reports/kpi_sheet.html", context)


@require_GET
def my_kpis(request):
    access_kpi.require_own(request.user)
    month = _month_or_this(request.GET.get("month"))
    context = _sheet_context(request, request.user, month, own=True)
    return render(request, "reports/my_kpis.html", context)


@require_GET
def kpi_sheet_xlsx(request, operator_id: int, month: str):
    operator = access_kpi.get_kpi_operator_for_user(request, operator_id)
    month = _month_or_404(month)
    sheet = kpi_sheet(operator=operator, month=month)
    targets = sheet["targets"]
    header = [
        _("Month"),
        _("Scheduled shifts"),
        _("Worked on time"),
        _("Late"),
        _("Left early"),
        _("Absent"),
        _("Sick"),
        _("Leave"),
        _("Permission"),
        _("Unscheduled work"),
        _("Shifts worked"),
        _("Discipline (%)"),
        _("Discipline target (%)"),
        _("Reviews"),
        _("Average score"),
        _("Quality target"),
        _("Auto-fails"),
        _("Calls handled"),
        _("Calls per shift worked"),
        _("Productivity target"),
        _("Average handling time (s)"),
    ]
    rows = []
    for entry in sheet["trend"]:
        f = entry["figures"]
        rows.append(
            [
                f.month,
                f.scheduled,
                f.on_time,
                f.late,
                f.left_early,
                f.absent,
                f.sick,
                f.leave,
                f.permission,
                f.unscheduled,
                f.shifts_worked,
                f.discipline,
                targets["discipline"],
                f.reviews,
                f.quality,
                targets["quality"],
                f.auto_fails,
                f.calls,
                f.productivity,
                targets["productivity"],
                f.aht_seconds,
            ]
        )
    # A sheet's title may not hold []:*?/\ (openpyxl refuses them).
    title = re.sub(r"[\[\]:*?/\\]", " ", f"{_name(operator)} {month:%Y-%m}")
    body = xlsx_bytes(header, rows, title=title, widths=[12] + [14] * (len(header) - 1))
    response = HttpResponse(body, content_type=XLSX_TYPE)
    filename = f"kpi-{operator.get_username()}-{month:%Y-%m}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _action_target(request, operator_id: int, month: str):
    access_kpi.require_all(request.user)
    if not access_kpi.may_sign_off(request.user):
        raise PermissionDenied
    operator = access_kpi.get_kpi_operator_for_user(request, operator_id)
    return operator, _month_or_404(month)


def _form_errors(form, error: ValidationError, field: str) -> None:
    if hasattr(error, "error_dict"):
        for name, errors in error.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


@require_POST
def kpi_sign_off_view(request, operator_id: int, month: str):
    operator, month = _action_target(request, operator_id, month)
    form = SignOffForm(request.POST)
    if form.is_valid():
        try:
            kpi_sign_off(
                operator=operator,
                month=month,
                by=request.user,
                note=form.cleaned_data["note"],
                version=form.cleaned_data["version"],
            )
        except KpiConflict as conflict:
            messages.error(request, conflict.messages[0])
            return redirect(_sheet_url(operator.pk, month, own=False))
        except ValidationError as error:
            _form_errors(form, error, "note")
        else:
            messages.success(
                request,
                _("The KPI sheet of %(name)s for %(month)s is signed off.")
                % {"name": _name(operator), "month": date_format(month, "F Y")},
            )
            return redirect(_sheet_url(operator.pk, month, own=False))
    context = _sheet_context(request, operator, month, own=False, sign_form=form)
    return render(request, "reports/kpi_sheet.html", context, status=400)


@require_POST
def kpi_sign_off_withdraw_view(request, operator_id: int, month: str):
    operator, month = _action_target(request, operator_id, month)
    form = WithdrawForm(request.POST)
    if form.is_valid():
        sign_off = KpiSignOff.objects.filter(operator=operator, month=month).first()
        if sign_off is None:
            raise Http404
        try:
            kpi_sign_off_withdraw(
                sign_off=sign_off,
                by=request.user,
                reason=form.cleaned_data["reason"],
                version=form.cleaned_data["version"],
            )
        except KpiConflict as conflict:
            messages.error(request, conflict.messages[0])
            return redirect(_sheet_url(operator.pk, month, own=False))
        except ValidationError as error:
            _form_errors(form, error, "reason")
        else:
            messages.success(request, _("The sign-off is withdrawn."))
            return redirect(_sheet_url(operator.pk, month, own=False))
    context = _sheet_context(request, operator, month, own=False, withdraw_form=form)
    return render(request, "reports/kpi_sheet.html", context, status=400)


urlpatterns = [
    path("kpis/", kpi_month, name="kpi-month"),
    path("my/kpis/", my_kpis, name="my-kpis"),
    path("kpis/<int:operator_id>/<str:month>/", kpi_sheet_view, name="kpi-sheet"),
    path("kpis/<int:operator_id>/<str:month>/xlsx/", kpi_sheet_xlsx, name="kpi-sheet-xlsx"),
    path("kpis/<int:operator_id>/<str:month>/sign-off/", kpi_sign_off_view, name="kpi-sign-off"),
    path(
        "kpis/<int:operator_id>/<str:month>/withdraw/",
        kpi_sign_off_withdraw_view,
        name="kpi-sign-off-withdraw",
    ),
]
