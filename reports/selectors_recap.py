"""Reads of the recap pages: the list, the figures as sections of rows (each
with the link to the rows behind it), the charts and the 30-day trend. The
figures come from the stored recap (reports.recap_figures builds them);
these functions only shape them, with at most two queries (the recaps of the
trend, and the list's page).

Links use the real filters of the pages they open:
- the call log (calls.filters.CallLogFilter): date_from, date_to, time_from,
  time_to, direction, outcome, category, department, operator, caller;
- the call log (several outcomes at once: the missed calls in total);
- the complaint list (messages_app.filters.ComplaintFilter): date_from,
  date_to, status, category, product, late_by (late for either
  deadline as of that day's end: the recap's "overdue");
- the slip list (messages_app.filters_slips.SlipFilter): date_from, date_to,
  delivered, acknowledged, done, escalated, late_by (the recap's rules);

The missed calls called back, or not, have no link: a call-back is a later
outgoing call to the same number, which no call-log filter expresses. The
complaints routed open the day's complaints (the list has no "any department"
filter); the escalated ones, its "escalated only".
- the attendance of the day (reports:attendance-day): day, status;
- the review list: month (reviews are filtered by month there).
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from urllib.parse import urlencode

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from calls.models import Direction, IncidentKind, Outcome
from reports.models import DailyRecap, RecapStatus
from reports.recap_figures import USUAL_KEYS, figure_at

TREND_DAYS = 30


def _url(name: str, params=None, args=None) -> str | None:
    try:
        url = reverse(name, args=args)
    except NoReverseMatch:
        return None
    if params:
        url += "?" + urlencode(params, doseq=True)
    return url


class Links:
    """The URLs of the rows behind the figures of one day."""

    def __init__(self, day: date):
        self.day = day.isoformat()

    def calls(self, **filters) -> str | None:
        params = {"date_from": self.day, "date_to": self.day}
        params.update({k: v for k, v in filters.items() if v not in (None, "")})
        return _url("calls:call-list", params)

    def hour(self, hour: int) -> str | None:
        return self.calls(time_from=f"{hour:02d}:00", time_to=f"{hour:02d}:59")

    def complaints(self, **filters) -> str | None:
        params = {"date_from": self.day, "date_to": self.day}
        params.update({k: v for k, v in filters.items() if v not in (None, "")})
        return _url("messages_app:complaint-list", params)

    def slips(self, **filters) -> str | None:
        params = {"date_from": self.day, "date_to": self.day}
        params.update({k: v for k, v in filters.items() if v not in (None, "")})
        return _url("messages_app:slip-list", params)

    def attendance(self, status: str = "") -> str | None:
        params = {"day": self.day}
        if status:
            params["status"] = status
        return _url("reports:attendance-day", params)

    def reviews(self) -> str | None:
        return _url("reports:review-list", {"month": self.day[:7]})

    def incidents(self) -> str | None:
        return _url("calls:incident-list")


@dataclass
class Row:
    key: str
    label: str
    value: object
    usual: object = None
    url: str | None = None
    extra: dict = field(default_factory=dict)


@dataclass
class Section:
    key: str
    title: str
    rows: list[Row]
    columns: tuple = ()


def _usual(figures: dict, key: str):
    return (figures.get("usual") or {}).get(key)


def _get(figures: dict, *path, default=0):
    value = figure_at(figures, path)
    return default if value is None else value


def sections(figures: dict, day: date) -> list[Section]:
    """The recap as tables: every figure with its usual (where it has one) and
    its link."""
    link = Links(day)
    calls = figures.get("calls", {})
    missed = figures.get("missed", {})
    found: list[Section] = []

    found.append(
        Section(
            "calls",
            _("Calls"),
            [
                Row(
                    "calls.total",
                    _("Calls in total"),
                    calls.get("total", 0),
                    _usual(figures, "calls"),
                    link.calls(),
                ),
                Row(
                    "calls.in",
                    _("Incoming"),
                    _get(figures, "calls", "by_direction", "in"),
                    _usual(figures, "incoming"),
                    link.calls(direction=Direction.INCOMING),
                ),
                Row(
                    "calls.out",
                    _("Outgoing"),
                    _get(figures, "calls", "by_direction", "out"),
                    _usual(figures, "outgoing"),
                    link.calls(direction=Direction.OUTGOING),
                ),
                Row(
                    "calls.internal",
                    _("Internal"),
                    _get(figures, "calls", "by_direction", "internal"),
                    None,
                    link.calls(direction=Direction.INTERNAL),
                ),
                Row(
                    "calls.avg_duration_s",
                    _("Average duration (s)"),
                    calls.get("avg_duration_s"),
                    _usual(figures, "avg_duration_s"),
                    link.calls(),
                ),
                Row(
                    "calls.longest_s",
                    _("Longest call (s)"),
                    calls.get("longest_s", 0),
                    None,
                    link.calls(),
                ),
                Row(
                    "calls.busiest_hour",
                    _("Busiest hour"),
                    None
                    if calls.get("busiest_hour") is None
                    else f"{calls['busiest_hour']:02d}:00",
                    None,
                    link.hour(calls["busiest_hour"])
                    if calls.get("busiest_hour") is not None
                    else None,
                ),
            ],
        )
    )
    hours = calls.get("by_hour") or [0] * 24
    usual_hours = _usual(figures, "by_hour") or [None] * 24
    found.append(
        Section(
            "hours",
            _("Calls by hour"),
            [
                Row(
                    f"calls.by_hour.{h}",
                    f"{h:02d}:00–{h:02d}:59",
                    hours[h],
                    usual_hours[h],
                    link.hour(h) if hours[h] else None,
                )
                for h in range(24)
                # Night hours with no call, then or usually, say nothing.
                if hours[h] or usual_hours[h]
            ],
        )
    )
    outcome_labels = dict(Outcome.choices)
    found.append(
        Section(
            "outcomes",
            _("Outcomes"),
            [
                Row(
                    f"calls.by_outcome.{value}",
                    str(outcome_labels.get(value, value)),
                    n,
                    None,
                    link.calls(outcome=value) if n else None,
                )
                for value, n in (calls.get("by_outcome") or {}).items()
            ],
        )
    )
    for key, title, param in (
        ("by_category", _("Calls by category"), "category"),
        ("by_department", _("Calls by department asked for"), "department"),
    ):
        found.append(
            Section(
                key,
                title,
                [
                    Row(
                        f"calls.{key}.{e['id']}",
                        e["name"] or str(_("(none)")),
                        e["n"],
                        None,
                        link.calls(**{param: e["id"]}) if e["id"] is not None else None,
                    )
                    for e in calls.get(key) or []
                ],
            )
        )
    found.append(
        Section(
            "operators",
            _("Calls by operator"),
            [
                Row(
                    f"calls.by_operator.{e['id']}",
                    e["name"],
                    e["n"],
                    None,
                    link.calls(operator=e["id"]),
                    {"missed": e.get("missed", 0), "avg_s": e.get("avg_s")},
                )
                for e in calls.get("by_operator") or []
            ],
            columns=("missed", "avg_s"),
        )
    )
    found.append(
        Section(
            "missed",
            _("Missed and unanswered calls"),
            [
                Row(
                    "missed.total",
                    _("Missed (no answer or call back later)"),
                    missed.get("total", 0),
                    _usual(figures, "missed"),
                    link.calls(
                        direction=Direction.INCOMING,
                        outcome=[Outcome.NO_ANSWER, Outcome.CALL_BACK],
                    ),
                ),
                Row(
                    "missed.no_answer",
                    _("No answer / voicemail"),
                    missed.get("no_answer", 0),
                    None,
                    link.calls(direction=Direction.INCOMING, outcome=Outcome.NO_ANSWER),
                ),
                Row(
                    "missed.call_back",
                    _("Call back later"),
                    missed.get("call_back", 0),
                    None,
                    link.calls(direction=Direction.INCOMING, outcome=Outcome.CALL_BACK),
                ),
                # No call-log filter says "called back" (a later outgoing
                # call to the same number): unlinked, as "not called back".
                Row(
                    "missed.called_back",
                    _("Called back (by the next working day)"),
                    missed.get("called_back", 0),
                    _usual(figures, "called_back"),
                    None,
                ),
                Row(
                    "missed.not_called_back",
                    _("Not called back"),
                    missed.get("not_called_back", 0),
                    None,
                    None,
                ),
                Row(
                    "missed.no_number",
                    _("No number to call back"),
                    missed.get("no_number", 0),
                    None,
                    None,
                ),
            ],
        )
    )
    repeat, fcr = figures.get("repeat", {}), figures.get("fcr", {})
    found.append(
        Section(
            "repeat",
            _("Repeat callers and first-call resolution"),
            [
                Row(
                    "repeat.callers",
                    _("Callers who called more than once"),
                    repeat.get("callers", 0),
                    _usual(figures, "repeat_callers"),
                    None,
                ),
                Row("repeat.calls", _("Their calls"), repeat.get("calls", 0), None, None),
                *[
                    Row(
                        f"repeat.top.{e['id']}",
                        e["number"] + (f" · {e['name']}" if e["name"] else ""),
                        e["n"],
                        None,
                        link.calls(caller=e["number"], direction=Direction.INCOMING),
                    )
                    for e in repeat.get("top") or []
                ],
                Row(
                    "fcr.eligible",
                    _("Incoming calls with a number and a category"),
                    fcr.get("eligible", 0),
                    None,
                    None,
                ),
                Row(
                    "fcr.repeat_contact",
                    _("Called again about the same thing within 7 days"),
                    fcr.get("repeat_contact", 0),
                    None,
                    None,
                ),
                Row(
                    "fcr.rate",
                    _("First-call resolution (%)"),
                    fcr.get("rate"),
                    _usual(figures, "fcr_rate"),
                    None,
                ),
            ],
        )
    )
    messages = figures.get("messages", {})
    # Each figure's rule as the slip list's filter (recap_figures._message_figures).
    slip_filters = {
        "taken": {},
        "delivered": {"delivered": "yes"},
        "acknowledged": {"acknowledged": "yes"},
        "done": {"done": "yes"},
        "overdue": {"late_by": day.isoformat()},
        "escalated": {"escalated": "yes"},
    }
    found.append(
        Section(
            "messages",
            _("Messages"),
            [
                Row(
                    f"messages.{key}",
                    label,
                    messages.get(key, 0),
                    _usual(figures, "messages") if key == "taken" else None,
                    link.slips(**slip_filters[key]),
                )
                for key, label in (
                    ("taken", _("Taken")),
                    ("delivered", _("Delivered")),
                    ("acknowledged", _("Acknowledged")),
                    ("done", _("Done")),
                    ("overdue", _("Overdue (not acknowledged in time)")),
                    ("escalated", _("Escalated")),
                )
            ],
        )
    )
    complaints = figures.get("complaints", {})
    found.append(
        Section(
            "complaints",
            _("Complaints"),
            [
                Row(
                    "complaints.opened",
                    _("Recorded"),
                    complaints.get("opened", 0),
                    _usual(figures, "complaints"),
                    link.complaints(),
                ),
                Row(
                    "complaints.routed",
                    _("Routed to a department"),
                    complaints.get("routed", 0),
                    None,
                    link.complaints(),
                ),
                Row(
                    "complaints.resolved",
                    _("Resolved"),
                    complaints.get("resolved", 0),
                    None,
                    link.complaints(status=["resolved", "closed"]),
                ),
                Row(
                    "complaints.overdue",
                    _("Overdue at the day's end"),
                    complaints.get("overdue", 0),
                    None,
                    link.complaints(late_by=day.isoformat()),
                ),
                Row(
                    "complaints.escalated",
                    _("Escalated"),
                    complaints.get("escalated", 0),
                    None,
                    link.complaints(escalated="true"),
                ),
                *[
                    Row(
                        f"complaints.by_category.{e['id']}",
                        str(_("Category: %(name)s")) % {"name": e["name"] or _("(none)")},
                        e["n"],
                        None,
                        link.complaints(category=[e["id"]]) if e["id"] is not None else None,
                    )
                    for e in complaints.get("by_category") or []
                ],
                *[
                    Row(
                        f"complaints.by_product.{e['id']}",
                        str(_("Product: %(name)s")) % {"name": e["name"] or _("(none)")},
                        e["n"],
                        None,
                        link.complaints(product=[e["id"]]) if e["id"] is not None else None,
                    )
                    for e in complaints.get("by_product") or []
                ],
            ],
        )
    )
    attendance = figures.get("attendance", {})
    away = attendance.get("away", {})
    found.append(
        Section(
            "attendance",
            _("Attendance against the roster"),
            [
                Row(
                    "attendance.scheduled",
                    _("Rostered for a shift"),
                    attendance.get("scheduled", 0),
                    None,
                    link.attendance(),
                ),
                Row(
                    "attendance.present",
                    _("Present"),
                    attendance.get("present", 0),
                    _usual(figures, "present"),
                    link.attendance("present"),
                ),
                Row(
                    "attendance.late",
                    _("Late"),
                    attendance.get("late", 0),
                    _usual(figures, "late"),
                    link.attendance("late"),
                ),
                Row(
                    "attendance.left_early",
                    _("Left early"),
                    attendance.get("left_early", 0),
                    None,
                    link.attendance("early"),
                ),
                Row(
                    "attendance.absent",
                    _("Absent"),
                    attendance.get("absent", 0),
                    _usual(figures, "absent"),
                    link.attendance("absent"),
                ),
                Row(
                    "attendance.not_over",
                    _("Shift not over at the build"),
                    attendance.get("not_over", 0),
                    None,
                    link.attendance("scheduled"),
                ),
                Row(
                    "attendance.leave",
                    _("On leave"),
                    away.get("leave", 0),
                    None,
                    link.attendance("leave"),
                ),
                Row(
                    "attendance.sick", _("Sick"), away.get("sick", 0), None, link.attendance("sick")
                ),
                Row(
                    "attendance.permission",
                    _("Permission (izin)"),
                    away.get("permission", 0),
                    None,
                    link.attendance("permission"),
                ),
                Row(
                    "attendance.unscheduled",
                    _("Unscheduled work"),
                    attendance.get("unscheduled", 0),
                    None,
                    link.attendance("unscheduled"),
                ),
            ],
        )
    )
    quality = figures.get("quality", {})
    found.append(
        Section(
            "quality",
            _("Call quality (reviews of the day's calls)"),
            [
                Row(
                    "quality.reviews",
                    _("Reviews"),
                    quality.get("reviews", 0),
                    _usual(figures, "reviews"),
                    link.reviews(),
                ),
                Row(
                    "quality.average",
                    _("Average score"),
                    quality.get("average"),
                    _usual(figures, "qa_average"),
                    link.reviews(),
                ),
                Row(
                    "quality.auto_failed",
                    _("Auto-fails"),
                    quality.get("auto_failed", 0),
                    None,
                    link.reviews(),
                ),
            ],
        )
    )
    incidents = figures.get("incidents", {})
    kinds = dict(IncidentKind.choices)
    found.append(
        Section(
            "incidents",
            _("Phone-line incidents"),
            [
                Row(
                    "incidents.count",
                    _("Incidents"),
                    incidents.get("count", 0),
                    None,
                    link.incidents(),
                ),
                Row(
                    "incidents.minutes",
                    _("Minutes down within the day"),
                    incidents.get("minutes", 0),
                    _usual(figures, "incident_minutes"),
                    link.incidents(),
                ),
                *[
                    Row(
                        f"incidents.item.{i['id']}",
                        f"{i['line']} · {kinds.get(i['kind'], i['kind'])}",
                        i["minutes"],
                        None,
                        link.incidents(),
                    )
                    for i in incidents.get("items") or []
                ],
            ],
        )
    )
    return found


# Charts (server-side SVG; coordinates as text, never localised) ----------------------


@dataclass
class BarChart:
    width: int
    height: int
    bars: list = field(default_factory=list)
    usual: str = ""  # polyline points
    labels: list = field(default_factory=list)
    ticks: list = field(default_factory=list)
    empty: bool = True


def bar_chart(values, *, usual=None, labels=None, width=480, height=140, left=28, bottom=16):
    """Vertical bars of `values` (ints), with `usual` as a line over them."""
    chart = BarChart(width=width, height=height)
    usual_known = [u for u in (usual or []) if u is not None]
    high = max([*values, *usual_known, 1])
    n = len(values)
    plot_w, plot_h = width - left - 4, height - bottom - 6
    step = plot_w / max(1, n)

    def y_of(v) -> float:
        return 6 + plot_h - (v / high) * plot_h

    for i, value in enumerate(values):
        y = y_of(value)
        chart.bars.append(
            {
                "x": f"{left + i * step + step * 0.15:.1f}",
                "y": f"{y:.1f}",
                "w": f"{step * 0.7:.1f}",
                "h": f"{6 + plot_h - y:.1f}",
                "value": value,
                "label": labels[i] if labels else str(i),
            }
        )
    if usual:
        chart.usual = " ".join(
            f"{left + i * step + step / 2:.1f},{y_of(u):.1f}"
            for i, u in enumerate(usual)
            if u is not None
        )
    if labels:
        every = max(1, n // 12)
        chart.labels = [
            {"x": f"{left + i * step + step / 2:.1f}", "y": height - 3, "text": text}
            for i, text in enumerate(labels)
            if i % every == 0
        ]
    chart.ticks = [
        {"y": f"{y_of(v):.1f}", "label": f"{v:g}", "x": left - 4}
        for v in sorted({0, round(high, 1)})
    ]
    chart.empty = not any(values)
    return chart


def hbar_rows(entries: list[tuple[str, int, str | None]], *, width=200) -> list[dict]:
    """Horizontal bars (label, n, url) scaled to the largest."""
    high = max([n for _label, n, _url in entries] + [1])
    return [
        {"label": label, "n": n, "url": url, "w": f"{width * n / high:.1f}"}
        for label, n, url in entries
    ]


def trend(day: date) -> dict:
    """Calls per day over the TREND_DAYS days ending `day`, from the recaps
    (a day without a recap is a gap), as a line chart (one query)."""
    from reports.selectors_kpi import line_chart

    first = day - timedelta(days=TREND_DAYS - 1)
    stored = dict(
        DailyRecap.objects.filter(date__range=(first, day)).values_list(
            "date", "figures__calls__total"
        )
    )
    days = [first + timedelta(days=i) for i in range(TREND_DAYS)]
    values = [stored.get(d) if isinstance(stored.get(d), int) else None for d in days]
    labels = [f"{d:%d/%m}" if i % 5 == 0 or i == TREND_DAYS - 1 else "" for i, d in enumerate(days)]
    line = line_chart(values, width=480, height=140, pad=8, labels=labels, left=28, bottom=16)
    return {"line": line, "days": list(zip(days, values, strict=True))}


def charts(figures: dict, day: date) -> dict:
    link = Links(day)
    calls = figures.get("calls", {})
    hours = calls.get("by_hour") or [0] * 24
    usual = _usual(figures, "by_hour")
    by_hour = bar_chart(hours, usual=usual, labels=[f"{h:02d}" for h in range(24)])
    for h, bar in enumerate(by_hour.bars):
        bar["url"] = link.hour(h) if hours[h] else None
    labels = dict(Outcome.choices)
    outcomes = hbar_rows(
        [
            (str(labels.get(value, value)), n, link.calls(outcome=value))
            for value, n in sorted(
                (calls.get("by_outcome") or {}).items(), key=lambda item: -item[1]
            )
            if n
        ]
    )
    return {"by_hour": by_hour, "outcomes": outcomes, "trend": trend(day)}


def comparisons(figures: dict) -> list[dict]:
    """Each main figure against the same weekday's usual."""
    usual = figures.get("usual") or {}
    labels = {
        "calls": _("Calls"),
        "incoming": _("Incoming"),
        "outgoing": _("Outgoing"),
        "missed": pgettext_lazy("calls", "Missed"),
        "called_back": _("Called back"),
        "avg_duration_s": _("Average duration (s)"),
        "repeat_callers": _("Repeat callers"),
        "fcr_rate": _("First-call resolution (%)"),
        "messages": _("Messages taken"),
        "complaints": _("Complaints"),
        "present": _("Present"),
        "late": _("Late"),
        "absent": _("Absent"),
        "reviews": _("Reviews"),
        "qa_average": _("QA average"),
        "incident_minutes": _("Minutes of phone-line incidents"),
    }
    rows = []
    for key, path in USUAL_KEYS.items():
        value, typical = figure_at(figures, path), usual.get(key)
        delta = None if value is None or typical is None else round(value - typical, 1)
        rows.append(
            {"key": key, "label": labels[key], "value": value, "usual": typical, "delta": delta}
        )
    return rows


# The list -----------------------------------------------------------------------------

STATUS_FILTERS = [("", _("All")), *RecapStatus.choices]


def recap_list(*, month: date | None = None, status: str = ""):
    """Recaps, newest first, of a month (all months without one), by status."""
    found = DailyRecap.objects.select_related("signed_by", "reviewed_by").defer("signed_figures")
    if month is not None:
        following = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
        found = found.filter(date__gte=month, date__lt=following)
    if status:
        found = found.filter(status=status)
    return found.order_by("-date")


def flat_rows(figures: dict, day: date) -> list[tuple[str, str, object, object]]:
    """(section, figure, value, usual) for the CSV and XLSX exports."""
    rows = []
    for section in sections(figures, day):
        for row in section.rows:
            rows.append((str(section.title), str(row.label), row.value, row.usual))
            for name, value in row.extra.items():
                rows.append((str(section.title), f"{row.label} · {name}", value, None))
    return rows
