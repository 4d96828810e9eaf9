"""seed_demo_handovers: the demo desk's handovers of the last week, each
acknowledged by the next shift's operator but the last one, which waits."""

from io import StringIO

import pytest
from django.core.management import call_command

from reports.models import ShiftHandover

pytestmark = pytest.mark.django_db


def _seed():
    for command in ("seed_demo", "seed_demo_roster", "seed_demo_handovers"):
        call_command(command, stdout=StringIO())


def test_the_weeks_shifts_are_handed_over_and_acknowledged_by_the_next_operator():
    _seed()
    handovers = list(ShiftHandover.objects.order_by("period_end"))
    assert len(handovers) >= 7
    *acknowledged, last = handovers
    assert last.acknowledged_at is None  # the shift that ended last waits
    for handover in acknowledged:
        assert handover.acknowledged_by_id not in (None, handover.operator_id)
        assert handover.acknowledged_at >= handover.period_end
        assert handover.history.count() == 2  # handed over, acknowledged
    assert all(h.figures for h in handovers)


def test_a_second_run_changes_nothing():
    _seed()
    before = [(h.pk, h.acknowledged_at, h.history.count()) for h in ShiftHandover.objects.all()]
    call_command("seed_demo_handovers", stdout=StringIO())
    after = [(h.pk, h.acknowledged_at, h.history.count()) for h in ShiftHandover.objects.all()]
    assert after == before
