"""`manage.py seed_demo_calls`: the demo company's call categories and a few
days of calls, after seed_demo alone; running it again changes nothing."""

from collections import Counter
from datetime import datetime, time, timedelta
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from calls.management.commands.seed_demo_calls import CATEGORIES, DAYS_BACK, load_demo_calls
from calls.models import Call, CallCategory, Caller, Direction, Outcome
from reports.models import ClockSession, RosterEntry
from switchboard.roles import OPERATOR

# The fields that make a call what it is, to compare two loads.
FIELDS = (
    "started_at", "ended_at", "direction", "outcome", "caller_name", "caller__number",
    "asked_for_staff__full_name", "transferred_to__number", "category__name", "purpose",
    "info_entry__title", "requested_by__full_name", "number_withheld", "operator__username",
)  # fmt: skip


def snapshot() -> list[tuple]:
    return list(Call.objects.order_by("started_at", "pk").values_list(*FIELDS))


def local_day(value):
    return timezone.localtime(value).date()


@pytest.fixture
def demo_company(db):
    call_command("seed_demo", stdout=StringIO())


@pytest.fixture
def seeded(demo_company):
    out = StringIO()
    call_command("seed_demo_calls", stdout=out)
    return out.getvalue()


def test_categories_exist_with_their_departments(seeded):
    assert "call categories created" in seeded
    categories = {c.name: c for c in CallCategory.objects.select_related("default_department")}
    assert set(categories) == {name for name, _code, _purposes in CATEGORIES}
    for name, code, _purposes in CATEGORIES:
        department = categories[name].default_department
        assert (department.code if department else None) == code, name
    assert sum(c.default_department_id is not None for c in categories.values()) >= 15
    assert len({c.position for c in categories.values()}) == len(categories)


def test_the_console_and_the_log_are_not_empty_on_a_first_run(seeded):
    operator = get_user_model().objects.get(username="operator")
    client = Client()
    client.force_login(operator)
    console = client.get(reverse("calls:console")).content.decode()
    assert "Tagihan &amp; pembayaran" in console and "Lowongan kerja" in console

    supervisor = Client()
    supervisor.force_login(get_user_model().objects.get(username="supervisor"))
    log = supervisor.get(reverse("calls:call-list"))  # today, by default
    assert log.status_code == 200
    assert log.content.decode().count('href="/calls/') > 10


def test_calls_exist_today_and_on_the_previous_working_days(seeded):
    now = timezone.now()
    today = timezone.localdate(now)
    calls = list(Call.objects.select_related("operator"))
    days = {local_day(c.started_at) for c in calls}
    assert today in days
    working = sorted(d for d in days if d != today)
    assert len(working) == DAYS_BACK and all(d.weekday() < 5 for d in working)
    assert (today - working[0]).days <= DAYS_BACK + 4
    per_day = [sum(local_day(c.started_at) == d for c in calls) for d in working]
    assert all(40 <= n <= 75 for n in per_day), per_day
    # Taken by the demo operators, never in the future, each valid as the console saves it.
    operators = get_user_model().objects.filter(groups__name=OPERATOR)
    assert {c.operator for c in calls} <= set(operators)
    for call in calls:
        assert call.ended_at <= now and call.ended_at >= call.started_at
        assert call.duration_seconds == (call.ended_at - call.started_at).total_seconds()
        call.full_clean()
    # A realistic desk: every kind of work, withheld numbers, repeat callers.
    assert {c.direction for c in calls} == set(Direction.values)
    assert {Outcome.TRANSFERRED, Outcome.ANSWERED, Outcome.MESSAGE, Outcome.CONNECTED} <= {
        c.outcome for c in calls
    }
    assert any(c.number_withheld for c in calls) and any(c.info_entry_id for c in calls)
    outgoing = [c for c in calls if c.direction == Direction.OUTGOING]
    assert outgoing and all(c.requested_by_id for c in outgoing)
    assert all(c.outcome in (Outcome.CONNECTED, Outcome.NO_ANSWER) for c in outgoing)
    assert all(c.transferred_to_id for c in calls if c.outcome == Outcome.TRANSFERRED)
    assert all(c.purpose for c in calls if c.outcome in (Outcome.MESSAGE, Outcome.COMPLAINT))
    assert Caller.objects.filter(call_count__gt=3).exists()
    assert Call.history.count() == len(calls)  # written through the service, with history


def test_running_again_changes_nothing(seeded):
    before = snapshot()
    counts = (Caller.objects.count(), CallCategory.objects.count(), Call.history.count())
    out = StringIO()
    call_command("seed_demo_calls", stdout=out)
    assert "none added" in out.getvalue()
    assert snapshot() == before
    assert (Caller.objects.count(), CallCategory.objects.count(), Call.history.count()) == counts


def test_a_day_comes_out_the_same_every_time(demo_company):
    now = timezone.now()
    load_demo_calls(now=now)
    first = snapshot()
    Call.history.all().delete()
    Call.objects.all().delete()
    Caller.objects.all().delete()
    load_demo_calls(now=now)
    assert snapshot() == first


def test_early_on_a_sunday_today_still_has_calls(demo_company):
    today = timezone.localdate()
    sunday = today - timedelta(days=(today.weekday() + 1) % 7 or 7)
    early = timezone.make_aware(datetime.combine(sunday, time(6, 30)))
    created, loaded = load_demo_calls(now=early)

    assert created == len(CATEGORIES)
    assert loaded[sunday] >= 6
    assert all(day.weekday() < 5 for day in loaded if day != sunday)
    assert len(loaded) == DAYS_BACK + 1
    assert not Call.objects.filter(ended_at__gt=early).exists()


def test_a_category_the_admin_changed_is_left_alone(demo_company):
    CallCategory.objects.create(name="Pajak", default_department=None, active=False)
    load_demo_calls(now=timezone.now())
    pajak = CallCategory.objects.get(name="Pajak")
    assert pajak.default_department is None and not pajak.active
    assert not Call.objects.filter(category=pajak).exists()


def test_it_needs_the_demo_company(db):
    with pytest.raises(CommandError, match="seed_demo"):
        call_command("seed_demo_calls", stdout=StringIO())
    assert not CallCategory.objects.exists() and not Call.objects.exists()


def test_with_the_demo_roster_the_operators_clocked_in_take_the_calls(demo_company):
    """make seed's order: the roster first, then these days are the history's
    desk (its volume and shape), each call by the operator clocked in; the demo
    operator's shift of today that is still on is theirs to clock in, and
    counts from its start."""
    call_command("seed_demo_roster", stdout=StringIO())
    now = timezone.now()
    today = timezone.localdate(now)
    _created, loaded = load_demo_calls(now=now)
    calls = list(Call.objects.select_related("operator"))
    assert len(calls) == sum(loaded.values())
    assert {c.operator.username for c in calls} == {"operator", "dewi", "rudi", "maya"}
    assert any(
        c.operator.username == "operator" and local_day(c.started_at) == today for c in calls
    )
    operator = get_user_model().objects.get(username="operator")
    spans: dict[int, list] = {}
    for session in ClockSession.objects.all():
        spans.setdefault(session.operator_id, []).append(
            (session.clock_in, session.clock_out or now)
        )
    for entry in RosterEntry.objects.filter(operator=operator, date=today, kind="shift"):
        spans[operator.pk].append(entry.span())
    for call in calls:
        assert call.ended_at <= now
        assert any(a <= call.started_at and call.ended_at <= b for a, b in spans[call.operator_id])
    working = [n for day, n in loaded.items() if day != today]
    assert 120 <= sum(working) / len(working) <= 260, loaded
    hours = Counter(timezone.localtime(c.started_at).hour for c in calls)
    assert hours[10] > 5 * hours[3]
    assert Call.history.count() == len(calls)  # through the service
    before = snapshot()
    assert load_demo_calls(now=now)[1] == {}
    assert snapshot() == before
