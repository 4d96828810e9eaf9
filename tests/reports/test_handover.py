"""The shift handover: the shift's figures against a hand-counted shift,
once per shift, the incoming operator's acknowledgement (and the race), and
who sees what."""

import threading
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from calls.models import Direction, Outcome
from messages_app.models import ComplaintStatus, SlipStatus
from reports.models import ShiftHandover
from reports.selectors_handover import handovers_waiting_for, shift_figures, shift_window
from reports.services.handover import HandoverConflict, handover_acknowledge, handover_create
from tests.factories import CallerFactory, CallFactory
from tests.messages_app.factories import ComplaintFactory, SlipFactory
from tests.reports.factories_handover import local, next_shift, roster, shift_around_now
from tests.reports.factories_roster import ClockSessionFactory, desk_shifts, make_operator

pytestmark = pytest.mark.django_db


@pytest.fixture
def day():
    return timezone.localdate() - timedelta(days=1)


@pytest.fixture
def world(day):
    """Rina works Pagi (07-15) on `day`; Agus and Budi work Siang (15-23)."""
    shifts = desk_shifts()
    rina = make_operator("rina", first_name="Rina")
    agus = make_operator("agus", first_name="Agus")
    budi = make_operator("budi", first_name="Budi")
    roster(rina, shifts["P"], day)
    roster(agus, shifts["S"], day)
    roster(budi, shifts["S"], day)
    return {"rina": rina, "agus": agus, "budi": budi, "shifts": shifts}


def _hand_counted_shift(day, rina, agus):
    """Rina's shift, call by call (see the expected figures in the test)."""
    a, b = CallerFactory(), CallerFactory()

    def call(hour, minute, outcome, direction=Direction.INCOMING, **kw):
        return CallFactory(
            operator=kw.pop("operator", rina), started_at=local(day, hour, minute),
            outcome=outcome, direction=direction, **kw,
        )  # fmt: skip

    call(7, 30, Outcome.TRANSFERRED)
    call(8, 0, Outcome.ANSWERED)
    call(9, 0, Outcome.MESSAGE)
    call(10, 0, Outcome.NO_ANSWER, caller=a)
    call(10, 30, Outcome.CONNECTED, Direction.OUTGOING, caller=a)  # called back
    call(11, 0, Outcome.CALL_BACK, caller=b)  # never called back
    call(12, 0, Outcome.NO_ANSWER)  # withheld: cannot be called back
    call(6, 30, Outcome.TRANSFERRED)  # before the shift
    call(9, 30, Outcome.TRANSFERRED, operator=agus)  # someone else's
    call(13, 0, Outcome.ANSWERED, deleted_at=timezone.now())  # deleted
    SlipFactory(taken_by=rina, created_at=local(day, 9, 0))  # still open
    SlipFactory(taken_by=rina, created_at=local(day, 9, 5), status=SlipStatus.DONE)
    SlipFactory(taken_by=rina, created_at=local(day, 6, 0))  # before the shift
    ComplaintFactory(created_by=rina, created_at=local(day, 11, 0))
    ComplaintFactory(created_by=rina, created_at=local(day, 11, 30), status=ComplaintStatus.CLOSED)


EXPECTED_CALLS = {
    "total": 7,
    "by_outcome": {
        "transferred": 1,
        "answered": 1,
        "message": 1,
        "no_answer": 2,
        "call_back": 1,
        "connected": 1,
    },  # fmt: skip
    "by_direction": {"in": 6, "out": 1},
}


def test_the_shift_window_is_the_rostered_shift(world, day):
    window = shift_window(operator=world["rina"], now=local(day, 14, 30))
    assert window.source == "roster" and window.shift_type == world["shifts"]["P"]
    assert window.start == local(day, 7) and window.end == local(day, 14, 30)
    # Just after the shift, it is still that shift (ending at its end).
    later = shift_window(operator=world["rina"], now=local(day, 15, 40))
    assert later.start == local(day, 7) and later.end == local(day, 15)


def test_without_a_roster_the_window_is_the_clock_session_else_the_day(day):
    op = make_operator("solo")
    ClockSessionFactory(operator=op, clock_in=local(day, 10, 15), clock_out=None)
    window = shift_window(operator=op, now=local(day, 12))
    assert (window.source, window.start) == ("clock", local(day, 10, 15))
    other = make_operator("other")
    window = shift_window(operator=other, now=local(day, 12))
    assert (window.source, window.start, window.end) == ("day", local(day, 0), local(day, 12))


def test_figures_match_the_hand_counted_shift(world, day):
    _hand_counted_shift(day, world["rina"], world["agus"])
    now = local(day, 14, 30)
    figures = shift_figures(operator=world["rina"], start=local(day, 7), end=now, now=now)
    assert figures["calls"] == EXPECTED_CALLS
    assert figures["messages"] == {"taken": 2, "still_open": 1}
    assert figures["complaints"] == {"taken": 2, "still_open": 1}
    assert figures["missed_not_called_back"] == 1
    assert figures["desk"]["open_slips"] == 2  # the desk's, whoever took them


def test_handover_stores_the_figures_and_the_note_once_per_shift(world, day):
    _hand_counted_shift(day, world["rina"], world["agus"])
    now = local(day, 14, 50)
    handover = handover_create(operator=world["rina"], note="Trunk 1 still down", now=now)
    assert handover.figures["calls"] == EXPECTED_CALLS
    assert handover.note == "Trunk 1 still down"
    assert handover.period_start == local(day, 7) and handover.date == day
    assert handover.history.count() == 1
    with pytest.raises(ValidationError, match="handed over already"):
        handover_create(operator=world["rina"], note="again", now=now + timedelta(minutes=5))
    assert ShiftHandover.objects.count() == 1


def test_the_incoming_operator_acknowledges(world, day):
    handover = handover_create(operator=world["rina"], now=local(day, 14, 55))
    waiting = handovers_waiting_for(user=world["agus"], now=local(day, 15, 2))
    assert waiting == [handover]
    assert handovers_waiting_for(user=world["rina"], now=local(day, 15, 2)) == []
    done = handover_acknowledge(handover=handover, by=world["agus"], now=local(day, 15, 5))
    assert done.acknowledged_by == world["agus"] and done.acknowledged_at == local(day, 15, 5)
    assert done.history.order_by("-history_id").first().history_user == world["agus"]
    assert handovers_waiting_for(user=world["budi"], now=local(day, 15, 6)) == []


def test_the_second_to_acknowledge_is_told_who_did(world, day):
    handover = handover_create(operator=world["rina"], now=local(day, 14, 55))
    stale = ShiftHandover.objects.get(pk=handover.pk)
    handover_acknowledge(handover=handover, by=world["agus"], now=local(day, 15, 1))
    with pytest.raises(HandoverConflict, match="Agus"):
        handover_acknowledge(handover=stale, by=world["budi"], now=local(day, 15, 2))
    assert ShiftHandover.objects.get().acknowledged_by == world["agus"]


def test_an_operator_not_on_the_next_shift_cannot_acknowledge(world, day):
    stranger = make_operator("stranger")
    handover = handover_create(operator=world["rina"], now=local(day, 14, 55))
    with pytest.raises(ValidationError):
        handover_acknowledge(handover=handover, by=stranger, now=local(day, 15))
    with pytest.raises(ValidationError):
        handover_acknowledge(handover=handover, by=world["rina"], now=local(day, 15))
    assert ShiftHandover.objects.get().acknowledged_at is None


@pytest.mark.django_db(transaction=True)
def test_two_acknowledging_at_once_one_wins():
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent connections (PostgreSQL)")
    shifts = desk_shifts()
    day = timezone.localdate() - timedelta(days=1)
    rina, agus, budi = (make_operator(n) for n in ("rina", "agus", "budi"))
    roster(rina, shifts["P"], day)
    roster(agus, shifts["S"], day)
    roster(budi, shifts["S"], day)
    handover = handover_create(operator=rina, now=local(day, 14, 55))
    results, barrier = [], threading.Barrier(2)

    def ack(user):
        copy = ShiftHandover.objects.get(pk=handover.pk)
        barrier.wait()
        try:
            handover_acknowledge(handover=copy, by=user, now=local(day, 15, 3))
            results.append("ok")
        except HandoverConflict:
            results.append("conflict")
        finally:
            connection.close()

    threads = [threading.Thread(target=ack, args=(u,)) for u in (agus, budi)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["conflict", "ok"]


# Pages ------------------------------------------------------------------------------


@pytest.fixture
def live_shift(db):
    """Rina on a shift under way now; Agus rostered on the next one."""
    rina = make_operator("rina", first_name="Rina")
    agus = make_operator("agus", first_name="Agus")
    _entry, start = shift_around_now(rina)
    next_shift(agus, start)
    return rina, agus, start


def _client(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


def test_the_page_shows_the_shift_and_hands_over_once(live_shift):
    rina, _agus, start = live_shift
    CallFactory(operator=rina, started_at=timezone.now() - timedelta(minutes=5),
                outcome=Outcome.TRANSFERRED)  # fmt: skip
    client = _client(rina)
    page = client.get(reverse("reports:handover"))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-figure="calls">1<' in html and 'id="handover-form"' in html
    response = client.post(reverse("reports:handover"), {"note": "Pak Budi rings back at 4"})
    assert response.status_code == 302
    handover = ShiftHandover.objects.get()
    assert handover.note == "Pak Budi rings back at 4" and handover.figures["calls"]["total"] == 1
    page = client.get(reverse("reports:handover")).content.decode()
    assert "data-handed-over" in page and 'id="handover-form"' not in page
    again = client.post(reverse("reports:handover"), {"note": "twice"})
    assert again.status_code == 422
    assert "data-handover-refused" in again.content.decode()
    assert "This shift has been handed over already." in again.content.decode()
    assert ShiftHandover.objects.count() == 1


def test_a_too_long_note_shows_the_error_and_saves_nothing(live_shift):
    rina, _agus, _start = live_shift
    response = _client(rina).post(reverse("reports:handover"), {"note": "x" * 4001})
    assert response.status_code == 422
    assert "is-invalid" in response.content.decode()
    assert not ShiftHandover.objects.exists()


def test_the_incoming_operator_sees_it_and_acknowledges_on_the_page(live_shift):
    rina, agus, _start = live_shift
    handover = handover_create(operator=rina, note="Fax machine jammed")
    page = _client(agus).get(reverse("reports:handover")).content.decode()
    assert f'data-waiting-handover="{handover.pk}"' in page and "Fax machine jammed" in page
    response = _client(agus).post(
        reverse("reports:handover-acknowledge", args=[handover.pk]), follow=True
    )
    assert "You acknowledged Rina" in response.content.decode()
    handover.refresh_from_db()
    assert handover.acknowledged_by == agus


def test_other_operators_get_404_on_a_handover_not_theirs(live_shift):
    rina, _agus, _start = live_shift
    handover = handover_create(operator=rina)
    stranger = make_operator("stranger")
    client = _client(stranger)
    assert client.get(reverse("reports:handover-detail", args=[handover.pk])).status_code == 404
    url = reverse("reports:handover-acknowledge", args=[handover.pk])
    assert client.post(url).status_code == 404
    assert "Fax" not in client.get(reverse("reports:handover")).content.decode()
    assert ShiftHandover.objects.get().acknowledged_at is None


def test_operators_never_see_the_supervisors_list(live_shift, outsider_client):
    rina, _agus, _start = live_shift
    assert _client(rina).get(reverse("reports:handover-list")).status_code == 403
    assert outsider_client.get(reverse("reports:handover")).status_code == 403
    assert outsider_client.get(reverse("reports:handover-list")).status_code == 403


def test_supervisors_list_every_handover_with_its_state(
    live_shift, supervisor_client, django_assert_max_num_queries
):
    rina, agus, start = live_shift
    first = handover_create(operator=rina, note="one")
    handover_acknowledge(handover=first, by=agus)
    with django_assert_max_num_queries(10) as small:
        response = supervisor_client.get(reverse("reports:handover-list"))
    assert f'data-handover="{first.pk}"' in response.content.decode()
    assert "Acknowledged" in response.content.decode()
    for i in range(15):  # more handovers: earlier days' clock sessions
        op = make_operator(f"op{i}")
        ShiftHandover.objects.create(
            operator=op, date=start.date(), period_start=start, period_end=start, figures={}
        )
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = supervisor_client.get(reverse("reports:handover-list"))
    waiting = supervisor_client.get(reverse("reports:handover-list"), {"state": "waiting"})
    assert f'data-handover="{first.pk}"' not in waiting.content.decode()
    assert supervisor_client.get(reverse("reports:handover-list"), {"page": "x"}).status_code == 200


def test_admin_reads_handovers(client, live_shift):
    from tests.factories import UserFactory

    rina, _agus, _start = live_shift
    handover = handover_create(operator=rina)
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    assert client.get(reverse("admin:reports_shifthandover_changelist")).status_code == 200
    url = reverse("admin:reports_shifthandover_history", args=[handover.pk])
    assert client.get(url).status_code == 200
