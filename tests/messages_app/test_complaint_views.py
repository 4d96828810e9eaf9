"""Complaint pages: the complaint's page (who sees it, what it shows, the
actions and their answers with and without htmx, conflicts), the department's
queue, the page to record one on its own, the caller's history and the
navigation entry."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as examples
from hypothesis import strategies as st

from messages_app.models import Complaint, ComplaintEvent, ComplaintStatus, Visibility
from messages_app.services.complaints import complaint_comment
from tests.factories import CallerFactory, StaffFactory
from tests.messages_app.complaint_world import *  # noqa: F403  (the fixtures)
from tests.messages_app.complaint_world import TUESDAY
from tests.messages_app.factories import ComplaintFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def detail(complaint):
    return reverse("messages_app:complaint-detail", args=[complaint.pk])


def action(complaint, name):
    return reverse(f"messages_app:complaint-{name}", args=[complaint.pk])


# Who sees a complaint ---------------------------------------------------------------------


def test_the_department_sees_and_may_work_on_its_complaint(staff_client, routed):
    response = staff_client.get(detail(routed))

    html = response.content.decode()
    assert response.status_code == 200
    assert routed.reference in html
    assert 'data-shortcut="k"' in html  # acknowledge
    assert "Re-route to" in html and 'name="text"' in html


def test_the_desk_reads_it_without_the_actions(operator_client, routed):
    html = operator_client.get(detail(routed)).content.decode()

    assert routed.reference in html
    assert "data-shortcut" not in html and "complaint-actions" not in html


def test_another_department_gets_404_and_an_outsider_403(
    client, service_worker, outsider_client, routed
):
    client.force_login(service_worker)
    assert client.get(detail(routed)).status_code == 404
    assert outsider_client.get(detail(routed)).status_code == 403
    assert (
        outsider_client.post(action(routed, "status"), {"step": "acknowledge"}).status_code == 403
    )
    assert client.post(action(routed, "status"), {"step": "acknowledge"}).status_code == 404


def test_the_desk_may_not_act(operator_client, routed):
    response = operator_client.post(action(routed, "status"), {"step": "acknowledge", "version": 1})

    assert response.status_code == 403
    routed.refresh_from_db()
    assert routed.status == ComplaintStatus.ROUTED


# What the page shows ------------------------------------------------------------------


def test_internal_notes_and_what_the_customer_was_told_are_apart(
    supervisor_client, routed, supervisor
):
    complaint_comment(complaint=routed, by=supervisor, text="Catatan dalam", now=TUESDAY)
    complaint_comment(
        complaint=routed,
        by=supervisor,
        text="Kami hubungi besok",
        visibility=Visibility.CUSTOMER,
        now=TUESDAY,
    )

    html = supervisor_client.get(detail(routed)).content.decode()

    internal = re.search(r'<li class="sb-event sb-event-internal"[^>]*>(.*?)</li>', html, re.S)
    customer = re.search(r'<li class="sb-event sb-event-customer"[^>]*>(.*?)</li>', html, re.S)
    assert "Catatan dalam" in internal.group(1)
    assert "Kami hubungi besok" in customer.group(1)
    told = html.split('id="complaint-told"')[1]
    assert "Kami hubungi besok" in told and "Catatan dalam" not in told


def test_only_routing_rows_name_departments_on_the_timeline(
    supervisor_client, routed, service, finance
):
    """An escalation to the supervisors keeps their addresses under "to", and an
    assignment staff ids: neither is a department (the page used to answer 500
    on the first and could name a wrong department on the second)."""
    tono = StaffFactory(full_name="Tono", department=finance)
    ComplaintEvent.objects.create(
        complaint=routed, kind="rerouted", data={"from": service.pk, "to": finance.pk}, at=TUESDAY
    )
    ComplaintEvent.objects.create(
        complaint=routed, kind="assigned", text="Tono", data={"from": None, "to": tono.pk}
    )
    ComplaintEvent.objects.create(
        complaint=routed,
        kind="escalated_to_supervisors",
        text="E-mailed to the supervisors.",
        data={"deadline": "acknowledge", "level": 2, "to": ["sari@example.co.id"]},
    )

    response = supervisor_client.get(detail(routed))

    assert response.status_code == 200
    html = response.content.decode()
    rows = re.findall(
        r'<li class="sb-event[^"]*" data-event="([a-z_]+)"[^>]*>(.*?)</li>', html, re.S
    )
    shown = {kind: body for kind, body in rows}
    assert f"{service.name} → {finance.name}" in shown["rerouted"]
    assert "→" not in shown["assigned"] and "→" not in shown["escalated_to_supervisors"]


def test_overdue_deadlines_are_flagged(supervisor_client, finance):
    late = ComplaintFactory(
        department=finance,
        status=ComplaintStatus.ROUTED,
        acknowledge_due_at=timezone.now() - timedelta(hours=1),
        resolve_due_at=timezone.now() + timedelta(days=2),
    )

    html = supervisor_client.get(detail(late)).content.decode()

    assert 'data-deadline="acknowledge" data-overdue' in html
    assert 'data-deadline="resolve" data-overdue' not in html
    assert "data-overdue>" in html  # the badge by the reference


def test_the_page_keeps_a_constant_number_of_queries(supervisor_client, routed, supervisor):
    def count():
        with CaptureQueriesContext(connection) as queries:
            assert supervisor_client.get(detail(routed)).status_code == 200
        return len(queries)

    complaint_comment(complaint=routed, by=supervisor, text="satu", now=TUESDAY)
    count()  # warm up (session, permissions)
    one = count()
    for n in range(49):
        complaint_comment(complaint=routed, by=supervisor, text=f"catatan {n}", now=TUESDAY)
    assert count() == one


def test_the_read_out_sentence_is_in_the_complaints_language(supervisor_client, routed):
    html = supervisor_client.get(detail(routed)).content.decode()

    assert f"Your complaint number is {routed.reference}." in html
    assert 'lang="en"' in html


# Acting on the page -----------------------------------------------------------------------


def test_acknowledging_with_htmx_answers_with_the_new_state(staff_client, routed):
    response = staff_client.post(
        action(routed, "status"), {"step": "acknowledge", "version": 1}, **HTMX
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="complaint-main"' in html and "<html" not in html
    assert 'data-status="acknowledged"' in html and "Acknowledged." in html
    routed.refresh_from_db()
    assert routed.status == ComplaintStatus.ACKNOWLEDGED and routed.acknowledged_at


def test_without_htmx_an_action_redirects_to_the_page(staff_client, routed):
    response = staff_client.post(action(routed, "status"), {"step": "acknowledge", "version": 1})

    assert response.status_code == 302 and response["Location"] == detail(routed)


def test_a_stale_page_gets_a_conflict_and_the_current_state(staff_client, supervisor, routed):
    from messages_app.services.complaints import complaint_set_status

    complaint_set_status(complaint=routed, by=supervisor, to_status="acknowledged")

    response = staff_client.post(
        action(routed, "status"), {"step": "acknowledge", "version": 1}, **HTMX
    )

    html = response.content.decode()
    assert response.status_code == 409
    assert "Someone else changed" in html
    assert 'data-status="acknowledged"' in html and 'data-version="2"' in html


def test_resolving_without_what_was_told_comes_back_with_the_error(staff_client, finance):
    complaint = ComplaintFactory(department=finance, status=ComplaintStatus.ACKNOWLEDGED)

    response = staff_client.post(
        action(complaint, "status"), {"step": "resolve", "version": 1, "text": ""}, **HTMX
    )

    html = response.content.decode()
    assert response.status_code == 422
    assert 'data-error-for="text"' in html and "Say what the customer was told." in html
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.ACKNOWLEDGED


def test_resolving_keeps_what_the_customer_was_told(staff_client, finance):
    complaint = ComplaintFactory(department=finance, status=ComplaintStatus.IN_PROGRESS)

    staff_client.post(
        action(complaint, "status"),
        {"step": "resolve", "version": 1, "text": "Dana dikembalikan"},
        **HTMX,
    )

    event = complaint.events.get()
    assert (event.kind, event.visibility, event.text) == (
        "resolved",
        Visibility.CUSTOMER,
        "Dana dikembalikan",
    )


def test_a_step_the_map_refuses_is_said_next_to_the_form(staff_client, routed):
    response = staff_client.post(action(routed, "status"), {"step": "close", "version": 1}, **HTMX)

    assert response.status_code == 422
    assert "it cannot become Closed" in response.content.decode()


def test_junk_in_an_action_is_a_form_error(staff_client, routed):
    for data in ({"step": "explode", "version": 1}, {"step": "acknowledge", "version": "x" * 50}):
        assert staff_client.post(action(routed, "status"), data, **HTMX).status_code == 422
    response = staff_client.post(action(routed, "assign"), {"staff": "9" * 30, "version": 1})
    assert response.status_code == 422


def test_assigning_from_the_page(staff_client, routed, worker):
    response = staff_client.post(
        action(routed, "assign"), {"staff": worker.pk, "version": 1}, **HTMX
    )

    assert response.status_code == 200
    assert f"Assigned to {worker.full_name}." in response.content.decode()
    routed.refresh_from_db()
    assert routed.assigned_to == worker


def test_assigning_someone_of_another_department_is_refused(staff_client, routed, service):
    elsewhere = StaffFactory(department=service)

    response = staff_client.post(action(routed, "assign"), {"staff": elsewhere.pk, "version": 1})

    assert response.status_code == 422
    routed.refresh_from_db()
    assert routed.assigned_to is None


def test_passing_it_on_sends_the_department_back_to_its_queue(staff_client, routed, service):
    response = staff_client.post(
        action(routed, "reroute"),
        {"department": service.pk, "reason": "Soal mesin", "version": 1},
        **HTMX,
    )

    assert response.status_code == 204
    assert response["HX-Redirect"] == reverse("messages_app:complaint-queue")
    routed.refresh_from_db()
    assert routed.department == service


def test_rerouting_without_a_reason_is_refused(supervisor_client, routed, service):
    response = supervisor_client.post(
        action(routed, "reroute"), {"department": service.pk, "version": 1}, **HTMX
    )

    assert response.status_code == 422 and 'data-error-for="reason"' in response.content.decode()


def test_a_comment_from_the_page(staff_client, routed):
    response = staff_client.post(
        action(routed, "comment"), {"text": "Sedang dicek", "visibility": "internal"}, **HTMX
    )

    assert response.status_code == 200 and "Sedang dicek" in response.content.decode()
    assert routed.events.get().kind == "comment"


def test_actions_are_post_only(staff_client, routed):
    for name in ("status", "assign", "reroute", "comment"):
        assert staff_client.get(action(routed, name)).status_code == 405


# The department's queue ---------------------------------------------------------------------

QUEUE = reverse("messages_app:complaint-queue")


def queue_ids(response) -> list[int]:
    return [int(pk) for pk in re.findall(r'data-complaint-id="(\d+)"', response.content.decode())]


def test_the_queue_shows_the_departments_open_complaints_overdue_first(
    staff_client, finance, service
):
    now = timezone.now()
    soon = ComplaintFactory(
        department=finance, status="routed", acknowledge_due_at=now + timedelta(hours=1)
    )
    late = ComplaintFactory(
        department=finance, status="routed", acknowledge_due_at=now - timedelta(hours=1)
    )
    later = ComplaintFactory(
        department=finance, status="in_progress", resolve_due_at=now + timedelta(days=3)
    )
    ComplaintFactory(department=finance, status="closed")
    ComplaintFactory(department=service, status="routed")

    response = staff_client.get(QUEUE)

    assert response.status_code == 200
    assert queue_ids(response) == [late.pk, soon.pk, later.pk]
    assert f'data-complaint-id="{late.pk}" class="table-danger" data-overdue' in (
        response.content.decode()
    )


def test_staff_cannot_look_at_another_departments_queue(staff_client, finance, service):
    theirs = ComplaintFactory(department=service, status="routed")

    response = staff_client.get(QUEUE, {"department": service.pk})

    assert theirs.pk not in queue_ids(response)


def test_supervisors_choose_the_department_or_the_unrouted(supervisor_client, finance, service):
    ours = ComplaintFactory(department=finance, status="routed")
    theirs = ComplaintFactory(department=service, status="routed")
    unrouted = ComplaintFactory(department=None, status="new")

    assert set(queue_ids(supervisor_client.get(QUEUE))) == {ours.pk, theirs.pk, unrouted.pk}
    assert queue_ids(supervisor_client.get(QUEUE, {"department": service.pk})) == [theirs.pk]
    assert queue_ids(supervisor_client.get(QUEUE, {"department": "none"})) == [unrouted.pk]


def test_the_queue_takes_junk_without_an_error(supervisor_client, finance):
    for params in ({"department": "9" * 40}, {"department": "x"}, {"page": "-1"}, {"page": "z"}):
        assert supervisor_client.get(QUEUE, params).status_code == 200


def test_an_outsider_has_no_queue(outsider_client, admin_client_dir):
    assert outsider_client.get(QUEUE).status_code == 403
    assert admin_client_dir.get(QUEUE).status_code == 403


@pytest.mark.parametrize("client_name", ["staff_client", "supervisor_client"])
def test_the_queue_keeps_a_constant_number_of_queries(request, client_name, finance, worker):
    client = request.getfixturevalue(client_name)

    def count():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(QUEUE, {"department": finance.pk})
        return len(queries), len(queue_ids(response))

    ComplaintFactory(department=finance, status="routed", assigned_to=worker)
    count()  # warm up
    one, rows = count()
    assert rows == 1
    for _ in range(49):
        ComplaintFactory(department=finance, status="routed", assigned_to=worker)
    fifty, rows = count()
    assert rows == 50 and fifty == one


# Recording on its own page ------------------------------------------------------------------

NEW = reverse("messages_app:complaint-create")


def test_a_complaint_on_its_own_is_routed_and_its_reference_read_out(
    operator_client, rules, billing, finance
):
    response = operator_client.post(
        NEW,
        {
            "customer_name": "Pak Budi",
            "customer_number": "0812-3456-7890",
            "customer_email": "",
            "language": "en",
            "category": billing.pk,
            "severity": "medium",
            "description": "Tagihan dobel",
        },
        follow=True,
    )

    complaint = Complaint.objects.get()
    assert complaint.department == finance and complaint.customer_name == "Pak Budi"
    assert complaint.customer_number.as_e164 == "+6281234567890"
    html = response.content.decode()
    assert f"Read to the customer: Your complaint number is {complaint.reference}." in html


def test_a_bad_number_is_said_next_to_the_field_and_nothing_is_saved(operator_client, rules):
    response = operator_client.post(
        NEW,
        {"customer_name": "X", "customer_number": "12", "language": "en", "description": "d"},
    )

    assert response.status_code == 422
    assert 'data-error-for="customer_number"' in response.content.decode()
    assert not Complaint.objects.exists()


def test_an_override_without_a_reason_is_said_next_to_the_field(
    operator_client, rules, billing, service
):
    response = operator_client.post(
        NEW,
        {
            "customer_name": "X",
            "customer_number": "0812-3456-7890",
            "language": "en",
            "category": billing.pk,
            "severity": "medium",
            "description": "d",
            "department": service.pk,
        },
    )

    assert response.status_code == 422
    assert 'data-error-for="override_reason"' in response.content.decode()
    assert not Complaint.objects.exists()


def test_the_form_is_the_desks(staff_client, outsider_client):
    assert staff_client.get(NEW).status_code == 403
    assert outsider_client.get(NEW).status_code == 403


# The caller's history -----------------------------------------------------------------------


def test_the_caller_page_lists_the_numbers_complaints(supervisor_client, finance):
    caller = CallerFactory(number="+6281234567890")
    mine = ComplaintFactory(caller=caller, department=finance, status="routed")
    ComplaintFactory(caller=caller, department=finance, status="closed")
    ComplaintFactory(department=finance)  # someone else's

    html = supervisor_client.get(reverse("calls:caller-detail", args=[caller.pk])).content.decode()

    assert 'data-caller-complaints="2"' in html
    assert f'data-complaint-ref="{mine.reference}"' in html
    assert "1 open" in html


def test_the_callers_complaints_keep_a_constant_number_of_queries(supervisor_client, finance):
    caller = CallerFactory(number="+6281234567890")
    url = reverse("calls:caller-detail", args=[caller.pk])

    def count():
        with CaptureQueriesContext(connection) as queries:
            supervisor_client.get(url)
        return len(queries)

    ComplaintFactory(caller=caller, department=finance)
    count()
    one = count()
    for _ in range(49):
        ComplaintFactory(caller=caller, department=finance)
    assert count() == one


# Navigation -----------------------------------------------------------------------------------


def test_a_staff_member_finds_the_queue_in_the_navigation(staff_client, outsider_client):
    html = staff_client.get(QUEUE).content.decode()

    assert f'href="{QUEUE}">Complaints</a>' in html
    assert ">Complaints</a>" not in outsider_client.get(reverse("password_change")).content.decode()


# No query string makes a complaint page answer 500 ------------------------------------------

junk = st.one_of(
    st.text(st.characters(exclude_categories=("Cs",)), max_size=40),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
)


@examples(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(params=st.dictionaries(st.sampled_from(["department", "page", "x"]), junk, max_size=3))
def test_the_queue_never_fails_on_a_query_string(supervisor_client, finance, params):
    assert supervisor_client.get(QUEUE, params).status_code == 200


@examples(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    params=st.dictionaries(
        st.sampled_from(
            [
                "prefix",
                "category",
                "product",
                "severity",
                "description",
                "purpose",
                "complaint-category",
                "complaint-description",
                "complaint-severity",
            ]
        ),
        junk,
        max_size=5,
    )
)
def test_the_preview_never_fails_on_a_query_string(operator_client, params):
    assert (
        operator_client.get(reverse("messages_app:complaint-route-preview"), params).status_code
        == 200
    )


# The admin keeps complaints read-only ------------------------------------------------------


def test_the_admin_shows_a_complaint_but_changes_nothing(client, routed, supervisor):
    from tests.factories import UserFactory

    root = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(root)
    url = reverse("admin:messages_app_complaint_change", args=[routed.pk])

    response = client.get(url)

    html = response.content.decode()
    assert response.status_code == 200 and routed.reference in html
    assert 'name="_save"' not in html
    assert client.post(url, {"customer_name": "Ganti"}).status_code == 403
    assert client.get(reverse("admin:messages_app_complaint_add")).status_code == 403
    routed.refresh_from_db()
    assert routed.customer_name != "Ganti"


def test_stored_markup_comes_out_escaped(supervisor_client, operator_client, finance):
    caller = CallerFactory(number="+6281234567890")
    complaint = ComplaintFactory(
        caller=caller,
        department=finance,
        status="routed",
        customer_name="<b>Ani</b>",
        description="<script>alert(1)</script>",
    )
    pages = [
        supervisor_client.get(detail(complaint)),
        supervisor_client.get(QUEUE, {"department": finance.pk}),
        supervisor_client.get(reverse("calls:caller-detail", args=[caller.pk])),
    ]
    for response in pages:
        html = response.content.decode()
        assert "<b>Ani</b>" not in html and "<script>alert(1)" not in html
    assert "&lt;b&gt;Ani&lt;/b&gt;" in pages[0].content.decode()
