from unittest import mock

import pytest
from django.db import OperationalError
from django.test import Client, override_settings

pytestmark = pytest.mark.django_db


def test_healthz_reports_the_database_and_broker(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    data = response.json()
    assert data["status"] == "ok"
    assert data["database"] == "ok"
    assert "broker" in data


def test_healthz_is_503_when_the_database_is_down(client):
    with mock.patch("switchboard.views.connection") as conn:
        conn.cursor.side_effect = OperationalError("could not connect to server")
        response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["database"].startswith("error")


@override_settings(CELERY_BROKER_URL="redis://127.0.0.1:1/0")
def test_healthz_is_503_when_the_broker_is_unreachable(client):
    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["broker"].startswith("error")


def test_database_outage_shows_a_friendly_503_page(operator):
    client = Client(raise_request_exception=False)
    client.force_login(operator)
    with mock.patch(
        "directory.views.search.directory_search",
        side_effect=OperationalError("could not connect to server: Connection refused"),
    ):
        response = client.get("/directory/", {"q": "budi"})

    assert response.status_code == 503
    body = response.content.decode()
    assert "temporarily unavailable" in body
    assert "Traceback" not in body


def test_outage_before_the_view_also_gives_503(operator):
    """Losing the database while loading the session reaches handler500."""
    client = Client(raise_request_exception=False)
    client.force_login(operator)
    with mock.patch(
        "django.contrib.sessions.backends.db.SessionStore.load",
        side_effect=OperationalError("server closed the connection unexpectedly"),
    ):
        response = client.get("/directory/board/")

    assert response.status_code == 503
    assert "temporarily unavailable" in response.content.decode()
