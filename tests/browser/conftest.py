import pytest

from tests.factories import PASSWORD


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
