"""Calibration rounds: several reviewers score the same call; the spread of
their scores and their agreement per item are shown, each reviewer seeing
the others' scores only after submitting their own. Calibration reviews
never reach the operator or their KPIs."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from reports.models import CalibrationRound, Review, ReviewKind
from reports.models.quality import COUNTED_REVIEW_STATUSES
from reports.selectors_quality import spread
from reports.services.quality import calibration_score, calibration_start
from tests.reports.factories_quality import call_for, make_card, operator_user, supervisor_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def card():
    return make_card()


@pytest.fixture
def people():
    return {
        "siti": operator_user("siti"),
        "lilis": supervisor_user("lilis"),
        "dewi": supervisor_user("dewi"),
        "rudi": supervisor_user("rudi"),
    }


@pytest.fixture
def round_(people, card):
    call = call_for(people["siti"])
    return calibration_start(
        call=call,
        reviewers=[people["lilis"], people["dewi"], people["rudi"]],
        created_by=people["lilis"],
        note="November",
    )


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def test_spread_of_scores():
    """80, 90, 100: min 80, max 100, range 20; mean 90, deviations -10, 0, 10,
    population variance (100 + 0 + 100) / 3 = 66.67, standard deviation 8.16."""
    result = spread([Decimal("80"), Decimal("90"), Decimal("100")])
    assert (result.minimum, result.maximum, result.range) == (80, 100, 20)
    assert result.stdev == Decimal("8.16")
    assert result.count == 3


def test_spread_of_one_and_of_none():
    assert spread([Decimal("75.5")]).stdev == Decimal("0.00")
    assert spread([]).count == 0 and spread([]).minimum is None


def test_a_round_needs_two_reviewers_not_the_operator(people, card):
    call = call_for(people["siti"])
    with pytest.raises(ValidationError) as exc:
        calibration_start(call=call, reviewers=[people["lilis"]], created_by=people["lilis"])
    assert "reviewers" in exc.value.message_dict
    with pytest.raises(ValidationError):
        calibration_start(
            call=call, reviewers=[people["lilis"], people["siti"]], created_by=people["lilis"]
        )
    assert not CalibrationRound.objects.exists()


def test_each_reviewer_scores_once_and_it_never_counts(round_, people, card):
    lilis = calibration_score(
        round_=round_, reviewer=people["lilis"], answers=card.all(), submit=True
    )
    assert lilis.kind == ReviewKind.CALIBRATION
    again = calibration_score(
        round_=round_, reviewer=people["dewi"], answers=card.answers(greeting="pass")
    )
    calibration_score(round_=round_, reviewer=people["dewi"], answers=card.all(), submit=True)
    assert Review.objects.filter(calibration=round_, reviewer=people["dewi"]).count() == 1
    again.refresh_from_db()
    assert again.status == "submitted"
    # The KPIs' contract: regular reviews with a counted status. None here.
    assert not Review.objects.filter(
        kind=ReviewKind.REGULAR, status__in=COUNTED_REVIEW_STATUSES
    ).exists()
    # ...and the call may still get its regular review.
    assert not Review.objects.filter(call=round_.call, kind=ReviewKind.REGULAR).exists()


def test_only_the_rounds_reviewers_score(round_, card):
    with pytest.raises(ValidationError):
        calibration_score(round_=round_, reviewer=supervisor_user("other"), answers=card.all())


def test_the_round_page_shows_scores_spread_and_agreement(round_, people, card):
    """lilis 100; dewi: transfer fail -> Handling 3/5 -> (2 + 1.8 + 1)/6 = 80.00;
    rudi: own name fail -> Opening 1/2 -> (1 + 3 + 1)/6 = 83.33.
    Range 20.00; mean 87.78; deviations 12.22, -7.78, -4.45; squares 149.38 + 60.47
    + 19.77 = 229.62, / 3 = 76.54, square root 8.75."""
    calibration_score(round_=round_, reviewer=people["lilis"], answers=card.all(), submit=True)
    calibration_score(
        round_=round_, reviewer=people["dewi"], answers=card.all(transfer="fail"), submit=True
    )
    calibration_score(
        round_=round_, reviewer=people["rudi"], answers=card.all(own_name="fail"), submit=True
    )
    page = client_for(people["lilis"]).get(reverse("reports:calibration-detail", args=[round_.pk]))
    text = page.content.decode()
    assert page.status_code == 200
    for figure in ("100.00", "80.00", "83.33", "20.00", "8.75"):
        assert figure in text
    assert text.count('class="table-warning"') == 2  # transfer and own name: disagreement
    listing = client_for(people["dewi"]).get(reverse("reports:calibration-list")).content.decode()
    assert "20.00" in listing and "8.75" in listing


def test_a_reviewer_sees_the_others_only_after_submitting(round_, people, card):
    calibration_score(
        round_=round_, reviewer=people["lilis"], answers=card.all(transfer="fail"), submit=True
    )
    url = reverse("reports:calibration-detail", args=[round_.pk])
    dewi = client_for(people["dewi"])
    before = dewi.get(url).content.decode()
    assert "80.00" not in before
    assert "hidden until you submit" in before
    response = dewi.post(
        reverse("reports:calibration-score", args=[round_.pk]),
        {**card.post_all(), "action": "submit"},
        follow=True,
    )
    after = response.content.decode()
    assert "80.00" in after and "100.00" in after


def test_scoring_with_an_error_shows_it_and_saves_nothing(round_, people, card):
    response = client_for(people["dewi"]).post(
        reverse("reports:calibration-score", args=[round_.pk]),
        {**card.post_all(own_name="na"), "action": "submit"},
    )
    assert response.status_code == 422
    assert "always applies" in response.content.decode()
    assert not Review.objects.filter(calibration=round_).exists()


def test_a_supervisor_starts_a_round(people, card):
    call = call_for(people["siti"])
    client = client_for(people["lilis"])
    response = client.post(
        reverse("reports:calibration-new"),
        {"call": call.pk, "reviewers": [people["dewi"].pk, people["rudi"].pk], "note": "x"},
    )
    round_ = CalibrationRound.objects.get()
    assert response["Location"] == reverse("reports:calibration-detail", args=[round_.pk])
    assert set(round_.reviewers.all()) == {people["dewi"], people["rudi"]}


def test_starting_a_round_with_bad_input_shows_the_errors(people, card):
    client = client_for(people["lilis"])
    response = client.post(
        reverse("reports:calibration-new"), {"call": 999999, "reviewers": [people["dewi"].pk]}
    )
    assert response.status_code == 422
    assert "There is no call with this number" in response.content.decode()
    call = call_for(people["siti"])
    response = client.post(
        reverse("reports:calibration-new"), {"call": call.pk, "reviewers": [people["dewi"].pk]}
    )
    assert response.status_code == 422
    assert "at least two reviewers" in response.content.decode()
    assert not CalibrationRound.objects.exists()


def test_operators_and_outsiders_see_no_round(round_, people, operator_client, outsider_client):
    for client in (client_for(people["siti"]), operator_client, outsider_client):
        assert client.get(reverse("reports:calibration-list")).status_code == 403
        assert (
            client.get(reverse("reports:calibration-detail", args=[round_.pk])).status_code == 403
        )
        assert client.get(reverse("reports:calibration-new")).status_code == 403


def test_an_unknown_round_is_404(people):
    assert client_for(people["lilis"]).get("/reports/calibration/999/").status_code == 404


def test_the_operator_never_sees_a_calibration_review(round_, people, card):
    calibration_score(
        round_=round_, reviewer=people["lilis"], answers=card.all(), comment="CAL", submit=True
    )
    page = client_for(people["siti"]).get(reverse("reports:my-reviews")).content.decode()
    assert "CAL" not in page and "No reviews of your calls yet." in page


def test_a_closed_round_takes_no_more_scores(round_, people, card):
    client_for(people["lilis"]).post(reverse("reports:calibration-close", args=[round_.pk]))
    round_.refresh_from_db()
    assert round_.closed_at is not None
    with pytest.raises(ValidationError, match="closed"):
        calibration_score(round_=round_, reviewer=people["dewi"], answers=card.all())


@pytest.mark.parametrize("n", [1, 10])
def test_the_list_runs_the_same_queries(people, card, n, django_assert_max_num_queries):
    for _ in range(n):
        r = calibration_start(
            call=call_for(people["siti"]),
            reviewers=[people["lilis"], people["dewi"]],
            created_by=people["lilis"],
        )
        calibration_score(round_=r, reviewer=people["dewi"], answers=card.all(), submit=True)
    client = client_for(people["lilis"])
    with django_assert_max_num_queries(9):
        response = client.get(reverse("reports:calibration-list"))
    assert response.content.decode().count("/reports/calibration/") >= n
