"""Call quality in a real browser, keyboard only, at the desk's 1366x768,
under the Content-Security-Policy: a supervisor scores a call (1/2/3 keys,
the live preview matching the server's score) and submits it; the operator
reads it in My reviews and acknowledges it."""

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from reports.models import Review, ReviewStatus
from tests.reports.factories_quality import call_for, make_card

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def setup(operator, supervisor):
    card = make_card()
    call = call_for(
        operator,
        started_at=timezone.now() - timezone.timedelta(hours=2),
        purpose="Menanyakan tagihan",
    )
    return card, call


def focused_text(page) -> str:
    return page.evaluate("document.activeElement && document.activeElement.textContent.trim()")


def test_a_supervisor_scores_a_call_and_the_operator_acknowledges_it(
    setup, live_server, log_in, page
):
    card, call = setup
    page = log_in("sup")
    page.goto(f"{live_server.url}{reverse('reports:review-create', args=[call.pk])}")
    expect(page.get_by_text("Menanyakan tagihan")).to_be_visible()
    first = page.locator(f"#id_item_{card.items['greeting'].pk}_0")
    expect(first).to_be_focused()
    preview = page.locator("[data-score-preview]")
    expect(preview).to_have_text("—")
    # greeting, own name (missed), need, transfer, dead air, thanked, offered help (N/A), rude
    for key in ["1", "2", "1", "1", "1", "1", "3", "1"]:
        page.keyboard.press(key)
    # Opening 1/2, Handling 5/5, Closing 1/1: (2*0.5 + 3 + 1) / 6 = 83.33
    expect(preview).to_have_text("83.33")
    expect(page.locator("#id_comment")).to_be_focused()
    page.keyboard.type("Salam bagus; sebutkan nama Anda.")
    page.keyboard.press("Tab")
    page.keyboard.type("Latihan salam pembuka dengan nama.")
    page.keyboard.press("Tab")
    assert focused_text(page) == "Submit to the operator"
    page.keyboard.press("Enter")
    expect(page.get_by_text("Review submitted: 83.33")).to_be_visible()
    review = Review.objects.get(call=call)
    assert review.status == ReviewStatus.SUBMITTED
    assert str(review.score) == "83.33"

    page.context.clear_cookies()
    page = log_in("op")
    page.goto(f"{live_server.url}{reverse('reports:my-reviews')}")
    expect(page.get_by_text("Latihan salam pembuka dengan nama.")).to_be_visible()
    expect(page.locator(f"#review-{review.pk}-title")).to_be_focused()
    for _ in range(5):
        if focused_text(page) == "Acknowledge":
            break
        page.keyboard.press("Tab")
    assert focused_text(page) == "Acknowledge"
    page.keyboard.press("Enter")
    expect(page.get_by_text("Review acknowledged")).to_be_visible()
    expect(page.get_by_text("You acknowledged this review")).to_be_visible()
    review.refresh_from_db()
    assert review.status == ReviewStatus.ACKNOWLEDGED


def test_an_item_that_always_applies_refuses_n_a_and_the_error_takes_the_focus(
    setup, live_server, log_in, page
):
    card, call = setup
    page = log_in("sup")
    page.goto(f"{live_server.url}{reverse('reports:review-create', args=[call.pk])}")
    expect(page.locator(f"#id_item_{card.items['greeting'].pk}_0")).to_be_focused()
    # "3" (not applicable) on own name, which always applies, does nothing.
    page.keyboard.press("1")
    own_name = page.locator(f"#id_item_{card.items['own_name'].pk}_0")
    expect(own_name).to_be_focused()
    page.keyboard.press("3")
    expect(own_name).to_be_focused()
    expect(own_name).not_to_be_checked()
    # Submitted with one answer: the first item left unanswered is named and focused.
    page.locator("button[value=submit]").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("Answer this item before submitting.").first).to_be_visible()
    expect(page.locator(f"#id_item_{card.items['own_name'].pk}_0")).to_be_focused()
    expect(page.locator("[data-score-preview]")).to_have_text("100.00")  # greeting 1/1
    assert not Review.objects.exists()


@pytest.mark.parametrize(
    "keys",
    [
        "21112111",  # greeting missed
        "11121231",  # transfer and thanked missed, offered help N/A
        "11333112",  # rude: auto-fail
        "12213323",  # much missed, several N/A
    ],
)
def test_the_preview_matches_the_servers_score(setup, live_server, log_in, page, keys):
    from reports import scoring
    from reports.services.quality import scorecard_items, scoring_items

    card, call = setup
    page = log_in("sup")
    page.goto(f"{live_server.url}{reverse('reports:review-create', args=[call.pk])}")
    answers = {}
    order = list(card.items.values())
    index = 0
    for key in keys:
        item = order[index]
        answer = {"1": "pass", "2": "fail", "3": "na"}[key]
        page.keyboard.press(key)
        if answer == "na" and not item.allows_na:
            continue  # refused: the same item keeps the focus
        answers[item.pk] = answer
        index += 1
        if index == len(order):
            break
    result = scoring.score(scoring_items(scorecard_items(card.scorecard)), answers)
    expected = "—" if result.score is None else str(result.score)
    expect(page.locator("[data-score-preview]")).to_have_text(expected)
    badge = page.locator("[data-autofail-preview]")
    if result.auto_failed:
        expect(badge).to_be_visible()
    else:
        expect(badge).to_be_hidden()
