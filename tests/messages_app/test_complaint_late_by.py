"""The complaint list's late_by filter: late for either deadline as of a
local day's end (the daily recap's "overdue at the day's end"), unlike
"overdue only" (late now); with the other filters, in the export too."""

from datetime import date, datetime, time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.messages_app.factories import ComplaintFactory

pytestmark = pytest.mark.django_db

LIST = reverse("messages_app:complaint-list")
D = date(2026, 3, 10)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=timezone.get_default_timezone())


def listed(client, **query) -> set[int]:
    response = client.get(LIST, query)
    assert response.status_code == 200
    return set(response.context["filter"].qs.values_list("pk", flat=True))


@pytest.fixture
def complaints():
    later = D + timedelta(days=3)
    return {
        "in_time": ComplaintFactory(
            status="acknowledged",
            created_at=at(D, 8),
            acknowledge_due_at=at(D, 10),
            acknowledged_at=at(D, 9),
            resolve_due_at=at(later, 17),
        ),
        "never_acknowledged": ComplaintFactory(
            status="new",
            created_at=at(D, 9),
            acknowledge_due_at=at(D, 12),
            resolve_due_at=at(later, 17),
        ),
        "acknowledged_late": ComplaintFactory(
            status="acknowledged",
            created_at=at(D, 9, 30),
            acknowledge_due_at=at(D, 11),
            acknowledged_at=at(D, 13),
            resolve_due_at=at(later, 17),
        ),
        "resolved_late": ComplaintFactory(
            status="resolved",
            created_at=at(D, 10),
            acknowledge_due_at=at(D, 12),
            acknowledged_at=at(D, 11),
            resolve_due_at=at(D, 14),
            resolved_at=at(D, 15),
        ),
        "due_tomorrow": ComplaintFactory(
            status="new",
            created_at=at(D, 20),
            acknowledge_due_at=at(D + timedelta(days=1), 9),
            resolve_due_at=at(later, 17),
        ),
    }


def ids(complaints, *keys) -> set[int]:
    return {complaints[k].pk for k in keys}


def test_late_by_the_days_end_whatever_happened_since(supervisor_client, complaints):
    query = {"date_from": D.isoformat(), "date_to": D.isoformat(), "late_by": D.isoformat()}
    assert listed(supervisor_client, **query) == ids(
        complaints, "never_acknowledged", "acknowledged_late", "resolved_late"
    )
    query["late_by"] = (D + timedelta(days=1)).isoformat()
    assert listed(supervisor_client, **query) == ids(
        complaints, "never_acknowledged", "acknowledged_late", "resolved_late", "due_tomorrow"
    )


def test_overdue_only_still_means_late_now(supervisor_client, complaints):
    # Late now: open and past a deadline; the one resolved late is not.
    now_late = listed(supervisor_client, overdue="on")
    assert complaints["due_tomorrow"].pk in now_late
    assert complaints["resolved_late"].pk not in now_late


def test_late_by_keeps_the_other_filters(supervisor_client, complaints):
    assert listed(supervisor_client, late_by=D.isoformat(), status=["resolved"]) == ids(
        complaints, "resolved_late"
    )


@pytest.mark.parametrize("bad", ["2026-02-30", "tomorrow", "1066-10-14"])
def test_a_bad_day_is_a_field_error(supervisor_client, complaints, bad):
    response = supervisor_client.get(LIST, {"late_by": bad})
    assert response.status_code == 200
    assert 'data-error-for="late_by"' in response.content.decode()
    assert "data-complaint-id=" not in response.content.decode()


def test_the_summary_names_it(supervisor_client, complaints):
    body = supervisor_client.get(LIST, {"late_by": D.isoformat()}).content.decode()
    assert f"Late by the end of: {D.isoformat()}" in body


def test_the_export_takes_it(supervisor_client, complaints):
    response = supervisor_client.get(
        reverse("messages_app:complaint-export", args=["csv"]), {"late_by": D.isoformat()}
    )
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert text.count("\n") - 1 == 3  # the header and three rows


def test_the_query_count_stays_constant(supervisor_client, complaints):
    query = {"late_by": D.isoformat()}
    supervisor_client.get(LIST, query)

    def count():
        with CaptureQueriesContext(connection) as queries:
            supervisor_client.get(LIST, query)
        return len(queries)

    one = count()
    for n in range(20):
        ComplaintFactory(status="new", created_at=at(D, 11, n), acknowledge_due_at=at(D, 12, n))
    assert count() == one
