"""The fair monthly sample (reports.services.quality.sample_propose): random,
spread over the month (one pick per equal time window) and across outcomes
(in proportion to the operator's mix, each outcome at least once), topped up
on a re-run and never duplicated."""

from collections import Counter
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from calls.models import Outcome
from reports.models import ReviewSample
from reports.services.quality import (
    _window_of,
    outcome_quotas,
    review_create,
    sample_propose,
)
from reports.tasks.quality import review_sample_propose_task
from tests.reports.factories_quality import call_for, make_card, operator_user, supervisor_user

JAKARTA = ZoneInfo("Asia/Jakarta")
NOVEMBER = date(2026, 11, 1)
pytestmark = pytest.mark.django_db


def outcome_of(i: int) -> str:
    """60 calls: 2 complaints, 6 answered, 12 messages, 40 transfers, interleaved."""
    if i in (8, 38):
        return Outcome.COMPLAINT
    if i % 10 == 3:
        return Outcome.ANSWERED
    if i % 5 == 1:
        return Outcome.MESSAGE
    return Outcome.TRANSFERRED


def november_calls(operator, n=60):
    """One call every 12 hours from 1 November 08:00 Jakarta."""
    start = datetime(2026, 11, 1, 8, 0, tzinfo=JAKARTA)
    return [
        call_for(operator, started_at=start + timedelta(hours=12 * i), outcome=outcome_of(i))
        for i in range(n)
    ]


@pytest.fixture
def siti():
    return operator_user("siti")


def picked(operator):
    return list(
        ReviewSample.objects.filter(operator=operator, month=NOVEMBER).select_related("call")
    )


def test_one_pick_per_window_and_outcomes_in_proportion(siti):
    """8 picks of 60 calls (40 transferred, 12 messages, 6 answered, 2 complaints):
    each outcome one first, then the four left by largest shortfall against
    8 * share (transferred 5.33, message 1.6, answered 0.8, complaint 0.27):
    all four to transferred -> 5 transferred, 1 message, 1 answered, 1 complaint.
    The month's span (first to last call) in 8 equal windows: one pick in each."""
    calls = november_calls(siti)
    added = sample_propose(month=NOVEMBER, per_operator=8, rng_seed=42)
    assert added == {siti.pk: 8}
    rows = picked(siti)
    assert Counter(r.call.outcome for r in rows) == {
        Outcome.TRANSFERRED: 5,
        Outcome.MESSAGE: 1,
        Outcome.ANSWERED: 1,
        Outcome.COMPLAINT: 1,
    }
    start, end = calls[0].started_at, calls[-1].started_at
    windows = {_window_of(r.call.started_at, start, end, 8) for r in rows}
    assert windows == set(range(8))


def test_a_rerun_changes_nothing_and_a_bigger_number_tops_up(siti):
    november_calls(siti)
    sample_propose(month=NOVEMBER, per_operator=8, rng_seed=1)
    first = {r.call_id for r in picked(siti)}
    assert sample_propose(month=NOVEMBER, per_operator=8, rng_seed=2) == {siti.pk: 0}
    assert {r.call_id for r in picked(siti)} == first
    assert sample_propose(month=NOVEMBER, per_operator=12, rng_seed=3) == {siti.pk: 4}
    after = [r.call_id for r in picked(siti)]
    assert len(after) == len(set(after)) == 12
    assert first <= set(after)


def test_the_same_seed_draws_the_same_calls(siti):
    november_calls(siti)
    sample_propose(month=NOVEMBER, per_operator=8, rng_seed=7)
    first = {r.call_id for r in picked(siti)}
    ReviewSample.objects.all().delete()
    sample_propose(month=NOVEMBER, per_operator=8, rng_seed=7)
    assert {r.call_id for r in picked(siti)} == first


def test_reviewed_calls_count_and_join_the_sample(siti):
    calls = november_calls(siti)
    card = make_card()
    reviewer = supervisor_user("lilis")
    reviews = [
        review_create(call=call, reviewer=reviewer, answers=card.all(), submit=True)
        for call in calls[:3]
    ]
    added = sample_propose(month=NOVEMBER, per_operator=8, rng_seed=5)
    assert added == {siti.pk: 5}
    rows = picked(siti)
    assert len(rows) == 8
    assert {r.review_id for r in rows if r.review_id} == {r.pk for r in reviews}


def test_deleted_calls_and_other_months_are_never_picked(siti):
    calls = november_calls(siti, n=20)
    now = timezone.now()
    for call in calls[:15]:
        call.deleted_at = now
        call.save()
    call_for(siti, started_at=datetime(2026, 10, 31, 23, 0, tzinfo=JAKARTA))  # 31 Oct local
    call_for(siti, started_at=datetime(2026, 12, 1, 0, 30, tzinfo=JAKARTA))  # 1 Dec local
    sample_propose(month=NOVEMBER, per_operator=8, rng_seed=3)
    rows = picked(siti)
    assert {r.call_id for r in rows} == {c.pk for c in calls[15:]}


def test_each_operator_is_sampled_from_their_own_calls(siti):
    budi = operator_user("budi")
    november_calls(siti, n=30)
    november_calls(budi, n=30)
    supervisor_calls = november_calls(supervisor_user("lilis"), n=5)
    added = sample_propose(month=NOVEMBER, per_operator=6, rng_seed=9)
    assert added == {siti.pk: 6, budi.pk: 6}
    for who in (siti, budi):
        assert all(r.call.operator_id == who.pk for r in picked(who))
    assert not ReviewSample.objects.filter(call__in=supervisor_calls).exists()


def test_fewer_picks_than_outcomes_takes_the_most_frequent(siti):
    november_calls(siti)
    sample_propose(month=NOVEMBER, per_operator=2, rng_seed=4)
    assert Counter(r.call.outcome for r in picked(siti)) == {
        Outcome.TRANSFERRED: 1,
        Outcome.MESSAGE: 1,
    }


def test_an_operator_with_few_calls_gets_them_all(siti):
    november_calls(siti, n=3)
    assert sample_propose(month=NOVEMBER, per_operator=8, rng_seed=4) == {siti.pk: 3}


@pytest.mark.parametrize(
    ("counts", "picks", "expected"),
    [
        # 8 * 40/60 = 5.33, 8 * 12/60 = 1.6, 8 * 6/60 = 0.8, 8 * 2/60 = 0.27
        ({"t": 40, "m": 12, "a": 6, "c": 2}, 8, {"t": 5, "m": 1, "a": 1, "c": 1}),
        # 10: 6.67, 2, 1, 0.33 -> 1 each, then t, t, t, t, t, m (shortfalls 5.67.. vs 1)
        ({"t": 40, "m": 12, "a": 6, "c": 2}, 10, {"t": 6, "m": 2, "a": 1, "c": 1}),
        ({"t": 1, "m": 1}, 8, {"t": 1, "m": 1}),  # never more than an outcome has
        ({"t": 5, "m": 0}, 2, {"t": 2}),
        ({}, 4, {}),
    ],
)
def test_outcome_quotas(counts, picks, expected):
    assert outcome_quotas(counts, picks) == expected


def test_the_beat_task_proposes_this_months_sample(siti, settings):
    settings.QA_SAMPLE_PER_OPERATOR = 3
    now = timezone.now()
    local_start = timezone.localtime(now).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    span = now - local_start
    for k in range(1, 7):
        call_for(siti, started_at=local_start + span * k / 7)
    assert review_sample_propose_task.delay().get() == 3
    month = timezone.localdate().replace(day=1)
    assert ReviewSample.objects.filter(operator=siti, month=month).count() == 3
    assert review_sample_propose_task.delay().get() == 0


def test_more_reviewed_calls_than_the_number_never_inflate_the_sample(siti):
    calls = november_calls(siti, n=20)
    card = make_card()
    reviewer = supervisor_user("lilis")
    for call in calls[:10]:
        review_create(call=call, reviewer=reviewer, answers=card.all(), submit=True)
    assert sample_propose(month=NOVEMBER, per_operator=8, rng_seed=5) == {siti.pk: 0}
    rows = picked(siti)
    assert len(rows) == 8 and all(r.review_id for r in rows)
    assert sample_propose(month=NOVEMBER, per_operator=8, rng_seed=6) == {siti.pk: 0}
    assert len(picked(siti)) == 8
