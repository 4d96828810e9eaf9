"""The browser-problem collector of tests/browser/conftest.py: it must see what the
Content-Security-Policy blocks, and what else goes wrong in a page, or the browser
tests could not fail on it."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def inject(page, html: str):
    """Puts markup into the page the way a stored-XSS payload would arrive."""
    page.evaluate("html => document.body.insertAdjacentHTML('beforeend', html)", html)


def test_an_inline_script_is_blocked_and_recorded(live_server, page, browser_problems):
    response = page.goto(f"{live_server.url}/accounts/login/")
    assert "script-src 'self'" in response.headers["content-security-policy"]

    page.evaluate(
        """() => {
          const script = document.createElement("script");
          script.textContent = "window.sbInlineRan = true;";
          document.body.appendChild(script);
        }"""
    )
    inject(page, '<img src="data:," onerror="window.sbHandlerRan = true">')
    page.wait_for_function("() => document.readyState === 'complete'")
    page.wait_for_timeout(100)

    assert page.evaluate("window.sbInlineRan") is None
    assert page.evaluate("window.sbHandlerRan") is None
    directives = [v.split(" ")[0] for v in browser_problems.csp_violations]
    assert directives.count("script-src-elem") == 1, browser_problems.csp_violations
    assert "script-src-attr" in directives
    browser_problems.csp_violations.clear()  # seen on purpose: not a failure here


def test_inline_styles_and_other_page_problems_are_recorded(live_server, page, browser_problems):
    page.goto(f"{live_server.url}/accounts/login/")

    inject(page, '<p id="styled" style="color: rgb(255, 0, 0)">x</p>')
    inject(page, '<img id="missing" src="/static/no-such-icon.png" alt="">')
    page.evaluate("() => setTimeout(() => { throw new Error('boom from the page'); })")
    page.evaluate("() => console.error('something broke')")
    expect(page.locator("#styled")).not_to_have_css("color", "rgb(255, 0, 0)")
    page.wait_for_timeout(200)

    assert [v.split(" ")[0] for v in browser_problems.csp_violations] == ["style-src-attr"]
    assert any("/static/no-such-icon.png" in a for a in browser_problems.failed_assets)
    assert any("boom from the page" in e for e in browser_problems.page_errors)
    assert browser_problems.console_errors == ["something broke"]
    assert len(browser_problems.report()) == 4
    for found in (
        browser_problems.csp_violations,
        browser_problems.failed_assets,
        browser_problems.page_errors,
        browser_problems.console_errors,
    ):
        found.clear()


def test_pages_open_at_the_desk_screen_size(live_server, page):
    page.goto(f"{live_server.url}/accounts/login/")

    assert page.viewport_size == {"width": 1366, "height": 768}
