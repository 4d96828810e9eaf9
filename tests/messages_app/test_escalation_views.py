"""The supervisors' escalations page (/messages/escalations/): who may see it,
what it lists and in which order, its links, and its constant query count."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from messages_app.models import (
    ComplaintStatus,
    MessageSlip,
    RecipientRole,
    SlipStatus,
)
from messages_app.services.escalation import complaint_escalation_sweep, slip_escalation_sweep
from tests.factories import DepartmentFactory, StaffFactory
from tests.messages_app.factories import ComplaintFactory, SlipFactory, SlipRecipientFactory

pytestmark = pytest.mark.django_db

JAKARTA = ZoneInfo("Asia/Jakarta")
URL = reverse("messages_app:escalations")
MONDAY = datetime(2026, 3, 2, 12, 0, tzinfo=JAKARTA)


def escalated_slip(*, due_at=MONDAY, message="Mohon telepon balik", person=None):
    slip = SlipFactory(
        for_staff=person or StaffFactory(),
        due_at=due_at,
        created_at=due_at - timedelta(hours=4),
        message=message,
    )
    SlipRecipientFactory(slip=slip, role=RecipientRole.ADDRESSEE)
    return slip


def overdue_complaint(*, department="new", due=MONDAY, **kwargs):
    if department == "new":
        department = DepartmentFactory()
        department.head = StaffFactory(department=department)
        department.save()
    return ComplaintFactory(
        department=department,
        status=ComplaintStatus.ROUTED,
        created_at=due - timedelta(hours=4),
        acknowledge_due_at=due,
        **kwargs,
    )


def rows(body: str, marker: str) -> list[str]:
    return re.findall(rf"<tr {marker}=\"(\d+)\"", body)


def test_supervisors_see_escalated_slips_and_overdue_complaints(supervisor_client):
    slip = escalated_slip(message="Tolong hubungi Pak Hendra soal invoice")
    complaint = overdue_complaint(customer_name="Ibu Ratna")
    slip_escalation_sweep(now=MONDAY)
    complaint_escalation_sweep(now=MONDAY)

    response = supervisor_client.get(URL)

    assert response.status_code == 200
    body = response.content.decode()
    assert rows(body, "data-slip") == [str(slip.pk)]
    assert rows(body, "data-complaint") == [str(complaint.pk)]
    assert "Tolong hubungi Pak Hendra soal invoice" in body
    assert "Escalated: sent again" in body  # the slip's last escalation
    assert complaint.reference in body and "Ibu Ratna" in body
    assert "Not acknowledged: department head told" in body


def test_the_latest_escalation_comes_first(supervisor_client):
    older = escalated_slip(due_at=MONDAY)
    newer = escalated_slip(due_at=MONDAY + timedelta(hours=1))
    slip_escalation_sweep(now=MONDAY)
    slip_escalation_sweep(now=MONDAY + timedelta(hours=1))
    first = overdue_complaint(due=MONDAY)
    second = overdue_complaint(due=MONDAY + timedelta(hours=1))
    complaint_escalation_sweep(now=MONDAY)
    complaint_escalation_sweep(now=MONDAY + timedelta(hours=1))

    body = supervisor_client.get(URL).content.decode()

    assert rows(body, "data-slip") == [str(newer.pk), str(older.pk)]
    assert rows(body, "data-complaint") == [str(second.pk), str(first.pk)]


def test_what_needs_no_attention_is_not_listed(supervisor_client):
    acknowledged = escalated_slip()
    escalated_slip(due_at=MONDAY + timedelta(days=30))  # not due yet
    resolved = overdue_complaint()
    slip_escalation_sweep(now=MONDAY)
    complaint_escalation_sweep(now=MONDAY)
    MessageSlip.objects.filter(pk=acknowledged.pk).update(status=SlipStatus.ACKNOWLEDGED)
    resolved.status = ComplaintStatus.RESOLVED
    resolved.resolved_at = MONDAY
    resolved.save()
    overdue_complaint(due=datetime(2099, 1, 1, tzinfo=JAKARTA))  # not overdue

    body = supervisor_client.get(URL).content.decode()

    assert rows(body, "data-slip") == []
    assert rows(body, "data-complaint") == []
    assert "No escalated message is waiting for its acknowledgement." in body
    assert "No complaint is past its deadline." in body


def test_an_overdue_complaint_shows_before_the_sweep_flags_it(supervisor_client):
    complaint = overdue_complaint(department=None)

    body = supervisor_client.get(URL).content.decode()

    assert rows(body, "data-complaint") == [str(complaint.pk)]
    assert "Overdue, not escalated yet" in body
    assert "Not routed" in body


def test_the_nav_shows_the_page_to_supervisors_only(supervisor_client, operator_client):
    link = f'href="{URL}"'

    assert link in supervisor_client.get(reverse("directory:board")).content.decode()
    assert link not in operator_client.get(reverse("directory:board")).content.decode()


@pytest.mark.parametrize(
    "persona", ["operator_client", "staff_client", "outsider_client", "admin_client_dir"]
)
def test_anyone_but_a_supervisor_is_refused(persona, request):
    escalated_slip()
    slip_escalation_sweep(now=MONDAY)
    client = request.getfixturevalue(persona)

    response = client.get(URL)

    assert response.status_code == 403
    assert b"Mohon telepon balik" not in response.content


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_the_page_only_answers_get(supervisor_client):
    assert supervisor_client.post(URL).status_code == 405


@pytest.mark.parametrize(
    "query",
    [
        "slips_page=abc",
        "slips_page=-1",
        "complaints_page=99999999999999999999999",
        "slips_page=%00&complaints_page=0",
        "slips_page=2.5",
    ],
)
def test_no_page_number_makes_it_fail(supervisor_client, query):
    escalated_slip()
    slip_escalation_sweep(now=MONDAY)

    response = supervisor_client.get(f"{URL}?{query}")

    assert response.status_code == 200


def test_each_list_pages_on_its_own_and_keeps_the_other_page(supervisor_client):
    slips = [escalated_slip() for _ in range(51)]
    slip_escalation_sweep(now=MONDAY)
    overdue_complaint()

    body = supervisor_client.get(f"{URL}?slips_page=2&complaints_page=1").content.decode()

    assert len(rows(body, "data-slip")) == 1
    assert rows(body, "data-slip") == [str(min(slip.pk for slip in slips))]
    assert len(rows(body, "data-complaint")) == 1
    assert "?slips_page=1&amp;complaints_page=1" in body  # back, keeping the other list


def test_rows_link_to_the_slip_and_the_complaint(supervisor_client):
    slip = escalated_slip()
    complaint = overdue_complaint()
    slip_escalation_sweep(now=MONDAY)

    body = supervisor_client.get("/messages/escalations/").content.decode()

    assert f'href="{slip.get_absolute_url()}"' in body
    assert f'href="{complaint.get_absolute_url()}"' in body


# Session, user, permissions; each list's count and page; the navigation's
# unread-messages badge.
ESCALATIONS_QUERIES = 8


@pytest.mark.parametrize("count", [1, 50])
def test_the_page_costs_the_same_queries_for_1_or_50_rows(
    count, supervisor_client, django_assert_num_queries
):
    head_department = DepartmentFactory()
    head_department.head = StaffFactory(department=head_department)
    head_department.save()
    for _ in range(count):
        escalated_slip(person=StaffFactory(department=head_department))
        overdue_complaint(department=head_department if _ % 2 else None)
    slip_escalation_sweep(now=MONDAY)
    complaint_escalation_sweep(now=MONDAY)

    with django_assert_num_queries(ESCALATIONS_QUERIES):
        response = supervisor_client.get(URL)

    body = response.content.decode()
    assert len(rows(body, "data-slip")) == count
    assert len(rows(body, "data-complaint")) == count
