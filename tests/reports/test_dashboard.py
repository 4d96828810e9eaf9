"""The supervisor's dashboard: calls against the usual (from hand-made
recaps), the call-backs waiting, who is on duty, late or absent, the open and
overdue messages and complaints, the open incidents, the month's KPIs; a
constant number of queries; operators never see it."""

from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from calls.models import Direction, IncidentKind, Outcome
from calls.services_incidents import incident_create
from messages_app.models import ComplaintStatus, SlipStatus
from reports.models import AttendanceStatus, DailyRecap
from reports.selectors_dashboard import dashboard, usual_by_hour, usual_so_far
from tests.factories import CallerFactory, CallFactory
from tests.messages_app.factories import ComplaintFactory, SlipFactory
from tests.reports.factories_kpi import AttendanceDayFactory
from tests.reports.factories_roster import make_operator

pytestmark = pytest.mark.django_db


def _hours(value_at: dict) -> list[int]:
    return [value_at.get(h, 0) for h in range(24)]


def _recap(day, by_hour):
    return DailyRecap.objects.update_or_create(
        date=day, defaults={"figures": {"calls": {"total": sum(by_hour), "by_hour": by_hour}}}
    )[0]


def test_the_usual_is_the_same_weekdays_average_over_the_last_eight_recaps():
    today = timezone.localdate()
    for week in range(1, 9):  # the last eight Tuesdays (or whatever today is)
        _recap(today - timedelta(weeks=week), _hours({9: 10 * week, 10: 4}))
    _recap(today - timedelta(weeks=9), _hours({9: 1000}))  # a ninth: too old
    _recap(today - timedelta(days=1), _hours({9: 500}))  # another weekday
    _recap(today, _hours({9: 700}))  # today's own (a rebuild during the day): not the usual
    found = usual_by_hour(day=today)
    assert found["recaps"] == 8
    assert found["usual"][9] == pytest.approx(45.0)  # (10 + 20 + ... + 80) / 8
    assert found["usual"][10] == pytest.approx(4.0)
    assert found["last"] == {"date": today - timedelta(weeks=1), "total": 14}


def test_recaps_that_exist_are_used_when_there_are_fewer_than_eight():
    today = timezone.localdate()
    _recap(today - timedelta(weeks=1), _hours({8: 6}))
    _recap(today - timedelta(weeks=3), _hours({8: 2}))
    DailyRecap.objects.create(date=today - timedelta(weeks=2), figures={})  # no hourly figure
    found = usual_by_hour(day=today)
    assert found["recaps"] == 2 and found["usual"][8] == pytest.approx(4.0)


def test_usual_so_far_sums_earlier_hours_and_part_of_this_one():
    usual = _hours({8: 10, 9: 20, 10: 30})
    moment = datetime(2026, 12, 1, 10, 30, tzinfo=timezone.get_default_timezone())
    assert usual_so_far(usual, moment) == pytest.approx(10 + 20 + 15)


@pytest.fixture
def busy_day(supervisor):
    """Today: three calls, one missed call called back and one not, the
    people, the slips and complaints, an open incident."""
    now = timezone.now()
    op = make_operator("rina", first_name="Rina")
    a, b = CallerFactory(name="Pak Andi"), CallerFactory(name="Bu Sinta")
    start = max(now - timedelta(minutes=30), timezone.localtime(now).replace(hour=0, minute=1))
    CallFactory(operator=op, started_at=start, outcome=Outcome.NO_ANSWER, caller=a,
                direction=Direction.INCOMING)  # fmt: skip
    CallFactory(operator=op, started_at=start + timedelta(minutes=1), caller=a,
                direction=Direction.OUTGOING, outcome=Outcome.CONNECTED)  # fmt: skip
    CallFactory(operator=op, started_at=start + timedelta(minutes=2), caller=b,
                direction=Direction.INCOMING, outcome=Outcome.CALL_BACK)  # fmt: skip
    late, absent = (
        make_operator("late", first_name="Lambat"),
        make_operator("gone", first_name="Absen"),
    )
    AttendanceDayFactory(operator=late, status=AttendanceStatus.PRESENT, late_minutes=12)
    AttendanceDayFactory(operator=absent, status=AttendanceStatus.ABSENT)
    AttendanceDayFactory(operator=op, status=AttendanceStatus.PRESENT)  # on time: not listed
    SlipFactory(due_at=now - timedelta(minutes=10))  # overdue
    SlipFactory(due_at=now + timedelta(hours=1))
    SlipFactory(status=SlipStatus.DONE)
    ComplaintFactory(acknowledge_due_at=now - timedelta(hours=1))  # overdue
    ComplaintFactory(status=ComplaintStatus.IN_PROGRESS, resolve_due_at=now + timedelta(days=1))
    ComplaintFactory(status=ComplaintStatus.CLOSED)
    incident_create(by=supervisor, line="Trunk 1 (Telkom)", kind=IncidentKind.OUTAGE,
                    started_at=now - timedelta(hours=1), ticket_reference="TLK-123")  # fmt: skip
    return {"a": a, "b": b, "late": late, "absent": absent}


def test_the_figures_of_a_busy_day(busy_day):
    found = dashboard()
    assert found["calls"]["total"] == 3
    assert sum(found["calls"]["by_hour"]) == 3
    assert found["callbacks"]["total"] == 1
    assert [c.caller for c in found["callbacks"]["rows"]] == [busy_day["b"]]
    assert [r.operator for r in found["people"]["absent"]] == [busy_day["absent"]]
    assert [(r.operator, r.late_minutes) for r in found["people"]["late"]] == [
        (busy_day["late"], 12)
    ]
    desk = found["desk"]
    assert (desk["open_slips"], desk["overdue_slips"]) == (2, 1)
    assert (desk["open_complaints"], desk["overdue_complaints"]) == (2, 1)
    assert [i.line for i in found["incidents_open"]] == ["Trunk 1 (Telkom)"]


def test_the_page_shows_them_with_links(supervisor_client, busy_day):
    today = timezone.localdate()
    _recap(today - timedelta(weeks=1), _hours({h: 2 for h in range(24)}))
    response = supervisor_client.get(reverse("reports:dashboard"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-figure="calls-today">3<' in html
    assert 'data-figure="callbacks">1<' in html and "Bu Sinta" in html
    assert 'data-figure="overdue-slips">1<' in html
    assert 'data-figure="overdue-complaints">1<' in html
    assert "TLK-123" in html and "Lambat" in html and "Absen" in html
    assert reverse("messages_app:slip-board") in html
    assert f"date_from={today.isoformat()}" in html  # the call log, filtered to today
    assert "The usual: 48 calls in the day" in html
    assert 'hx-trigger="every 30s, dashboard:refresh"' in html


def test_htmx_gets_the_body_alone(supervisor_client, busy_day):
    response = supervisor_client.get(reverse("reports:dashboard"), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "data-dashboard-updated" in html and "<html" not in html


def test_operators_and_outsiders_never_see_it(operator_client, outsider_client, staff_client):
    for client in (operator_client, outsider_client, staff_client):
        assert client.get(reverse("reports:dashboard")).status_code == 403


def test_supervisors_land_on_it(supervisor_client, operator_client):
    assert supervisor_client.get("/").url == reverse("reports:dashboard")
    assert operator_client.get("/").url == reverse("calls:console")


def _grow(n, supervisor):
    now = timezone.now()
    start = max(now - timedelta(minutes=50), timezone.localtime(now).replace(hour=0, minute=1))
    for i in range(n):
        op = make_operator(f"grow{i}-{now.timestamp()}")
        caller = CallerFactory()
        CallFactory(operator=op, started_at=start + timedelta(seconds=i), caller=caller,
                    direction=Direction.INCOMING, outcome=Outcome.NO_ANSWER)  # fmt: skip
        AttendanceDayFactory(operator=op, status=AttendanceStatus.ABSENT)
        SlipFactory(due_at=now - timedelta(minutes=1))
        ComplaintFactory(acknowledge_due_at=now - timedelta(minutes=1))
        incident_create(by=supervisor, line=f"Line {i}", started_at=now - timedelta(minutes=5))
    for week in range(1, 9):
        _recap(timezone.localdate() - timedelta(weeks=week), _hours({9: week}))


def test_the_query_count_is_constant(supervisor_client, supervisor, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _grow(1, supervisor)
    supervisor_client.get(reverse("reports:dashboard"))  # the KPI settings row, made once
    with CaptureQueriesContext(connection) as small:
        supervisor_client.get(reverse("reports:dashboard"))
    _grow(12, supervisor)
    with django_assert_num_queries(len(small.captured_queries)):
        response = supervisor_client.get(reverse("reports:dashboard"))
    assert response.context["callbacks"]["total"] == 13
    assert len(small.captured_queries) <= 30


def test_nothing_reads_more_than_today_of_the_call_log(supervisor_client, supervisor):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _grow(2, supervisor)
    with CaptureQueriesContext(connection) as captured:
        supervisor_client.get(reverse("reports:dashboard"))
    call_reads = [q["sql"] for q in captured.captured_queries if '"calls_call"' in q["sql"]]
    assert call_reads
    # Every read of the call log is bounded by a start time (today's), or by a
    # later call of the same caller (the call-back check).
    for sql in call_reads:
        assert '"calls_call"."started_at" >=' in sql or 'started_at" >' in sql, sql


def test_the_months_kpis_count_todays_calls_against_the_targets(supervisor):
    from reports.models import KpiSettings

    op = make_operator("rina", first_name="Rina")
    AttendanceDayFactory(operator=op, status=AttendanceStatus.PRESENT)
    now = timezone.now()
    start = max(now - timedelta(minutes=20), timezone.localtime(now).replace(hour=0, minute=1))
    for i in range(3):
        CallFactory(operator=op, started_at=start + timedelta(minutes=i), duration_seconds=60)
    found = dashboard(now=now)["kpis"]
    desk = found["desk"]
    assert desk["productivity"].value == 3.0  # three calls over one shift worked
    assert desk["productivity"].target == float(KpiSettings.load().productivity_target)
    assert desk["aht"].value == 60.0
    assert desk["discipline"].value == 100.0
    assert {t["key"]: (t["met"], t["of"]) for t in found["on_target"]} == {
        "discipline": (1, 1), "quality": (0, 0), "productivity": (0, 1),
    }  # fmt: skip


def test_calls_by_hour_are_counted_in_local_hours_of_today_only():
    from tests.reports.factories_handover import local

    today = timezone.localdate()
    op = make_operator("rina")
    for hour, minute in ((0, 10), (9, 15), (9, 45), (23, 50)):
        CallFactory(operator=op, started_at=local(today, hour, minute))
    CallFactory(operator=op, started_at=local(today, 0, 0) - timedelta(minutes=1))  # yesterday
    calls = dashboard(now=local(today, 23, 59))["calls"]
    assert calls["total"] == 4
    assert calls["by_hour"][0] == 1 and calls["by_hour"][9] == 2 and calls["by_hour"][23] == 1
