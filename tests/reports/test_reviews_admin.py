"""The scorecard is configured in Django admin: sections inline on the
scorecard, items inline on a section and on their own with a section filter.
Reviews are read-only there."""

import pytest
from django.urls import reverse

from reports.services.quality import review_create
from tests.reports.factories_quality import call_for, make_card, operator_user, supervisor_user

pytestmark = pytest.mark.django_db


def test_the_scorecard_shows_its_sections_inline(admin_client):
    card = make_card()
    page = admin_client.get(
        reverse("admin:reports_scorecard_change", args=[card.scorecard.pk])
    ).content.decode()
    assert "Opening" in page and "Handling" in page and "Auto-fail" in page


def test_items_are_filtered_by_section(admin_client):
    card = make_card()
    opening = card.items["greeting"].section
    page = admin_client.get(
        reverse("admin:reports_scorecarditem_changelist"), {"section__id__exact": opening.pk}
    ).content.decode()
    assert "Greeting with company name" in page
    assert "Identified the need" not in page


def test_an_item_is_added_with_its_weight_and_rules(admin_client):
    card = make_card()
    section = card.items["greeting"].section
    response = admin_client.post(
        reverse("admin:reports_scorecarditem_add"),
        {
            "section": section.pk,
            "text": "Smiled while speaking",
            "guidance": "",
            "weight": 2,
            "fails_review": "",
            "allows_na": "on",
            "order": 5,
            "active": "on",
        },
    )
    assert response.status_code == 302
    item = section.items.get(text="Smiled while speaking")
    assert (item.weight, item.fails_review, item.allows_na) == (2, False, True)
    assert item.history.count() == 1


def test_reviews_are_read_only_in_the_admin(admin_client):
    card = make_card()
    review = review_create(
        call=call_for(operator_user("siti")),
        reviewer=supervisor_user("lilis"),
        answers=card.all(),
        submit=True,
    )
    page = admin_client.get(reverse("admin:reports_review_change", args=[review.pk]))
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert (
        admin_client.get(reverse("admin:reports_review_history", args=[review.pk])).status_code
        == 200
    )
    assert admin_client.get(reverse("admin:reports_review_add")).status_code == 403
