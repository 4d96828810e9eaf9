"""The hand-counted month the KPI tests share: operator Ani, March 2025.

Attendance (reports.AttendanceDay):
  3, 4, 5, 6, 7, 10 Mar  present, on time                     6
  11 Mar                 present, 12 minutes late             1
  12 Mar                 present, left 20 minutes early       1
  13 Mar                 absent                               1
  14 Mar sick, 17 Mar leave, 18 Mar permission (apart)         3
  22, 23 Mar             unscheduled work                     2
  31 Mar                 still scheduled (not counted yet)    1
  -> scheduled 9 (8 worked + 1 absent), on time 6, shifts worked 10.
  Rule "on time": 6 / 9 = 66.67 %; rule "worked": 8 / 9 = 88.89 %.

Reviews (reports.Review of those calls, regular unless said):
  submitted 90, acknowledged 80, resolved 100, disputed 0 (auto-fail)
  draft 10 and a calibration review 20: not counted; April's 50: not March's
  -> 4 reviews, average (90 + 80 + 100 + 0) / 4 = 67.5, 1 auto-fail.

Calls (calls.Call; local Jakarta times):
  1 Mar 00:30 (UTC: 28 Feb 17:30)   60 s
  3 Mar 10:00                       120 s
  3 Mar 11:00                       0 s (no duration)
  11 Mar 09:00, 11 Mar 09:30        30 s, 90 s
  12 Mar 14:00                      500 s, deleted: never counted
  31 Mar 23:59                      100 s
  1 Apr 00:00:30 (UTC: 31 Mar 17:00:30) 45 s: April's
  -> March: 6 calls handled, 5 with a duration, 400 s of talk:
     AHT 400 / 5 = 80 s; productivity 6 / 10 shifts worked = 0.6.
"""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

from reports.models import AttendanceStatus, CalibrationRound, ReviewKind, ReviewStatus
from reports.services.operator_days import operator_days_build
from tests.factories import CallFactory, UserFactory
from tests.reports.factories_kpi import AttendanceDayFactory, ReviewFactory, ScorecardFactory

JAKARTA = ZoneInfo("Asia/Jakarta")
MONTH = dt.date(2025, 3, 1)


def at(day: int, hour: int, minute: int = 0, second: int = 0, month: int = 3):
    return dt.datetime(2025, month, day, hour, minute, second, tzinfo=JAKARTA)


def call(operator, moment, seconds, **extra):
    return CallFactory(
        operator=operator,
        started_at=moment,
        ended_at=moment + dt.timedelta(seconds=seconds),
        duration_seconds=seconds,
        **extra,
    )


def make_month(operator, *, build=True):
    day = AttendanceDayFactory
    for d in (3, 4, 5, 6, 7, 10):
        day(operator=operator, date=dt.date(2025, 3, d))
    day(operator=operator, date=dt.date(2025, 3, 11), late_minutes=12)
    day(operator=operator, date=dt.date(2025, 3, 12), early_minutes=20)
    day(operator=operator, date=dt.date(2025, 3, 13), status=AttendanceStatus.ABSENT)
    for d, status in ((14, "sick"), (17, "leave"), (18, "permission")):
        day(operator=operator, date=dt.date(2025, 3, d), status=status, shift_type=None)
    for d in (22, 23):
        day(operator=operator, date=dt.date(2025, 3, d), status=AttendanceStatus.UNSCHEDULED)
    day(operator=operator, date=dt.date(2025, 3, 31), status=AttendanceStatus.SCHEDULED)

    march = [
        call(operator, at(1, 0, 30), 60),
        call(operator, at(3, 10), 120),
        call(operator, at(3, 11), 0),
        call(operator, at(11, 9), 30),
        call(operator, at(11, 9, 30), 90),
        call(operator, at(31, 23, 59), 100),
    ]
    call(operator, at(12, 14), 500, deleted_at=at(12, 15))
    april = call(operator, at(1, 0, 0, 30, month=4), 45)

    # Reviews of those calls (each on its call's local day).
    reviewer = UserFactory(username="reviewer")

    def review(index, score, status=ReviewStatus.SUBMITTED, **extra):
        target = march[index]
        return ReviewFactory(
            operator=operator, call=target, call_date=target.started_at.astimezone(JAKARTA).date(),
            reviewer=reviewer, score=Decimal(score), status=status, **extra,
        )  # fmt: skip

    first = review(0, 90)
    review(1, 80, ReviewStatus.ACKNOWLEDGED)
    review(2, 100, ReviewStatus.RESOLVED)
    review(3, 0, ReviewStatus.DISPUTED, auto_failed=True)
    review(4, 10, ReviewStatus.DRAFT)
    round_ = CalibrationRound.objects.create(
        call=first.call, scorecard=ScorecardFactory(), created_by=reviewer
    )
    ReviewFactory(
        operator=operator, call=first.call, call_date=first.call_date,
        reviewer=UserFactory(username="second-reviewer"), kind=ReviewKind.CALIBRATION,
        calibration=round_, score=Decimal(20),
    )  # fmt: skip
    ReviewFactory(
        operator=operator, call=april, call_date=dt.date(2025, 4, 1), reviewer=reviewer,
        score=Decimal(50),
    )  # fmt: skip
    if build:
        operator_days_build(start=dt.date(2025, 2, 1), end=dt.date(2025, 4, 30))
    return operator
