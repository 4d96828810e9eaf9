"""The per-day call figures: built from one grouped query, by local day,
idempotent, kept fresh after a call's correction, and today read live."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from calls.models import Call
from reports.management.commands.build_operator_days import DEMO_PRODUCTIVITY_TARGET
from reports.models import KpiSettings, OperatorDay, OperatorDayDirty
from reports.selectors_kpi import kpi_figures, month_start
from reports.services.operator_days import (
    operator_days_build,
    operator_days_fold_dirty,
    operator_days_nightly,
)
from reports.tasks.kpi import operator_days_dirty_task, operator_days_nightly_task
from tests.factories import UserFactory
from tests.reports.kpi_world import at, call

pytestmark = pytest.mark.django_db
FEB, MARCH, APRIL = dt.date(2025, 2, 1), dt.date(2025, 3, 1), dt.date(2025, 4, 30)
TODAY = dt.date(2025, 6, 15)


@pytest.fixture
def ani(db):
    return UserFactory(username="ani")


def days(operator):
    return {
        row.date: (row.calls_handled, row.calls_timed, row.talk_seconds)
        for row in OperatorDay.objects.filter(operator=operator)
    }


def test_a_call_belongs_to_its_local_jakarta_day_not_the_utc_one(ani):
    """00:30 on 1 March in Jakarta is 17:30 on 28 February in UTC: 1 March's.
    23:59 on 31 March is 31 March's; 00:00:30 on 1 April (UTC 31 March) April's."""
    call(ani, at(1, 0, 30), 60)
    call(ani, at(31, 23, 59), 100)
    call(ani, at(1, 0, 0, 30, month=4), 45)
    operator_days_build(start=FEB, end=APRIL, today=TODAY)
    assert days(ani) == {
        dt.date(2025, 3, 1): (1, 1, 60),
        dt.date(2025, 3, 31): (1, 1, 100),
        dt.date(2025, 4, 1): (1, 1, 45),
    }


def test_the_build_is_one_aggregate_query_and_a_rerun_changes_nothing(ani):
    other = UserFactory(username="budi")
    for hour in (8, 9, 10):
        call(ani, at(3, hour), 30)
        call(other, at(4, hour), 0)
    call(ani, at(3, 11), 20, deleted_at=at(3, 12))
    with CaptureQueriesContext(connection) as queries:
        first = operator_days_build(start=MARCH, end=APRIL, today=TODAY)
    selects = [q for q in queries if q["sql"].lstrip().upper().startswith("SELECT")]
    assert len(selects) == 2  # the calls' aggregate and the stored rows
    assert first == {"created": 2, "updated": 0, "deleted": 0, "unchanged": 0}
    assert days(ani) == {dt.date(2025, 3, 3): (3, 3, 90)}
    assert days(other) == {dt.date(2025, 3, 4): (3, 0, 0)}
    stamps = list(OperatorDay.objects.order_by("pk").values_list("built_at", flat=True))

    again = operator_days_build(start=MARCH, end=APRIL, today=TODAY)
    assert again == {"created": 0, "updated": 0, "deleted": 0, "unchanged": 2}
    assert list(OperatorDay.objects.order_by("pk").values_list("built_at", flat=True)) == stamps


def test_a_day_that_lost_its_calls_loses_its_row(ani):
    only = call(ani, at(5, 9), 30)
    operator_days_build(start=MARCH, end=APRIL, today=TODAY)
    Call.objects.filter(pk=only.pk).update(deleted_at=at(5, 10))
    assert operator_days_build(start=MARCH, end=APRIL, today=TODAY)["deleted"] == 1
    assert not OperatorDay.objects.exists()


def test_today_is_never_written_and_is_read_live(ani):
    now = timezone.now()
    call(ani, now - dt.timedelta(seconds=5), 40)
    today = timezone.localdate()
    operator_days_build(start=today - dt.timedelta(days=3), end=today)
    assert not OperatorDay.objects.exists()
    month = month_start(today)
    figures = kpi_figures(first=month, last=month, operator_ids=[ani.pk])
    assert figures[(ani.pk, month)].calls == 1
    assert figures[(ani.pk, month)].talk_seconds == 40


def test_a_corrected_call_marks_its_days_and_the_fold_rebuilds_them(ani):
    """Moving a call from 3 to 5 March marks both days; the fold writes 5
    March's row, deletes 3 March's and removes the marks."""
    moved = call(ani, at(3, 9), 30)
    call(ani, at(4, 9), 50)
    # Logging a call on an earlier day marks that day too.
    assert OperatorDayDirty.objects.count() == 2
    operator_days_fold_dirty(today=TODAY)
    assert OperatorDayDirty.objects.count() == 0

    moved.started_at = at(5, 9)
    moved.ended_at = at(5, 9, 0, 30)
    moved.save()
    marked = set(OperatorDayDirty.objects.values_list("operator_id", "date"))
    assert marked == {(ani.pk, dt.date(2025, 3, 3)), (ani.pk, dt.date(2025, 3, 5))}

    assert operator_days_fold_dirty(today=TODAY) == 2
    assert days(ani) == {dt.date(2025, 3, 4): (1, 1, 50), dt.date(2025, 3, 5): (1, 1, 30)}
    assert not OperatorDayDirty.objects.exists()


def test_a_deleted_call_marks_its_day(ani):
    gone = call(ani, at(6, 9), 30)
    kept = call(ani, at(6, 10), 70)
    operator_days_fold_dirty(today=TODAY)
    gone.deleted_at = at(7, 9)
    gone.save()  # the supervisor's soft delete
    kept.delete()  # and a hard delete
    assert set(OperatorDayDirty.objects.values_list("date", flat=True)) == {dt.date(2025, 3, 6)}
    operator_days_fold_dirty(today=TODAY)
    assert days(ani) == {}


def test_a_call_logged_today_marks_nothing(ani):
    call(ani, timezone.now() - dt.timedelta(seconds=1), 10)
    assert not OperatorDayDirty.objects.exists()


def test_the_tasks_call_the_services(ani, settings):
    settings.KPI_REBUILD_DAYS = 2
    today = timezone.localdate()
    call(ani, timezone.now() - dt.timedelta(days=2), 10)
    call(ani, timezone.now() - dt.timedelta(days=5), 10)  # outside yesterday + 2 days
    counts = operator_days_nightly_task.delay().get()
    assert counts["created"] == 1
    assert list(OperatorDay.objects.values_list("date", flat=True)) == [
        today - dt.timedelta(days=2)
    ]
    assert operator_days_dirty_task.delay().get() == 2  # the two calls logged for past days
    assert not OperatorDayDirty.objects.exists()
    assert operator_days_nightly(today=today)["unchanged"] == 1


def test_the_command_builds_13_months_and_is_idempotent(ani, capsys):
    call(ani, timezone.now() - dt.timedelta(days=40), 10)
    call_command("build_operator_days")
    assert "1 created" in capsys.readouterr().out
    call_command("build_operator_days")
    assert "0 created, 0 updated, 0 deleted, 1 unchanged" in capsys.readouterr().out


def test_the_command_sets_the_demo_target_once(ani):
    call_command("build_operator_days", "--demo", "--months", "1")
    assert KpiSettings.load().productivity_target == DEMO_PRODUCTIVITY_TARGET
    settings = KpiSettings.load()
    settings.productivity_target = 55
    settings.save()
    call_command("build_operator_days", "--demo", "--months", "1")
    assert KpiSettings.load().productivity_target == 55
    assert KpiSettings.history.count() == 3  # made, the demo target, the admin's change
