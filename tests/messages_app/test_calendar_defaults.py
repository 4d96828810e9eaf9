"""The default urgency limits and response targets (messages_app/0002), which
count on the business calendar."""

import importlib
from datetime import datetime, time
from functools import cache
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from directory.business_time import BusinessCalendar
from directory.models import Holiday, WorkingPeriod
from messages_app.models import ResponseTarget, UrgencyLimit
from tests.messages_app.factories import ResponseTargetFactory, RoutingRuleFactory

pytestmark = pytest.mark.django_db

migration = importlib.import_module("messages_app.migrations.0002_calendar_default_limits")


@cache
def historical_apps():
    """The models as they stand at this migration, as `migrate` gives them."""
    state = MigrationLoader(None).project_state(("messages_app", "0002_calendar_default_limits"))
    return state.apps


def run_migration():
    migration.add_defaults(historical_apps(), SimpleNamespace(connection=connection))


def limits():
    return {
        row.urgency: (row.minutes, row.business_time, row.next_working_day)
        for row in UrgencyLimit.objects.all()
    }


def default_targets():
    return {
        row.severity: (row.acknowledge_minutes, row.resolve_minutes)
        for row in ResponseTarget.objects.filter(rule__isnull=True)
    }


def test_the_migration_follows_the_first_one():
    loader = MigrationLoader(connection)
    node = loader.graph.nodes[("messages_app", "0002_calendar_default_limits")]

    assert ("messages_app", "0001_initial") in node.dependencies
    assert ("messages_app", "0002_calendar_default_limits") in loader.applied_migrations


def test_it_writes_the_default_limits_and_targets():
    UrgencyLimit.objects.all().delete()
    ResponseTarget.objects.all().delete()

    run_migration()

    assert limits() == {
        "urgent": (10, False, False),  # on the clock
        "high": (30, True, False),
        "normal": (240, True, False),
        "low": (None, True, True),  # by the end of the next working day
    }
    assert default_targets() == {
        "critical": (60, 480),
        "high": (120, 960),
        "medium": (240, 2400),
        "low": (480, 4800),
    }
    for row in UrgencyLimit.objects.all():
        row.full_clean()  # the rows meet the model's own rules


def test_it_leaves_limits_and_targets_an_admin_set_alone():
    UrgencyLimit.objects.all().delete()
    ResponseTarget.objects.all().delete()
    UrgencyLimit.objects.create(urgency="urgent", minutes=5, business_time=False)
    ResponseTargetFactory(severity="critical", acknowledge_minutes=30, resolve_minutes=240)
    rule_target = ResponseTargetFactory(rule=RoutingRuleFactory(), severity="low")

    run_migration()

    assert limits() == {"urgent": (5, False, False)}
    assert default_targets() == {"critical": (30, 240)}
    assert ResponseTarget.objects.filter(pk=rule_target.pk).exists()


def test_rules_targets_alone_do_not_stop_the_defaults():
    UrgencyLimit.objects.all().delete()
    ResponseTarget.objects.all().delete()
    ResponseTargetFactory(rule=RoutingRuleFactory(), severity="low")

    run_migration()

    assert set(default_targets()) == {"critical", "high", "medium", "low"}


def test_running_it_twice_adds_nothing():
    UrgencyLimit.objects.all().delete()
    ResponseTarget.objects.all().delete()
    run_migration()

    run_migration()

    assert UrgencyLimit.objects.count() == 4
    assert ResponseTarget.objects.count() == 4


def test_the_factories_set_a_default_the_migration_wrote():
    UrgencyLimit.objects.all().delete()
    ResponseTarget.objects.all().delete()
    run_migration()

    target = ResponseTargetFactory(severity="medium", acknowledge_minutes=15)

    assert ResponseTarget.objects.get(rule=None, severity="medium") == target
    assert target.acknowledge_minutes == 15


def test_the_defaults_give_sensible_deadlines_on_the_default_week():
    """Working minutes on a Monday-Friday 08-12, 13-17 week: a critical
    complaint received Monday 09:00 is acknowledged by 10:00 and resolved by
    Tuesday 09:00; a normal slip is due at 14:00 (after lunch)."""
    UrgencyLimit.objects.all().delete()
    ResponseTarget.objects.all().delete()
    run_migration()
    WorkingPeriod.objects.all().delete()
    Holiday.objects.all().delete()
    for weekday in range(5):
        WorkingPeriod.objects.create(weekday=weekday, start=time(8), end=time(12))
        WorkingPeriod.objects.create(weekday=weekday, start=time(13), end=time(17))
    calendar = BusinessCalendar.load()
    monday = datetime(2026, 11, 2, 9, tzinfo=ZoneInfo("Asia/Jakarta"))
    critical = ResponseTarget.objects.get(rule=None, severity="critical")
    normal = UrgencyLimit.objects.get(urgency="normal")

    assert calendar.add(monday, critical.acknowledge_minutes) == monday.replace(hour=10)
    assert calendar.add(monday, critical.resolve_minutes) == monday.replace(day=3)
    assert calendar.add(monday, normal.minutes) == monday.replace(hour=14)
