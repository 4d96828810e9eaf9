"""Reads of the operators' KPIs: a month's figures per operator and their
trend over the last 12 months, for the monthly table, one operator's sheet
and its export.

Everything comes from four grouped queries whatever the number of
operators or months: attendance days (reports.AttendanceDay), reviews
(reports.Review) and call figures per day (reports.OperatorDay) per
operator and month, and today's calls read live from the call log (one day
of raw calls at most). The raw year of calls is never scanned.

The arithmetic, for one operator and month:
- discipline: scheduled shifts are the rostered shifts that were worked or
  missed (present + absent; sick, leave and permission days are not
  scheduled shifts, and are counted apart; a shift still under way is not
  counted yet). Rule "on time": shifts worked neither late nor left early
  beyond the grace, over scheduled shifts; rule "worked": shifts worked over
  scheduled shifts. Unscheduled work counts as worked, not as scheduled.
- quality: the average score of the month's regular reviews that were
  submitted to the operator (drafts and calibration reviews do not count);
  an auto-fail counts with its score 0 and is also counted apart.
- productivity: calls handled over shifts worked (present + unscheduled).
- average handling time: talk seconds over calls with a duration.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from calls.models import Call
from reports.models import (
    AttendanceDay,
    AttendanceStatus,
    DisciplineRule,
    KpiSettings,
    KpiSignOff,
    OperatorDay,
    Review,
    ReviewKind,
)
from reports.models.quality import COUNTED_REVIEW_STATUSES
from reports.services.operator_days import call_day_counts
from switchboard.dates import add_months, month_start
from switchboard.roles import OPERATOR

TREND_MONTHS = 12
# The figures a sign-off keeps and compares ("changed since the sign-off").
SIGNED_KEYS = (
    "scheduled",
    "worked",
    "on_time",
    "late",
    "left_early",
    "absent",
    "sick",
    "leave",
    "permission",
    "unscheduled",
    "shifts_worked",
    "reviews",
    "auto_fails",
    "quality",
    "calls",
    "productivity",
    "aht_seconds",
    "discipline",
)
ATTENDANCE_KEYS = (
    "worked",
    "on_time",
    "late",
    "left_early",
    "absent",
    "sick",
    "leave",
    "permission",
    "unscheduled",
    "pending",
    "late_minutes",
    "early_minutes",
)
CALL_KEYS = ("calls", "calls_timed", "talk_seconds")


# Months ---------------------------------------------------------------------------


def parse_month(value) -> date | None:
    """The first day of a "YYYY-MM" month, or None for anything else."""
    if not isinstance(value, str) or len(value) != 7 or value[4] != "-":
        return None
    year, month = value[:4], value[5:]
    if not (year.isascii() and year.isdigit() and month.isascii() and month.isdigit()):
        return None
    year, month = int(year), int(month)
    if not (2000 <= year <= 9998 and 1 <= month <= 12):
        return None
    return date(year, month, 1)


def trend_months(month: date) -> list[date]:
    """The TREND_MONTHS months up to and including `month`, oldest first."""
    return [add_months(month, offset) for offset in range(1 - TREND_MONTHS, 1)]


# Figures --------------------------------------------------------------------------


def _ratio(top, bottom, scale=1):
    if not bottom:
        return None
    return round(float(top) * scale / float(bottom), 2)


@dataclass
class MonthFigures:
    """One operator's month, counted (see the module's docstring)."""

    month: date
    worked: int = 0  # rostered shifts worked (present)
    on_time: int = 0
    late: int = 0
    left_early: int = 0
    absent: int = 0
    sick: int = 0
    leave: int = 0
    permission: int = 0
    unscheduled: int = 0
    pending: int = 0  # shifts still under way or not yet computed
    late_minutes: int = 0
    early_minutes: int = 0
    reviews: int = 0
    score_sum: Decimal = Decimal(0)
    auto_fails: int = 0
    calls: int = 0
    calls_timed: int = 0
    talk_seconds: int = 0
    rule: str = DisciplineRule.ON_TIME

    @property
    def scheduled(self) -> int:
        return self.worked + self.absent

    @property
    def shifts_worked(self) -> int:
        return self.worked + self.unscheduled

    @property
    def discipline(self) -> float | None:
        kept = self.on_time if self.rule == DisciplineRule.ON_TIME else self.worked
        return _ratio(kept, self.scheduled, 100)

    @property
    def quality(self) -> float | None:
        return _ratio(self.score_sum, self.reviews)

    @property
    def productivity(self) -> float | None:
        return _ratio(self.calls, self.shifts_worked)

    @property
    def aht_seconds(self) -> float | None:
        return _ratio(self.talk_seconds, self.calls_timed)

    @property
    def has_data(self) -> bool:
        return bool(
            self.scheduled or self.unscheduled or self.reviews or self.calls or self.sick
            or self.leave or self.permission or self.pending
        )  # fmt: skip

    def as_signed(self) -> dict:
        """The figures a sign-off keeps (JSON: ints and floats)."""
        return {key: getattr(self, key) for key in SIGNED_KEYS}


def kpi_figures(
    *,
    first: date,
    last: date,
    operator_ids=None,
    today: date | None = None,
    rule=None,
    today_counts: dict[int, dict] | None = None,
) -> dict[tuple[int, date], MonthFigures]:
    """{(operator id, month): MonthFigures} for the months first..last (first
    days), every operator with any figure or only `operator_ids`: four
    queries (attendance, reviews, past days' calls, today's calls), three
    when the caller has read today's calls already ({operator id: counts}
    in `today_counts`, as call_day_counts gives them)."""
    today = today or timezone.localdate()
    rule = rule or KpiSettings.load().discipline_rule
    after = add_months(last, 1)
    figures: dict[tuple[int, date], MonthFigures] = {}

    def cell(operator_id, month) -> MonthFigures:
        if hasattr(month, "date") and not isinstance(month, date):  # pragma: no cover
            month = month.date()
        key = (operator_id, month)
        if key not in figures:
            figures[key] = MonthFigures(month=month, rule=rule)
        return figures[key]

    def mine(queryset):
        return queryset if operator_ids is None else queryset.filter(operator_id__in=operator_ids)

    present = Q(status=AttendanceStatus.PRESENT)
    attendance = (
        mine(AttendanceDay.objects.filter(date__gte=first, date__lt=after))
        .order_by()
        .annotate(month=TruncMonth("date"))
        .values("operator_id", "month")
        .annotate(
            worked=Count("pk", filter=present),
            on_time=Count("pk", filter=present & Q(late_minutes=0, early_minutes=0)),
            late=Count("pk", filter=present & Q(late_minutes__gt=0)),
            left_early=Count("pk", filter=present & Q(early_minutes__gt=0)),
            absent=Count("pk", filter=Q(status=AttendanceStatus.ABSENT)),
            sick=Count("pk", filter=Q(status=AttendanceStatus.SICK)),
            leave=Count("pk", filter=Q(status=AttendanceStatus.LEAVE)),
            permission=Count("pk", filter=Q(status=AttendanceStatus.PERMISSION)),
            unscheduled=Count("pk", filter=Q(status=AttendanceStatus.UNSCHEDULED)),
            pending=Count("pk", filter=Q(status=AttendanceStatus.SCHEDULED)),
            late_minutes=Coalesce(Sum("late_minutes", filter=present), 0),
            early_minutes=Coalesce(Sum("early_minutes", filter=present), 0),
        )
    )
    for row in attendance:
        target = cell(row["operator_id"], row["month"])
        for key in ATTENDANCE_KEYS:
            setattr(target, key, int(row[key] or 0))

    reviews = (
        mine(
            Review.objects.filter(
                kind=ReviewKind.REGULAR,
                status__in=COUNTED_REVIEW_STATUSES,
                score__isnull=False,
                call_date__gte=first,
                call_date__lt=after,
            )
        )
        .order_by()
        .annotate(month=TruncMonth("call_date"))
        .values("operator_id", "month")
        .annotate(
            reviews=Count("pk"),
            score_sum=Sum("score"),
            auto_fails=Count("pk", filter=Q(auto_failed=True)),
        )
    )
    for row in reviews:
        target = cell(row["operator_id"], row["month"])
        target.reviews = row["reviews"]
        target.score_sum = Decimal(row["score_sum"] or 0)
        target.auto_fails = row["auto_fails"]

    days = (
        mine(OperatorDay.objects.filter(date__gte=first, date__lt=min(after, today)))
        .order_by()
        .annotate(month=TruncMonth("date"))
        .values("operator_id", "month")
        .annotate(
            calls=Sum("calls_handled"), calls_timed=Sum("calls_timed"), talk=Sum("talk_seconds")
        )
    )
    for row in days:
        target = cell(row["operator_id"], row["month"])
        target.calls += int(row["calls"] or 0)
        target.calls_timed += int(row["calls_timed"] or 0)
        target.talk_seconds += int(row["talk"] or 0)

    if first <= today < after:
        if today_counts is None:
            live = call_day_counts(mine(Call.objects.all()), start=today, end=today)
            today_counts = {operator_id: counts for (operator_id, _day), counts in live.items()}
        for operator_id, counts in today_counts.items():
            target = cell(operator_id, month_start(today))
            target.calls += counts["calls_handled"]
            target.calls_timed += counts["calls_timed"]
            target.talk_seconds += counts["talk_seconds"]
    return figures


# Targets and drawing -----------------------------------------------------------


@dataclass
class Measure:
    """One KPI figure against its target, for display: the value, the target,
    and whether it is met (a word as well as a colour)."""

    key: str
    value: float | None
    target: float | None = None
    higher_is_better: bool = True

    @property
    def text(self) -> str:
        """The value as shown, in the reader's number format ("—" for none)."""
        from django.utils.formats import number_format

        if self.value is None:
            return "—"
        if self.key == "aht":
            seconds = round(self.value)
            return f"{seconds // 60}:{seconds % 60:02d}"
        text = number_format(round(self.value, 1), 1)
        return f"{text}%" if self.key == "discipline" else text

    @property
    def target_text(self) -> str:
        from django.utils.formats import number_format

        if self.target is None:
            return ""
        text = number_format(self.target, 0 if float(self.target).is_integer() else 1)
        return f"{text}%" if self.key == "discipline" else text

    @property
    def state(self) -> str:
        if self.value is None:
            return "none"
        if self.target is None:
            return "info"
        met = self.value >= self.target if self.higher_is_better else self.value <= self.target
        return "met" if met else "missed"


def targets_of(settings: KpiSettings) -> dict[str, float]:
    return {
        "discipline": float(settings.discipline_target),
        "quality": float(settings.quality_target),
        "productivity": float(settings.productivity_target),
    }


def measures(figures: MonthFigures, targets: dict) -> dict[str, Measure]:
    return {
        "discipline": Measure("discipline", figures.discipline, targets["discipline"]),
        "quality": Measure("quality", figures.quality, targets["quality"]),
        "productivity": Measure("productivity", figures.productivity, targets["productivity"]),
        "aht": Measure("aht", figures.aht_seconds),
    }


@dataclass
class Line:
    """A line chart of a 12-month series in SVG user units: polyline segments
    (gaps where a month has no figure), dots, the target's line, axis labels."""

    width: int
    height: int
    segments: list[str] = field(default_factory=list)
    dots: list[dict] = field(default_factory=list)
    target_y: str | None = None
    labels: list[dict] = field(default_factory=list)
    ticks: list[dict] = field(default_factory=list)
    empty: bool = True


def line_chart(
    values, *, target=None, width=96, height=20, pad=2, labels=None, left=0, bottom=0, right=0
) -> Line:
    """Scale `values` (None for no figure) into a width x height box; with
    `labels`, a taller chart with month labels under it and value ticks."""
    line = Line(width=width, height=height)
    known = [v for v in values if v is not None]
    if not known:
        return line
    line.empty = False
    low = min([*known, *([target] if target is not None else [])])
    high = max([*known, *([target] if target is not None else [])])
    if labels is not None:
        low = min(0.0, low)
    if high == low:
        high = low + 1
    n = len(values)
    plot_w, plot_h = width - left - right - 2 * pad, height - bottom - 2 * pad
    step = plot_w / max(1, n - 1)

    # Coordinates are written as text here: a template would localise a float
    # ("4,9" in Bahasa Indonesia), which SVG does not read.
    def y_of(v) -> str:
        return f"{pad + plot_h - (v - low) / (high - low) * plot_h:.1f}"

    segment = []
    for i, value in enumerate(values):
        x = f"{left + pad + i * step:.1f}"
        if value is None:
            if segment:
                line.segments.append(" ".join(segment))
            segment = []
            continue
        y = y_of(value)
        segment.append(f"{x},{y}")
        line.dots.append({"x": x, "y": y, "value": value})
    if segment:
        line.segments.append(" ".join(segment))
    if target is not None:
        line.target_y = y_of(target)
    if labels is not None:
        line.labels = [
            {"x": f"{left + pad + i * step:.1f}", "y": height - 4, "text": text}
            for i, text in enumerate(labels)
        ]
        ends = (round(low, 1), round(high, 1))
        line.ticks = [{"y": y_of(v), "label": f"{v:g}", "x": left - 4} for v in ends]
    return line


# The pages ----------------------------------------------------------------------


def _series(trend: list[MonthFigures], key: str) -> list:
    attr = "aht_seconds" if key == "aht" else key
    return [getattr(f, attr) for f in trend]


def _trend(figures, operator_id, months, rule) -> list[MonthFigures]:
    return [figures.get((operator_id, m)) or MonthFigures(month=m, rule=rule) for m in months]


def sign_off_changed(sign_off: KpiSignOff | None, current: MonthFigures) -> bool:
    """Whether the month's figures differ from those signed off."""
    if sign_off is None or not sign_off.is_signed:
        return False
    signed = sign_off.figures or {}
    now = current.as_signed()
    return any(signed.get(key) != now[key] for key in SIGNED_KEYS)


def operators_for(ids) -> list:
    """The operators (Operator group, active) and anyone else with figures in
    `ids`, by name: one query."""
    User = get_user_model()
    return list(
        User.objects.filter(Q(groups__name=OPERATOR, is_active=True) | Q(pk__in=list(ids)))
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


def _month_cells(current: MonthFigures, trend, targets) -> list[dict]:
    """The table row's KPI cells in column order: the measure, its sparkline,
    and the counts shown beside it (texts, so the template only writes)."""
    found = measures(current, targets)
    f = current
    details = {
        "discipline": [
            {"text": f"{f.scheduled} · {f.on_time} · {f.late} · {f.left_early} · {f.absent}"},
            {"text": f"{f.sick} · {f.leave} · {f.permission} · {f.unscheduled}"},
        ],
        "quality": [
            {
                "text": f"{f.reviews} · {f.auto_fails}",
                "css": "sb-kpi-missed" if f.auto_fails else "",
            }
        ],
        "productivity": [{"text": f"{f.calls} · {f.shifts_worked}"}],
        "aht": [],
    }
    return [
        {
            "measure": found[key],
            # The sparkline's series, drawn (and remembered) by reports.templatetags.
            "series": tuple(_series(trend, key)),
            "target": targets.get(key),
            "details": details[key],
        }
        for key in ("discipline", "quality", "productivity", "aht")
    ]


def kpi_month_table(*, month: date, today: date | None = None) -> dict:
    """The monthly KPI table: per operator the month's figures against the
    targets, the sign-off state and a 12-month sparkline per KPI. Seven
    queries whatever the number of operators."""
    today = today or timezone.localdate()
    settings = KpiSettings.load()
    targets = targets_of(settings)
    months = trend_months(month)
    figures = kpi_figures(first=months[0], last=month, today=today, rule=settings.discipline_rule)
    with_data = {op for (op, m), f in figures.items() if m == month and f.has_data}
    operators = operators_for(with_data)
    sign_offs = {s.operator_id: s for s in KpiSignOff.objects.filter(month=month)}
    rows = []
    for operator in operators:
        trend = _trend(figures, operator.pk, months, settings.discipline_rule)
        current = trend[-1]
        sign_off = sign_offs.get(operator.pk)
        rows.append(
            {
                "operator": operator,
                "figures": current,
                "measures": measures(current, targets),
                "cells": _month_cells(current, trend, targets),
                "sign_off": sign_off,
                "changed": sign_off_changed(sign_off, current),
            }
        )
    return {"settings": settings, "targets": targets, "months": months, "rows": rows}


def kpi_sheet(*, operator, month: date, today: date | None = None) -> dict:
    """One operator's KPI sheet: the month's figures against the targets, the
    12-month trend (a table and a chart per KPI), and the sign-off with the
    figures as signed when they have changed since."""
    from django.utils.formats import date_format

    today = today or timezone.localdate()
    settings = KpiSettings.load()
    targets = targets_of(settings)
    months = trend_months(month)
    figures = kpi_figures(
        first=months[0],
        last=month,
        operator_ids=[operator.pk],
        today=today,
        rule=settings.discipline_rule,
    )
    trend = _trend(figures, operator.pk, months, settings.discipline_rule)
    current = trend[-1]
    sign_off = (
        KpiSignOff.objects.filter(operator=operator, month=month)
        .select_related("signed_by", "withdrawn_by")
        .first()
    )
    labels = [date_format(m, "M y") for m in months]
    charts = {
        key: line_chart(
            _series(trend, key),
            target=targets.get(key),
            width=320,
            height=120,
            pad=6,
            left=34,
            bottom=16,
            right=14,
            labels=labels,
        )
        for key in ("discipline", "quality", "productivity", "aht")
    }
    return {
        "settings": settings,
        "targets": targets,
        "operator": operator,
        "month": month,
        "figures": current,
        "measures": measures(current, targets),
        "trend": [{"figures": f, "measures": measures(f, targets)} for f in trend],
        "month_labels": labels,
        "charts": charts,
        "sign_off": sign_off,
        "changed": sign_off_changed(sign_off, current),
        "month_over": add_months(month, 1) <= today,
        "prev_month": add_months(month, -1),
        "next_month": add_months(month, 1) if add_months(month, 1) <= today else None,
    }
