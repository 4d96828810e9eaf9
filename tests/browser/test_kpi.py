"""The KPI pages in a real browser, by keyboard, at the desk's 1366x768 and
under the Content-Security-Policy (tests/browser/conftest.py fails the test on
any violation): a supervisor opens March's table, goes to an operator's sheet,
signs it off; printed, the sheet hides the navigation; the operator sees the
sign-off on their own page."""

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD, UserFactory
from tests.reports.kpi_world import MONTH, make_month

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_supervisor_signs_off_a_sheet_by_keyboard(live_server, page, log_in):
    ani = make_month(UserFactory(username="ani", first_name="Ani", roles=["Operator"]))
    UserFactory(username="lilis", roles=["Supervisor"])
    log_in("lilis")
    page.goto(f"{live_server.url}/reports/kpis/?month={MONTH:%Y-%m}")
    row = page.locator(f'tr[data-operator="{ani.pk}"]')
    expect(row.locator('[data-kpi="discipline"]')).to_have_text("66.7%")
    expect(row.locator('[data-kpi="quality"]')).to_have_attribute("data-state", "missed")

    # Tab through the page to the operator's name, then Enter.
    link = row.locator("th a")
    for _ in range(40):
        page.keyboard.press("Tab")
        if link.evaluate("el => el === document.activeElement"):
            break
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/reports/kpis/{ani.pk}/{MONTH:%Y-%m}/")
    expect(page.locator('[data-sign-off-state="none"]')).to_be_visible()

    page.locator("#id_note").focus()
    page.keyboard.type("Dibahas dengan Ani")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.locator('[data-sign-off-state="signed"]')).to_be_visible()
    expect(page.get_by_text("Dibahas dengan Ani")).to_be_visible()

    page.emulate_media(media="print")
    expect(page.locator("nav.sb-nav")).to_be_hidden()
    expect(page.get_by_role("button", name="Print")).to_be_hidden()
    expect(page.locator('tr[data-month="2025-03"]')).to_be_visible()
    page.emulate_media(media="screen")

    page.context.clear_cookies()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "ani")
    page.fill("#id_password", PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    page.goto(f"{live_server.url}/reports/my/kpis/?month={MONTH:%Y-%m}")
    expect(page.locator('[data-sign-off-state="signed"]')).to_be_visible()
    expect(page.get_by_role("button", name="Sign off these figures")).to_have_count(0)
