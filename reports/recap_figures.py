"""The daily recap's figures: aggregate reads only (GROUP BY, conditional
aggregates, correlated EXISTS), never a Python loop over the day's rows. The
build service (reports.services.recap) stores what `recap_figures()` returns
as `DailyRecap.figures`; the same data gives the same figures, on PostgreSQL
and SQLite alike. A day of calls costs 14 queries here, whatever its size.

The day is the local date in settings.TIME_ZONE (not the zone a request may
have activated): [00:00, next 00:00) there, so a call at 23:59 Jakarta time
is that day's. Soft-deleted calls (`deleted_at`) never count.

The keys of `figures` (all counts are ints, averages floats or None):

- "day": ISO date; "tz": the zone the day was cut in; "version": FIGURES_VERSION.
- "calls":
    "total", "by_hour" (24 ints, local hours 0-23), "busiest_hour" (the hour
    with the most calls, the earliest on a tie; None on a day without calls),
    "by_direction" {in, out, internal}, "by_outcome" {each Outcome value},
    "by_category" [{"id", "name", "n"}] (id None: no category), "by_department"
    [{"id", "name", "n"}] (the department asked for; id None: none),
    "by_operator" [{"id", "name", "n", "missed", "avg_s"}],
    "avg_duration_s" (over calls with a duration), "longest_s".
- "missed": incoming calls with outcome no_answer or call_back:
    "total", "no_answer", "call_back", "no_number" (withheld or unknown: no one
    to call back), "called_back", "not_called_back", and "open" (up to
    MISSED_LISTED of those not called back: {"id", "at", "number"}).
    A missed call is *called back* when a later outgoing call (not deleted)
    went to the same caller (the same Caller row, i.e. the same number) before
    the end of the next working day after the call's day (the business
    calendar: directory.business_time), the same day included.
- "repeat": "callers" (numbers that called in more than once that day,
    incoming calls with a known caller), "calls" (their calls), "top" (up to
    REPEAT_LISTED {"id", "number", "name", "n"}, most calls first).
- "fcr": first-call resolution of the day's incoming calls with a known
    caller and a category ("eligible"): a call is a "repeat_contact" when the
    same caller called in about the same category in the 7 days before it
    (FCR_DAYS); "resolved" = eligible - repeat_contact and "rate" the share in
    percent (None without eligible calls). Looking back, not ahead, keeps the
    figure final once the day is over.
- "messages" (slips taken that day): "taken", "delivered" (delivered_at
    set), "acknowledged" (acknowledged_at set), "done", "overdue" (not
    acknowledged by its due time, as of the day's end or its acknowledgement),
    "escalated" (escalation_level > 0); states as of the build.
- "complaints" (recorded that day): "opened", "routed" (given a department),
    "resolved" (resolved_at set), "overdue" (not acknowledged, or not
    resolved, by its deadline, as of the day's end), "escalated",
    "by_category" and "by_product" [{"id", "name", "n"}].
- "attendance" (reports.AttendanceDay of the date): "scheduled" (rostered a
    shift: present, absent, or shift not over), "present", "late",
    "left_early", "absent", "not_over" (still "scheduled"), "away" {leave,
    sick, permission}, "unscheduled", "late_minutes".
- "quality": regular reviews of that day's calls in a counted status
    (COUNTED_REVIEW_STATUSES): "reviews", "average" (score), "auto_failed".
- "incidents": phone-line incidents that overlapped the day: "count",
    "minutes" (sum of their minutes within the day; an open one up to the
    build), "items" [{"id", "line", "kind", "started", "ended", "minutes"}].
- "usual": the same weekday's average over the recaps of the last 8 weeks
    (USUAL_WEEKS; read from their figures, never from raw calls): "weeks"
    (how many recaps there were), and for each key of USUAL_KEYS the average
    (None without a recap), plus "by_hour" (24 floats, or None).
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db.models import (
    Avg,
    CharField,
    Count,
    Exists,
    F,
    FloatField,
    IntegerField,
    Max,
    OuterRef,
    Q,
    Sum,
    Value,
)
from django.db.models.functions import Cast, Coalesce, Concat, ExtractHour, NullIf, Trim
from django.utils import timezone

from calls.models import Call, Direction, Outcome, PhoneLineIncident
from directory.business_time import BusinessCalendar
from messages_app.models import Complaint, MessageSlip
from messages_app.selectors_complaints import late_by_q
from messages_app.selectors_slips import slip_late_by_q
from reports.models import AttendanceDay, AttendanceStatus, DailyRecap
from reports.models.quality import COUNTED_REVIEW_STATUSES, Review, ReviewKind
from switchboard.dates import day_bounds as local_day_bounds

FIGURES_VERSION = 1
MISSED_OUTCOMES = (Outcome.NO_ANSWER, Outcome.CALL_BACK)
MISSED_LISTED = 50
REPEAT_LISTED = 10
FCR_DAYS = 7
USUAL_WEEKS = 8
# The main figures compared with the same weekday's usual: (key, path in figures).
USUAL_KEYS = {
    "calls": ("calls", "total"),
    "incoming": ("calls", "by_direction", "in"),
    "outgoing": ("calls", "by_direction", "out"),
    "missed": ("missed", "total"),
    "called_back": ("missed", "called_back"),
    "avg_duration_s": ("calls", "avg_duration_s"),
    "repeat_callers": ("repeat", "callers"),
    "fcr_rate": ("fcr", "rate"),
    "messages": ("messages", "taken"),
    "complaints": ("complaints", "opened"),
    "present": ("attendance", "present"),
    "late": ("attendance", "late"),
    "absent": ("attendance", "absent"),
    "reviews": ("quality", "reviews"),
    "qa_average": ("quality", "average"),
    "incident_minutes": ("incidents", "minutes"),
}


def company_zone():
    return timezone.get_default_timezone()


@dataclass(frozen=True)
class DayBounds:
    day: date
    start: datetime
    end: datetime


def day_bounds(day: date) -> DayBounds:
    """[local 00:00, the next local 00:00) of `day` in the company's zone."""
    start, end = local_day_bounds(day)
    return DayBounds(day=day, start=start, end=end)


def _number(value) -> str:
    """A stored phone number as E.164 text ("" for none)."""
    if not value:
        return ""
    return getattr(value, "as_e164", None) or str(value)


def _round(value, digits=1):
    return None if value is None else round(float(value), digits)


def _user_name():
    full = Trim(Concat("operator__first_name", Value(" "), "operator__last_name"))
    return Coalesce(NullIf(full, Value("")), "operator__username", output_field=CharField())


# Calls ----------------------------------------------------------------------------


def _call_figures(bounds: DayBounds, callback_end: datetime) -> tuple[dict, dict, dict]:
    """Totals, direction, outcome, hours, missed calls and their call-backs,
    and first-call resolution, in one scan of the day's calls."""
    tz = company_zone()
    calls = Call.objects.live().filter(started_at__gte=bounds.start, started_at__lt=bounds.end)
    incoming = Q(direction=Direction.INCOMING)
    missed = incoming & Q(outcome__in=MISSED_OUTCOMES)
    called_back = Exists(
        Call.objects.live().filter(
            direction=Direction.OUTGOING,
            caller_id=OuterRef("caller_id"),
            started_at__gt=OuterRef("started_at"),
            started_at__lt=callback_end,
        )
    )
    asked_before = Exists(
        Call.objects.live().filter(
            direction=Direction.INCOMING,
            caller_id=OuterRef("caller_id"),
            category_id=OuterRef("category_id"),
            started_at__lt=OuterRef("started_at"),
            started_at__gte=OuterRef("started_at") - timedelta(days=FCR_DAYS),
        )
    )
    eligible = incoming & Q(caller_id__isnull=False, category_id__isnull=False)
    aggregates = {
        "total": Count("pk"),
        "avg_s": Avg("duration_seconds", output_field=FloatField()),
        "longest_s": Max("duration_seconds"),
        "missed": Count("pk", filter=missed),
        "no_answer": Count("pk", filter=incoming & Q(outcome=Outcome.NO_ANSWER)),
        "call_back": Count("pk", filter=incoming & Q(outcome=Outcome.CALL_BACK)),
        "no_number": Count("pk", filter=missed & Q(caller_id__isnull=True)),
        "called_back": Count("pk", filter=missed & Q(caller_id__isnull=False) & Q(called_back)),
        "eligible": Count("pk", filter=eligible),
        "repeat_contact": Count("pk", filter=eligible & Q(asked_before)),
    }
    for value in Direction.values:
        aggregates[f"dir_{value}"] = Count("pk", filter=Q(direction=value))
    for value in Outcome.values:
        aggregates[f"out_{value}"] = Count("pk", filter=Q(outcome=value))
    for hour in range(24):
        aggregates[f"h{hour}"] = Count("pk", filter=Q(local_hour=hour))
    row = calls.annotate(local_hour=ExtractHour("started_at", tzinfo=tz)).aggregate(**aggregates)

    by_hour = [row[f"h{hour}"] for hour in range(24)]
    busiest = max(range(24), key=lambda h: (by_hour[h], -h)) if row["total"] else None
    call_part = {
        "total": row["total"],
        "by_hour": by_hour,
        "busiest_hour": busiest,
        "by_direction": {value: row[f"dir_{value}"] for value in Direction.values},
        "by_outcome": {value: row[f"out_{value}"] for value in Outcome.values},
        "avg_duration_s": _round(row["avg_s"]),
        "longest_s": row["longest_s"] or 0,
    }
    missed_part = {
        "total": row["missed"],
        "no_answer": row["no_answer"],
        "call_back": row["call_back"],
        "no_number": row["no_number"],
        "called_back": row["called_back"],
        "not_called_back": row["missed"] - row["called_back"],
    }
    eligible_n, repeat_n = row["eligible"], row["repeat_contact"]
    fcr = {
        "eligible": eligible_n,
        "repeat_contact": repeat_n,
        "resolved": eligible_n - repeat_n,
        "rate": _round(100 * (eligible_n - repeat_n) / eligible_n) if eligible_n else None,
        "days": FCR_DAYS,
    }
    # The missed calls not called back, the first few, for the page to list.
    open_rows = (
        calls.filter(missed)
        .exclude(Q(caller_id__isnull=False) & Q(called_back))
        .order_by("started_at", "pk")
        .values_list("pk", "started_at", "caller__number")[:MISSED_LISTED]
    )
    missed_part["open"] = [
        {"id": pk, "at": at.astimezone(tz).isoformat(), "number": _number(number)}
        for pk, at, number in open_rows
    ]
    return call_part, missed_part, fcr


def _breakdowns(bounds: DayBounds) -> dict:
    """Calls by category, department asked for and operator: three GROUP BYs
    in one UNION ALL query."""
    calls = (
        Call.objects.live()
        .filter(started_at__gte=bounds.start, started_at__lt=bounds.end)
        .order_by()
    )
    zero = Value(0, output_field=IntegerField())

    def part(kind, key, label, missed, avg):
        return (
            calls.values(key)
            .annotate(
                kind=Value(kind, output_field=CharField()),
                label=label,
                n=Count("pk"),
                missed=missed,
                avg_s=avg,
            )
            .values_list("kind", key, "label", "n", "missed", "avg_s")
        )

    missed = Count("pk", filter=Q(direction=Direction.INCOMING, outcome__in=MISSED_OUTCOMES))
    # Typed alike in every part of the UNION (PostgreSQL matches them by type).
    avg = Cast(Avg("duration_seconds"), FloatField())
    no_avg = Cast(Value(None), FloatField())
    category = part(
        "category",
        "category_id",
        Coalesce(F("category__name"), Value(""), output_field=CharField()),
        zero,
        no_avg,
    )
    department = part(
        "department",
        "asked_for_department_id",
        Coalesce(F("asked_for_department__name"), Value(""), output_field=CharField()),
        zero,
        no_avg,
    )
    operator = part("operator", "operator_id", _user_name(), missed, avg)
    found: dict[str, list] = {"category": [], "department": [], "operator": []}
    for kind, key, label, n, missed_n, avg_s in category.union(department, operator, all=True):
        entry = {"id": key, "name": label or "", "n": n}
        if kind == "operator":
            entry.update(missed=missed_n, avg_s=_round(avg_s))
        found[kind].append(entry)
    for entries in found.values():
        entries.sort(key=lambda e: (-e["n"], e["name"], e["id"] or 0))
    return found


def _repeat_callers(bounds: DayBounds) -> dict:
    per_caller = (
        Call.objects.live()
        .filter(
            started_at__gte=bounds.start,
            started_at__lt=bounds.end,
            direction=Direction.INCOMING,
            caller_id__isnull=False,
        )
        .order_by()
        .values("caller_id")
        .annotate(n=Count("pk"))
        .filter(n__gte=2)
    )
    totals = per_caller.aggregate(callers=Count("caller_id"), calls=Sum("n"))
    top = per_caller.annotate(number=F("caller__number"), name=F("caller__name")).order_by(
        "-n", "caller_id"
    )[:REPEAT_LISTED]
    return {
        "callers": totals["callers"] or 0,
        "calls": totals["calls"] or 0,
        "top": [
            {"id": e["caller_id"], "number": _number(e["number"]), "name": e["name"], "n": e["n"]}
            for e in top
        ],
    }


# Messages and complaints ---------------------------------------------------------


def _message_figures(bounds: DayBounds) -> dict:
    slips = MessageSlip.objects.filter(created_at__gte=bounds.start, created_at__lt=bounds.end)
    # The same rule as the slip list's late_by filter the figure links to.
    late = slip_late_by_q(bounds.end)
    return slips.aggregate(
        taken=Count("pk"),
        delivered=Count("pk", filter=Q(delivered_at__isnull=False)),
        acknowledged=Count("pk", filter=Q(acknowledged_at__isnull=False)),
        done=Count("pk", filter=Q(done_at__isnull=False)),
        overdue=Count("pk", filter=late),
        escalated=Count("pk", filter=Q(escalation_level__gt=0)),
    )


def _complaint_figures(bounds: DayBounds) -> dict:
    complaints = Complaint.objects.filter(
        created_at__gte=bounds.start, created_at__lt=bounds.end
    ).order_by()
    figures = complaints.aggregate(
        opened=Count("pk"),
        routed=Count("pk", filter=Q(department_id__isnull=False)),
        resolved=Count("pk", filter=Q(resolved_at__isnull=False)),
        # The same rule as the complaint list's late_by filter the figure links to.
        overdue=Count("pk", filter=late_by_q(bounds.end)),
        escalated=Count("pk", filter=Q(escalation_level__gt=0)),
    )
    groups = complaints.values("category_id", "category__name", "product_id", "product__name")
    by_category: dict = {}
    by_product: dict = {}
    for entry in groups.annotate(n=Count("pk")):
        for target, key, name in (
            (by_category, entry["category_id"], entry["category__name"]),
            (by_product, entry["product_id"], entry["product__name"]),
        ):
            slot = target.setdefault(key, {"id": key, "name": name or "", "n": 0})
            slot["n"] += entry["n"]

    def ordered(found):
        return sorted(found.values(), key=lambda e: (-e["n"], e["name"], e["id"] or 0))

    figures["by_category"] = ordered(by_category)
    figures["by_product"] = ordered(by_product)
    return figures


# Attendance, quality, incidents ------------------------------------------------------


def _attendance_figures(day: date) -> dict:
    status = AttendanceStatus
    row = AttendanceDay.objects.filter(date=day).aggregate(
        scheduled=Count(
            "pk", filter=Q(status__in=[status.PRESENT, status.ABSENT, status.SCHEDULED])
        ),
        present=Count("pk", filter=Q(status=status.PRESENT)),
        late=Count("pk", filter=Q(late_minutes__gt=0)),
        left_early=Count("pk", filter=Q(early_minutes__gt=0)),
        absent=Count("pk", filter=Q(status=status.ABSENT)),
        not_over=Count("pk", filter=Q(status=status.SCHEDULED)),
        leave=Count("pk", filter=Q(status=status.LEAVE)),
        sick=Count("pk", filter=Q(status=status.SICK)),
        permission=Count("pk", filter=Q(status=status.PERMISSION)),
        unscheduled=Count("pk", filter=Q(status=status.UNSCHEDULED)),
        late_minutes=Coalesce(Sum("late_minutes"), 0),
    )
    row["away"] = {kind: row.pop(kind) for kind in ("leave", "sick", "permission")}
    return row


def _quality_figures(day: date) -> dict:
    row = Review.objects.filter(
        call_date=day, kind=ReviewKind.REGULAR, status__in=COUNTED_REVIEW_STATUSES
    ).aggregate(
        reviews=Count("pk"),
        average=Avg("score", output_field=FloatField()),
        auto_failed=Count("pk", filter=Q(auto_failed=True)),
    )
    row["average"] = _round(row["average"])
    return row


def _incident_figures(bounds: DayBounds, now: datetime) -> dict:
    """The incidents that overlapped the day, each with its minutes within it.
    A day has a handful at most: they are listed, not aggregated."""
    tz = company_zone()
    found = (
        PhoneLineIncident.objects.filter(started_at__lt=bounds.end)
        .filter(Q(ended_at__isnull=True) | Q(ended_at__gt=bounds.start))
        .order_by("started_at", "pk")
        .values("pk", "line", "kind", "started_at", "ended_at")
    )
    items = []
    for incident in found:
        start = max(incident["started_at"], bounds.start)
        finish = min(incident["ended_at"] or max(now, start), bounds.end)
        minutes = max(0, round((finish - start).total_seconds() / 60))
        items.append(
            {
                "id": incident["pk"],
                "line": incident["line"],
                "kind": incident["kind"],
                "started": incident["started_at"].astimezone(tz).isoformat(),
                "ended": incident["ended_at"].astimezone(tz).isoformat()
                if incident["ended_at"]
                else None,
                "minutes": minutes,
            }
        )
    return {"count": len(items), "minutes": sum(i["minutes"] for i in items), "items": items}


# The usual ----------------------------------------------------------------------------


def figure_at(figures: dict, path: tuple):
    value = figures
    for key in path:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value if isinstance(value, int | float) and not isinstance(value, bool) else None


def usual_for(day: date) -> dict:
    """The same weekday's average over the last USUAL_WEEKS weeks' recaps."""
    dates = [day - timedelta(weeks=k) for k in range(1, USUAL_WEEKS + 1)]
    earlier = list(DailyRecap.objects.filter(date__in=dates).values_list("figures", flat=True))
    usual: dict = {"weeks": len(earlier)}
    for key, path in USUAL_KEYS.items():
        values = [v for v in (figure_at(f, path) for f in earlier) if v is not None]
        usual[key] = _round(sum(values) / len(values)) if values else None
    hours = [
        f["calls"]["by_hour"]
        for f in earlier
        if isinstance(f.get("calls", {}).get("by_hour"), list) and len(f["calls"]["by_hour"]) == 24
    ]
    usual["by_hour"] = (
        [_round(sum(h[i] for h in hours) / len(hours)) for i in range(24)] if hours else None
    )
    return usual


# The whole -----------------------------------------------------------------------------


def callback_deadline(day: date, calendar: BusinessCalendar | None = None) -> datetime:
    """The end of the next working day after `day`: a missed call of `day`
    called back before it counts as called back."""
    calendar = calendar or BusinessCalendar.load()
    bounds = day_bounds(day)
    following = calendar.next_working_day(bounds.start)
    return day_bounds(following).end


def recap_figures(*, day: date, now: datetime, calendar: BusinessCalendar | None = None) -> dict:
    """Every figure of the recap of `day` (see the module docstring)."""
    bounds = day_bounds(day)
    call_part, missed, fcr = _call_figures(bounds, callback_deadline(day, calendar))
    call_part.update({f"by_{kind}": entries for kind, entries in _breakdowns(bounds).items()})
    return {
        "version": FIGURES_VERSION,
        "day": day.isoformat(),
        "tz": settings.TIME_ZONE,
        "calls": call_part,
        "missed": missed,
        "repeat": _repeat_callers(bounds),
        "fcr": fcr,
        "messages": _message_figures(bounds),
        "complaints": _complaint_figures(bounds),
        "attendance": _attendance_figures(day),
        "quality": _quality_figures(day),
        "incidents": _incident_figures(bounds, now),
        "usual": usual_for(day),
    }
