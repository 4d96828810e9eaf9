"""The hand-counted day of the recap tests (recap_world), and small helpers.

D is Monday 2026-11-23 (Jakarta). The figures each test expects are counted
by hand in the docstrings of tests/reports/test_recap_figures.py."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from calls.models import Direction, Outcome, PhoneLineIncident
from messages_app.models import ComplaintCategory, Product
from reports.models import AttendanceDay, AttendanceStatus, DailyRecap
from reports.models.quality import Review, ReviewKind, ReviewStatus
from switchboard.roles import OPERATOR, SUPERVISOR
from tests.factories import (
    CallCategoryFactory,
    CallerFactory,
    CallFactory,
    DepartmentFactory,
    UserFactory,
)
from tests.messages_app.factories import ComplaintFactory, SlipFactory
from tests.reports.factories_quality import make_card

JAKARTA = timezone.get_default_timezone()
D = date(2026, 11, 23)


def at(day: date, hour: int, minute: int = 0, second: int = 0) -> datetime:
    """An aware moment on `day` at hour:minute, Jakarta time."""
    return datetime.combine(day, time(hour, minute, second), tzinfo=JAKARTA)


def call(operator, when, *, direction=Direction.INCOMING, outcome=Outcome.ANSWERED, **kwargs):
    duration = kwargs.pop("duration", 60)
    return CallFactory(
        operator=operator,
        started_at=when,
        ended_at=when + timedelta(seconds=duration or 0),
        duration_seconds=duration,
        direction=direction,
        outcome=outcome,
        **kwargs,
    )


def supervisor_user(username="lilis", **kwargs):
    return UserFactory(username=username, roles=[SUPERVISOR], **kwargs)


@dataclass
class World:
    op1: object
    op2: object
    calls: dict = field(default_factory=dict)
    callers: dict = field(default_factory=dict)
    billing: object = None
    info: object = None
    department: object = None
    now: datetime = None


def recap_world() -> World:
    """Day D: calls, slips, complaints, attendance, reviews, incidents and two
    earlier recaps of the same weekday (see test_recap_figures for the counts)."""
    op1 = UserFactory(username="siti", first_name="Siti", last_name="Rahma", roles=[OPERATOR])
    op2 = UserFactory(username="budi", first_name="Budi", last_name="", roles=[OPERATOR])
    billing = CallCategoryFactory(name="Billing")
    info = CallCategoryFactory(name="Info")
    keu = DepartmentFactory(name="Keuangan", code="KEU")
    a = CallerFactory(number="+6281210000001", name="Ani")
    b = CallerFactory(number="+6281210000002", name="Bayu")
    c = CallerFactory(number="+6281210000003", name="Citra")
    w = World(op1=op1, op2=op2, billing=billing, info=info, department=keu)
    w.callers = {"A": a, "B": b, "C": c}
    OUT, INT = Direction.OUTGOING, Direction.INTERNAL
    O = Outcome  # noqa: E741
    w.calls = {
        1: call(
            op1,
            at(D, 8, 10),
            outcome=O.NO_ANSWER,
            caller=a,
            category=billing,
            asked_for_department=keu,
            duration=30,
        ),
        2: call(
            op1,
            at(D, 8, 40),
            outcome=O.ANSWERED,
            caller=a,
            category=billing,
            asked_for_department=keu,
            duration=90,
        ),
        3: call(op1, at(D, 9, 5), direction=OUT, outcome=O.CONNECTED, caller=a, duration=60),
        4: call(op2, at(D, 9, 30), outcome=O.CALL_BACK, caller=b, category=info, duration=20),
        5: call(op2, at(D, 10, 0), outcome=O.NO_ANSWER, caller=c, category=info, duration=10),
        6: call(op2, at(D, 10, 15), outcome=O.NO_ANSWER, number_withheld=True, duration=None),
        7: call(op1, at(D, 23, 59), outcome=O.MESSAGE, caller=c, category=info, duration=120),
        11: call(op2, at(D, 14, 20), direction=INT, outcome=O.ANSWERED, duration=40),
        # Not D's: the day before, the day after, deleted.
        8: call(op1, at(D + timedelta(days=1), 0, 0), outcome=O.ANSWERED, caller=a),
        9: call(op2, at(D, 11, 0), outcome=O.ANSWERED, deleted_at=at(D, 12, 0)),
        10: call(
            op2, at(D + timedelta(days=1), 10, 0), direction=OUT, outcome=O.CONNECTED, caller=b
        ),
        12: call(
            op1, at(D - timedelta(days=1), 23, 30), outcome=O.ANSWERED, caller=b, category=info
        ),
    }
    # Message slips (taken on D: 1, 2, 3, 5).
    SlipFactory(
        created_at=at(D, 9),
        due_at=at(D, 10),
        delivered_at=at(D, 9, 1),
        acknowledged_at=at(D, 9, 30),
        status="acknowledged",
    )
    SlipFactory(created_at=at(D, 11), due_at=at(D, 12), escalation_level=1)
    SlipFactory(
        created_at=at(D, 22),
        due_at=at(D + timedelta(days=1), 9),
        delivered_at=at(D, 22, 1),
        status="delivered",
    )
    SlipFactory(created_at=at(D - timedelta(days=1), 11), due_at=at(D - timedelta(days=1), 12))
    SlipFactory(
        created_at=at(D, 13),
        due_at=at(D, 14),
        acknowledged_at=at(D, 15),
        done_at=at(D, 16),
        status="done",
    )
    # Complaints (recorded on D: c1, c2, c3).
    x = ComplaintCategory.objects.create(name="Service")
    y = ComplaintCategory.objects.create(name="Billing error")
    p = Product.objects.create(name="Kartu Halo")
    ComplaintFactory(
        category=x,
        product=p,
        status="acknowledged",
        created_at=at(D, 8),
        acknowledge_due_at=at(D, 10),
        acknowledged_at=at(D, 9, 30),
        resolve_due_at=at(D + timedelta(days=2), 17),
    )
    ComplaintFactory(
        category=x,
        department=None,
        status="new",
        created_at=at(D, 9),
        acknowledge_due_at=at(D, 12),
        resolve_due_at=at(D + timedelta(days=2), 17),
        escalation_level=2,
    )
    ComplaintFactory(
        category=y,
        product=p,
        status="resolved",
        created_at=at(D, 10),
        acknowledge_due_at=at(D, 12),
        acknowledged_at=at(D, 11),
        resolve_due_at=at(D, 14),
        resolved_at=at(D, 15),
    )
    ComplaintFactory(category=y, created_at=at(D - timedelta(days=1), 10))
    # Attendance on D.
    S = AttendanceStatus
    rows = [
        (op1, S.PRESENT, 12, 0),
        (op2, S.PRESENT, 0, 5),
        (UserFactory(username="op3", roles=[OPERATOR]), S.ABSENT, 0, 0),
        (UserFactory(username="op4", roles=[OPERATOR]), S.SICK, 0, 0),
        (UserFactory(username="op5", roles=[OPERATOR]), S.UNSCHEDULED, 0, 0),
        (UserFactory(username="op6", roles=[OPERATOR]), S.SCHEDULED, 0, 0),
    ]
    for operator, status, late, early in rows:
        AttendanceDay.objects.create(
            operator=operator, date=D, status=status, late_minutes=late, early_minutes=early
        )
    AttendanceDay.objects.create(operator=op1, date=D - timedelta(days=1), status=S.ABSENT)
    # QA reviews of D's calls: two counted (80, 90); a draft, and one of the day before, not.
    card = make_card()
    reviewer = supervisor_user("qa", email="")
    for number, kind, status, score in (
        (2, ReviewKind.REGULAR, ReviewStatus.SUBMITTED, 80),
        (7, ReviewKind.REGULAR, ReviewStatus.ACKNOWLEDGED, 90),
        (12, ReviewKind.REGULAR, ReviewStatus.SUBMITTED, 10),
        (1, ReviewKind.REGULAR, ReviewStatus.DRAFT, 20),
    ):
        found = w.calls[number]
        Review.objects.create(
            call=found,
            operator=found.operator,
            call_date=timezone.localdate(found.started_at),
            reviewer=reviewer,
            scorecard=card.scorecard,
            kind=kind,
            status=status,
            score=Decimal(score),
        )
    # Phone-line incidents: 60 + 30 + 60 minutes within D; one the day after.
    for start, end in (
        (at(D - timedelta(days=1), 22), at(D, 1)),
        (at(D, 10), at(D, 10, 30)),
        (at(D + timedelta(days=1), 8), at(D + timedelta(days=1), 9)),
        (at(D, 23), None),
    ):
        PhoneLineIncident.objects.create(
            line="Trunk 1", started_at=start, ended_at=end, logged_by=reviewer
        )
    # Two earlier Mondays' recaps: 10 and 20 calls.
    for weeks, total in ((1, 10), (2, 20)):
        hours = [0] * 24
        hours[9] = total
        DailyRecap.objects.create(
            date=D - timedelta(weeks=weeks),
            figures={"calls": {"total": total, "by_hour": hours}, "missed": {"total": weeks}},
        )
    w.now = at(D + timedelta(days=1), 12)
    return w
