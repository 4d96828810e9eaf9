"""Every kind of response carries the Content-Security-Policy and the
Permissions-Policy; the admin alone may use inline styles. Also the small
rough edges: the admin's branding and the favicon."""

import xml.etree.ElementTree as ET
from unittest import mock

import pytest
from django.conf import settings
from django.db import OperationalError
from django.test import Client

from tests.factories import StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

STRICT = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "object-src": "'none'",
    "base-uri": "'self'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
}
DENIED_FEATURES = ("camera", "microphone", "geolocation", "payment", "usb")


def policy(response) -> dict[str, str]:
    header = response.headers["Content-Security-Policy"]
    directives = [part.strip().split(" ", 1) for part in header.split(";") if part.strip()]
    return {name: value for name, value in directives}


def assert_strict(response):
    found = policy(response)
    for name, value in STRICT.items():
        assert found.get(name) == value, (name, response.headers["Content-Security-Policy"])
    assert "unsafe" not in response.headers["Content-Security-Policy"]
    assert_permissions_policy(response)


def assert_permissions_policy(response):
    features = dict(
        item.strip().split("=", 1) for item in response.headers["Permissions-Policy"].split(",")
    )
    for feature in DENIED_FEATURES:
        assert features.get(feature) == "()", feature


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_staff=True, is_superuser=True)


def test_a_full_page(operator_client):
    response = operator_client.get("/directory/board/")

    assert response.status_code == 200
    assert_strict(response)


def test_an_htmx_partial(operator_client):
    StaffFactory(full_name="Budi Santoso")
    response = operator_client.get("/directory/", {"q": "bud"}, HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    assert "<html" not in response.content.decode()
    assert_strict(response)


def test_json(operator_client):
    response = operator_client.get("/api/directory/search", {"q": "bud"})

    assert response["Content-Type"].startswith("application/json")
    assert_strict(response)


def test_not_found(operator_client):
    response = operator_client.get("/no/such/page/")

    assert response.status_code == 404
    assert_strict(response)


def test_forbidden(outsider_client):
    response = outsider_client.get("/directory/")

    assert response.status_code == 403
    assert_strict(response)


def test_the_log_in_page_and_a_redirect_to_it(client):
    assert_strict(client.get("/accounts/login/"))
    redirect = client.get("/directory/")
    assert redirect.status_code == 302
    assert_strict(redirect)


def test_the_server_error_and_outage_pages(operator):
    client = Client(raise_request_exception=False)
    client.force_login(operator)
    with mock.patch("directory.views.search.directory_search", side_effect=RuntimeError("bug")):
        error = client.get("/directory/", {"q": "budi"})
    with mock.patch(
        "directory.views.search.directory_search", side_effect=OperationalError("gone")
    ):
        outage = client.get("/directory/", {"q": "budi"})

    assert (error.status_code, outage.status_code) == (500, 503)
    assert_strict(error)
    assert_strict(outage)


def test_a_lock_out(client):
    UserFactory(username="ani")
    for _ in range(5):
        response = client.post("/accounts/login/", {"username": "ani", "password": "typo"})

    assert response.status_code == 429
    assert_strict(response)


def test_the_admin_may_use_inline_styles_but_no_inline_scripts(superuser):
    client = Client()
    client.force_login(superuser)

    for url in ("/admin/", "/admin/directory/staff/", "/admin/login/"):
        response = client.get(url)
        assert response.status_code in (200, 302), url
        found = policy(response)
        assert found["style-src"] == "'self' 'unsafe-inline'"
        assert found["script-src"] == "'self'"
        assert {k: v for k, v in found.items() if k != "style-src"} == {
            k: v for k, v in policy(Client().get("/accounts/login/")).items() if k != "style-src"
        }
        assert_permissions_policy(response)


def test_the_debug_error_pages_keep_their_inline_styles(operator_client, settings):
    """With DEBUG on, Django's technical 404 page needs inline styles; only it is
    left without a policy (a page that works still gets it)."""
    settings.DEBUG = True

    missing = operator_client.get("/no/such/page/")
    page = operator_client.get("/directory/board/")

    assert missing.status_code == 404
    assert "Content-Security-Policy" not in missing.headers
    assert_permissions_policy(missing)
    assert_strict(page)


def test_pages_load_htmx_configured_for_the_policy(operator_client):
    page = operator_client.get("/directory/board/").content.decode()

    # htmx would otherwise inject an inline <style> for its indicators.
    assert (
        """<meta name="htmx-config" content='{"includeIndicatorStyles": false, """
        """"allowEval": false, "allowScriptTags": false}'>"""
    ) in page
    htmx = (settings.BASE_DIR / "static/vendor/htmx.min.js").read_text()
    for option in ("includeIndicatorStyles", "allowEval", "allowScriptTags"):
        assert f"{option}:" in htmx  # the names this htmx version reads
    css = (settings.BASE_DIR / "static/css/switchboard.css").read_text()
    assert ".htmx-request .htmx-indicator" in css


# --- admin branding and the favicon ---------------------------------------------------


def test_the_admin_is_branded_switchboard(superuser):
    client = Client()
    client.force_login(superuser)

    page = client.get("/admin/").content.decode()

    assert "Switchboard administration" in page
    assert "<title>Directory, calls and users | Switchboard admin</title>" in page
    assert "Django administration" not in page
    assert "Django site admin" not in page


def test_favicon_ico_redirects_to_the_vendored_svg_without_a_log_in(client):
    response = client.get("/favicon.ico")

    assert response.status_code == 302
    assert response["Location"] == "/static/favicon.svg"
    assert "max-age=86400" in response["Cache-Control"]
    svg = ET.parse(settings.BASE_DIR / "static/favicon.svg").getroot()  # noqa: S314 - our file
    assert svg.tag == "{http://www.w3.org/2000/svg}svg"


def test_pages_link_the_icon(client, superuser):
    login = client.get("/accounts/login/").content.decode()
    client.force_login(superuser)
    admin = client.get("/admin/").content.decode()

    for page in (login, admin):
        assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in page
