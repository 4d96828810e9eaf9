"""Reviews through reports.services.quality: what they write, the transitions
and what a second person acting at the same moment gets."""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from reports.models import DisputeDecision, Review, ReviewSample, ReviewStatus
from reports.services.quality import (
    ReviewConflict,
    ReviewExists,
    review_acknowledge,
    review_create,
    review_decide,
    review_dispute,
    review_update_draft,
)
from tests.reports.factories_quality import call_for, make_card, operator_user, supervisor_user

JAKARTA = ZoneInfo("Asia/Jakarta")
pytestmark = pytest.mark.django_db


@pytest.fixture
def card():
    return make_card()


@pytest.fixture
def siti():
    return operator_user("siti")


@pytest.fixture
def lilis():
    return supervisor_user("lilis")


@pytest.fixture
def call(siti):
    return call_for(siti)


def submitted(card, call, reviewer, **answers):
    return review_create(
        call=call, reviewer=reviewer, answers=card.all(**answers), comment="ok", submit=True
    )


def test_submitting_writes_the_score_operator_and_local_day(card, siti, lilis):
    # 23:30 Jakarta on 30 Nov is 16:30 UTC: the call's day is the 30th.
    call = call_for(siti, started_at=datetime(2026, 11, 30, 23, 30, tzinfo=JAKARTA))
    review = submitted(card, call, lilis, own_name="fail")
    review.refresh_from_db()
    # Opening 1/2, Handling 1, Closing 1: (1 + 3 + 1)/6 = 83.33
    assert review.score == Decimal("83.33")
    assert review.status == ReviewStatus.SUBMITTED
    assert review.operator == siti
    assert str(review.call_date) == "2026-11-30"
    assert review.answers.count() == len(card.items)
    assert review.history.count() == 1


def test_a_draft_may_be_incomplete_and_is_submitted_later(card, call, lilis):
    draft = review_create(call=call, reviewer=lilis, answers=card.answers(greeting="pass"))
    assert draft.status == ReviewStatus.DRAFT
    with pytest.raises(ValidationError) as exc:
        review_update_draft(
            review=draft, by=lilis, answers=card.answers(greeting="pass"), submit=True
        )
    assert f"item_{card.items['need'].pk}" in exc.value.message_dict
    review_update_draft(review=draft, by=lilis, answers=card.all(), submit=True)
    draft.refresh_from_db()
    assert draft.status == ReviewStatus.SUBMITTED
    assert draft.score == Decimal("100.00")
    assert draft.submitted_at is not None


def test_na_on_an_item_that_always_applies_saves_nothing(card, call, lilis):
    with pytest.raises(ValidationError) as exc:
        review_create(call=call, reviewer=lilis, answers=card.all(own_name="na"), submit=True)
    assert "always applies" in exc.value.message_dict[f"item_{card.items['own_name'].pk}"][0]
    assert not Review.objects.exists()


def test_nobody_reviews_their_own_call(card, lilis):
    own = call_for(lilis)
    with pytest.raises(ValidationError, match="your own call"):
        review_create(call=own, reviewer=lilis, answers=card.all(), submit=True)


def test_a_call_has_one_regular_review(card, call, lilis):
    first = submitted(card, call, lilis)
    other = supervisor_user("dewi")
    with pytest.raises(ReviewExists) as exc:
        submitted(card, call, other)
    assert exc.value.review == first


def test_a_deleted_call_is_not_reviewed(card, call, lilis):
    from django.utils import timezone

    call.deleted_at = timezone.now()
    call.save()
    with pytest.raises(ValidationError, match="deleted"):
        submitted(card, call, lilis)


def test_the_sample_row_points_at_the_review(card, call, siti, lilis):
    sample = ReviewSample.objects.create(operator=siti, month=call.started_at.date(), call=call)
    review = submitted(card, call, lilis)
    sample.refresh_from_db()
    assert sample.review == review


def test_the_operator_acknowledges(card, call, siti, lilis):
    review = submitted(card, call, lilis)
    review_acknowledge(review=review, by=siti)
    review.refresh_from_db()
    assert review.status == ReviewStatus.ACKNOWLEDGED
    assert review.acknowledged_at is not None
    assert review.history.count() == 2


def test_only_the_operator_acknowledges(card, call, lilis):
    review = submitted(card, call, lilis)
    with pytest.raises(ValidationError):
        review_acknowledge(review=review, by=operator_user("budi"))


def test_a_dispute_needs_a_reason(card, call, siti, lilis):
    review = submitted(card, call, lilis)
    with pytest.raises(ValidationError) as exc:
        review_dispute(review=review, by=siti, reason="   ")
    assert "reason" in exc.value.message_dict
    review.refresh_from_db()
    assert review.status == ReviewStatus.SUBMITTED


def test_a_draft_cannot_be_acknowledged(card, call, siti, lilis):
    draft = review_create(call=call, reviewer=lilis, answers={})
    with pytest.raises(ValidationError):
        review_acknowledge(review=draft, by=siti)


def test_the_review_stands(card, call, siti, lilis):
    review = submitted(card, call, lilis, transfer="fail")
    review_dispute(review=review, by=siti, reason="The line was bad.")
    review_decide(review=review, by=lilis, decision=DisputeDecision.UPHELD, note="Heard it twice.")
    review.refresh_from_db()
    assert review.status == ReviewStatus.RESOLVED
    assert review.dispute_decision == DisputeDecision.UPHELD
    assert review.dispute_reason == "The line was bad."
    assert review.score_before_dispute is None
    assert review.dispute_decided_by == lilis


def test_the_score_is_amended_and_the_old_one_kept(card, call, siti, lilis):
    review = submitted(card, call, lilis, transfer="fail")
    old = review.score  # Handling 3/5: (2 + 1.8 + 1)/6 = 80.00
    assert old == Decimal("80.00")
    review_dispute(review=review, by=siti, reason="The transfer was right.")
    review_decide(
        review=review,
        by=lilis,
        decision=DisputeDecision.AMENDED,
        note="Agreed: the department had moved.",
        answers=card.all(),
    )
    review.refresh_from_db()
    assert review.score == Decimal("100.00")
    assert review.score_before_dispute == old
    transfer = review.answers.get(item=card.items["transfer"])
    assert transfer.answer == "pass"
    # The history keeps the reviewer's first answer.
    assert [h.answer for h in transfer.history.order_by("history_date")] == ["fail", "pass"]
    assert review.dispute_reason == "The transfer was right."


def test_a_decision_needs_a_note(card, call, siti, lilis):
    review = submitted(card, call, lilis)
    review_dispute(review=review, by=siti, reason="No.")
    with pytest.raises(ValidationError) as exc:
        review_decide(review=review, by=lilis, decision=DisputeDecision.UPHELD, note="")
    assert "note" in exc.value.message_dict


def test_an_acknowledged_review_cannot_be_disputed(card, call, siti, lilis):
    review = submitted(card, call, lilis)
    review_acknowledge(review=review, by=siti)
    with pytest.raises(ValidationError):
        review_dispute(review=review, by=siti, reason="Changed my mind")


def test_acknowledging_in_one_tab_and_disputing_in_another_conflicts(card, call, siti, lilis):
    submitted(card, call, lilis)
    tab_a = Review.objects.get(call=call)
    tab_b = Review.objects.get(call=call)
    review_acknowledge(review=tab_a, by=siti)
    with pytest.raises(ReviewConflict) as exc:
        review_dispute(review=tab_b, by=siti, reason="Too harsh")
    assert exc.value.review.status == ReviewStatus.ACKNOWLEDGED
    assert "Acknowledged" in str(exc.value)
    tab_b.refresh_from_db()
    assert tab_b.dispute_reason == ""


def test_two_supervisors_deciding_at_once_conflict(card, call, siti, lilis):
    review = submitted(card, call, lilis)
    review_dispute(review=review, by=siti, reason="No")
    first = Review.objects.get(pk=review.pk)
    second = Review.objects.get(pk=review.pk)
    review_decide(review=first, by=lilis, decision=DisputeDecision.UPHELD, note="Stands")
    with pytest.raises(ReviewConflict):
        review_decide(
            review=second,
            by=supervisor_user("dewi"),
            decision=DisputeDecision.AMENDED,
            note="Amend",
            answers=card.all(),
        )
    review.refresh_from_db()
    assert review.dispute_decision == DisputeDecision.UPHELD


def test_a_draft_submitted_in_another_tab_conflicts(card, call, lilis):
    draft = review_create(call=call, reviewer=lilis, answers={})
    stale = Review.objects.get(pk=draft.pk)
    review_update_draft(review=draft, by=lilis, answers=card.all(), submit=True)
    with pytest.raises(ReviewConflict):
        review_update_draft(review=stale, by=lilis, answers=card.all(rude="fail"), submit=False)
    draft.refresh_from_db()
    assert draft.auto_failed is False
