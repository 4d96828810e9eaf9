"""The daily recap in a real browser, by keyboard, at the desk's 1366x768 and
under the Content-Security-Policy (tests/browser/conftest.py fails the test on
any violation): a supervisor opens yesterday's recap, follows a figure to its
calls, comes back, comments and signs it off; printed, the page hides the
navigation and the buttons."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from reports.services.recap import local_today, recap_build
from switchboard.roles import OPERATOR
from tests.factories import CallerFactory, UserFactory
from tests.reports.factories_recap import at, call, supervisor_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _tab_to(page, locator, limit=120):
    for _ in range(limit):
        page.keyboard.press("Tab")
        if locator.evaluate("el => el === document.activeElement"):
            return
    raise AssertionError("could not reach the element by Tab")


def test_a_supervisor_reviews_and_signs_off_yesterdays_recap(live_server, page, log_in):
    yesterday = local_today() - timedelta(days=1)
    siti = UserFactory(username="siti", first_name="Siti", roles=[OPERATOR])
    ani = CallerFactory(number="+6281210000001")
    for hour in (8, 9, 9, 14):
        call(siti, at(yesterday, hour, 5), caller=ani)
    call(siti, at(yesterday, 10), outcome="no_answer", caller=ani)
    recap_build(day=yesterday)
    supervisor_user("lilis", first_name="Lilis", last_name="Suryani")
    log_in("lilis")

    page.goto(f"{live_server.url}/reports/recaps/")
    _tab_to(page, page.get_by_role("link", name="Yesterday's recap"))
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/reports/recaps/{yesterday.isoformat()}/")
    expect(page.locator("[data-status]")).to_have_text("Built")
    total = page.locator('[data-figure="calls.total"]')
    expect(total).to_have_text("5")

    # Follow the figure to the call log: exactly its five calls.
    _tab_to(page, total)
    page.keyboard.press("Enter")
    page.wait_for_url("**/calls/?*")
    expect(page.locator("table.sb-call-log tbody tr")).to_have_count(5)
    page.go_back()
    page.wait_for_url(f"**/reports/recaps/{yesterday.isoformat()}/")

    comment = page.locator("#id_comment")
    _tab_to(page, comment, limit=400)
    page.keyboard.type("Satu panggilan tak terjawab belum ditelepon balik.")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.get_by_text("The comment is saved.")).to_be_visible()
    expect(page.locator("[data-comment]")).to_have_text(
        "Satu panggilan tak terjawab belum ditelepon balik."
    )

    _tab_to(page, page.locator('[data-action="sign-off"]'), limit=400)
    page.keyboard.press("Enter")
    expect(page.get_by_text("The recap is signed off.")).to_be_visible()
    expect(page.locator("[data-status]")).to_have_text("Signed off")
    expect(page.locator("[data-signed-by]")).to_contain_text("Lilis Suryani")

    page.emulate_media(media="print")
    expect(page.locator("nav.sb-nav")).to_be_hidden()
    expect(page.get_by_role("button", name="Print")).to_be_hidden()
    expect(page.locator('[data-figure="calls.total"]')).to_be_visible()
    page.emulate_media(media="screen")
