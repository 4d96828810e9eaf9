"""Phone-line incidents: the services (history, the close race), the pages
(permissions, invalid input, the list's order and filters) and the console's
banner."""

import threading
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from calls.models import IncidentKind, PhoneLineIncident
from calls.services_incidents import (
    IncidentConflict,
    incident_close,
    incident_create,
    incident_update,
    incident_version,
)

pytestmark = pytest.mark.django_db


def _incident(by, **kwargs):
    values = {
        "line": "Trunk 1 (Telkom)",
        "kind": IncidentKind.OUTAGE,
        "started_at": timezone.now() - timedelta(hours=2),
        "ticket_reference": "TLK-123",
        "contacted": "Telkom 147",
    }
    values.update(kwargs)
    return incident_create(by=by, **values)


# Services -------------------------------------------------------------------------


def test_create_logs_an_open_incident_with_its_history(supervisor):
    incident = _incident(supervisor)
    assert incident.is_open and incident.logged_by == supervisor
    first = incident.history.get()
    assert first.history_type == "+" and first.history_user == supervisor


def test_create_refuses_a_future_start_and_saves_nothing(supervisor):
    with pytest.raises(ValidationError) as caught:
        _incident(supervisor, started_at=timezone.now() + timedelta(hours=1))
    assert "started_at" in caught.value.message_dict
    assert not PhoneLineIncident.objects.exists()


def test_close_stamps_who_and_when_and_keeps_the_history(supervisor):
    incident = _incident(supervisor)
    now = timezone.now()
    closed = incident_close(incident=incident, by=supervisor, ended_at=now, notes="Card replaced")
    assert closed.ended_at == now and closed.closed_by == supervisor
    assert "Card replaced" in closed.notes
    assert closed.duration() == now - incident.started_at
    assert [h.history_type for h in closed.history.order_by("history_id")] == ["+", "~"]
    assert closed.history.order_by("-history_id").first().ended_at == now


def test_close_before_the_start_is_refused_on_the_end_field(supervisor):
    incident = _incident(supervisor)
    with pytest.raises(ValidationError) as caught:
        incident_close(
            incident=incident, by=supervisor, ended_at=incident.started_at - timedelta(1)
        )
    assert "ended_at" in caught.value.message_dict
    incident.refresh_from_db()
    assert incident.is_open


def test_the_second_close_is_told_who_closed_it(supervisor):
    from switchboard.roles import SUPERVISOR
    from tests.factories import UserFactory

    other = UserFactory(username="sup2", first_name="Dewi", roles=[SUPERVISOR])
    incident = _incident(supervisor)
    stale = PhoneLineIncident.objects.get(pk=incident.pk)
    incident_close(incident=incident, by=other)
    with pytest.raises(IncidentConflict) as caught:
        incident_close(incident=stale, by=supervisor)
    assert "Dewi" in str(caught.value)
    assert PhoneLineIncident.objects.get(pk=incident.pk).closed_by == other


@pytest.mark.django_db(transaction=True)
def test_two_supervisors_closing_at_once_one_wins(supervisor):
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent connections (PostgreSQL)")
    from switchboard.roles import SUPERVISOR
    from tests.factories import UserFactory

    other = UserFactory(username="sup2", roles=[SUPERVISOR])
    incident = _incident(supervisor)
    results, barrier = [], threading.Barrier(2)

    def close(user):
        copy = PhoneLineIncident.objects.get(pk=incident.pk)
        barrier.wait()
        try:
            incident_close(incident=copy, by=user)
            results.append("closed")
        except IncidentConflict:
            results.append("conflict")
        finally:
            connection.close()

    threads = [threading.Thread(target=close, args=(u,)) for u in (supervisor, other)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["closed", "conflict"]
    assert PhoneLineIncident.objects.get(pk=incident.pk).history.count() == 2


def test_an_edit_on_a_stale_copy_is_refused(supervisor):
    incident = _incident(supervisor)
    version = incident_version(incident)
    incident_update(incident=incident, by=supervisor, version=version, notes="Technician on site")
    with pytest.raises(IncidentConflict):
        incident_update(incident=incident, by=supervisor, version=version, notes="Overwrite")
    assert PhoneLineIncident.objects.get(pk=incident.pk).notes == "Technician on site"


# Pages ------------------------------------------------------------------------------


def test_supervisor_logs_an_incident_through_the_form(supervisor_client, supervisor):
    started = timezone.localtime() - timedelta(minutes=30)
    response = supervisor_client.post(
        reverse("calls:incident-new"),
        {
            "line": "Trunk 2 (Indosat)",
            "kind": IncidentKind.NO_DIAL_TONE,
            "started_at": started.strftime("%Y-%m-%dT%H:%M"),
            "ended_at": "",
            "contacted": "Indosat NOC",
            "ticket_reference": "IND-9",
            "description": "",
            "notes": "",
        },
    )
    assert response.status_code == 302
    incident = PhoneLineIncident.objects.get()
    assert incident.line == "Trunk 2 (Indosat)" and incident.logged_by == supervisor
    assert incident.is_open and incident.history.count() == 1


def test_invalid_form_shows_the_field_error_and_saves_nothing(supervisor_client):
    future = timezone.localtime() + timedelta(hours=3)
    response = supervisor_client.post(
        reverse("calls:incident-new"),
        {"line": "", "kind": "outage", "started_at": future.strftime("%Y-%m-%dT%H:%M")},
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert 'data-error-for="line"' in html
    assert not PhoneLineIncident.objects.exists()
    response = supervisor_client.post(
        reverse("calls:incident-new"),
        {"line": "Trunk 1", "kind": "outage", "started_at": future.strftime("%Y-%m-%dT%H:%M")},
    )
    assert response.status_code == 422
    assert "An incident cannot start in the future." in response.content.decode()
    assert not PhoneLineIncident.objects.exists()


def test_close_page_closes_and_a_second_close_says_so(supervisor_client, supervisor):
    incident = _incident(supervisor)
    url = reverse("calls:incident-close", args=[incident.pk])
    now = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    response = supervisor_client.post(url, {"ended_at": now, "notes": "Back"}, follow=True)
    assert "Incident closed" in response.content.decode()
    assert not PhoneLineIncident.objects.get().is_open
    response = supervisor_client.post(url, {"ended_at": now}, follow=True)
    assert "closed already" in response.content.decode()


def test_close_page_with_a_bad_time_shows_the_error(supervisor_client, supervisor):
    incident = _incident(supervisor)
    response = supervisor_client.post(
        reverse("calls:incident-close", args=[incident.pk]), {"ended_at": "yesterday-ish"}
    )
    assert response.status_code == 422
    assert 'data-error-for="ended_at"' in response.content.decode()
    assert PhoneLineIncident.objects.get().is_open


def test_edit_page_saves_a_correction(supervisor_client, supervisor):
    incident = _incident(supervisor)
    url = reverse("calls:incident-edit", args=[incident.pk])
    page = supervisor_client.get(url)
    version = page.context["form"]["version"].value()
    started = timezone.localtime(incident.started_at).strftime("%Y-%m-%dT%H:%M")
    response = supervisor_client.post(
        url,
        {
            "line": incident.line,
            "kind": "dropped_calls",
            "started_at": started,
            "ended_at": "",
            "ticket_reference": "TLK-124",
            "contacted": "",
            "description": "",
            "notes": "",
            "version": version,
        },  # fmt: skip
    )
    assert response.status_code == 302
    incident.refresh_from_db()
    assert incident.kind == "dropped_calls" and incident.ticket_reference == "TLK-124"


def test_edit_on_a_stale_page_is_refused_with_the_current_state(supervisor_client, supervisor):
    incident = _incident(supervisor)
    url = reverse("calls:incident-edit", args=[incident.pk])
    version = supervisor_client.get(url).context["form"]["version"].value()
    incident_update(incident=incident, by=supervisor, notes="Technician on site")
    started = timezone.localtime(incident.started_at).strftime("%Y-%m-%dT%H:%M")
    response = supervisor_client.post(
        url,
        {
            "line": "Overwritten",
            "kind": "outage",
            "started_at": started,
            "ended_at": "",
            "version": version,
        },  # fmt: skip
    )
    assert response.status_code == 409
    assert "Someone changed this incident" in response.content.decode()
    assert "Technician on site" in response.content.decode()
    assert PhoneLineIncident.objects.get().line == "Trunk 1 (Telkom)"


def test_operators_see_the_list_but_cannot_log_or_change(operator_client, supervisor):
    incident = _incident(supervisor)
    assert operator_client.get(reverse("calls:incident-list")).status_code == 200
    assert operator_client.get(reverse("calls:incident-new")).status_code == 403
    assert (
        operator_client.get(reverse("calls:incident-edit", args=[incident.pk])).status_code == 403
    )
    response = operator_client.post(reverse("calls:incident-close", args=[incident.pk]))
    assert response.status_code == 403
    assert PhoneLineIncident.objects.get().is_open


def test_outsiders_get_403_and_unknown_incidents_404(outsider_client, supervisor_client):
    assert outsider_client.get(reverse("calls:incident-list")).status_code == 403
    assert supervisor_client.get(reverse("calls:incident-edit", args=[999])).status_code == 404


def test_list_puts_open_first_then_closed_by_start_and_filters(supervisor_client, supervisor):
    now = timezone.now()
    old = _incident(supervisor, line="ISDN 2", started_at=now - timedelta(days=40))
    incident_close(incident=old, by=supervisor, ended_at=now - timedelta(days=39))
    recent = _incident(supervisor, line="Trunk 3", started_at=now - timedelta(days=2))
    incident_close(incident=recent, by=supervisor, ended_at=now - timedelta(days=2, hours=-1))
    open_ = _incident(supervisor, line="Trunk 1", started_at=now - timedelta(days=5))
    response = supervisor_client.get(reverse("calls:incident-list"))
    rows = [i.pk for i in response.context["page"].object_list]
    assert rows == [open_.pk, recent.pk, old.pk]
    assert "1 h 00 min" in response.content.decode()  # the closed one's duration
    closed = supervisor_client.get(reverse("calls:incident-list"), {"state": "closed"})
    assert [i.pk for i in closed.context["page"].object_list] == [recent.pk, old.pk]
    month = timezone.localtime(old.started_at).strftime("%Y-%m")
    by_month = supervisor_client.get(reverse("calls:incident-list"), {"month": month})
    assert old.pk in [i.pk for i in by_month.context["page"].object_list]
    assert recent.pk not in [i.pk for i in by_month.context["page"].object_list] or (
        timezone.localtime(recent.started_at).strftime("%Y-%m") == month
    )


@pytest.mark.parametrize("query", [{"month": "2026-13"}, {"page": "abc"}, {"page": "999"},
                                   {"state": "<b>"}, {"month": "x"}])  # fmt: skip
def test_bad_query_strings_never_500(supervisor_client, query):
    assert supervisor_client.get(reverse("calls:incident-list"), query).status_code == 200


def test_list_query_count_is_constant(supervisor_client, supervisor, django_assert_max_num_queries):
    _incident(supervisor)
    with django_assert_max_num_queries(8) as small:
        supervisor_client.get(reverse("calls:incident-list"))
    for i in range(20):
        _incident(supervisor, line=f"Line {i}")
    with django_assert_max_num_queries(len(small.captured_queries)):
        supervisor_client.get(reverse("calls:incident-list"))


def test_admin_lists_incidents_with_history(client, supervisor):
    from tests.factories import UserFactory

    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    incident = _incident(supervisor)
    client.force_login(admin)
    assert client.get(reverse("admin:calls_phonelineincident_changelist")).status_code == 200
    url = reverse("admin:calls_phonelineincident_history", args=[incident.pk])
    assert client.get(url).status_code == 200


# The console's banner --------------------------------------------------------------


def test_console_shows_open_incidents_to_operators(operator_client, supervisor):
    started = timezone.localtime().replace(hour=9, minute=12, second=0, microsecond=0)
    if started > timezone.localtime():
        started = timezone.localtime() - timedelta(minutes=5)
    _incident(supervisor, started_at=started)
    html = operator_client.get(reverse("calls:console")).content.decode()
    assert "data-incidents-open" in html
    assert "Trunk 1 (Telkom)" in html and "TLK-123" in html
    assert f"since {started:%H:%M}" in html


def test_console_has_no_banner_once_closed(operator_client, supervisor):
    incident = _incident(supervisor)
    incident_close(incident=incident, by=supervisor)
    html = operator_client.get(reverse("calls:console")).content.decode()
    assert "data-incidents-open" not in html
