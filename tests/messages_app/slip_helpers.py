"""A small desk for the message-slip tests: Finance (Keuangan) with its head,
Budi who is out with Sari as his cover, a colleague in another department, and
the operator. Plain functions (each test module wraps them in its fixtures)."""

from dataclasses import dataclass
from datetime import datetime, time
from zoneinfo import ZoneInfo

from directory.models import Department, Presence, Staff, WorkingPeriod
from switchboard.models import UserPreference
from switchboard.roles import OPERATOR
from tests.factories import DepartmentFactory, StaffFactory, UserFactory

JAKARTA = ZoneInfo("Asia/Jakarta")


def jakarta(*args) -> datetime:
    return datetime(*args, tzinfo=JAKARTA)


# A Tuesday morning, working time in the default week (directory 0010).
TUESDAY_10 = jakarta(2026, 3, 10, 10, 0)


@dataclass
class Desk:
    finance: Department
    marketing: Department
    head: Staff
    budi: Staff
    sari: Staff
    rina: Staff
    operator: object


# The week directory migration 0010 seeds (a transactional test run earlier
# empties the tables, so the slips' due-time tests put it back).
WEEK = {
    **{day: [(time(8), time(12)), (time(13), time(17))] for day in range(4)},
    4: [(time(8), time(11, 30)), (time(13), time(17))],
}


def default_week() -> None:
    if not WorkingPeriod.objects.exists():
        WorkingPeriod.objects.bulk_create(
            WorkingPeriod(weekday=day, start=start, end=end)
            for day, spans in WEEK.items()
            for start, end in spans
        )


def make_desk() -> Desk:
    default_week()
    finance = DepartmentFactory(name="Keuangan", code="FIN", email="keuangan@example.co.id")
    marketing = DepartmentFactory(name="Pemasaran", code="MKT")
    head = StaffFactory(
        full_name="Hadi Kepala", department=finance, user=UserFactory(username="hadi")
    )
    finance.head = head
    finance.save()
    sari = StaffFactory(
        full_name="Sari Wulandari",
        department=finance,
        email="sari@example.co.id",
        user=UserFactory(username="sari"),
    )
    budi = StaffFactory(
        full_name="Budi Santoso",
        department=finance,
        email="budi@example.co.id",
        presence=Presence.OUT,
        cover=sari,
        user=UserFactory(username="budi"),
    )
    rina = StaffFactory(
        full_name="Rina Pemasaran", department=marketing, user=UserFactory(username="rina")
    )
    operator = UserFactory(username="op", roles=[OPERATOR])
    return Desk(finance, marketing, head, budi, sari, rina, operator)


def speaks(staff: Staff, language: str) -> None:
    UserPreference.objects.update_or_create(user=staff.user, defaults={"language": language})
