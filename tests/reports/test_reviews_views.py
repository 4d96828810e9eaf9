"""The review pages through the test client: supervisors score calls, list
reviews and the month's sample, decide disputes; operators see only their own
submitted reviews and acknowledge or dispute them."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from reports.models import (
    DisputeDecision,
    Review,
    ReviewSample,
    ReviewStatus,
)
from reports.services.quality import (
    calibration_score,
    calibration_start,
    review_create,
    review_dispute,
)
from tests.reports.factories_quality import call_for, make_card, operator_user, supervisor_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def card():
    return make_card()


@pytest.fixture
def siti(operator):
    return operator


@pytest.fixture
def call(siti):
    return call_for(siti, purpose="Ask for Pak Budi", notes="Caller was in a hurry")


def submit(card, call, reviewer, **answers):
    return review_create(
        call=call,
        reviewer=reviewer,
        answers=card.all(**answers),
        comment="Good call",
        coaching_notes="Say your name slowly",
        submit=True,
    )


# Scoring a call --------------------------------------------------------------------


def test_the_review_page_shows_the_call_and_the_scorecard(supervisor_client, card, call):
    response = supervisor_client.get(reverse("reports:review-create", args=[call.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Ask for Pak Budi" in page
    assert "Caller was in a hurry" in page
    assert "Greeting with company name" in page
    assert f'name="item_{card.items["greeting"].pk}"' in page
    # No N/A radio for an item that always applies.
    assert (
        f'name="item_{card.items["own_name"].pk}" id="id_item_{card.items["own_name"].pk}_2"'
        not in page
    )


def test_a_supervisor_submits_a_review(supervisor_client, supervisor, card, call):
    data = {**card.post_all(own_name="fail"), "comment": "Nice", "action": "submit"}
    response = supervisor_client.post(reverse("reports:review-create", args=[call.pk]), data)
    review = Review.objects.get(call=call)
    assert response.status_code == 302
    assert response["Location"] == reverse("reports:review-detail", args=[review.pk])
    assert review.status == ReviewStatus.SUBMITTED
    assert review.reviewer == supervisor
    assert review.score == Decimal("83.33")
    page = supervisor_client.get(response["Location"]).content.decode()
    assert "83.33" in page
    assert "Review submitted" in page


def test_a_draft_is_saved_and_continued(supervisor_client, card, call):
    url = reverse("reports:review-create", args=[call.pk])
    supervisor_client.post(url, {**card.post(greeting="pass"), "action": "draft"})
    review = Review.objects.get(call=call)
    assert review.status == ReviewStatus.DRAFT
    # Back to the call: the draft opens for editing.
    response = supervisor_client.get(url)
    assert response["Location"] == reverse("reports:review-edit", args=[review.pk])
    edit = supervisor_client.get(response["Location"])
    assert "checked" in edit.content.decode()
    supervisor_client.post(
        response["Location"], {**card.post_all(), "action": "submit", "comment": "Done"}
    )
    review.refresh_from_db()
    assert review.status == ReviewStatus.SUBMITTED
    assert review.comment == "Done"


def test_na_where_not_allowed_shows_the_error_and_saves_nothing(supervisor_client, card, call):
    data = {**card.post_all(own_name="na"), "action": "submit"}
    response = supervisor_client.post(reverse("reports:review-create", args=[call.pk]), data)
    assert response.status_code == 422
    assert "always applies" in response.content.decode()
    assert not Review.objects.exists()


def test_submitting_with_an_item_unanswered_shows_which(supervisor_client, card, call):
    data = card.post_all()
    del data[f"item_{card.items['dead_air'].pk}"]
    response = supervisor_client.post(
        reverse("reports:review-create", args=[call.pk]), {**data, "action": "submit"}
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert f'data-error-for="item_{card.items["dead_air"].pk}"' in page
    assert not Review.objects.exists()


def test_a_second_review_of_a_call_links_to_the_first(supervisor_client, card, call):
    first = submit(card, call, supervisor_user("dewi"))
    response = supervisor_client.get(reverse("reports:review-create", args=[call.pk]))
    assert response.status_code == 409
    assert reverse("reports:review-detail", args=[first.pk]) in response.content.decode()
    response = supervisor_client.post(
        reverse("reports:review-create", args=[call.pk]), {**card.post_all(), "action": "submit"}
    )
    assert response.status_code == 409
    assert Review.objects.count() == 1


def test_a_reviewer_cannot_review_their_own_call(supervisor_client, supervisor, card):
    own = call_for(supervisor)
    response = supervisor_client.post(
        reverse("reports:review-create", args=[own.pk]), {**card.post_all(), "action": "submit"}
    )
    assert response.status_code == 403
    assert "your own call" in response.content.decode()
    assert not Review.objects.exists()


def test_a_call_is_found_by_its_number(supervisor_client, card, call):
    url = reverse("reports:review-find")
    response = supervisor_client.get(url, {"call": f"#{call.pk}"})
    assert response["Location"] == reverse("reports:review-create", args=[call.pk])
    for bad in ("", "abc", "99999999", "1" * 30, "١٢"):
        response = supervisor_client.get(url, {"call": bad}, follow=True)
        assert "There is no call with this number" in response.content.decode()


def test_operators_and_outsiders_cannot_review(operator_client, outsider_client, card, call):
    url = reverse("reports:review-create", args=[call.pk])
    assert operator_client.get(url).status_code == 403
    assert outsider_client.get(url).status_code == 403


def test_an_unknown_call_is_404(supervisor_client, card):
    assert supervisor_client.get(reverse("reports:review-create", args=[999999])).status_code == 404
    assert supervisor_client.get("/reports/reviews/new/99999999999999999999999/").status_code == 404


# The list and the sample ------------------------------------------------------------


def _reviews(card, n, reviewer):
    op = operator_user("budi")
    return [submit(card, call_for(op), reviewer) for _ in range(n)]


@pytest.mark.parametrize("n", [1, 30])
def test_the_list_runs_the_same_queries_for_1_or_30_reviews(
    supervisor_client, card, n, django_assert_max_num_queries
):
    reviews = _reviews(card, n, supervisor_user("dewi"))
    for review in reviews[:3]:
        ReviewSample.objects.create(
            operator=review.operator,
            month=review.call_date.replace(day=1),
            call=review.call,
            review=review,
        )
    with django_assert_max_num_queries(12):
        response = supervisor_client.get(reverse("reports:review-list"))
    assert response.status_code == 200
    assert response.content.decode().count("/reports/reviews/") >= min(n, 3)


def test_the_list_filters(supervisor_client, card, siti):
    dewi = supervisor_user("dewi")
    good = submit(card, call_for(siti), dewi)
    bad = submit(card, call_for(siti), supervisor_user("rudi"), rude="fail")
    url = reverse("reports:review-list")
    page = supervisor_client.get(url, {"auto_failed": "1"}).content.decode()
    assert f"/reports/reviews/{bad.pk}/" in page and f"/reports/reviews/{good.pk}/" not in page
    page = supervisor_client.get(url, {"reviewer": dewi.pk}).content.decode()
    assert f"/reports/reviews/{good.pk}/" in page and f"/reports/reviews/{bad.pk}/" not in page
    page = supervisor_client.get(url, {"operator": siti.pk, "status": "submitted"}).content.decode()
    assert f"/reports/reviews/{good.pk}/" in page
    month = f"{timezone.localdate():%Y-%m}"
    assert (
        f"/reports/reviews/{good.pk}/"
        in supervisor_client.get(url, {"month": month}).content.decode()
    )
    page = supervisor_client.get(url, {"month": "1999-01"}).content.decode()
    assert f"/reports/reviews/{good.pk}/" not in page


@pytest.mark.parametrize(
    "query",
    [
        {"month": "2026-13"},
        {"month": "nonsense"},
        {"operator": "abc"},
        {"reviewer": "99999999999999999999"},
        {"page": "9999"},
        {"page": "x"},
        {"sample": "2026-99"},
        {"sort": "nope"},
    ],
)
def test_no_query_string_breaks_the_list(supervisor_client, card, query):
    assert supervisor_client.get(reverse("reports:review-list"), query).status_code in (200, 404)


def test_operators_cannot_see_the_list(operator_client, outsider_client):
    assert operator_client.get(reverse("reports:review-list")).status_code == 403
    assert outsider_client.get(reverse("reports:review-list")).status_code == 403


def test_the_sample_is_proposed_from_the_list(supervisor_client, card, siti):
    now = timezone.now()
    for hours in range(1, 6):
        call_for(siti, started_at=now - timedelta(hours=hours))
    response = supervisor_client.post(
        reverse("reports:sample-propose"),
        {"month": f"{timezone.localdate():%Y-%m}", "per_operator": 3},
        follow=True,
    )
    assert ReviewSample.objects.filter(operator=siti).count() == 3
    page = response.content.decode()
    assert "3 calls added" in page
    assert "0 of 3 reviewed" in page


def test_a_bad_month_to_propose_is_a_message(supervisor_client):
    response = supervisor_client.post(
        reverse("reports:sample-propose"), {"month": "2026-13", "per_operator": 3}, follow=True
    )
    assert "YYYY-MM" in response.content.decode()
    assert not ReviewSample.objects.exists()


def test_operators_cannot_propose_the_sample(operator_client):
    response = operator_client.post(
        reverse("reports:sample-propose"), {"month": "2026-11", "per_operator": 3}
    )
    assert response.status_code == 403


# The review page and the dispute decision -------------------------------------------


def test_the_review_page_shows_answers_by_section(supervisor_client, card, call):
    review = submit(card, call, supervisor_user("dewi"), rude="fail")
    page = supervisor_client.get(
        reverse("reports:review-detail", args=[review.pk])
    ).content.decode()
    assert "Opening" in page and "Handling" in page
    assert "Auto-fail" in page
    assert "Say your name slowly" in page


def test_the_review_page_is_for_supervisors(operator_client, outsider_client, card, call):
    review = submit(card, call, supervisor_user("dewi"))
    url = reverse("reports:review-detail", args=[review.pk])
    assert operator_client.get(url).status_code == 403
    assert outsider_client.get(url).status_code == 403


def test_a_calibration_review_has_no_review_page(supervisor_client, card, call):
    a, b = supervisor_user("dewi"), supervisor_user("rudi")
    round_ = calibration_start(call=call, reviewers=[a, b], created_by=a)
    review = calibration_score(round_=round_, reviewer=a, answers=card.all(), submit=True)
    assert (
        supervisor_client.get(reverse("reports:review-detail", args=[review.pk])).status_code == 404
    )


def test_a_supervisor_decides_a_dispute(supervisor_client, supervisor, card, call, siti):
    review = submit(card, call, supervisor_user("dewi"), transfer="fail")
    review_dispute(review=review, by=siti, reason="The transfer was right")
    url = reverse("reports:review-detail", args=[review.pk])
    page = supervisor_client.get(url).content.decode()
    assert "The transfer was right" in page and "Decide the dispute" in page
    response = supervisor_client.post(
        reverse("reports:review-decide", args=[review.pk]),
        {**card.post_all(), "decision": DisputeDecision.AMENDED, "note": "Agreed"},
    )
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.status == ReviewStatus.RESOLVED
    assert review.score == Decimal("100.00")
    assert review.score_before_dispute == Decimal("80.00")
    assert review.dispute_decided_by == supervisor


def test_a_decision_without_a_note_shows_the_error(supervisor_client, card, call, siti):
    review = submit(card, call, supervisor_user("dewi"))
    review_dispute(review=review, by=siti, reason="No")
    response = supervisor_client.post(
        reverse("reports:review-decide", args=[review.pk]), {"decision": DisputeDecision.UPHELD}
    )
    assert response.status_code == 422
    assert "Write a note for the operator" in response.content.decode()
    review.refresh_from_db()
    assert review.status == ReviewStatus.DISPUTED


def test_deciding_a_dispute_already_decided_says_so(supervisor_client, card, call, siti):
    review = submit(card, call, supervisor_user("dewi"))
    review_dispute(review=review, by=siti, reason="No")
    url = reverse("reports:review-decide", args=[review.pk])
    supervisor_client.post(url, {"decision": DisputeDecision.UPHELD, "note": "Stands"})
    response = supervisor_client.post(
        url, {"decision": DisputeDecision.UPHELD, "note": "Again"}, follow=True
    )
    assert "there is no dispute to decide" in response.content.decode()
    review.refresh_from_db()
    assert review.dispute_note == "Stands"


def test_operators_cannot_decide(operator_client, card, call, siti):
    review = submit(card, call, supervisor_user("dewi"))
    review_dispute(review=review, by=siti, reason="No")
    response = operator_client.post(
        reverse("reports:review-decide", args=[review.pk]),
        {"decision": DisputeDecision.UPHELD, "note": "mine"},
    )
    assert response.status_code == 403


# The operator's side ------------------------------------------------------------------


def test_an_operator_sees_only_their_own_submitted_reviews(operator_client, card, siti):
    dewi = supervisor_user("dewi")
    mine = submit(card, call_for(siti), dewi)
    draft = review_create(call=call_for(siti), reviewer=dewi, answers={}, comment="DRAFT-TEXT")
    others = submit(card, call_for(operator_user("budi")), dewi)
    others.comment = "OTHER-TEXT"
    others.save()
    round_ = calibration_start(
        call=call_for(siti), reviewers=[dewi, supervisor_user("rudi")], created_by=dewi
    )
    calibration_score(
        round_=round_, reviewer=dewi, answers=card.all(), comment="CALIBRATION-TEXT", submit=True
    )
    page = operator_client.get(reverse("reports:my-reviews")).content.decode()
    assert f'id="review-{mine.pk}"' in page
    assert "Say your name slowly" in page
    assert "DRAFT-TEXT" not in page and f'id="review-{draft.pk}"' not in page
    assert "OTHER-TEXT" not in page
    assert "CALIBRATION-TEXT" not in page


@pytest.mark.parametrize("n", [1, 20])
def test_my_reviews_runs_the_same_queries(
    operator_client, card, siti, n, django_assert_max_num_queries
):
    dewi = supervisor_user("dewi")
    for _ in range(n):
        submit(card, call_for(siti), dewi)
    with django_assert_max_num_queries(8):
        response = operator_client.get(reverse("reports:my-reviews"))
    assert response.content.decode().count('class="card mb-3" id="review-') == n


def test_the_operator_acknowledges(operator_client, card, call):
    review = submit(card, call, supervisor_user("dewi"))
    response = operator_client.post(
        reverse("reports:my-review-acknowledge", args=[review.pk]), follow=True
    )
    review.refresh_from_db()
    assert review.status == ReviewStatus.ACKNOWLEDGED
    assert "Review acknowledged" in response.content.decode()


def test_acknowledging_twice_says_what_happened(operator_client, card, call):
    review = submit(card, call, supervisor_user("dewi"))
    url = reverse("reports:my-review-acknowledge", args=[review.pk])
    operator_client.post(url)
    response = operator_client.post(url, follow=True)
    assert "cannot be changed" in response.content.decode()


def test_a_dispute_without_a_reason_shows_the_error(operator_client, card, call):
    review = submit(card, call, supervisor_user("dewi"))
    response = operator_client.post(
        reverse("reports:my-review-dispute", args=[review.pk]), {f"r{review.pk}-reason": ""}
    )
    assert response.status_code == 422
    assert "Say why you dispute this review." in response.content.decode()
    review.refresh_from_db()
    assert review.status == ReviewStatus.SUBMITTED


def test_the_operator_disputes_and_sees_the_decision(
    operator_client, supervisor_client, card, call
):
    review = submit(card, call, supervisor_user("dewi"))
    operator_client.post(
        reverse("reports:my-review-dispute", args=[review.pk]),
        {f"r{review.pk}-reason": "The caller hung up first"},
    )
    review.refresh_from_db()
    assert review.status == ReviewStatus.DISPUTED
    supervisor_client.post(
        reverse("reports:review-decide", args=[review.pk]),
        {"decision": DisputeDecision.UPHELD, "note": "Heard the recording"},
    )
    page = operator_client.get(reverse("reports:my-reviews")).content.decode()
    assert "The caller hung up first" in page
    assert "Heard the recording" in page
    assert "Review stands" in page


def test_an_operator_cannot_act_on_anothers_review(card):
    from django.test import Client

    review = submit(card, call_for(operator_user("budi")), supervisor_user("dewi"))
    other = Client()
    other.force_login(operator_user("wati"))
    assert other.post(reverse("reports:my-review-acknowledge", args=[review.pk])).status_code == 404
    assert (
        other.post(
            reverse("reports:my-review-dispute", args=[review.pk]), {f"r{review.pk}-reason": "x"}
        ).status_code
        == 404
    )
    review.refresh_from_db()
    assert review.status == ReviewStatus.SUBMITTED


def test_outsiders_have_no_reviews_page(outsider_client, staff_client):
    assert outsider_client.get(reverse("reports:my-reviews")).status_code == 403
    assert staff_client.get(reverse("reports:my-reviews")).status_code == 403
