"""Shift swaps: asking, answering, approving (the roster changes, with
history), refusing, stale swaps, two supervisors at once, and the pages."""

import threading
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from reports.models import AttendanceDay, RosterEntry, ShiftSwap, SwapStatus
from reports.services.roster import (
    SwapConflict,
    SwapStale,
    roster_set,
    swap_cancel,
    swap_decide,
    swap_request,
    swap_respond,
)
from switchboard.roles import SUPERVISOR
from tests.factories import UserFactory
from tests.reports.factories_roster import RosterEntryFactory, desk_shifts, make_operator

pytestmark = pytest.mark.django_db


@pytest.fixture
def shifts():
    return desk_shifts()


@pytest.fixture
def day():
    return timezone.localdate() + timedelta(days=3)


@pytest.fixture
def sari():
    return make_operator("sari", first_name="Sari", last_name="Wulandari")


@pytest.fixture
def dewi():
    return make_operator("dewi", first_name="Dewi", last_name="Anggraini")


def entry(operator, day, key, shifts):
    return RosterEntryFactory(operator=operator, date=day, shift_type=shifts[key])


def accepted(swap):
    return swap_respond(swap=swap, by=swap.colleague, accept=True)


def test_an_exchange_on_two_days_changes_hands_only_once_approved(
    sari, dewi, supervisor, shifts, day
):
    mine = entry(sari, day, "P", shifts)
    theirs = entry(dewi, day + timedelta(days=1), "S", shifts)
    swap = swap_request(
        requester=sari, requester_entry=mine, colleague=dewi, colleague_entry=theirs, reason="x"
    )
    accepted(swap)
    mine.refresh_from_db()
    assert mine.operator == sari  # nothing changed yet
    swap = swap_decide(swap=swap, by=supervisor, approve=True, note="OK")
    assert swap.status == SwapStatus.APPROVED and swap.decided_by == supervisor
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert (mine.operator, theirs.operator) == (dewi, sari)
    last = mine.history.first()
    assert last.history_user == supervisor
    assert last.history_change_reason == f"Shift swap #{swap.pk} approved"
    assert [h.operator_id for h in mine.history.order_by("history_date")] == [sari.pk, dewi.pk]
    # Attendance follows the roster.
    assert AttendanceDay.objects.get(operator=dewi, date=day).roster_entry == mine
    assert not AttendanceDay.objects.filter(operator=sari, date=day).exists()


def test_a_favour_gives_the_shift_to_a_free_colleague(sari, dewi, supervisor, shifts, day):
    mine = entry(sari, day, "M", shifts)
    swap = accepted(swap_request(requester=sari, requester_entry=mine, colleague=dewi))
    swap_decide(swap=swap, by=supervisor, approve=True)
    mine.refresh_from_db()
    assert mine.operator == dewi
    assert not RosterEntry.objects.filter(operator=sari).exists()


def test_a_same_day_swap_trades_the_shift_types(sari, dewi, supervisor, shifts, day):
    mine = entry(sari, day, "P", shifts)
    theirs = entry(dewi, day, "S", shifts)
    swap = accepted(
        swap_request(requester=sari, requester_entry=mine, colleague=dewi, colleague_entry=theirs)
    )
    swap_decide(swap=swap, by=supervisor, approve=True)
    assert RosterEntry.objects.get(operator=sari, date=day).shift_type == shifts["S"]
    assert RosterEntry.objects.get(operator=dewi, date=day).shift_type == shifts["P"]


def test_refusal_keeps_the_roster_and_the_note(sari, dewi, supervisor, shifts, day):
    mine = entry(sari, day, "P", shifts)
    swap = accepted(swap_request(requester=sari, requester_entry=mine, colleague=dewi))
    swap = swap_decide(swap=swap, by=supervisor, approve=False, note="Dewi is on training")
    assert swap.status == SwapStatus.REFUSED and swap.decision_note == "Dewi is on training"
    mine.refresh_from_db()
    assert mine.operator == sari
    assert [h.status for h in swap.history.order_by("history_date")] == [
        "requested",
        "accepted",
        "refused",
    ]


@pytest.mark.parametrize(
    ("setup", "field", "message"),
    [
        ("past", "requester_entry", "already started"),
        ("leave", "requester_entry", "Only a shift"),
        ("busy_favour", "colleague_entry", "rostered on"),
        ("same_shift", "colleague_entry", "same shift"),
        ("not_theirs", "colleague_entry", "Choose one of"),
        ("self", "colleague", "other than yourself"),
    ],
)
def test_a_request_that_cannot_work_is_refused_next_to_its_field(
    sari, dewi, shifts, day, setup, field, message
):
    mine = entry(sari, day, "P", shifts)
    colleague, theirs = dewi, None
    if setup == "past":
        mine = entry(sari, timezone.localdate() - timedelta(days=1), "P", shifts)
    elif setup == "leave":
        mine = RosterEntryFactory(
            operator=sari, date=day + timedelta(days=5), kind="leave", shift_type=None
        )
    elif setup == "busy_favour":
        entry(dewi, day, "S", shifts)
    elif setup == "same_shift":
        theirs = entry(dewi, day, "P", shifts)
    elif setup == "not_theirs":
        theirs = entry(make_operator("maya"), day + timedelta(days=1), "S", shifts)
    elif setup == "self":
        colleague = sari
    with pytest.raises(ValidationError) as caught:
        swap_request(
            requester=sari, requester_entry=mine, colleague=colleague, colleague_entry=theirs
        )
    assert message in " ".join(caught.value.message_dict[field])
    assert not ShiftSwap.objects.exists()


def test_only_the_colleague_answers_and_only_the_requester_cancels(sari, dewi, shifts, day):
    swap = swap_request(
        requester=sari, requester_entry=entry(sari, day, "P", shifts), colleague=dewi
    )
    with pytest.raises(ValidationError):
        swap_respond(swap=swap, by=sari, accept=True)
    with pytest.raises(ValidationError):
        swap_cancel(swap=swap, by=dewi)
    assert swap_cancel(swap=swap, by=sari).status == SwapStatus.CANCELLED
    with pytest.raises(ValidationError, match="cancelled"):
        swap_respond(swap=swap, by=dewi, accept=True)


def test_a_swap_must_be_accepted_before_a_supervisor_decides(sari, dewi, supervisor, shifts, day):
    swap = swap_request(
        requester=sari, requester_entry=entry(sari, day, "P", shifts), colleague=dewi
    )
    with pytest.raises(ValidationError, match="asked"):
        swap_decide(swap=swap, by=supervisor, approve=True)


def test_a_swap_whose_shift_changed_since_it_was_asked_is_refused(
    sari, dewi, supervisor, shifts, day
):
    mine = entry(sari, day, "P", shifts)
    theirs = entry(dewi, day + timedelta(days=1), "S", shifts)
    swap = accepted(
        swap_request(requester=sari, requester_entry=mine, colleague=dewi, colleague_entry=theirs)
    )
    # Re-rostered behind the swap's back (the admin, say; the grid refuses it).
    theirs.shift_type = shifts["M"]
    theirs.save()
    with pytest.raises(SwapStale, match="changed since it was asked"):
        swap_decide(swap=swap, by=supervisor, approve=True)
    swap.refresh_from_db()
    assert swap.status == SwapStatus.REFUSED and "changed" in swap.decision_note
    mine.refresh_from_db()
    assert mine.operator == sari


def test_the_second_supervisor_gets_a_conflict(sari, dewi, supervisor, shifts, day):
    other = UserFactory(username="sup2", roles=[SUPERVISOR])
    swap = accepted(
        swap_request(requester=sari, requester_entry=entry(sari, day, "P", shifts), colleague=dewi)
    )
    stale_copy = ShiftSwap.objects.get(pk=swap.pk)
    swap_decide(swap=swap, by=supervisor, approve=True)
    with pytest.raises(SwapConflict, match="approved"):
        swap_decide(swap=stale_copy, by=other, approve=False)
    assert RosterEntry.objects.get(date=day).operator == dewi


@pytest.mark.django_db(transaction=True)
def test_two_supervisors_approving_at_once_one_wins(shifts):
    if connection.vendor != "postgresql":
        pytest.skip("real concurrency needs PostgreSQL")
    sari, dewi = make_operator("sari"), make_operator("dewi")
    sup1 = UserFactory(username="sup1", roles=[SUPERVISOR])
    sup2 = UserFactory(username="sup2", roles=[SUPERVISOR])
    day = timezone.localdate() + timedelta(days=3)
    swap = accepted(
        swap_request(requester=sari, requester_entry=entry(sari, day, "P", shifts), colleague=dewi)
    )
    results = []
    barrier = threading.Barrier(2)

    def decide(user):
        copy = ShiftSwap.objects.get(pk=swap.pk)
        barrier.wait()
        try:
            swap_decide(swap=copy, by=user, approve=True)
            results.append("ok")
        except SwapConflict:
            results.append("conflict")
        finally:
            connection.close()

    threads = [threading.Thread(target=decide, args=(u,)) for u in (sup1, sup2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["conflict", "ok"]
    assert RosterEntry.objects.get(date=day).operator == dewi


# The pages ----------------------------------------------------------------------


@pytest.fixture
def sari_client(sari):
    client = Client()
    client.force_login(sari)
    return client


@pytest.fixture
def dewi_client(dewi):
    client = Client()
    client.force_login(dewi)
    return client


def test_an_operator_asks_from_my_schedule_and_the_colleague_accepts(
    sari_client, dewi_client, sari, dewi, shifts, day
):
    mine = entry(sari, day, "P", shifts)
    theirs = entry(dewi, day, "S", shifts)
    page = sari_client.get(reverse("reports:my-schedule"))
    assert "Ask a colleague to swap" in page.content.decode()
    response = sari_client.post(
        reverse("reports:swap-new"),
        {"requester_entry": mine.pk, "colleague": dewi.pk, "colleague_entry": theirs.pk},
        follow=True,
    )
    assert "Swap asked" in response.content.decode()
    swap = ShiftSwap.objects.get()
    page = dewi_client.get(reverse("reports:my-schedule")).content.decode()
    assert reverse("reports:swap-answer", args=[swap.pk]) in page
    response = dewi_client.post(
        reverse("reports:swap-answer", args=[swap.pk]), {"accept": "1"}, follow=True
    )
    assert "a supervisor approves it next" in response.content.decode()
    swap.refresh_from_db()
    assert swap.status == SwapStatus.ACCEPTED


def test_a_refused_request_shows_the_field_error_and_saves_nothing(
    sari_client, sari, dewi, shifts, day
):
    mine = entry(sari, day, "P", shifts)
    entry(dewi, day, "S", shifts)
    response = sari_client.post(
        reverse("reports:swap-new"), {"requester_entry": mine.pk, "colleague": dewi.pk}
    )
    assert response.status_code == 422
    assert "is rostered on" in response.content.decode()
    response = sari_client.post(reverse("reports:swap-new"), {"requester_entry": "abc"})
    assert response.status_code == 422
    assert not ShiftSwap.objects.exists()


def test_other_operators_get_404_and_outsiders_403(
    sari, dewi, shifts, day, operator_client, outsider_client
):
    swap = swap_request(
        requester=sari, requester_entry=entry(sari, day, "P", shifts), colleague=dewi
    )
    for url in ("reports:swap-answer", "reports:swap-cancel"):
        assert operator_client.post(reverse(url, args=[swap.pk])).status_code == 404
        assert outsider_client.post(reverse(url, args=[swap.pk])).status_code == 403
    assert operator_client.post(reverse("reports:swap-decide", args=[swap.pk])).status_code == 403
    assert operator_client.get(reverse("reports:swap-list")).status_code == 403
    assert outsider_client.get(reverse("reports:my-schedule")).status_code == 403
    swap.refresh_from_db()
    assert swap.status == SwapStatus.REQUESTED


def test_a_supervisor_approves_from_the_swap_list(supervisor_client, sari, dewi, shifts, day):
    swap = accepted(
        swap_request(requester=sari, requester_entry=entry(sari, day, "P", shifts), colleague=dewi)
    )
    page = supervisor_client.get(reverse("reports:swap-list")).content.decode()
    assert "Sari Wulandari" in page and "as a favour" in page
    response = supervisor_client.post(
        reverse("reports:swap-decide", args=[swap.pk]), {"approve": "1", "note": "ok"}, follow=True
    )
    assert "Swap approved" in response.content.decode()
    response = supervisor_client.post(
        reverse("reports:swap-decide", args=[swap.pk]), {"refuse": "1"}, follow=True
    )
    assert "it cannot be refused" in response.content.decode()
    assert RosterEntry.objects.get(date=day).operator == dewi


@pytest.mark.parametrize("swaps", [1, 20])
def test_the_swap_list_runs_a_constant_number_of_queries(
    supervisor_client, shifts, swaps, django_assert_max_num_queries
):
    for i in range(swaps):
        a, b = make_operator(f"a{swaps}_{i}"), make_operator(f"b{swaps}_{i}")
        day = timezone.localdate() + timedelta(days=2 + i)
        accepted(swap_request(requester=a, requester_entry=entry(a, day, "P", shifts), colleague=b))
    with django_assert_max_num_queries(8):
        response = supervisor_client.get(reverse("reports:swap-list"))
    assert len(response.context["swaps"]) == swaps


def test_the_roster_grid_refuses_a_cell_in_an_open_swap(supervisor, sari, dewi, shifts, day):
    swap_request(requester=sari, requester_entry=entry(sari, day, "P", shifts), colleague=dewi)
    with pytest.raises(ValidationError, match="swap"):
        roster_set(by=supervisor, operator=sari, day=day, key="")
