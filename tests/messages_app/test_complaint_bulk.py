"""Bulk actions (assign, route, close) for the complaint list: each complaint
through the same service as on its page, each on its own (nothing half done),
refusals reported by reference; the POST endpoint messages_app:complaint-bulk."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from messages_app import services
from messages_app.models import Complaint, ComplaintStatus
from messages_app.services.complaints import complaint_bulk
from tests.messages_app.complaint_world import *  # noqa: F403  (the fixtures)
from tests.messages_app.factories import ComplaintFactory

pytestmark = pytest.mark.django_db

BULK = reverse("messages_app:complaint-bulk")


@pytest.fixture
def three(finance, service):
    return [
        ComplaintFactory(department=finance, status=ComplaintStatus.ROUTED),
        ComplaintFactory(department=finance, status=ComplaintStatus.RESOLVED),
        ComplaintFactory(department=service, status=ComplaintStatus.ROUTED),
    ]


def test_assigning_in_bulk_refuses_another_departments_complaint(supervisor, three, worker):
    result = complaint_bulk(action="assign", complaints=three, by=supervisor, staff=worker)

    assert result.done == 1
    refused = dict(result.refused)
    assert set(refused) == {three[1].reference, three[2].reference}
    assert "only an open complaint is assigned" in refused[three[1].reference]
    assert "does not work in the department" in refused[three[2].reference]
    assert Complaint.objects.get(pk=three[0].pk).assigned_to == worker
    assert Complaint.objects.get(pk=three[2].pk).assigned_to is None


def test_routing_in_bulk_passes_the_open_ones_on(supervisor, three, service, defaults):
    result = complaint_bulk(
        action="route", complaints=three, by=supervisor, department=service, reason="Soal mesin"
    )

    assert result.done == 1
    assert [ref for ref, _ in result.refused] == [three[1].reference, three[2].reference]
    moved = Complaint.objects.get(pk=three[0].pk)
    assert moved.department == service and moved.events.get().text == "Soal mesin"


def test_closing_in_bulk_closes_only_the_resolved(supervisor, three):
    result = complaint_bulk(action="close", complaints=three, by=supervisor)

    assert result.done == 1
    assert Complaint.objects.get(pk=three[1].pk).status == ComplaintStatus.CLOSED
    assert "it cannot become Closed" in dict(result.refused)[three[0].reference]


def test_a_departments_staff_act_in_bulk_on_their_own_only(staff_member, three, worker):
    result = complaint_bulk(action="close", complaints=three, by=staff_member)

    assert result.done == 1
    assert "not your department" in dict(result.refused)[three[2].reference]


def test_what_an_action_needs_is_checked_before_anything_is_done(supervisor, three, service):
    for kwargs in (
        {"action": "explode"},
        {"action": "assign"},
        {"action": "route", "department": service},
        {"action": "route", "reason": "x"},
    ):
        with pytest.raises(ValidationError):
            complaint_bulk(complaints=three, by=supervisor, **kwargs)
    assert all(c.version == 1 for c in Complaint.objects.all())


def test_a_refusal_late_in_one_complaint_leaves_it_untouched(
    supervisor, three, monkeypatch, finance
):
    more = ComplaintFactory(department=finance, status=ComplaintStatus.RESOLVED)
    real_event = services.complaints.complaint_event

    def failing_event(complaint, kind, **kwargs):
        if complaint.pk == three[1].pk:
            raise ValidationError("the timeline refused it")
        return real_event(complaint, kind, **kwargs)

    monkeypatch.setattr(services.complaints, "complaint_event", failing_event)

    result = complaint_bulk(action="close", complaints=[three[1], more], by=supervisor)

    assert result.done == 1 and result.refused == [(three[1].reference, "the timeline refused it")]
    # Its claimed status change was undone with it; the other one is closed.
    untouched = Complaint.objects.get(pk=three[1].pk)
    assert (untouched.status, untouched.version) == (ComplaintStatus.RESOLVED, 1)
    assert Complaint.objects.get(pk=more.pk).status == ComplaintStatus.CLOSED


# The endpoint -----------------------------------------------------------------------------


def test_the_endpoint_reports_back_on_the_list(supervisor_client, three):
    back = reverse("messages_app:complaint-queue") + "?department=none"
    response = supervisor_client.post(
        BULK, {"action": "close", "ids": [c.pk for c in three], "next": back}, follow=True
    )

    html = response.content.decode()
    assert response.redirect_chain[0] == (back, 302)
    assert "1 complaint changed." in html
    assert f"{three[0].reference}: " in html and f"{three[2].reference}: " in html


def test_the_endpoint_goes_back_only_to_a_local_page(supervisor_client, three):
    for unsafe in ("https://evil.example/", "//evil.example/x", "javascript:alert(1)"):
        response = supervisor_client.post(
            BULK, {"action": "close", "ids": [three[1].pk], "next": unsafe}
        )
        assert response["Location"] == reverse("messages_app:complaint-queue")


def test_the_endpoint_answers_htmx_with_the_result(supervisor_client, three, worker):
    response = supervisor_client.post(
        BULK,
        {"action": "assign", "ids": [three[0].pk, three[2].pk], "staff": worker.pk},
        HTTP_HX_REQUEST="true",
    )

    html = response.content.decode()
    assert response.status_code == 200 and response["HX-Trigger"] == "complaintsChanged"
    assert 'data-bulk-done="1"' in html and f'data-bulk-refused="{three[2].reference}"' in html


def test_the_endpoint_acts_only_on_complaints_the_user_sees(staff_client, three):
    response = staff_client.post(
        BULK,
        {"action": "close", "ids": [three[1].pk, three[2].pk]},
        HTTP_HX_REQUEST="true",
    )

    html = response.content.decode()
    assert 'data-bulk-done="1"' in html and "1 not found." in html
    assert Complaint.objects.get(pk=three[2].pk).status == ComplaintStatus.ROUTED


def test_the_endpoint_takes_junk_without_an_error(supervisor_client, three):
    for data in (
        {"action": "close", "ids": ["x", "9" * 40, "-1", ""]},
        {"action": "assign", "ids": [three[0].pk], "staff": "abc"},
        {"action": "route", "ids": [three[0].pk], "department": "9" * 40, "reason": "x"},
        {},
    ):
        response = supervisor_client.post(BULK, data, HTTP_HX_REQUEST="true")
        assert response.status_code == 200
    assert all(c.version == 1 for c in Complaint.objects.all())


def test_the_endpoint_is_for_those_who_work_on_complaints(operator_client, outsider_client, three):
    for client in (operator_client, outsider_client):
        assert client.post(BULK, {"action": "close", "ids": [three[1].pk]}).status_code == 403
    assert Complaint.objects.get(pk=three[1].pk).status == ComplaintStatus.RESOLVED
