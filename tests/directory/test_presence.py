import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from directory.models import Presence, Staff
from directory.services import presence_expire
from directory.tasks import presence_expire_task
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db


def future(hours=2):
    return (timezone.localtime() + timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M")


def test_staff_member_sets_their_own_presence(staff_client, staff_member):
    me = staff_member.staff_profile

    response = staff_client.post(
        reverse("directory:presence-edit", args=[me.pk]),
        {"presence": "meeting", "back_at": future(), "note": "Rapat anggaran"},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 200
    assert f'id="presence-row-{me.pk}"' in response.content.decode()
    me.refresh_from_db()
    assert me.presence == Presence.MEETING
    assert me.presence_note == "Rapat anggaran"
    assert me.back_at > timezone.now()
    assert me.history.first().presence == Presence.MEETING
    assert me.history.first().history_change_reason == "presence"


def test_staff_member_cannot_change_someone_else(staff_client):
    other = StaffFactory(full_name="Orang Lain")

    response = staff_client.post(
        reverse("directory:presence-edit", args=[other.pk]), {"presence": "out"}
    )

    assert response.status_code == 403
    other.refresh_from_db()
    assert other.presence == Presence.IN


def test_operator_changes_anyones_presence_and_is_sent_back_to_the_board(operator_client):
    person = StaffFactory()

    response = operator_client.post(
        reverse("directory:presence-edit", args=[person.pk]),
        {"presence": "leave", "back_at": future(72), "note": "Cuti"},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("directory:board")
    person.refresh_from_db()
    assert person.presence == Presence.LEAVE


def test_back_at_in_the_past_is_refused_on_the_field(operator_client):
    person = StaffFactory()
    past = (timezone.localtime() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")

    response = operator_client.post(
        reverse("directory:presence-edit", args=[person.pk]),
        {"presence": "out", "back_at": past},
    )

    assert response.status_code == 200
    assert response.context["form"].errors["back_at"]
    person.refresh_from_db()
    assert person.presence == Presence.IN


def test_unknown_presence_is_a_field_error(operator_client):
    person = StaffFactory()

    response = operator_client.post(
        reverse("directory:presence-edit", args=[person.pk]), {"presence": "mars"}
    )

    assert response.context["form"].errors["presence"]
    person.refresh_from_db()
    assert person.presence == Presence.IN


def test_back_in_sets_clears_back_at_and_note(operator_client):
    person = StaffFactory(
        presence=Presence.OUT, back_at=timezone.now() + timedelta(hours=1), presence_note="Bank"
    )

    operator_client.post(reverse("directory:presence-edit", args=[person.pk]), {"presence": "in"})

    person.refresh_from_db()
    assert (person.presence, person.back_at, person.presence_note) == ("in", None, "")


def test_sweep_brings_people_back_when_their_time_has_passed():
    now = timezone.now()
    due = StaffFactory(presence=Presence.OUT, back_at=now - timedelta(minutes=1))
    later = StaffFactory(presence=Presence.LEAVE, back_at=now + timedelta(days=2))
    open_ended = StaffFactory(presence=Presence.REMOTE, back_at=None)

    assert presence_expire(now=now) == 1
    assert presence_expire(now=now) == 0  # idempotent

    states = dict(Staff.objects.values_list("pk", "presence"))
    assert states == {due.pk: "in", later.pk: "leave", open_ended.pk: "remote"}
    assert due.history.first().history_change_reason == "back-at time passed"


def test_sweep_task_runs_the_same_service():
    StaffFactory(presence=Presence.OUT, back_at=timezone.now() - timedelta(minutes=5))

    assert presence_expire_task.delay().get() == 1


def test_board_lists_staff_with_presence_for_a_staff_member(staff_client):
    StaffFactory(full_name="Teguh Wibowo", presence=Presence.OUT, presence_note="Ke bank")

    body = staff_client.get(reverse("directory:board")).content.decode()

    assert "Teguh Wibowo" in body
    assert "Ke bank" in body
    assert "Sari Pegawai" in body  # their own card


def test_board_filters_by_presence(operator_client):
    StaffFactory(full_name="Ada Di Kantor")
    StaffFactory(full_name="Sedang Cuti", presence=Presence.LEAVE)

    body = operator_client.get(reverse("directory:board"), {"presence": "leave"}).content.decode()

    assert "Sedang Cuti" in body
    assert "Ada Di Kantor" not in body


def _board_row(body, staff):
    """The board row of one person, so a name elsewhere on the page does not count."""
    match = re.search(rf'<tr id="presence-row-{staff.pk}">.*?</tr>', body, re.S)
    assert match, f"no board row for {staff}"
    return match.group(0)


def test_board_shows_the_cover_only_of_people_who_are_away(operator_client):
    # Working remotely is reachable at their own extension, as in the search.
    cover = StaffFactory(full_name="Citra Pengganti")
    away = StaffFactory(full_name="Dodi Keluar", presence=Presence.OUT, cover=cover)
    remote = StaffFactory(full_name="Rudi Jarak Jauh", presence=Presence.REMOTE, cover=cover)

    body = operator_client.get(reverse("directory:board")).content.decode()

    assert "Citra Pengganti" in _board_row(body, away)
    assert "Citra Pengganti" not in _board_row(body, remote)
    assert "Rudi Jarak Jauh" in _board_row(body, remote)


def test_outsider_cannot_see_the_board(outsider_client):
    assert outsider_client.get(reverse("directory:board")).status_code == 403


def test_board_query_count_is_constant(operator_client):
    cover = StaffFactory()
    StaffFactory(presence=Presence.OUT, cover=cover)
    url = reverse("directory:board")
    operator_client.get(url)
    with CaptureQueriesContext(connection) as one:
        operator_client.get(url)
    for _ in range(50):
        StaffFactory(presence=Presence.OUT, cover=cover)
    with CaptureQueriesContext(connection) as many:
        operator_client.get(url)
    assert len(one) == len(many) <= 10
