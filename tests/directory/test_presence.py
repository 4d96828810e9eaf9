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
from tests.factories import DepartmentFactory, ExtensionFactory, StaffFactory

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
    match = re.search(rf'<tr id="presence-row-{staff.pk}"[^>]*>.*?</tr>', body, re.S)
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


# The board by HTMX: refused changes, cancel, extensions, filter and pages ---------

HTMX = {"HTTP_HX_REQUEST": "true"}


def past(hours=1):
    return (timezone.localtime() - timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M")


def test_refused_change_comes_back_422_with_the_error_next_to_the_field(operator_client):
    person = StaffFactory(full_name="Budi Santoso")

    response = operator_client.post(
        reverse("directory:presence-edit", args=[person.pk]),
        {"presence": "out", "back_at": past(), "note": "Bank", "slot": "row"},
        **HTMX,
    )

    assert response.status_code == 422  # board.js swaps it in; htmx would not by itself
    body = response.content.decode()
    assert f'id="presence-row-{person.pk}"' in body and "data-presence-form-row" in body
    field_id = f"id_presence_{person.pk}_row_back_at"
    assert re.search(rf'<input[^>]+id="{field_id}"[^>]*>', body)
    back_at = re.search(rf'<input[^>]+id="{field_id}"[^>]*>', body).group(0)
    assert "is-invalid" in back_at and f'aria-describedby="{field_id}-error"' in back_at
    error = re.search(rf'<div[^>]+id="{field_id}-error"[^>]*>(.*?)</div>', body, re.S)
    assert "The back-at time must be in the future." in error.group(1)
    assert 'data-error-for="back_at"' in error.group(0)
    assert 'value="Bank"' in body  # what was typed is kept
    person.refresh_from_db()
    assert person.presence == Presence.IN


def test_two_open_forms_on_the_board_do_not_share_field_ids(operator_client):
    one, two = StaffFactory(), StaffFactory()

    forms = [
        operator_client.get(reverse("directory:presence-edit", args=[p.pk]), **HTMX)
        for p in (one, two)
    ]

    ids = [set(re.findall(r'id="(id_[^"]+)"', f.content.decode())) for f in forms]
    assert ids[0] and ids[1] and not ids[0] & ids[1]
    assert "id_presence" not in ids[0]  # the board's own filter uses that one


def test_cancel_gives_the_row_back_unchanged(operator_client):
    person = StaffFactory(full_name="Budi Santoso", presence=Presence.MEETING)
    url = reverse("directory:presence-edit", args=[person.pk])

    response = operator_client.get(url, {"cancel": "1", "slot": "row"}, **HTMX)

    body = response.content.decode()
    assert response.status_code == 200
    assert f'<tr id="presence-row-{person.pk}" data-presence-row>' in body
    assert "<form" not in body and "In a meeting" in body
    assert "data-presence-change" in body


def test_staff_members_own_card_keeps_its_own_row_id(staff_client, staff_member):
    me = staff_member.staff_profile
    url = reverse("directory:presence-edit", args=[me.pk])

    board = staff_client.get(reverse("directory:board")).content.decode()
    assert board.count(f'id="presence-me-{me.pk}"') == 1
    assert board.count(f'id="presence-row-{me.pk}"') == 1
    form = staff_client.get(url, {"slot": "me"}, **HTMX).content.decode()
    assert f'id="presence-me-{me.pk}"' in form and 'name="slot" value="me"' in form
    saved = staff_client.post(url, {"presence": "remote", "slot": "me"}, **HTMX)
    assert f'id="presence-me-{me.pk}"' in saved.content.decode()
    refused = staff_client.post(
        url, {"presence": "out", "back_at": past(), "slot": "me"}, **HTMX
    ).content.decode()
    assert f'id="presence-me-{me.pk}"' in refused


def test_saved_row_shows_the_new_presence_and_the_extension(operator_client):

    person = StaffFactory(full_name="Budi Santoso")
    ExtensionFactory(number="2104", staff=person)

    response = operator_client.post(
        reverse("directory:presence-edit", args=[person.pk]),
        {"presence": "meeting", "back_at": future(), "note": "Rapat"},
        **HTMX,
    )

    row = _board_row(response.content.decode(), person)
    assert "In a meeting" in row and "Rapat" in row and "2104" in row


def _people(n, **kwargs):

    people = []
    for i in range(n):
        person = StaffFactory(full_name=f"Orang {i:03d}", **kwargs)
        ExtensionFactory(staff=person)
        ExtensionFactory(staff=person, kind="fax")
        people.append(person)
    return people


# Session, user, the user's own Staff record (operators may have one too),
# permissions; the page's count; the people with their department and cover;
# their extensions; the filter's departments; the navigation's unread-messages
# badge and the operator's clock.
BOARD_QUERIES = 10


@pytest.mark.parametrize("rows", [1, 50])
def test_board_shows_extensions_in_a_constant_number_of_queries(
    rows, operator_client, django_assert_num_queries
):
    cover = StaffFactory(full_name="Citra Pengganti")
    people = _people(rows - 1, presence=Presence.OUT, cover=cover)
    url = reverse("directory:board")

    with django_assert_num_queries(BOARD_QUERIES):
        response = operator_client.get(url)

    body = response.content.decode()
    assert len(response.context["page"].object_list) == rows
    for person in people:
        desk, fax = (e.number for e in person.extensions.order_by("kind"))
        assert f"{desk}, {fax}" in _board_row(body, person)  # desk phone first


@pytest.mark.parametrize("rows", [1, 50])
def test_staff_members_board_is_constant_too(
    rows, staff_client, staff_member, django_assert_num_queries
):

    ExtensionFactory(number="2199", staff=staff_member.staff_profile)
    _people(rows - 1)

    # As above (but no clock: they are no operator), plus the extensions of
    # their own card.
    with django_assert_num_queries(BOARD_QUERIES):
        response = staff_client.get(reverse("directory:board"))

    me = re.search(r'<tr id="presence-me-\d+"[^>]*>.*?</tr>', response.content.decode(), re.S)
    assert "2199" in me.group(0)


def test_board_filters_by_department_and_name(operator_client):
    finance = DepartmentFactory(name="Keuangan", code="FIN")
    sales = DepartmentFactory(name="Penjualan", code="SLS")
    StaffFactory(full_name="Budi Santoso", department=finance)
    StaffFactory(full_name="Rina Budiman", department=sales)
    StaffFactory(full_name="Agus Salim", department=finance)
    url = reverse("directory:board")

    def names(params):
        page = operator_client.get(url, params).context["page"]
        return [s.full_name for s in page.object_list]

    assert names({"department": finance.pk}) == ["Agus Salim", "Budi Santoso"]
    assert names({"q": "bud"}) == ["Budi Santoso", "Rina Budiman"]
    assert names({"q": "BUD", "department": sales.pk}) == ["Rina Budiman"]
    assert names({"q": "santoso"}) == ["Budi Santoso"]


def test_board_finds_people_by_extension(operator_client):

    budi = StaffFactory(full_name="Budi Santoso")
    ExtensionFactory(number="2104", staff=budi)
    ExtensionFactory(number="2105", staff=budi, kind="fax")
    StaffFactory(full_name="Rina Wati")

    page = operator_client.get(reverse("directory:board"), {"q": "210"}).context["page"]

    assert [s.full_name for s in page.object_list] == ["Budi Santoso"]


def test_filter_asked_by_htmx_answers_with_the_table_only(operator_client):
    finance = DepartmentFactory(name="Keuangan", code="FIN")
    StaffFactory(full_name="Budi Santoso", department=finance)
    StaffFactory(full_name="Rina Wati")

    response = operator_client.get(
        reverse("directory:board"),
        {"department": finance.pk},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="board-results",
    )

    body = response.content.decode()
    assert "<html" not in body and '<nav class="navbar' not in body
    assert "Budi Santoso" in body and "Rina Wati" not in body
    assert "1 person" in body


def test_empty_filter_says_so_and_offers_everyone(operator_client):
    StaffFactory(full_name="Budi Santoso")

    body = operator_client.get(reverse("directory:board"), {"q": "zzzz"}).content.decode()

    assert "Nobody matches this filter." in body
    assert "data-board-clear" in body
    assert "0 people" in body


def test_pages_keep_the_filter(operator_client):
    finance = DepartmentFactory(name="Keuangan", code="FIN")
    _people(55, department=finance)
    StaffFactory(full_name="Orang Lain")  # another department, filtered out
    url = reverse("directory:board")

    first = operator_client.get(url, {"department": finance.pk})
    second = operator_client.get(url, {"department": finance.pk, "page": 2})

    assert first.context["page"].paginator.count == 55
    assert len(first.context["page"].object_list) == 50
    assert f"?department={finance.pk}&amp;page=2" in first.content.decode()
    assert [s.full_name for s in second.context["page"].object_list] == [
        f"Orang {i:03d}" for i in range(50, 55)
    ]
    assert f"?department={finance.pk}&amp;page=1" in second.content.decode()


@pytest.mark.parametrize(
    "params",
    [
        {"department": "²³"},
        {"department": "99999999999999999999999"},
        {"department": "abc"},
        {"presence": "mars"},
        {"page": "999999999999999999999"},
        {"page": "-1"},
        {"q": "a\x00b"},
        {"q": "x" * 5000},
    ],
)
def test_odd_filters_give_a_message_or_an_empty_board_never_an_error(params, operator_client):
    StaffFactory(full_name="Budi Santoso")

    response = operator_client.get(reverse("directory:board"), params)

    assert response.status_code == 200
    body = response.content.decode()
    if "department" in params or "presence" in params:
        assert "data-filter-errors" in body
        assert "Budi Santoso" in body  # the bad filter is left out
