"""Reads behind the supervisor's dashboard: today, live.

Everything the page shows comes from `dashboard(now=...)` in a constant
number of queries, whatever the number of calls, slips, complaints or
operators (tests assert it at two sizes):

- calls so far today by local hour, and the usual for this weekday: the
  average of the same weekday's `figures["calls"]["by_hour"]` over the last
  USUAL_WEEKS DailyRecaps that exist, summed up to now (the hours before the
  current one, and the current hour's usual in proportion to the minutes
  gone). Today's calls are read live; earlier days only from the recaps, so
  nothing here scans more than one day of raw calls;
- today's calls waiting for a call-back (reports.selectors_handover.
  missed_not_called_back over today's calls);
- who is on duty now (reports.selectors_roster.on_duty_now) and today's late
  and absent operators (AttendanceDay);
- open and overdue message slips (messages_app.selectors_slips.
  slip_list_board) and complaints (messages_app.selectors_complaints.overdue_q);
- the open phone-line incidents (calls.selectors_incidents.incidents_open);
- this month's KPIs for the desk as a whole, each against its target, and
  how many operators meet each target (reports.selectors_kpi.kpi_figures for this month only, no
  12-month trend: three grouped queries; today's calls come from the same
  single GROUP BY over today's calls as the chart).
"""

from dataclasses import dataclass, field
from datetime import datetime, time
from urllib.parse import urlencode

from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from calls.models import Call, Outcome
from calls.selectors import day_bounds
from calls.selectors_incidents import incidents_open
from messages_app.models import (
    OPEN_COMPLAINT_STATUSES,
    UNACKNOWLEDGED_SLIP_STATUSES,
    Complaint,
    MessageSlip,
)
from messages_app.selectors_complaints import overdue_q
from messages_app.selectors_slips import slip_list_board
from reports.models import AttendanceDay, AttendanceStatus, DailyRecap, KpiSettings
from reports.selectors_handover import missed_not_called_back
from reports.selectors_kpi import (
    MonthFigures,
    kpi_figures,
    measures,
    month_start,
    targets_of,
)
from reports.selectors_roster import on_duty_now
from reports.services.roster import operator_name

USUAL_WEEKS = 8
CALLBACK_LIMIT = 10
SLIP_LIMIT = 5
CHART_W, CHART_H, CHART_PAD, CHART_BOTTOM = 480, 120, 4, 16


@dataclass
class HourChart:
    """Today's calls by hour as bars and the usual as a line, in SVG user
    units (written as text: a template would localise a float)."""

    width: int = CHART_W
    height: int = CHART_H
    bars: list[dict] = field(default_factory=list)
    usual_points: str = ""
    labels: list[dict] = field(default_factory=list)
    top: int = 0  # the value at the top of the chart, written in its corner
    top_x: int = CHART_PAD


def _today_calls(day) -> tuple[list[int], dict[int, dict]]:
    """Today's live calls in one GROUP BY operator, with the calls of each
    local hour as 24 conditional counts (comparisons on started_at, cheaper
    than converting every row's time to the local zone): the calls by hour
    for the chart, and per operator what the KPIs count (calls handled, timed,
    talk seconds, as reports.services.operator_days counts them), so that
    today's calls are read once for both."""
    zone = timezone.get_current_timezone()
    bounds = [datetime.combine(day, time(h), tzinfo=zone) for h in range(24)]
    bounds.append(day_bounds(day)[1])
    timed = Q(duration_seconds__gt=0)
    hours = {
        f"h{h}": Count("pk", filter=Q(started_at__gte=bounds[h], started_at__lt=bounds[h + 1]))
        for h in range(24)
    }
    rows = (
        Call.objects.live()
        .filter(started_at__gte=bounds[0], started_at__lt=bounds[24])
        .values("operator_id")
        .annotate(
            n=Count("pk"),
            timed=Count("pk", filter=timed),
            talk=Coalesce(Sum("duration_seconds", filter=timed), 0),
            **hours,
        )
        .order_by()
    )
    by_hour = [0] * 24
    per_operator: dict[int, dict] = {}
    for row in rows:
        for h in range(24):
            by_hour[h] += row[f"h{h}"]
        per_operator[row["operator_id"]] = {
            "calls_handled": row["n"],
            "calls_timed": row["timed"],
            "talk_seconds": int(row["talk"] or 0),
        }
    return by_hour, per_operator


def usual_by_hour(*, day, weeks: int = USUAL_WEEKS) -> dict:
    """The same weekday's average calls per hour over the last `weeks`
    DailyRecaps before `day` that exist (recaps without an hourly figure are
    skipped): {"usual": 24 floats, "recaps": how many, "last": the latest of
    them as {"date", "total"} or None}. One query, reading only the calls'
    hourly figure and total of each recap, never the rest of its figures."""
    # Django's week_day: 1 is Sunday ... 7 is Saturday.
    week_day = (day.isoweekday() % 7) + 1
    rows = list(
        DailyRecap.objects.filter(date__lt=day, date__week_day=week_day)
        .order_by("-date")
        .values_list("date", "figures__calls__by_hour", "figures__calls__total")[: weeks * 2]
    )
    series = [
        (d, hours, total)
        for d, hours, total in rows
        if isinstance(hours, list) and len(hours) == 24
    ][:weeks]
    if not series:
        return {"usual": [0.0] * 24, "recaps": 0, "last": None}
    usual = [sum(float(s[1][h] or 0) for s in series) / len(series) for h in range(24)]
    last_day, last_hours, last_total = series[0]
    total = last_total if isinstance(last_total, int) else sum(last_hours)
    return {"usual": usual, "recaps": len(series), "last": {"date": last_day, "total": total}}


def usual_so_far(usual: list[float], now_local: datetime) -> float:
    """The usual up to `now_local`: every earlier hour, and the current hour in
    proportion to its minutes gone."""
    hour = now_local.hour
    part = (now_local.minute * 60 + now_local.second) / 3600
    return sum(usual[:hour]) + usual[hour] * part


def hour_chart(today: list[int], usual: list[float], *, until_hour: int) -> HourChart:
    chart = HourChart()
    top = max([*today, *usual, 1])
    chart.top = round(top)
    plot_h = CHART_H - CHART_BOTTOM - CHART_PAD
    step = (CHART_W - 2 * CHART_PAD) / 24

    def y_of(value) -> float:
        return CHART_PAD + plot_h - value / top * plot_h

    for hour, n in enumerate(today):
        y = y_of(n)
        chart.bars.append(
            {
                "hour": hour,
                "n": n,
                "usual": round(usual[hour], 1),
                "x": f"{CHART_PAD + hour * step + 1:.1f}",
                "y": f"{y:.1f}",
                "w": f"{step - 2:.1f}",
                "h": f"{CHART_PAD + plot_h - y:.1f}",
                "future": hour > until_hour,
            }
        )
        if hour % 3 == 0:
            chart.labels.append(
                {
                    "x": f"{CHART_PAD + hour * step + step / 2:.1f}",
                    "y": CHART_H - 3,
                    "text": f"{hour:02d}",
                }
            )
    chart.usual_points = " ".join(
        f"{CHART_PAD + h * step + step / 2:.1f},{y_of(v):.1f}" for h, v in enumerate(usual)
    )
    return chart


def _calls_section(now, by_hour: list[int]) -> dict:
    local = timezone.localtime(now)
    today = local.date()
    found = usual_by_hour(day=today)
    usual = found["usual"]
    so_far = sum(by_hour)
    usual_now = usual_so_far(usual, local)
    return {
        "total": so_far,
        "by_hour": by_hour,
        "usual": usual,
        "usual_so_far": round(usual_now),
        "usual_day": round(sum(usual)),
        "recaps": found["recaps"],
        "last_same_day": found["last"],
        "difference_pct": round((so_far - usual_now) / usual_now * 100) if usual_now >= 1 else None,
        "chart": hour_chart(by_hour, usual, until_hour=local.hour),
        "log_url": reverse("calls:call-list")
        + "?"
        + urlencode({"date_from": today.isoformat(), "date_to": today.isoformat()}),
    }


def _callbacks_section(now) -> dict:
    today = timezone.localdate(now)
    start, end = day_bounds(today)
    waiting = missed_not_called_back(
        Call.objects.live().filter(started_at__gte=start, started_at__lt=end)
    )
    total = waiting.aggregate(n=Count("pk"))["n"]
    rows = list(
        waiting.select_related("caller", "asked_for_staff").order_by("started_at", "pk")[
            :CALLBACK_LIMIT
        ]
    )
    base = {"date_from": today.isoformat(), "date_to": today.isoformat(), "direction": "in"}
    log = reverse("calls:call-list")
    return {
        "total": total,
        "rows": rows,
        "more": max(0, total - len(rows)),
        "links": [
            {"label": label, "url": f"{log}?{urlencode({**base, 'outcome': value})}"}
            for value, label in Outcome.choices
            if value in (Outcome.NO_ANSWER, Outcome.CALL_BACK)
        ],
    }


def _people_section(now) -> dict:
    today = timezone.localdate(now)
    rows = list(
        AttendanceDay.objects.filter(date=today)
        .filter(
            Q(status=AttendanceStatus.ABSENT)
            | Q(status=AttendanceStatus.PRESENT, late_minutes__gt=0)
        )
        .select_related("operator", "shift_type")
        .order_by("status", "-late_minutes", "operator_id")
    )
    for row in rows:
        row.name = operator_name(row.operator)
    return {
        "on_duty": on_duty_now(now=now),
        "absent": [r for r in rows if r.status == AttendanceStatus.ABSENT],
        "late": [r for r in rows if r.status == AttendanceStatus.PRESENT],
        "attendance_url": reverse("reports:attendance-day"),
    }


def _desk_section(now) -> dict:
    slips, open_slips = slip_list_board(now=now, limit=SLIP_LIMIT)
    overdue_slips = MessageSlip.objects.filter(
        status__in=UNACKNOWLEDGED_SLIP_STATUSES, due_at__lt=now
    ).count()
    complaints = Complaint.objects.filter(status__in=OPEN_COMPLAINT_STATUSES).aggregate(
        open=Count("pk"), overdue=Count("pk", filter=overdue_q(now))
    )
    complaint_list = reverse("messages_app:complaint-list")
    return {
        "slips": slips,
        "open_slips": open_slips,
        "overdue_slips": overdue_slips,
        "open_complaints": complaints["open"],
        "overdue_complaints": complaints["overdue"],
        "board_url": reverse("messages_app:slip-board"),
        "complaints_url": complaint_list,
        "overdue_complaints_url": f"{complaint_list}?overdue=on",
        "escalations_url": reverse("messages_app:escalations"),
    }


def _kpi_section(now, today_per_operator: dict[int, dict]) -> dict:
    today = timezone.localdate(now)
    month = month_start(today)
    settings = KpiSettings.load()
    targets = targets_of(settings)
    # Today's calls come from the dashboard's own read of them, which the
    # chart shares.
    figures = kpi_figures(
        first=month,
        last=month,
        today=today,
        rule=settings.discipline_rule,
        today_counts=today_per_operator,
    )
    desk = MonthFigures(month=month, rule=settings.discipline_rule)
    on_target = {key: 0 for key in ("discipline", "quality", "productivity")}
    measured = dict(on_target)
    for f in figures.values():
        if not f.has_data:
            continue
        for name in ("worked", "on_time", "absent", "unscheduled", "reviews", "auto_fails",
                     "calls", "calls_timed", "talk_seconds"):  # fmt: skip
            setattr(desk, name, getattr(desk, name) + getattr(f, name))
        desk.score_sum += f.score_sum
        for key, measure in measures(f, targets).items():
            if key in on_target and measure.state != "none":
                measured[key] += 1
                on_target[key] += measure.state == "met"
    return {
        "month": month,
        "desk": measures(desk, targets),
        # At a glance: how many operators meet each target (the KPI page
        # has each operator's figures).
        "on_target": [
            {"key": key, "met": on_target[key], "of": measured[key]} for key in on_target
        ],
        "kpi_url": reverse("reports:kpi-month"),
    }


def dashboard(*, now: datetime | None = None) -> dict:
    """Everything the dashboard shows at `now` (see the module's docstring)."""
    now = now or timezone.now()
    by_hour, per_operator = _today_calls(timezone.localdate(now))
    return {
        "now": now,
        "calls": _calls_section(now, by_hour),
        "callbacks": _callbacks_section(now),
        "people": _people_section(now),
        "desk": _desk_section(now),
        "incidents_open": incidents_open(now=now),
        "incidents_url": reverse("calls:incident-list"),
        "kpis": _kpi_section(now, per_operator),
    }
