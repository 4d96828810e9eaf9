from urllib.parse import urlsplit

import pytest

from tests.factories import PASSWORD

VIEWPORT = {"width": 1366, "height": 768}  # the front desk's screen

# Asset requests whose failure breaks a page (a missing script, stylesheet, icon).
# Documents, XHR and fetch answer 4xx on purpose (a refused form is a 422).
ASSET_TYPES = {"stylesheet", "script", "image", "font", "media", "manifest", "texttrack", "other"}

# Runs in every document before its own scripts: hands each Content-Security-Policy
# violation to Python through the binding that BrowserProblems exposes.
REPORT_CSP_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", function (event) {
  window.__sbReportCspViolation({
    directive: event.effectiveDirective || event.violatedDirective,
    blocked: event.blockedURI,
    source: event.sourceFile,
    line: event.lineNumber,
    sample: event.sample,
    document: event.documentURI,
  });
}, true);
"""


class BrowserProblems:
    """Everything that went wrong in a page while a test drove it: console errors,
    uncaught page errors, same-origin assets answering >= 400, and CSP violations.
    The autouse fixture below fails the test at teardown if any were seen."""

    def __init__(self, page, origin: str | None = None):
        self.page = page
        self.origin = origin
        self.console_errors: list[str] = []
        self.page_errors: list[str] = []
        self.failed_assets: list[str] = []
        self.csp_violations: list[str] = []
        page.expose_binding("__sbReportCspViolation", self._on_csp_violation)
        page.add_init_script(REPORT_CSP_VIOLATIONS)
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.page_errors.append(str(error)))
        page.on("response", self._on_response)

    def _on_console(self, message):
        if message.type != "error":
            return
        text = message.text
        # Both have a record of their own, with the details: the violation event
        # below, and the response (for assets) above.
        if "Content Security Policy" in text or text.startswith("Failed to load resource"):
            return
        self.console_errors.append(text)

    def _on_response(self, response):
        if response.status < 400 or response.request.resource_type not in ASSET_TYPES:
            return
        if self._same_origin(response.url):
            self.failed_assets.append(f"{response.status} {response.url}")

    def _on_csp_violation(self, _source, report):
        where = f"{report.get('source') or report.get('document')}:{report.get('line')}"
        text = f"{report.get('directive')} blocked {report.get('blocked')!r} at {where}"
        if report.get("sample"):
            text += f" ({report['sample']})"
        self.csp_violations.append(text)

    def _same_origin(self, url: str) -> bool:
        a, b = urlsplit(url), urlsplit(self.origin or self.page.url)
        return (a.scheme, a.netloc) == (b.scheme, b.netloc)

    def report(self) -> list[str]:
        return [
            *(f"console error: {t}" for t in self.console_errors),
            *(f"page error: {t}" for t in self.page_errors),
            *(f"asset failed: {t}" for t in self.failed_assets),
            *(f"CSP violation: {t}" for t in self.csp_violations),
        ]


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": VIEWPORT}


@pytest.fixture(autouse=True)
def browser_problems(request):
    """Watches the test's page (any browser test that uses `page`) and fails the
    test at teardown on any console error, page error, failed same-origin asset or
    Content-Security-Policy violation."""
    if "page" not in request.fixturenames:
        yield None
        return
    page = request.getfixturevalue("page")
    origin = (
        request.getfixturevalue("live_server").url
        if "live_server" in request.fixturenames
        else None
    )
    problems = BrowserProblems(page, origin)
    yield problems
    # Let late events (a violation from the last swap) arrive before judging.
    if not page.is_closed():
        page.wait_for_timeout(50)
    found = problems.report()
    if found:
        pytest.fail("The browser reported problems:\n  " + "\n  ".join(found), pytrace=False)


@pytest.fixture
def log_in(live_server, page):
    """Log in through the real form, the way a person does."""

    def _log_in(username):
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", PASSWORD)
        page.keyboard.press("Enter")
        page.wait_for_url(lambda url: "/accounts/login/" not in url)
        return page

    return _log_in
