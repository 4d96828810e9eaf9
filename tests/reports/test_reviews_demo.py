"""`manage.py seed_demo_reviews`: the demo scorecard, three months of samples
and reviews, disputes, a draft and a calibration round, after seed_demo and
seed_demo_calls; running it again changes nothing."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from calls.management.commands.seed_demo_calls import demo_days
from calls.models import Call, Outcome
from reports.models import (
    CalibrationRound,
    Review,
    ReviewKind,
    ReviewSample,
    ReviewStatus,
    Scorecard,
)
from reports.models.quality import COUNTED_REVIEW_STATUSES


def snapshot() -> dict:
    return {
        "reviews": list(
            Review.objects.order_by("pk").values_list("pk", "status", "score", "auto_failed")
        ),
        "history": Review.history.count(),
        "samples": list(ReviewSample.objects.order_by("pk").values_list("call_id", "review_id")),
        "rounds": CalibrationRound.objects.count(),
        "calls": Call.objects.count(),
        "scorecards": Scorecard.objects.count(),
    }


@pytest.fixture
def seeded(db):
    call_command("seed_demo", stdout=StringIO())
    call_command("seed_demo_calls", stdout=StringIO())
    out = StringIO()
    call_command("seed_demo_reviews", stdout=out)
    return out.getvalue()


def test_a_first_run_makes_the_quality_pages_alive(seeded):
    assert "scorecard created" in seeded
    regular = Review.objects.filter(kind=ReviewKind.REGULAR)
    months = {r.call_date.replace(day=1) for r in regular}
    assert len(months) == 3
    scores = [r.score for r in regular.filter(status__in=COUNTED_REVIEW_STATUSES)]
    assert sum(80 <= s <= 95 for s in scores) > len(scores) / 3
    assert any(s < 70 for s in scores)
    assert regular.filter(auto_failed=True).count() == 1
    assert regular.filter(status=ReviewStatus.DISPUTED).count() == 1
    assert regular.filter(status=ReviewStatus.RESOLVED).count() == 1
    assert regular.filter(status=ReviewStatus.DRAFT).count() == 1
    assert regular.filter(status=ReviewStatus.ACKNOWLEDGED).exists()
    round_ = CalibrationRound.objects.get()
    assert round_.reviewers.count() == 3
    assert round_.reviews.filter(status=ReviewStatus.SUBMITTED).count() == 3
    assert ReviewSample.objects.exists()
    # The earlier months' days hold no message or complaint (those need their
    # slips, which seed_demo_messages writes for seed_demo_calls' days only).
    recent = set(demo_days(timezone.localdate()))
    kept = Call.objects.filter(outcome__in=[Outcome.MESSAGE, Outcome.COMPLAINT])
    assert {timezone.localdate(c.started_at) for c in kept} <= recent
    client = Client()
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="supervisor"))
    assert client.get(reverse("reports:review-list")).status_code == 200
    assert client.get(reverse("reports:calibration-detail", args=[round_.pk])).status_code == 200
    client.force_login(get_user_model().objects.get(username="operator"))
    page = client.get(reverse("reports:my-reviews")).content.decode()
    assert "Waiting for you" in page or "You acknowledged" in page


def test_a_second_run_changes_nothing(seeded):
    before = snapshot()
    out = StringIO()
    call_command("seed_demo_reviews", stdout=out)
    assert snapshot() == before
    assert "0 reviews" in out.getvalue()


def test_it_needs_the_demo_calls(db):
    with pytest.raises(CommandError, match="seed_demo_calls"):
        call_command("seed_demo_reviews", stdout=StringIO())
