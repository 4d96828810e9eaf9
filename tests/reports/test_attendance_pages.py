"""The attendance page (supervisors), corrections from it, who is on duty
now, and the operator's own schedule (never anyone else's attendance)."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from reports.models import AttendanceDay
from reports.selectors_roster import DutyState, on_duty_now
from reports.services.attendance import attendance_compute
from tests.reports.factories_roster import (
    ClockSessionFactory,
    RosterEntryFactory,
    at,
    desk_shifts,
    make_operator,
)

pytestmark = pytest.mark.django_db

DAY = date(2026, 11, 24)


@pytest.fixture
def shifts():
    return desk_shifts()


@pytest.fixture
def sari():
    return make_operator("sari", first_name="Sari", last_name="Wulandari")


def a_day(operator, shifts, day=DAY, key="P", came=(7, 12), went=(15, 0)):
    RosterEntryFactory(operator=operator, date=day, shift_type=shifts[key])
    if came:
        ClockSessionFactory(operator=operator, clock_in=at(day, *came), clock_out=at(day, *went))
    return attendance_compute(operator=operator, day=day, now=at(day + timedelta(days=1), 9))


def test_the_day_lists_every_operator_with_status_and_filters(supervisor_client, sari, shifts):
    a_day(sari, shifts)
    absent = make_operator("dewi", first_name="Dewi", last_name="")
    a_day(absent, shifts, key="S", came=None)
    make_operator("maya", first_name="Maya", last_name="")  # day off
    url = reverse("reports:attendance-day")
    page = supervisor_client.get(url, {"day": DAY.isoformat()}).content.decode()
    assert "Sari Wulandari" in page and "12 min late" in page
    assert "Absent" in page and "day off" in page
    late = supervisor_client.get(url, {"day": DAY.isoformat(), "status": "late"})
    assert [r["name"] for r in late.context["rows"]] == ["Sari Wulandari"]
    absent_only = supervisor_client.get(url, {"day": DAY.isoformat(), "status": "absent"})
    assert [r["name"] for r in absent_only.context["rows"]] == ["Dewi"]
    off = supervisor_client.get(url, {"day": DAY.isoformat(), "status": "off"})
    assert [r["name"] for r in off.context["rows"]] == ["Maya"]


@pytest.mark.parametrize(
    "query",
    [
        {"day": "2026-02-30"},
        {"day": "x"},
        {"day": "0001-01-01"},
        {"status": "nonsense"},
        {"day": "\x00"},
    ],
)
def test_bad_parameters_show_today_never_a_500(supervisor_client, query):
    response = supervisor_client.get(reverse("reports:attendance-day"), query)
    assert response.status_code == 200
    if "day" in query:
        assert response.context["day"] == timezone.localdate()


def test_operators_never_see_the_attendance_page(operator_client, outsider_client):
    for client in (operator_client, outsider_client):
        assert client.get(reverse("reports:attendance-day")).status_code == 403
        assert client.get(reverse("reports:attendance-correct")).status_code == 403


@pytest.mark.parametrize("operators", [1, 25])
def test_the_attendance_page_runs_a_constant_number_of_queries(
    supervisor_client, shifts, operators, django_assert_max_num_queries
):
    for i in range(operators):
        a_day(make_operator(f"o{operators}_{i}"), shifts, came=(7, i % 15))
    with django_assert_max_num_queries(10):
        response = supervisor_client.get(
            reverse("reports:attendance-day"), {"day": DAY.isoformat()}
        )
    assert len(response.context["rows"]) == operators


@pytest.mark.parametrize("operators", [1, 25])
def test_todays_page_with_who_is_on_duty_is_constant_too(
    supervisor_client, shifts, operators, django_assert_max_num_queries
):
    today = timezone.localdate()
    for i in range(operators):
        RosterEntryFactory(
            operator=make_operator(f"t{operators}_{i}"), date=today, shift_type=shifts["PSM"[i % 3]]
        )
    with django_assert_max_num_queries(12):
        response = supervisor_client.get(reverse("reports:attendance-day"))
    assert response.context["on_duty"] is not None


def test_a_correction_needs_a_reason_and_is_kept_in_the_history(
    supervisor_client, supervisor, sari, shifts
):
    row = a_day(sari, shifts)
    url = reverse("reports:attendance-correct")
    query = f"?operator={sari.pk}&day={DAY.isoformat()}"
    form = supervisor_client.get(url + query)
    assert form.status_code == 200
    version = form.context["form"].initial["version"]
    response = supervisor_client.post(
        url + query,
        {
            "status": "present",
            "late_minutes": "0",
            "early_minutes": "0",
            "reason": "",
            "version": version,
        },
    )
    assert response.status_code == 422
    assert "This field is required." in response.content.decode()
    row.refresh_from_db()
    assert not row.corrected and row.late_minutes == 12
    response = supervisor_client.post(
        url + query,
        {
            "status": "present",
            "late_minutes": "0",
            "early_minutes": "0",
            "reason": "Traffic accident on the toll road, excused",
            "version": version,
            "operator": sari.pk,
            "day": DAY.isoformat(),
        },
        follow=True,
    )
    assert "Attendance corrected" in response.content.decode()
    row.refresh_from_db()
    assert row.corrected and row.late_minutes == 0 and row.corrected_by == supervisor
    assert row.history.first().history_change_reason == "Traffic accident on the toll road, excused"
    page = supervisor_client.get(url + query).content.decode()
    assert "Traffic accident on the toll road" in page and "Withdraw the correction" in page


def test_a_stale_correction_is_refused_with_a_conflict(supervisor_client, sari, shifts):
    row = a_day(sari, shifts)
    url = reverse("reports:attendance-correct") + f"?operator={sari.pk}&day={DAY.isoformat()}"
    version = supervisor_client.get(url).context["form"].initial["version"]
    AttendanceDay.objects.filter(pk=row.pk).update(
        computed_at=timezone.now()
    )  # recomputed meanwhile
    response = supervisor_client.post(
        url,
        {
            "status": "absent",
            "late_minutes": "0",
            "early_minutes": "0",
            "reason": "r",
            "version": version,
        },
    )
    assert response.status_code == 422
    assert "Someone else changed this day" in response.content.decode()
    row.refresh_from_db()
    assert not row.corrected


def test_withdrawing_from_the_page_recomputes(supervisor_client, supervisor, sari, shifts):
    from reports.services.attendance import attendance_correct

    a_day(sari, shifts)
    row = attendance_correct(operator=sari, day=DAY, by=supervisor, status="absent", reason="r")
    response = supervisor_client.post(
        reverse("reports:attendance-withdraw", args=[row.pk]), follow=True
    )
    assert "Correction withdrawn" in response.content.decode()
    row.refresh_from_db()
    assert not row.corrected and row.status == "present" and row.late_minutes == 12


@pytest.mark.parametrize(
    "query",
    ["", "?operator=abc&day=2026-11-24", "?operator=999999&day=2026-11-24", "?operator=1&day=bad"],
)
def test_a_correction_for_nobody_is_404(supervisor_client, query):
    assert supervisor_client.get(reverse("reports:attendance-correct") + query).status_code == 404


def test_who_is_on_duty_now(shifts):
    day = DAY
    now = at(day, 7, 30)
    in_ = make_operator("in")
    late = make_operator("late")
    grace = make_operator("grace")
    night = make_operator("night")
    for user in (in_, late):
        RosterEntryFactory(operator=user, date=day, shift_type=shifts["P"])
    ClockSessionFactory(operator=in_, clock_in=at(day, 6, 55))
    RosterEntryFactory(operator=night, date=day - timedelta(days=1), shift_type=shifts["M"])
    ClockSessionFactory(
        operator=night, clock_in=at(day - timedelta(days=1), 23), clock_out=at(day, 7)
    )
    siang = RosterEntryFactory(operator=grace, date=day, shift_type=shifts["S"])
    states = {d["operator"].username: d for d in on_duty_now(now=now)}
    assert set(states) == {"in", "late"}  # the night shift ended, Siang has not begun
    assert states["in"]["state"] == DutyState.IN
    assert states["late"]["state"] == DutyState.LATE and states["late"]["late_minutes"] == 30
    states = {d["operator"].username: d for d in on_duty_now(now=at(day, 15, 3))}
    assert states["grace"]["state"] == DutyState.NOT_IN
    assert siang.shift_type.code == "S"


# The operator's own page ----------------------------------------------------------


def test_my_schedule_shows_my_shifts_and_my_attendance_only(
    operator_client, operator, sari, shifts
):
    today = timezone.localdate()
    RosterEntryFactory(operator=operator, date=today + timedelta(days=1), shift_type=shifts["S"])
    a_day(sari, shifts, day=today - timedelta(days=1) if today.day > 1 else today)
    page = operator_client.get(reverse("reports:my-schedule"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Siang" in html
    # A colleague's attendance never shows (their name does, as one to swap with).
    assert "min late" not in html
    assert all(r.operator_id == operator.pk for r in page.context["attendance"]["rows"])


def test_my_attendance_by_month(operator_client, operator, shifts):
    a_day(operator, shifts, day=DAY)
    response = operator_client.get(reverse("reports:my-schedule"), {"month": "2026-11"})
    rows = response.context["attendance"]["rows"]
    assert [r.date for r in rows] == [DAY]
    assert response.context["attendance"]["counts"]["late"] == 1
    for bad in ("2026-13", "abc", "0001-01", "9999-01"):
        response = operator_client.get(reverse("reports:my-schedule"), {"month": bad})
        assert response.status_code == 200
        assert response.context["attendance"]["month"] == timezone.localdate().replace(day=1)


@pytest.mark.parametrize("weeks_of_rows", [1, 4])
def test_my_schedule_runs_a_constant_number_of_queries(
    operator_client, operator, shifts, weeks_of_rows, django_assert_max_num_queries
):
    today = timezone.localdate()
    start = today.replace(day=1)
    for i in range(min(7 * weeks_of_rows, today.day)):
        a_day(operator, shifts, day=start + timedelta(days=i), came=(7, 0))
    with django_assert_max_num_queries(14):
        operator_client.get(reverse("reports:my-schedule"))


def test_a_night_shifts_clock_out_is_marked_as_the_next_day(supervisor_client, sari, shifts):
    RosterEntryFactory(operator=sari, date=DAY, shift_type=shifts["M"])
    ClockSessionFactory(
        operator=sari, clock_in=at(DAY, 22, 55), clock_out=at(DAY + timedelta(days=1), 7, 3)
    )
    attendance_compute(operator=sari, day=DAY, now=at(DAY + timedelta(days=1), 9))
    page = supervisor_client.get(reverse("reports:attendance-day"), {"day": DAY.isoformat()})
    assert "07:03" in page.content.decode() and ">+1</small>" in page.content.decode()
