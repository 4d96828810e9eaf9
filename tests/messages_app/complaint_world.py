"""A small company for the complaint tests: Keuangan (the staff member's
department, with a head and a group mailbox) and Layanan, categories and
products, routing rules with response targets, and helpers. Imported by the
complaint test modules (fixtures are named in each `from ... import`)."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from directory.models import Holiday, Staff, WorkingPeriod
from messages_app.models import ComplaintStatus, ResponseTarget, Severity
from messages_app.services.complaints import complaint_create
from tests.factories import DepartmentFactory, StaffFactory, UserFactory
from tests.messages_app.factories import (
    ComplaintCategoryFactory,
    ComplaintFactory,
    ProductFactory,
    ResponseTargetFactory,
    RoutingRuleFactory,
)

JAKARTA = ZoneInfo("Asia/Jakarta")


def at(year, month, day, hour=9, minute=0) -> datetime:
    """A moment in the company's time zone."""
    return datetime(year, month, day, hour, minute, tzinfo=JAKARTA)


# A Tuesday morning, in working time.
TUESDAY = at(2026, 12, 1, 9, 0)

# The working week the deadlines in these tests are counted on: Monday to
# Thursday 08-12 and 13-17, Friday 08-11:30 and 13-17 (Friday prayer).
WEEK = [
    *((day, "08:00", "12:00") for day in range(4)),
    (4, "08:00", "11:30"),
    *((day, "13:00", "17:00") for day in range(5)),
]


@pytest.fixture(autouse=True)
def office_week(request):
    """The week above, no holidays and no default response targets, whatever
    the migrations seeded (a transactional test elsewhere flushes their rows):
    each test sets the targets it needs (`defaults`). Autouse in every module
    that star-imports this one (hence no leading underscore in its name)."""
    if "django_db" not in request.keywords:
        yield
        return
    request.getfixturevalue("db" if not transactional_marker(request) else "transactional_db")
    WorkingPeriod.objects.all().delete()
    Holiday.objects.all().delete()
    ResponseTarget.objects.filter(rule__isnull=True).delete()
    WorkingPeriod.objects.bulk_create(
        WorkingPeriod(weekday=day, start=start, end=end) for day, start, end in WEEK
    )
    yield


def transactional_marker(request) -> bool:
    marker = request.node.get_closest_marker("django_db")
    return bool(marker and (marker.kwargs.get("transaction") or (marker.args and marker.args[0])))


@pytest.fixture
def finance(department):
    """Keuangan (the `department` fixture, where `staff_member` works), with a
    head who reads e-mail and a group mailbox."""
    head = StaffFactory(full_name="Bu Kepala", department=department, email="kepala@example.co.id")
    department.head = head
    department.email = "keuangan@example.co.id"
    department.save()
    return department


@pytest.fixture
def service(db):
    return DepartmentFactory(name="Layanan", code="SVC", email="layanan@example.co.id")


@pytest.fixture
def service_worker(service):
    """A staff member of Layanan with a log-in."""
    user = UserFactory(username="layanan")
    StaffFactory(full_name="Tono Layanan", department=service, user=user)
    return user


@pytest.fixture
def worker(staff_member) -> Staff:
    """The staff member's own Staff record (Keuangan)."""
    return staff_member.staff_profile


@pytest.fixture
def billing(db):
    return ComplaintCategoryFactory(name="Tagihan")


@pytest.fixture
def card(db):
    return ProductFactory(name="Kartu Kredit")


@pytest.fixture
def defaults(db):
    """The company's default targets (rule empty), in working minutes."""
    return {
        Severity.LOW: ResponseTargetFactory(
            severity="low", acknowledge_minutes=480, resolve_minutes=4800
        ),
        Severity.MEDIUM: ResponseTargetFactory(
            severity="medium", acknowledge_minutes=240, resolve_minutes=2400
        ),
        Severity.HIGH: ResponseTargetFactory(
            severity="high", acknowledge_minutes=60, resolve_minutes=480
        ),
    }


@pytest.fixture
def rules(finance, service, billing, defaults):
    """Tagihan -> Keuangan (with its own target for high); "gangguan"/"rusak"
    in the text -> Layanan."""
    tagihan = RoutingRuleFactory(name="Tagihan", position=10, category=billing, department=finance)
    ResponseTargetFactory(
        rule=tagihan, severity="high", acknowledge_minutes=30, resolve_minutes=240
    )
    broken = RoutingRuleFactory(
        name="Gangguan", position=20, keywords="gangguan, rusak", department=service
    )
    return {"tagihan": tagihan, "gangguan": broken}


@pytest.fixture
def record(operator):
    """complaint_create as the operator, with sensible defaults."""

    def _record(**kwargs):
        values = {
            "by": operator,
            "customer_name": "Bu Ani",
            "customer_number": "+6281234567890",
            "description": "Tagihan saya dobel bulan ini",
            "now": TUESDAY,
        }
        values.update(kwargs)
        return complaint_create(**values)

    return _record


@pytest.fixture
def routed(finance, operator):
    """A complaint routed to Keuangan, written straight to the table."""
    return ComplaintFactory(
        department=finance,
        status=ComplaintStatus.ROUTED,
        created_by=operator,
        created_at=TUESDAY,
        customer_email="ani@example.com",
        language="en",
    )
