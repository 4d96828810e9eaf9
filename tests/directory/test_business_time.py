"""Counting working time on the business calendar (directory.business_time).

The week is the default one of directory/0010, written by the fixture (a
transactional test elsewhere may have flushed the migration's rows): Monday to
Thursday 08:00-12:00 and 13:00-17:00, Friday 08:00-11:30 (Friday prayer) and
13:00-17:00, no weekend. 2 November 2026 is a Monday."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from directory import business_time
from directory.business_time import BusinessCalendar
from directory.holiday_seed import holidays_seed
from directory.models import Holiday, HolidayKind, WorkingPeriod

JAKARTA = ZoneInfo("Asia/Jakarta")
MORNING, AFTERNOON = (time(8), time(12)), (time(13), time(17))
WEEK = {0: [MORNING, AFTERNOON], 1: [MORNING, AFTERNOON], 2: [MORNING, AFTERNOON]}
WEEK |= {3: [MORNING, AFTERNOON], 4: [(time(8), time(11, 30)), AFTERNOON]}


def at(day: int, hour: int = 0, minute: int = 0, *, month: int = 11, tz=JAKARTA) -> datetime:
    """A moment in November 2026 (2 = Monday), Jakarta time unless told."""
    return datetime(2026, month, day, hour, minute, tzinfo=tz)


@pytest.fixture
def week(db):
    WorkingPeriod.objects.all().delete()
    Holiday.objects.all().delete()
    for weekday, spans in WEEK.items():
        for start, end in spans:
            WorkingPeriod.objects.create(weekday=weekday, start=start, end=end)


@pytest.fixture
def calendar(week):
    return BusinessCalendar.load()


def holiday(day: date, name="Hari libur", kind=HolidayKind.PUBLIC, active=True):
    return Holiday.objects.create(date=day, name=name, kind=kind, active=active)


# add(): minutes of working time after a moment ------------------------------


@pytest.mark.parametrize(
    ("start", "minutes", "due"),
    [
        (at(2, 9), 60, at(2, 10)),  # inside a morning
        (at(2, 11, 30), 60, at(2, 13, 30)),  # across the lunch break
        (at(2, 11), 60, at(2, 12)),  # uses up the morning exactly: due at 12:00
        (at(2, 12, 15), 30, at(2, 13, 30)),  # starts in the lunch break
        (at(2, 12), 30, at(2, 13, 30)),  # starts exactly as the morning ends
        (at(2, 13), 30, at(2, 13, 30)),  # starts exactly as the afternoon begins
        (at(2, 6), 30, at(2, 8, 30)),  # before the day starts
        (at(2, 18), 30, at(3, 8, 30)),  # after work: the next morning
        (at(2, 16), 8 * 60, at(3, 16)),  # a whole working day later
        (at(6, 16, 30), 60, at(9, 8, 30)),  # Friday afternoon, across the weekend
        (at(7, 10), 30, at(9, 8, 30)),  # starts on a Saturday
        (at(6, 11), 60, at(6, 13, 30)),  # Friday prayer: 11:30-13:00 is not counted
        (at(5, 11), 60, at(5, 12)),  # the same hour on a Thursday is all working time
        (at(2, 9), 4 * 60, at(2, 14)),  # "normal: 4 working hours"
    ],
)
def test_add_counts_working_minutes_only(calendar, start, minutes, due):
    assert calendar.add(start, minutes) == due


@pytest.mark.parametrize(
    ("start", "due"),
    [
        (at(2, 9, 15), at(2, 9, 15)),  # in working time: that moment
        (at(2, 8), at(2, 8)),  # the first minute of the day
        (at(2, 12), at(2, 13)),  # the end of a span is not working time
        (at(2, 17), at(3, 8)),
        (at(6, 17), at(9, 8)),  # Friday evening: Monday morning
    ],
)
def test_zero_minutes_is_the_next_working_moment(calendar, start, due):
    assert calendar.add(start, 0) == due
    assert calendar.next_working_moment(start) == due


def test_add_skips_a_public_holiday(calendar):
    holiday(date(2026, 11, 3))  # the Tuesday
    calendar = BusinessCalendar.load()

    assert calendar.add(at(2, 16, 30), 60) == at(4, 8, 30)
    assert not calendar.is_working_day(date(2026, 11, 3))
    assert not calendar.is_working_time(at(3, 10))


def test_a_holiday_switched_off_is_a_working_day(calendar):
    holiday(date(2026, 11, 3), active=False)

    assert BusinessCalendar.load().add(at(2, 16, 30), 60) == at(3, 8, 30)


def test_collective_leave_is_a_day_off_too(calendar):
    holiday(date(2026, 11, 6), name="Cuti bersama", kind=HolidayKind.COLLECTIVE_LEAVE)
    calendar = BusinessCalendar.load()

    assert calendar.add(at(5, 16), 120) == at(9, 9)
    assert calendar.next_working_day(at(5, 10)) == date(2026, 11, 9)


def test_answers_are_in_the_company_time_zone(calendar):
    due = calendar.add(datetime(2026, 11, 2, 2, 0, tzinfo=ZoneInfo("UTC")), 30)  # 09:00 WIB

    assert due == at(2, 9, 30)
    assert due.utcoffset() == timedelta(hours=7)


def test_add_refuses_naive_times_and_negative_minutes(calendar):
    with pytest.raises(ValueError, match="aware"):
        calendar.add(datetime(2026, 11, 2, 9), 30)
    with pytest.raises(ValueError, match="negative"):
        calendar.add(at(2, 9), -1)


def test_a_calendar_without_any_working_day_gives_up_clearly(monkeypatch):
    monkeypatch.setattr(business_time, "MAX_DAYS", 30)
    every_day_off = {date(2026, 11, 1) + timedelta(days=n) for n in range(40)}
    calendar = BusinessCalendar(periods=WEEK, days_off=every_day_off)

    with pytest.raises(ValueError, match="No working time"):
        calendar.add(at(2, 9), 30)
    with pytest.raises(ValueError, match="No working day"):
        calendar.next_working_day(at(2, 9))


# minutes_between(): the inverse -------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "minutes"),
    [
        (at(2, 9), at(2, 10), 60),
        (at(2, 11), at(2, 14), 120),  # the lunch hour is not counted
        (at(6, 16), at(9, 9), 120),  # Friday 16:00 to Monday 09:00
        (at(6, 11), at(6, 13, 30), 60),  # Friday prayer
        (at(2, 18), at(3, 7), 0),  # a night
        (at(7, 9), at(8, 17), 0),  # a weekend
        (at(2, 8), at(9, 8), 5 * 8 * 60 - 30),  # a whole week, Friday's half hour short
        (at(2, 10), at(2, 10), 0),
    ],
)
def test_minutes_between_counts_working_minutes(calendar, start, end, minutes):
    assert calendar.minutes_between(start, end) == minutes
    assert calendar.minutes_between(end, start) == -minutes


@pytest.mark.parametrize("minutes", [0, 1, 30, 59.5, 60, 210, 240, 480, 2400, 4800])
@pytest.mark.parametrize(
    "start", [at(2, 7), at(2, 8), at(2, 11, 45), at(2, 12), at(6, 11, 29), at(6, 17), at(7, 12)]
)
def test_minutes_between_undoes_add(calendar, start, minutes):
    holiday(date(2026, 11, 10))
    calendar = BusinessCalendar.load()

    due = calendar.add(start, minutes)

    assert calendar.minutes_between(start, due) == pytest.approx(minutes)
    # and not a moment earlier: the minute before `due` still had some to go
    if minutes:
        assert calendar.minutes_between(start, due - timedelta(minutes=1)) < minutes


# The next working day, over long weekends -------------------------------------


def test_next_working_day_and_its_end(calendar):
    assert calendar.next_working_day(at(2, 10)) == date(2026, 11, 3)
    assert calendar.next_working_day(at(6, 10)) == date(2026, 11, 9)  # Friday -> Monday
    assert calendar.next_working_day(at(7, 10)) == date(2026, 11, 9)  # Saturday -> Monday
    assert calendar.end_of_next_working_day(at(5, 9)) == at(6, 17)
    assert calendar.end_of_next_working_day(at(6, 20)) == at(9, 17)


def test_idul_fitri_with_cuti_bersama_is_one_long_break(week):
    """2026: Nyepi on Thursday 19 March with leave on the 18th, leave on Friday
    the 20th, Idul Fitri on the weekend, leave again on Monday 23 and Tuesday
    24: from Tuesday 17 March the next working day is Wednesday 25 March."""
    holidays_seed(years=[2026], language="en")
    calendar = BusinessCalendar.load()
    evening = at(17, 16, month=3)

    assert calendar.next_working_day(evening) == date(2026, 3, 25)
    assert calendar.end_of_next_working_day(evening) == at(25, 17, month=3)
    assert calendar.add(evening, 120) == at(25, 9, month=3)
    assert calendar.minutes_between(evening, at(25, 9, month=3)) == 120
    for day in range(18, 25):
        assert not calendar.is_working_day(date(2026, 3, day))


# Working time, boundaries included ------------------------------------------


@pytest.mark.parametrize(
    ("moment", "working"),
    [
        (at(2, 8), True),
        (at(2, 11, 59), True),
        (at(2, 12), False),
        (at(2, 13), True),
        (at(2, 17), False),
        (at(6, 11, 45), False),  # Friday prayer
        (at(5, 11, 45), True),  # the same time on Thursday
        (at(7, 10), False),  # Saturday
    ],
)
def test_is_working_time(calendar, moment, working):
    assert calendar.is_working_time(moment) is working


def test_spans_are_local_times(calendar):
    assert calendar.spans(date(2026, 11, 6)) == [(at(6, 8), at(6, 11, 30)), (at(6, 13), at(6, 17))]
    assert calendar.spans(date(2026, 11, 7)) == []


# Calendars that are not the default one ---------------------------------------


def test_no_working_periods_counts_on_the_clock(db):
    WorkingPeriod.objects.all().delete()
    Holiday.objects.all().delete()
    holiday(date(2026, 11, 8))  # ignored: there is no working week to take it out of
    calendar = BusinessCalendar.load()

    assert calendar.always_open
    assert calendar.add(at(7, 22), 120) == at(8, 0)
    assert calendar.minutes_between(at(7, 22), at(8, 1)) == 180
    assert calendar.is_working_time(at(8, 3))
    assert calendar.next_working_day(at(7, 22)) == date(2026, 11, 8)
    assert calendar.end_of_next_working_day(at(7, 22)) == at(9, 0)


def test_periods_follow_the_company_time_zone_not_the_active_one(week, settings):
    settings.TIME_ZONE = "Asia/Makassar"  # WITA, an hour ahead of Jakarta
    wita = ZoneInfo("Asia/Makassar")
    with timezone.override(ZoneInfo("UTC")):  # e.g. a user's own time zone
        calendar = BusinessCalendar.load()

        due = calendar.add(at(2, 7, 30), 60)  # 08:30 in Makassar

    assert due == datetime(2026, 11, 2, 9, 30, tzinfo=wita)
    assert due.tzinfo == wita
    assert calendar.is_working_time(at(2, 7, 30))  # 08:30 WITA
    assert not calendar.is_working_time(at(2, 16, 30))  # 17:30 WITA


def test_durations_are_real_time_across_a_daylight_saving_change(db, settings):
    """Sunday 29 March 2026 in Amsterdam: clocks go from 02:00 to 03:00, so a
    01:00-04:00 shift is two hours long."""
    settings.TIME_ZONE = "Europe/Amsterdam"
    amsterdam = ZoneInfo("Europe/Amsterdam")
    calendar = BusinessCalendar(periods={6: [(time(1), time(4))]})
    start = datetime(2026, 3, 29, 1, tzinfo=amsterdam)
    end = datetime(2026, 3, 29, 4, tzinfo=amsterdam)

    assert calendar.minutes_between(start, end) == 120
    assert calendar.add(start, 120) == end
    assert calendar.add(start, 150) == datetime(2026, 4, 5, 1, 30, tzinfo=amsterdam)


def test_overlapping_periods_are_not_counted_twice():
    """The admin refuses overlaps; rows written another way must not double time."""
    calendar = BusinessCalendar(
        periods={0: [(time(8), time(12)), (time(10), time(14)), (time(15), time(15))]},
        tz=JAKARTA,
    )

    assert calendar.spans(date(2026, 11, 2)) == [(at(2, 8), at(2, 14))]
    assert calendar.minutes_between(at(2, 0), at(3, 0)) == 360


def test_a_calendar_built_in_memory_uses_the_company_time_zone(settings):
    settings.TIME_ZONE = "Asia/Jakarta"
    calendar = BusinessCalendar(periods=WEEK)

    assert calendar.add(at(2, 11, 30), 60) == at(2, 13, 30)


# Cost: two queries, then nothing -----------------------------------------------


@pytest.mark.parametrize("holidays", [1, 50])
def test_load_is_two_queries_whatever_the_size(week, django_assert_num_queries, holidays):
    for n in range(holidays):
        holiday(date(2027, 1, 1) + timedelta(days=n))

    with django_assert_num_queries(2):
        calendar = BusinessCalendar.load()

    assert len(calendar.days_off) == holidays


def test_hundreds_of_deadlines_cost_no_query(week, django_assert_num_queries):
    """An escalation sweep loads the calendar once and reuses it for every row."""
    holiday(date(2026, 11, 10))
    calendar = BusinessCalendar.load()
    starts = [at(2, 7) + timedelta(minutes=17 * n) for n in range(500)]

    with django_assert_num_queries(0):
        dues = [calendar.add(start, 240) for start in starts]
        lows = [calendar.end_of_next_working_day(start) for start in starts]

    assert all(calendar.minutes_between(s, d) == 240 for s, d in zip(starts, dues, strict=True))
    assert all(low.time() == time(17) for low in lows)
