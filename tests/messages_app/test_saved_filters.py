"""Saved filters of the complaint list: saved under a name, private or
shared, only the list's own parameters kept (checked); a name already used is
said next to the name; the menu on the list shows mine and the shared ones;
only the owner deletes."""

import pytest
from django.urls import reverse

from messages_app.models import SavedFilter
from messages_app.services.saved_filters import saved_filter_query
from switchboard.roles import SUPERVISOR
from tests.factories import UserFactory
from tests.messages_app.complaint_world import *  # noqa: F403  (the fixtures)

pytestmark = pytest.mark.django_db

LIST = reverse("messages_app:complaint-list")
NEW = reverse("messages_app:complaint-filter-new")


def save(client, name, query, shared=False):
    data = {"name": name, "query": query}
    if shared:
        data["shared"] = "on"
    return client.post(NEW, data)


@pytest.fixture
def colleague_client(client):
    client.force_login(UserFactory(username="sup2", roles=[SUPERVISOR]))
    return client


def test_the_save_page_shows_what_the_filter_holds(supervisor_client, finance):
    response = supervisor_client.get(NEW, {"status": ["open", "closed"], "department": finance.pk})

    html = response.content.decode()
    assert "Status:</span> Any open, Closed" in html
    assert "Department:</span> Keuangan" in html
    assert f'value="status=open&amp;status=closed&amp;department={finance.pk}"' in html


def test_a_saved_filter_opens_the_list_it_was_saved_from(supervisor_client, supervisor, finance):
    query = f"department={finance.pk}&status=routed&sort=-reference&page=3&junk=1"

    response = save(supervisor_client, "Keuangan baru", query)

    saved = SavedFilter.objects.get()
    assert (saved.owner, saved.name, saved.shared) == (supervisor, "Keuangan baru", False)
    assert saved.query == f"status=routed&department={finance.pk}&sort=-reference"
    assert response.status_code == 302
    assert response["Location"] == f"{LIST}?{saved.query}"
    page = supervisor_client.get(response["Location"]).content.decode()
    assert 'aria-current="true" data-saved-filter="Keuangan baru"' in page


def test_a_private_filter_is_nobody_elses_and_a_shared_one_everyones(
    supervisor_client, colleague_client, staff_client
):
    save(supervisor_client, "Mine only", "status=new")
    save(supervisor_client, "For everyone", "severity=critical", shared=True)

    assert 'data-saved-filter="Mine only"' in supervisor_client.get(LIST).content.decode()
    for client in (colleague_client, staff_client):
        html = client.get(LIST).content.decode()
        assert 'data-saved-filter="Mine only"' not in html
        assert 'data-saved-filter="For everyone"' in html


def test_a_name_already_used_is_said_next_to_the_name(supervisor_client, colleague_client):
    save(supervisor_client, "Overdue", "overdue=on")

    response = save(supervisor_client, " overdue ", "status=new")

    assert response.status_code == 422
    assert "You already have a filter named “overdue”." in response.content.decode()
    assert SavedFilter.objects.count() == 1
    # Another user may use the same name.
    assert save(colleague_client, "Overdue", "status=new").status_code == 302


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("status=sleeping", "This filter is not valid"),
        ("", "Choose at least one filter on the list first."),
        ("page=4&junk=1", "Choose at least one filter on the list first."),
    ],
)
def test_a_filter_the_list_would_refuse_is_not_saved(supervisor_client, query, message):
    response = save(supervisor_client, "Broken", query)

    assert response.status_code == 422
    assert message in response.content.decode()
    assert not SavedFilter.objects.exists()


def test_an_empty_name_is_refused(supervisor_client):
    response = save(supervisor_client, "   ", "status=new")

    assert response.status_code == 422
    assert "Give the filter a name." in response.content.decode()


def test_only_the_owner_deletes_a_filter(supervisor_client, colleague_client):
    save(supervisor_client, "Shared", "status=new", shared=True)
    saved = SavedFilter.objects.get()
    url = reverse("messages_app:complaint-filter-delete", args=[saved.pk])

    assert colleague_client.post(url).status_code == 404
    assert "Delete the filter Shared" not in colleague_client.get(LIST).content.decode()
    assert "Delete the filter Shared" in supervisor_client.get(LIST).content.decode()
    response = supervisor_client.post(url, follow=True)

    assert "Filter “Shared” deleted." in response.content.decode()
    assert not SavedFilter.objects.exists()


def test_the_stored_query_is_canonical(finance, billing):
    query = saved_filter_query(
        f"sort=reference,bogus&category={billing.pk}&q=+kartu+&status=new&status=new&per_page=500"
    )

    assert query == f"q=kartu&status=new&category={billing.pk}&sort=reference"
