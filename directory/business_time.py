"""Counting time on the business calendar (directory.models.calendar).

    calendar = BusinessCalendar.load()
    due = calendar.add(received_at, minutes=4 * 60)    # 4 working hours later
    late = calendar.minutes_between(due, now)         # working minutes overdue

A BusinessCalendar reads the working periods and the holidays once (two
queries) and answers every question in memory, so a sweep over thousands of
slips or a list of complaints costs the same two queries: load it once per
sweep or request and pass it on (`slip_due_at(..., calendar=calendar)`), never
once per row. The working spans of each date are worked out once and kept, so
hundreds of deadlines from one calendar cost next to nothing.

What counts as working time: the weekday's working periods (a break is the gap
between two periods), except on an active holiday (public holiday, collective
leave, company day off). A calendar with no working period at all counts on
the clock, nights and holidays included. Periods are read in the company's time
zone (settings.TIME_ZONE, whatever time zone a request has activated) and
durations are real elapsed time, also across a daylight-saving change. Times
must be aware; answers are in the company's time zone.
"""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from django.utils import timezone

from directory.models import Holiday, WorkingPeriod

# How far ahead a deadline is looked for before giving up: a calendar with no
# working time at all (every day a holiday) must not loop for ever.
MAX_DAYS = 3660

Span = tuple[datetime, datetime]


def _aware(value: datetime, name: str) -> datetime:
    if timezone.is_naive(value):
        raise ValueError(f"{name} must be an aware datetime (USE_TZ is on).")
    return value.astimezone(UTC)


def _merged(spans) -> list[tuple[time, time]]:
    """Sorted spans with overlapping or touching ones joined and empty ones
    dropped, so time is never counted twice (the admin refuses overlaps; rows
    written another way must not double a deadline)."""
    merged: list[tuple[time, time]] = []
    for start, end in sorted(spans):
        if end <= start:
            continue
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


@dataclass
class BusinessCalendar:
    """The working week (weekday 0-6 -> [(start, end)]) and the days off."""

    periods: dict[int, list[tuple[time, time]]] = field(default_factory=dict)
    days_off: frozenset[date] = field(default_factory=frozenset)
    tz: tzinfo | None = None
    # date -> its working spans in UTC, worked out on first use.
    _utc: dict[date, list[Span]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def __post_init__(self):
        if self.tz is None:
            self.tz = timezone.get_default_timezone()
        self.periods = {
            weekday: spans
            for weekday, spans in ((w, _merged(s)) for w, s in self.periods.items())
            if spans
        }
        self.days_off = frozenset(self.days_off)

    @classmethod
    def load(cls) -> "BusinessCalendar":
        """The calendar as the admins keep it: two queries, whatever its size."""
        periods: dict[int, list[tuple[time, time]]] = {}
        for weekday, start, end in WorkingPeriod.objects.values_list("weekday", "start", "end"):
            periods.setdefault(weekday, []).append((start, end))
        days_off = Holiday.objects.filter(active=True).values_list("date", flat=True)
        return cls(periods=periods, days_off=frozenset(days_off))

    # -- the working spans -----------------------------------------------------

    @property
    def always_open(self) -> bool:
        """No working period at all: time is counted on the clock."""
        return not self.periods

    def _spans_utc(self, day: date) -> list[Span]:
        spans = self._utc.get(day)
        if spans is None:
            spans = []
            if day not in self.days_off:
                for start, end in self.periods.get(day.weekday(), ()):
                    begin = datetime.combine(day, start, tzinfo=self.tz).astimezone(UTC)
                    finish = datetime.combine(day, end, tzinfo=self.tz).astimezone(UTC)
                    spans.append((begin, finish))
            self._utc[day] = spans
        return spans

    def spans(self, day: date) -> list[Span]:
        """The working spans of one local date, as aware datetimes in the
        company's time zone (none on a day off)."""
        return [(s.astimezone(self.tz), e.astimezone(self.tz)) for s, e in self._spans_utc(day)]

    def _local_date(self, moment_utc: datetime) -> date:
        return moment_utc.astimezone(self.tz).date()

    # -- questions -------------------------------------------------------------

    def is_working_day(self, day: date) -> bool:
        if self.always_open:
            return True
        return bool(self._spans_utc(day))

    def is_working_time(self, when: datetime) -> bool:
        if self.always_open:
            return True
        moment = _aware(when, "when")
        return any(s <= moment < e for s, e in self._spans_utc(self._local_date(moment)))

    def add(self, start: datetime, minutes: float) -> datetime:
        """The moment `minutes` of working time after `start`.

        `start` may fall outside working time (at night, in the lunch break, on
        a holiday): counting begins at the next working moment, so
        `add(t, 0)` is the first working moment at or after t. A deadline that
        uses up a span exactly ends at that span's end (11:00 + 60 minutes is
        12:00, not 13:00). minutes_between(start, add(start, m)) == m."""
        if minutes < 0:
            raise ValueError("minutes must not be negative.")
        cursor = _aware(start, "start")
        remaining = timedelta(minutes=minutes)
        if self.always_open:
            return (cursor + remaining).astimezone(self.tz)
        day = self._local_date(cursor)
        for _ in range(MAX_DAYS):
            for span_start, span_end in self._spans_utc(day):
                if span_end <= cursor:
                    continue
                begin = max(span_start, cursor)
                available = span_end - begin
                if remaining <= available:
                    return (begin + remaining).astimezone(self.tz)
                remaining -= available
            day += timedelta(days=1)
        raise ValueError("No working time within ten years: check the working hours.")

    def next_working_moment(self, when: datetime) -> datetime:
        """`when` itself during working time, else the start of the next span."""
        return self.add(when, 0)

    def minutes_between(self, start: datetime, end: datetime) -> float:
        """Working minutes from `start` to `end` (negative if end is earlier)."""
        begin_utc, end_utc = _aware(start, "start"), _aware(end, "end")
        if end_utc < begin_utc:
            return -self.minutes_between(end, start)
        if self.always_open:
            return (end_utc - begin_utc).total_seconds() / 60
        total = timedelta()
        day, last = self._local_date(begin_utc), self._local_date(end_utc)
        while day <= last:
            for span_start, span_end in self._spans_utc(day):
                begin, finish = max(span_start, begin_utc), min(span_end, end_utc)
                if finish > begin:
                    total += finish - begin
            day += timedelta(days=1)
        return total.total_seconds() / 60

    def next_working_day(self, after: datetime) -> date:
        """The first working date after the local date of `after`."""
        day = self._local_date(_aware(after, "after"))
        for _ in range(MAX_DAYS):
            day += timedelta(days=1)
            if self.is_working_day(day):
                return day
        raise ValueError("No working day within ten years: check the working hours.")

    def end_of_next_working_day(self, after: datetime) -> datetime:
        """The close of business on the first working date after `after`'s date
        ("low urgency: by the end of the next working day"). On the clock
        (no working periods) that is the midnight ending the next day."""
        day = self.next_working_day(after)
        spans = self._spans_utc(day)
        if not spans:  # always open
            return datetime.combine(day + timedelta(days=1), time.min, tzinfo=self.tz)
        return spans[-1][1].astimezone(self.tz)
