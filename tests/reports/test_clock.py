"""Clocking in and out from the navigation bar: the badge on every page
(the console too), at most one query for it and none for non-operators, a
double clock-in refused, and lateness shown at once."""

from datetime import datetime, timedelta

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from reports.context_processors import clock
from reports.models import AttendanceDay, ClockSession
from tests.reports.factories_roster import ClockSessionFactory, RosterEntryFactory, ShiftTypeFactory

pytestmark = pytest.mark.django_db


def shift_started_minutes_ago(minutes, *, grace=5):
    """A shift type that started `minutes` ago (Jakarta time) and lasts 8 hours."""
    now = timezone.localtime()
    start = now - timedelta(minutes=minutes)
    if start.date() != now.date():
        pytest.skip("too close to midnight for this example")
    end = (start + timedelta(hours=8)).time()
    return ShiftTypeFactory(
        code="T",
        name="Tes",
        starts_at=start.time().replace(second=0, microsecond=0),
        ends_at=end.replace(second=0, microsecond=0),
        late_grace_minutes=grace,
    ), start.date()


def test_the_console_shows_the_operator_is_not_clocked_in(operator_client):
    page = operator_client.get(reverse("calls:console")).content.decode()
    assert 'id="sb-clock-state" data-clocked-in="false"' in page
    assert reverse("reports:clock-in") in page


def test_clocking_in_late_says_by_how_many_minutes(operator_client, operator):
    shift, day = shift_started_minutes_ago(20)
    RosterEntryFactory(operator=operator, date=day, shift_type=shift)
    response = operator_client.post(
        reverse("reports:clock-in"), {"next": reverse("calls:console")}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("calls:console")
    page = response.content.decode()
    assert "minutes late for Tes" in page
    assert 'data-clocked-in="true"' in page
    row = AttendanceDay.objects.get(operator=operator)
    assert row.late_minutes in (20, 21)


def test_clocking_in_on_time_and_without_a_shift(operator_client, operator):
    shift, day = shift_started_minutes_ago(2)
    RosterEntryFactory(operator=operator, date=day, shift_type=shift)
    page = operator_client.post(reverse("reports:clock-in"), follow=True).content.decode()
    assert "on time" in page
    operator_client.post(reverse("reports:clock-out"))
    AttendanceDay.objects.all().delete()
    ClockSession.objects.all().delete()
    RosterEntryFactory._meta.model.objects.all().delete()
    page = operator_client.post(reverse("reports:clock-in"), follow=True).content.decode()
    assert "no shift rostered today" in page


def test_a_second_clock_in_is_refused_clearly(operator_client, operator):
    operator_client.post(reverse("reports:clock-in"))
    page = operator_client.post(reverse("reports:clock-in"), follow=True).content.decode()
    assert "You are clocked in already; clock out first." in page
    assert ClockSession.objects.filter(operator=operator).count() == 1


def test_clocking_out_closes_the_session(operator_client, operator):
    ClockSessionFactory(operator=operator, clock_in=timezone.now() - timedelta(hours=1))
    page = operator_client.post(reverse("reports:clock-out"), follow=True).content.decode()
    assert "Clocked out at" in page and 'data-clocked-in="false"' in page
    assert ClockSession.objects.get().clock_out is not None
    page = operator_client.post(reverse("reports:clock-out"), follow=True).content.decode()
    assert "You are not clocked in." in page


def test_the_next_address_must_be_this_site(operator_client):
    response = operator_client.post(reverse("reports:clock-in"), {"next": "https://evil.example/"})
    assert response.status_code == 302 and response["Location"] == "/"


def test_outsiders_cannot_clock_and_see_no_clock(outsider_client, staff_client):
    for client in (outsider_client, staff_client):
        assert client.post(reverse("reports:clock-in")).status_code == 403
        assert client.post(reverse("reports:clock-out")).status_code == 403
        assert "sb-clock-state" not in client.get(reverse("directory:board")).content.decode()
    assert not ClockSession.objects.exists()


def test_supervisors_see_no_clock(supervisor_client):
    assert (
        "sb-clock-state" not in supervisor_client.get(reverse("directory:board")).content.decode()
    )


def _request(user):
    request = RequestFactory().get("/")
    request.user = user
    return request


def test_the_indicator_is_lazy_and_costs_at_most_one_query(
    operator, supervisor, outsider, django_assert_num_queries
):
    operator.has_perm("reports.add_clocksession")  # permissions cached, as in a page
    supervisor.has_perm("reports.add_clocksession")
    outsider.has_perm("reports.add_clocksession")
    with django_assert_num_queries(0):
        context = clock(_request(operator))  # nothing runs until it is rendered
    with django_assert_num_queries(1):
        assert context["clock_nav"]["enabled"] is True
        assert context["clock_nav"]["session"] is None
    for user in (supervisor, outsider):
        with django_assert_num_queries(0):
            assert clock(_request(user))["clock_nav"]["enabled"] is False


def test_the_local_day_not_the_utc_day_decides(operator):
    from datetime import UTC

    from reports.services.roster import clock_in, clock_out

    zone = timezone.get_default_timezone()
    late = datetime(2026, 12, 1, 23, 59, tzinfo=zone)
    _session, day = clock_in(operator=operator, now=late)
    assert str(day.date) == "2026-12-01"
    clock_out(operator=operator, now=late + timedelta(minutes=1))
    # 00:30 on the 2nd in Jakarta is still the 1st in UTC: it is the 2nd's.
    early = datetime(2026, 12, 2, 0, 30, tzinfo=zone)
    assert early.astimezone(UTC).day == 1
    _session, day = clock_in(operator=operator, now=early)
    assert str(day.date) == "2026-12-02"
