"""The shift handover in a real browser, by keyboard, at 1366x768 under the
Content-Security-Policy: the outgoing operator hands over with a note, the
incoming operator sees it waiting and acknowledges it."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from calls.models import Outcome
from reports.models import ShiftHandover
from tests.factories import CallFactory
from tests.reports.factories_handover import next_shift, shift_around_now
from tests.reports.factories_roster import make_operator

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _tab_to(page, locator, most=60):
    for _ in range(most):
        page.keyboard.press("Tab")
        if locator.evaluate("el => el === document.activeElement"):
            return
    raise AssertionError("Tab never reached the element")


def test_outgoing_hands_over_with_a_note_and_incoming_acknowledges(live_server, page, log_in):
    rina = make_operator("rina", first_name="Rina")
    make_operator("agus", first_name="Agus")
    _entry, start = shift_around_now(rina)
    from django.contrib.auth import get_user_model

    next_shift(get_user_model().objects.get(username="agus"), start)
    CallFactory(operator=rina, started_at=timezone.now() - timedelta(minutes=3),
                outcome=Outcome.TRANSFERRED)  # fmt: skip

    log_in("rina")
    page.goto(f"{live_server.url}/reports/handover/")
    expect(page.locator('[data-figure="calls"]').first).to_have_text("1")
    _tab_to(page, page.locator("#id_note"))
    page.keyboard.type("Pak Joko (PT Maju) menunggu telepon balik jam 16.00")
    page.keyboard.press("Tab")  # the Hand over button
    page.keyboard.press("Enter")
    expect(page.locator("[data-handed-over]")).to_contain_text("waiting for the next shift")
    assert ShiftHandover.objects.get().note.startswith("Pak Joko")

    page.context.clear_cookies()
    log_in("agus")
    page.goto(f"{live_server.url}/reports/handover/")
    waiting = page.locator("[data-waiting-handover]")
    expect(waiting).to_have_count(1)
    expect(waiting).to_contain_text("Pak Joko (PT Maju)")
    expect(waiting).to_contain_text("Rina")
    _tab_to(page, waiting.get_by_role("button", name="Acknowledge"))
    page.keyboard.press("Enter")
    expect(page.locator(".alert-success")).to_contain_text("You acknowledged Rina")
    expect(page.locator("[data-nothing-waiting]")).to_be_visible()
    handover = ShiftHandover.objects.get()
    assert handover.acknowledged_by.username == "agus"
