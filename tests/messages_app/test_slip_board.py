"""The desk's board of open slips: who sees it, what it shows in which order,
its polled rows, its actions (re-send, re-route, close) and its query count."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from messages_app.models import MessageSlip, Notification, SlipStatus, Urgency
from messages_app.services.slips import slip_acknowledge, slip_create, slip_done
from switchboard.roles import SUPERVISOR
from tests.factories import StaffFactory, UserFactory
from tests.messages_app.slip_helpers import make_desk

pytestmark = pytest.mark.django_db

BOARD = reverse("messages_app:slip-board")
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def desk(db):
    return make_desk()


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def op(desk):
    return client_for(desk.operator)


def take(desk, *, ago=timedelta(0), **kwargs):
    fields = {
        "taken_by": desk.operator,
        "message": "Tolong telepon balik",
        "for_staff": desk.budi,
        "caller_name": "Pak Joko",
        "now": timezone.now() - ago,
    }
    return slip_create(**{**fields, **kwargs})


def _set_due(slip, delta):
    MessageSlip.objects.filter(pk=slip.pk).update(due_at=timezone.now() + delta)


def test_the_board_lists_open_slips_overdue_first_then_by_due_time(desk, op):
    later = take(desk, message="due later")
    _set_due(later, timedelta(hours=3))
    soon = take(desk, message="due soon")
    _set_due(soon, timedelta(minutes=10))
    overdue = take(desk, message="overdue", urgency=Urgency.URGENT)
    _set_due(overdue, -timedelta(minutes=5))
    acknowledged = take(desk, message="acknowledged")
    _set_due(acknowledged, -timedelta(hours=1))
    slip_acknowledge(slip=MessageSlip.objects.get(pk=acknowledged.pk), by=desk.operator)
    done = take(desk, message="done already")
    slip_done(slip=done, by=desk.operator)

    response = op.get(BOARD)

    assert response.status_code == 200
    rows = response.context["rows"]
    assert [s.pk for s in rows] == [overdue.pk, soon.pk, later.pk, acknowledged.pk]
    assert [s.overdue for s in rows] == [True, False, False, False]
    assert response.context["total"] == 4
    html = response.content.decode()
    assert "done already" not in html
    assert html.count("Overdue") >= 1 and "Acknowledged" in html
    for text in ("Budi Santoso", "Pak Joko", "Urgent", "every 20s", "js/slip_board.js"):
        assert text in html, text
    assert 'id="slip-reroute-dialog"' in html and 'id="slip-close-dialog"' in html


def test_the_polled_rows_come_alone(desk, op):
    take(desk)

    response = op.get(BOARD, **HTMX)

    html = response.content.decode()
    assert "<table" in html and "<nav" not in html and "slip-reroute-dialog" not in html
    assert "1 open message" in html


@pytest.mark.parametrize("who", ["staff", "outsider"])
def test_only_the_desk_has_the_board(desk, who):
    user = desk.budi.user if who == "staff" else UserFactory(username="nobody")

    assert client_for(user).get(BOARD).status_code == 403


def test_supervisors_see_the_board_too(desk):
    assert client_for(UserFactory(username="sup", roles=[SUPERVISOR])).get(BOARD).status_code == 200


@pytest.mark.parametrize("count", [1, 50])
def test_the_board_is_a_constant_number_of_queries(desk, op, count, django_assert_num_queries):
    people = [desk.budi, desk.sari, desk.rina, StaffFactory(department=desk.marketing)]
    for i in range(count):
        if i % 5 == 4:
            take(desk, for_staff=None, for_department=desk.finance, message=f"Dept {i}")
        else:
            take(desk, for_staff=people[i % 4], message=f"Pesan {i}", ago=timedelta(minutes=i))

    # Session, user, permissions; the open slips (with their count); the badge;
    # the operator's clock (navigation); the re-route dialog's departments.
    with django_assert_num_queries(7):
        page = op.get(BOARD)
    assert len(page.context["rows"]) == count
    # The polled rows: no navigation, so no badge.
    with django_assert_num_queries(4):
        op.get(BOARD, **HTMX)


def test_a_long_board_shows_the_first_rows_and_the_count(desk, op, monkeypatch):
    from messages_app import selectors_slips

    monkeypatch.setattr(selectors_slips, "BOARD_LIMIT", 3)
    for i in range(5):
        take(desk, message=f"Pesan {i}")

    response = op.get(BOARD)

    assert len(response.context["rows"]) == 3 and response.context["total"] == 5
    assert "the first 3" in response.content.decode()


# Actions from the board --------------------------------------------------------


def _post(client, name, slip, **data):
    url = reverse(f"messages_app:{name}", args=[slip.pk])
    return client.post(url, {"version": slip.version, "row": "board", **data}, **HTMX)


def test_r_sends_it_again_and_the_row_says_so(desk, op):
    slip = take(desk)

    response = _post(op, "slip-resend", slip)

    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith("<tr data-slip-row") and f'data-slip-id="{slip.pk}"' in html
    assert 'data-flash="Sent again to Budi Santoso."' in html
    assert 'data-version="2"' in html
    assert Notification.objects.filter(slip=slip).count() == 2


def test_g_reroutes_it_with_a_reason(desk, op):
    slip = take(desk)

    response = _post(
        op,
        "slip-reroute",
        slip,
        for_staff=desk.rina.pk,
        for_staff_text="Rina Pemasaran",
        reason="Her client",
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "Rina Pemasaran" in html and "Message passed to Rina Pemasaran" in html
    slip.refresh_from_db()
    assert slip.for_staff == desk.rina


def test_a_reroute_without_a_reason_keeps_the_dialog_with_the_reason(desk, op):
    slip = take(desk)

    response = _post(op, "slip-reroute", slip, for_staff=desk.rina.pk, for_staff_text="Rina")

    assert response.status_code == 422
    assert "Say why it goes to someone else." in response.content.decode()
    slip.refresh_from_db()
    assert slip.for_staff == desk.budi


def test_a_reroute_to_nobody_chosen_is_refused(desk, op):
    slip = take(desk)

    response = _post(op, "slip-reroute", slip, for_staff_text="someone", reason="why")

    assert response.status_code == 422
    assert "Choose from the list" in response.content.decode()


def test_c_closes_it_with_a_note(desk, op):
    slip = take(desk)

    response = _post(op, "slip-done", slip, note="Budi called back")

    assert response.status_code == 200
    assert "Done" in response.content.decode()
    slip.refresh_from_db()
    assert (slip.status, slip.done_note, slip.done_by) == (
        SlipStatus.DONE,
        "Budi called back",
        desk.operator,
    )


def test_closing_without_a_note_says_the_desk_did_it(desk, op):
    slip = take(desk)

    _post(op, "slip-done", slip)

    slip.refresh_from_db()
    assert slip.done_note == "Closed by the desk"


def test_an_action_on_a_row_someone_changed_shows_it_as_it_stands(desk, op):
    slip = take(desk)
    slip_acknowledge(slip=MessageSlip.objects.get(pk=slip.pk), by=desk.budi.user)

    response = _post(op, "slip-done", slip, note="late")

    assert response.status_code == 409
    html = response.content.decode()
    assert "Acknowledged" in html and 'data-version="2"' in html and 'data-flash-ok="no"' in html
    slip.refresh_from_db()
    assert slip.status == SlipStatus.ACKNOWLEDGED


def test_what_callers_say_is_escaped_on_the_board_and_in_my_messages(desk, op):
    take(
        desk,
        caller_name='<img src=x onerror="alert(1)">',
        caller_company="A & B",
        message="<script>alert('slip')</script>",
    )
    budi = client_for(desk.budi.user)

    for html in (
        op.get(BOARD).content.decode(),
        budi.get(reverse("messages_app:slip-mine")).content.decode(),
    ):
        assert "<script>alert" not in html and "<img src=x" not in html
        assert "&lt;script&gt;alert(&#x27;slip&#x27;)&lt;/script&gt;" in html
        assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html
        assert "A &amp; B" in html


def test_a_caller_without_a_name_shows_by_number(desk, op):
    take(desk, caller_name="", caller_number="0812-3456-7890")

    assert "0812-3456-7890" in op.get(BOARD).content.decode()
