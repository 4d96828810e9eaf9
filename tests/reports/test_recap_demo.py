"""seed_demo_recaps: the demo supervisor's work on the demo's recaps, so the
recap list shows every state on the first `make run`."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from reports.models import DailyRecap, RecapStatus
from reports.services.recap import local_today, recap_build
from switchboard.roles import SUPERVISOR
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_supervisor():
    return UserFactory(username="supervisor", roles=[SUPERVISOR])


def _recaps(days_back):
    today = local_today()
    return [recap_build(day=today - timedelta(days=n)) for n in days_back]


def test_old_recaps_are_signed_off_the_day_before_yesterday_reviewed_yesterday_waits(
    demo_supervisor,
):
    _recaps([10, 9, 8, 7, 2, 1])
    call_command("seed_demo_recaps")
    today = local_today()
    by_age = {(today - r.date).days: r for r in DailyRecap.objects.all()}
    assert {age for age, r in by_age.items() if r.status == RecapStatus.SIGNED_OFF} == {10, 9, 8}
    assert by_age[7].status == RecapStatus.BUILT  # a week old: not yet
    assert by_age[2].status == RecapStatus.REVIEWED
    assert by_age[1].status == RecapStatus.BUILT  # yesterday's: to sign off
    signed = by_age[10]
    assert signed.signed_by == demo_supervisor
    assert signed.signed_figures == signed.figures
    assert signed.comment
    assert signed.history.count() == 3  # built, commented, signed off


def test_a_second_run_changes_nothing_and_worked_on_recaps_are_left_alone(demo_supervisor):
    mine = _recaps([9])[0]
    DailyRecap.objects.filter(pk=mine.pk).update(comment="Dicek oleh Bu Lilis.")
    _recaps([8])
    call_command("seed_demo_recaps")
    rows = {r.date: (r.status, r.version, r.history.count()) for r in DailyRecap.objects.all()}
    call_command("seed_demo_recaps")
    assert {
        r.date: (r.status, r.version, r.history.count()) for r in DailyRecap.objects.all()
    } == rows
    assert DailyRecap.objects.get(pk=mine.pk).status == RecapStatus.BUILT


def test_without_the_demo_it_says_what_to_run():
    with pytest.raises(CommandError, match="seed_demo"):
        call_command("seed_demo_recaps")
