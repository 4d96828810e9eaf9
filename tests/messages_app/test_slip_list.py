"""The slip list (messages_app:slip-list): every filter against hand-made
slips, the recap's "late by" rule, who may see it, bad query strings (field
errors or ignored, never a 500), pages, and its constant number of queries."""

import re
from datetime import date, datetime, time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.factories import DepartmentFactory, StaffFactory
from tests.messages_app.factories import SlipFactory

pytestmark = pytest.mark.django_db

LIST = reverse("messages_app:slip-list")
ROW = re.compile(r'<tr data-slip-id="(\d+)"')
D = date(2026, 3, 10)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=timezone.get_default_timezone())


def shown(response) -> list[int]:
    assert response.status_code == 200
    return [int(pk) for pk in ROW.findall(response.content.decode())]


def listed(client, **query) -> set[int]:
    return set(shown(client.get(LIST, query)))


def ids(*slips) -> set[int]:
    return {s.pk for s in slips}


@pytest.fixture
def finance():
    return DepartmentFactory(name="Keuangan", code="KEU")


@pytest.fixture
def slips(finance):
    """Slips of D and the day around it, one of each kind."""
    person = StaffFactory(full_name="Rina Keuangan", department=finance)
    return {
        # For a person of Keuangan; delivered, acknowledged in time, done.
        "done": SlipFactory(
            for_staff=person,
            created_at=at(D, 8),
            due_at=at(D, 9),
            delivered_at=at(D, 8, 1),
            acknowledged_at=at(D, 8, 30),
            done_at=at(D, 10),
            status="done",
            urgency="high",
        ),
        # For Keuangan itself; never acknowledged, due at noon: late, escalated.
        "late": SlipFactory(
            for_staff=None,
            for_department=finance,
            created_at=at(D, 10),
            due_at=at(D, 12),
            escalation_level=1,
            urgency="urgent",
        ),
        # Acknowledged after its due time: late too, as of D's end.
        "late_ack": SlipFactory(
            created_at=at(D, 13),
            due_at=at(D, 14),
            delivered_at=at(D, 13, 1),
            acknowledged_at=at(D, 15),
            status="acknowledged",
        ),
        # Due the next morning: not late by D's end.
        "tomorrow": SlipFactory(created_at=at(D, 22), due_at=at(D + timedelta(days=1), 9)),
        # The day before (local), though the same UTC day as D's first hours.
        "before": SlipFactory(created_at=at(D - timedelta(days=1), 23, 30), due_at=at(D, 1)),
    }


def day(**query):
    return {"date_from": D.isoformat(), "date_to": D.isoformat(), **query}


def test_the_date_range_counts_whole_local_days(supervisor_client, slips):
    s = slips
    assert listed(supervisor_client, **day()) == ids(
        s["done"], s["late"], s["late_ack"], s["tomorrow"]
    )
    assert listed(supervisor_client, date_to=(D - timedelta(days=1)).isoformat()) == ids(
        s["before"]
    )


def test_newest_first(supervisor_client, slips):
    s = slips
    order = shown(supervisor_client.get(LIST, day()))
    assert order == [s["tomorrow"].pk, s["late_ack"].pk, s["late"].pk, s["done"].pk]


def test_status_and_urgency_take_several_values(supervisor_client, slips):
    s = slips
    assert listed(supervisor_client, status=["done", "acknowledged"]) == ids(
        s["done"], s["late_ack"]
    )
    assert listed(supervisor_client, urgency=["high", "urgent"]) == ids(s["done"], s["late"])


def test_the_department_is_the_departments_slips_and_its_peoples(supervisor_client, slips, finance):
    assert listed(supervisor_client, department=[finance.pk]) == ids(slips["done"], slips["late"])


@pytest.mark.parametrize(
    ("name", "yes"),
    [
        ("delivered", ("done", "late_ack")),
        ("acknowledged", ("done", "late_ack")),
        ("done", ("done",)),
        ("escalated", ("late",)),
    ],
)
def test_the_stamps_yes_and_no(supervisor_client, slips, name, yes):
    on_d = {"done", "late", "late_ack", "tomorrow"}
    assert listed(supervisor_client, **day(**{name: "yes"})) == {slips[k].pk for k in yes}
    assert listed(supervisor_client, **day(**{name: "no"})) == {
        slips[k].pk for k in on_d - set(yes)
    }


def test_late_by_a_day_is_the_recaps_rule(supervisor_client, slips):
    s = slips
    # As of D's end: never acknowledged by its due time, or acknowledged after it.
    assert listed(supervisor_client, **day(late_by=D.isoformat())) == ids(s["late"], s["late_ack"])
    # As of the next day's end, the one due that morning is late too.
    following = (D + timedelta(days=1)).isoformat()
    assert listed(supervisor_client, **day(late_by=following)) == ids(
        s["late"], s["late_ack"], s["tomorrow"]
    )
    # Without the date range: every slip late by D's end, whenever taken.
    assert listed(supervisor_client, late_by=D.isoformat()) == ids(
        s["late"], s["late_ack"], s["before"]
    )


def test_the_summary_says_what_is_filtered(supervisor_client, slips):
    body = supervisor_client.get(LIST, day(status=["new"], escalated="yes")).content.decode()
    assert "Status: New" in body and "Escalated: Yes" in body


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"date_from": "2026-02-30"}, "date_from"),
        ({"date_from": "1066-10-14"}, "date_from"),
        ({"late_by": "yesterday"}, "late_by"),
        ({"status": "lost"}, "status"),
        ({"urgency": "whenever"}, "urgency"),
        ({"department": "999999999"}, "department"),
        ({"department": "abc"}, "department"),
        ({"delivered": "maybe"}, "delivered"),
        ({"escalated": "1"}, "escalated"),
        ({"date_from": "2026-03-11", "date_to": "2026-03-10"}, "date_to"),
    ],
)
def test_a_bad_filter_is_said_next_to_its_field_and_lists_nothing(
    supervisor_client, slips, query, field
):
    response = supervisor_client.get(LIST, query)
    assert response.status_code == 200
    assert f'data-error-for="{field}"' in response.content.decode()
    assert shown(response) == []
    assert "Correct the filter" in response.content.decode()


@pytest.mark.parametrize(
    "query",
    [
        {"page": "abc"},
        {"page": "99999999999999999999"},
        {"page": "-1"},
        {"per_page": "zero"},
        {"per_page": "100000"},
        {"sort": "nonsense,-password"},
        {"unknown": "x"},
    ],
)
def test_bad_pages_and_sorts_never_500(supervisor_client, slips, query):
    assert supervisor_client.get(LIST, query).status_code == 200


def test_pages_are_bounded_and_the_count_capped(supervisor_client, monkeypatch):
    from messages_app import tables

    monkeypatch.setattr(tables, "COUNT_CAP", 3)
    for n in range(5):
        SlipFactory(created_at=at(D, 8, n))
    first = supervisor_client.get(LIST, {"per_page": 2})
    assert len(shown(first)) == 2
    assert "More than 3 messages" in first.content.decode()
    assert len(shown(supervisor_client.get(LIST, {"per_page": 2, "page": 3}))) == 1


def test_sorted_by_the_acknowledge_by_time(supervisor_client, slips):
    s = slips
    order = shown(supervisor_client.get(LIST, day(sort="due_at")))
    assert order == [s["done"].pk, s["late"].pk, s["late_ack"].pk, s["tomorrow"].pk]


# Who sees it --------------------------------------------------------------------------


def test_the_desk_sees_every_slip(operator_client, slips):
    assert listed(operator_client) == ids(*slips.values())


@pytest.mark.parametrize("persona", ["staff_client", "outsider_client", "admin_client_dir"])
def test_others_get_403(request, persona, slips):
    assert request.getfixturevalue(persona).get(LIST).status_code == 403


def test_anonymous_goes_to_the_log_in(client):
    response = client.get(LIST)
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_post_is_not_allowed(supervisor_client):
    assert supervisor_client.post(LIST).status_code == 405


def test_the_board_links_to_the_list(operator_client):
    body = operator_client.get(reverse("messages_app:slip-board")).content.decode()
    assert f'href="{LIST}"' in body and "All messages" in body


def test_what_people_typed_comes_out_escaped(supervisor_client):
    SlipFactory(caller_name="<script>alert(1)</script>", caller_company="A & B")
    body = supervisor_client.get(LIST).content.decode()
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt; · A &amp; B" in body


# Queries ------------------------------------------------------------------------------


def test_the_list_keeps_a_constant_number_of_queries(supervisor_client, finance):
    person = StaffFactory(department=finance)
    query = day(department=[finance.pk], status=["new", "delivered"])
    SlipFactory(for_staff=person, created_at=at(D, 8))
    supervisor_client.get(LIST, query)  # warm up

    def count() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as queries:
            rows = shown(supervisor_client.get(LIST, query))
        return len(queries), len(rows)

    one, rows = count()
    assert rows == 1
    for n in range(49):
        SlipFactory(
            for_staff=StaffFactory(department=finance) if n % 2 else None,
            for_department=None if n % 2 else finance,
            created_at=at(D, 9, n),
            delivered_at=at(D, 9, n),
            status="delivered",
        )
    fifty, rows = count()
    assert (fifty, rows) == (one, 50)
