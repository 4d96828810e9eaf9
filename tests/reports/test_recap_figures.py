"""The recap's figures against the hand-counted day of factories_recap.recap_world.

Day D (Monday 2026-11-23, Jakarta) has these calls (local times):

  1  08:10 in  siti  A Billing Keuangan no_answer   30 s  (called back by 3)
  2  08:40 in  siti  A Billing Keuangan answered    90 s  (A again: repeat)
  3  09:05 out siti  A                  connected   60 s
  4  09:30 in  budi  B Info             call_back   20 s  (called back by 10, the next day)
  5  10:00 in  budi  C Info             no_answer   10 s  (never called back)
  6  10:15 in  budi  withheld           no_answer   no duration (no number)
  7  23:59 in  siti  C Info             message    120 s  (23:59 Jakarta: still D)
 11  14:20 internal budi                answered    40 s
 and not D's: 8 (D+1 00:00), 9 (deleted), 10 (D+1 10:00 out to B), 12 (D-1 23:30 in, B Info).
"""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reports.recap_figures import day_bounds, recap_figures
from reports.services.recap import recap_build
from tests.reports.factories_recap import D, at, call, recap_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return recap_world()


@pytest.fixture
def figures(world):
    return recap_figures(day=D, now=world.now)


def test_calls_in_total_and_by_hour(figures):
    """8 calls (1-7, 11); hours 08 (1, 2), 09 (3, 4), 10 (5, 6), 14 (11), 23 (7);
    the busiest is 08, the earliest of the three hours with 2."""
    calls = figures["calls"]
    assert calls["total"] == 8
    expected = [0] * 24
    expected[8] = expected[9] = expected[10] = 2
    expected[14] = expected[23] = 1
    assert calls["by_hour"] == expected
    assert calls["busiest_hour"] == 8


def test_calls_by_direction_and_outcome(figures):
    """in: 1, 2, 4, 5, 6, 7 = 6; out: 3; internal: 11. no_answer 1, 5, 6;
    answered 2, 11; connected 3; call_back 4; message 7."""
    calls = figures["calls"]
    assert calls["by_direction"] == {"in": 6, "out": 1, "internal": 1}
    outcomes = {k: v for k, v in calls["by_outcome"].items() if v}
    assert outcomes == {"no_answer": 3, "answered": 2, "connected": 1, "call_back": 1, "message": 1}


def test_durations(figures):
    """30+90+60+20+10+120+40 = 370 s over 7 calls with a duration = 52.9; longest 120."""
    assert figures["calls"]["avg_duration_s"] == 52.9
    assert figures["calls"]["longest_s"] == 120


def test_by_category_department_and_operator(world, figures):
    """Info 4, 5, 7 = 3; Billing 1, 2 = 2; none 3, 6, 11 = 3. Keuangan 1, 2;
    none the other 6. siti 1, 2, 3, 7 (missed 1, avg 300/4 = 75); budi 4, 5,
    6, 11 (missed 3, avg 70/3 = 23.3)."""
    calls = figures["calls"]
    assert [(e["name"], e["n"]) for e in calls["by_category"]] == [
        ("", 3),
        ("Info", 3),
        ("Billing", 2),
    ]
    assert [(e["id"], e["n"]) for e in calls["by_department"]] == [
        (None, 6),
        (world.department.pk, 2),
    ]
    by_operator = {e["name"]: (e["n"], e["missed"], e["avg_s"]) for e in calls["by_operator"]}
    assert by_operator == {"Siti Rahma": (4, 1, 75.0), "Budi": (4, 3, 23.3)}


def test_missed_calls_and_call_backs(world, figures):
    """Missed: 1, 4, 5, 6 (incoming no_answer or call_back) = 4; no number: 6;
    called back: 1 (by 3, the same day), 4 (by 10, the next working day) = 2;
    not called back: 5 and 6, listed in time order."""
    missed = figures["missed"]
    assert missed["total"] == 4
    assert (missed["no_answer"], missed["call_back"]) == (3, 1)
    assert missed["no_number"] == 1
    assert missed["called_back"] == 2
    assert missed["not_called_back"] == 2
    assert [row["id"] for row in missed["open"]] == [world.calls[5].pk, world.calls[6].pk]


def test_call_back_after_the_next_working_day_does_not_count(world):
    """Call 5 (C) called back two days later: still not called back."""
    call(
        world.op1,
        at(D + timedelta(days=2), 9),
        direction="out",
        outcome="connected",
        caller=world.callers["C"],
    )
    assert recap_figures(day=D, now=world.now)["missed"]["called_back"] == 2


def test_repeat_callers(world, figures):
    """Incoming calls with a number: A 1, 2; B 4; C 5, 7: two callers called
    more than once (A, C), with 4 calls."""
    repeat = figures["repeat"]
    assert (repeat["callers"], repeat["calls"]) == (2, 4)
    assert sorted(e["number"] for e in repeat["top"]) == ["+6281210000001", "+6281210000003"]


def test_first_call_resolution(figures):
    """Eligible (incoming, a number and a category): 1, 2, 4, 5, 7 = 5.
    Repeat contacts (same caller, same category within 7 days before): 2
    (after 1), 4 (after 12, the evening before), 7 (after 5) = 3; resolved 2
    of 5 = 40.0%."""
    fcr = figures["fcr"]
    assert (fcr["eligible"], fcr["repeat_contact"], fcr["resolved"]) == (5, 3, 2)
    assert fcr["rate"] == 40.0


def test_messages(figures):
    """Taken on D: 4 (09:00, 11:00, 22:00, 13:00). Delivered: 09:00, 22:00;
    acknowledged: 09:00, 13:00; done: 13:00; overdue: 11:00 (never
    acknowledged) and 13:00 (acknowledged after its due time); the 22:00 one is
    due the next morning; escalated: 11:00."""
    assert figures["messages"] == {
        "taken": 4,
        "delivered": 2,
        "acknowledged": 2,
        "done": 1,
        "overdue": 2,
        "escalated": 1,
    }


def test_complaints(figures):
    """Recorded on D: 3. Routed (a department): c1, c3; resolved: c3; overdue:
    c2 (not acknowledged by 12:00), c3 (resolved after 14:00); escalated: c2.
    Service 2, Billing error 1; Kartu Halo 2, no product 1."""
    complaints = figures["complaints"]
    assert {k: complaints[k] for k in ("opened", "routed", "resolved", "overdue", "escalated")} == {
        "opened": 3,
        "routed": 2,
        "resolved": 1,
        "overdue": 2,
        "escalated": 1,
    }
    assert [(e["name"], e["n"]) for e in complaints["by_category"]] == [
        ("Service", 2),
        ("Billing error", 1),
    ]
    assert [(e["name"], e["n"]) for e in complaints["by_product"]] == [
        ("Kartu Halo", 2),
        ("", 1),
    ]


def test_attendance(figures):
    """siti present 12 min late, budi present left early, op3 absent, op4
    sick, op5 unscheduled, op6 shift not over: scheduled 2 + 1 + 1 = 4."""
    assert figures["attendance"] == {
        "scheduled": 4,
        "present": 2,
        "late": 1,
        "left_early": 1,
        "absent": 1,
        "not_over": 1,
        "unscheduled": 1,
        "late_minutes": 12,
        "away": {"leave": 0, "sick": 1, "permission": 0},
    }


def test_quality(figures):
    """Counted: 80 (submitted) and 90 (acknowledged); the draft and the review
    of the day before's call are not: 2 reviews, average 85."""
    assert figures["quality"] == {"reviews": 2, "average": 85.0, "auto_failed": 0}


def test_incidents(figures):
    """22:00 the day before to 01:00 (60 min in D), 10:00-10:30 (30), open
    since 23:00 (60 until midnight); the one the day after is not D's."""
    incidents = figures["incidents"]
    assert incidents["count"] == 3
    assert [i["minutes"] for i in incidents["items"]] == [60, 30, 60]
    assert incidents["minutes"] == 150


def test_the_usual_from_earlier_recaps(figures):
    """The Mondays before: 10 and 20 calls (all at 09): usual 15, 15 at 09."""
    usual = figures["usual"]
    assert usual["weeks"] == 2
    assert usual["calls"] == 15.0
    assert usual["missed"] == 1.5
    assert usual["by_hour"][9] == 15.0
    assert usual["by_hour"][8] == 0.0


def test_a_call_at_2359_jakarta_is_that_day_and_midnight_the_next(world):
    bounds = day_bounds(D)
    assert bounds.start == at(D, 0)
    assert bounds.end == at(D + timedelta(days=1), 0)
    after = recap_figures(day=D + timedelta(days=1), now=world.now)
    assert after["calls"]["by_hour"][0] == 1  # call 8 at 00:00


def test_the_company_zone_decides_the_day(world, settings):
    """In WITA (UTC+8) call 7 at 23:59 WIB is 00:59 the next day; call 12 at
    23:30 WIB is 00:30 on D."""
    settings.TIME_ZONE = "Asia/Makassar"
    figures = recap_figures(day=D, now=world.now)
    assert figures["calls"]["total"] == 8 - 1 + 1
    assert figures["calls"]["by_hour"][0] == 1


def _statements(captured) -> int:
    """Queries, not the savepoints the test's own transaction adds."""
    return sum(1 for q in captured if not q["sql"].startswith(("SAVEPOINT", "RELEASE")))


def test_query_count_is_the_same_at_two_sizes(world):
    """The first build (an insert) and two rebuilds with 1 and 31 more calls:
    under 20 queries each, the rebuilds alike."""
    with CaptureQueriesContext(connection) as captured:
        recap_build(day=D, now=world.now)
    assert _statements(captured) < 20
    counts = []
    for more in (1, 30):
        for i in range(more):
            call(world.op2, at(D, 15, i), outcome="no_answer", caller=world.callers["A"])
        with CaptureQueriesContext(connection) as captured:
            recap = recap_build(day=D, now=world.now)
        assert recap.changed
        counts.append(_statements(captured))
    assert counts[0] == counts[1] < 20
