"""The supervisor's dashboard in a real browser at 1366x768 under the
Content-Security-Policy: it refreshes itself (a call logged meanwhile
appears after the poll, without a reload), R refreshes at once, and its
links are reached by keyboard."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from calls.models import Direction, Outcome
from tests.factories import CallerFactory, CallFactory, UserFactory
from tests.reports.factories_roster import make_operator

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def fast_poll(monkeypatch):
    monkeypatch.setattr("reports.views.dashboard.POLL_SECONDS", 2)


def _call(op, **kw):
    now = timezone.now()
    start = max(now - timedelta(minutes=2), timezone.localtime(now).replace(hour=0, minute=1))
    return CallFactory(operator=op, started_at=start, **kw)


def test_a_supervisors_dashboard_refreshes_itself(live_server, page, log_in, fast_poll):
    op = make_operator("rina")
    UserFactory(username="lilis", roles=["Supervisor"])
    _call(op, outcome=Outcome.TRANSFERRED)
    log_in("lilis")  # supervisors land on the dashboard
    expect(page).to_have_url(f"{live_server.url}/reports/dashboard/")
    today = page.locator('[data-figure="calls-today"]')
    expect(today).to_have_text("1")
    page.evaluate("window.__sbSameDocument = true")

    _call(op, outcome=Outcome.NO_ANSWER, direction=Direction.INCOMING,
          caller=CallerFactory(name="Bu Sinta"))  # fmt: skip
    expect(today).to_have_text("2", timeout=10_000)
    expect(page.locator('[data-figure="callbacks"]')).to_have_text("1")
    assert page.evaluate("window.__sbSameDocument") is True  # swapped, not reloaded

    # The waiting call-back is a link, reached by keyboard; Enter opens the call.
    link = page.locator("[data-callback] a")
    for _ in range(60):
        page.keyboard.press("Tab")
        if link.evaluate("el => el === document.activeElement"):
            break
    else:
        raise AssertionError("Tab never reached the call-back")
    page.keyboard.press("Enter")
    page.wait_for_url("**/calls/*/")


def test_r_refreshes_at_once(live_server, page, log_in):
    op = make_operator("rina")
    UserFactory(username="lilis", roles=["Supervisor"])
    log_in("lilis")
    today = page.locator('[data-figure="calls-today"]')
    expect(today).to_have_text("0")
    _call(op, outcome=Outcome.TRANSFERRED)
    page.locator("h1").click()
    page.keyboard.press("r")
    expect(today).to_have_text("1", timeout=5_000)
