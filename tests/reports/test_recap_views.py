"""The recap pages: who sees them, the review steps, the exports, and that a
figure's link opens exactly the rows it counts."""

import csv
import io
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.urls import reverse

from reports.models import DailyRecap, RecapStatus
from reports.services.recap import recap_build, recap_sign_off
from tests.reports.factories_recap import D, at, call, recap_world, supervisor_user

pytestmark = pytest.mark.django_db


def detail(day=D):
    return reverse("reports:recap-detail", args=[day.isoformat()])


def action(name, day=D):
    return reverse(f"reports:recap-{name}", args=[day.isoformat()])


@pytest.fixture
def world():
    return recap_world()


@pytest.fixture
def recap(world):
    return recap_build(day=D, now=world.now)


@pytest.fixture
def boss():
    return supervisor_user("boss", first_name="Ratna", last_name="Dewi")


@pytest.fixture
def boss_client(boss):
    client = Client()
    client.force_login(boss)
    return client


def links_of(response) -> dict[str, str]:
    """data-figure key -> href of the figures' links on the page."""
    import re

    html = response.content.decode()
    return {
        key: href.replace("&amp;", "&")
        for href, key in re.findall(r'<a href="([^"]+)" data-figure="([^"]+)">', html)
    }


# Who sees what ---------------------------------------------------------------------


def test_anonymous_goes_to_the_log_in(client):
    response = client.get(reverse("reports:recap-list"))
    assert response.status_code == 302
    assert "login" in response["Location"]


@pytest.mark.parametrize("persona", ["operator_client", "outsider_client", "staff_client"])
def test_operators_and_outsiders_never_see_recaps(request, persona, recap):
    client = request.getfixturevalue(persona)
    for url in (reverse("reports:recap-list"), detail(), action("xlsx"), action("csv")):
        assert client.get(url).status_code == 403
    for name in ("comment", "review", "sign-off", "build"):
        assert client.post(action(name), {"version": recap.version}).status_code == 403
    recap.refresh_from_db()
    assert recap.status == RecapStatus.BUILT and recap.comment == ""


@pytest.mark.parametrize("bad", ["2026-13-01", "2026-11-31", "yesterday", "20261123", "1999-12-31"])
def test_a_bad_date_is_a_404(boss_client, bad):
    assert boss_client.get(f"/reports/recaps/{bad}/").status_code == 404


def test_a_day_still_to_come_is_a_404(boss_client):
    from reports.services.recap import local_today

    assert boss_client.get(detail(local_today() + timedelta(days=1))).status_code == 404


# The list -------------------------------------------------------------------------


def test_the_list_shows_recaps_with_their_status(boss_client, recap, boss):
    DailyRecap.objects.filter(date=D - timedelta(weeks=1)).update(status=RecapStatus.SIGNED_OFF)
    response = boss_client.get(reverse("reports:recap-list"))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("data-recap=") == 3
    assert "Signed off" in html and "Built" in html
    response = boss_client.get(reverse("reports:recap-list"), {"status": "signed_off"})
    assert response.content.decode().count("data-recap=") == 1
    response = boss_client.get(reverse("reports:recap-list"), {"month": "2026-10"})
    assert response.content.decode().count("data-recap=") == 0


def test_a_bad_month_or_page_shows_a_message_not_a_500(boss_client, recap):
    response = boss_client.get(reverse("reports:recap-list"), {"month": "2026-99", "page": "x"})
    assert response.status_code == 200
    assert "Enter a valid date" in response.content.decode()
    assert boss_client.get(reverse("reports:recap-list"), {"page": "999"}).status_code == 200


def test_the_list_query_count_is_constant(boss_client, boss):
    def queries():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            assert boss_client.get(reverse("reports:recap-list")).status_code == 200
        return len(captured)

    DailyRecap.objects.create(date=D, figures={"calls": {"total": 1}}, signed_by=boss)
    one = queries()
    for i in range(1, 40):
        DailyRecap.objects.create(date=D - timedelta(days=i), signed_by=boss)
    assert queries() == one


# The detail page ---------------------------------------------------------------------


def test_the_detail_shows_figures_charts_and_usual(boss_client, recap):
    response = boss_client.get(detail())
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-figure="calls.total">8<' in html
    assert "<svg" in html and "sb-recap-bar" in html and "sb-recap-usual" in html
    assert "usually 15.0" in html
    assert 'style="' not in html.split("<main", 1)[1]


def test_the_detail_query_count_is_constant(boss_client, recap, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as first:
        boss_client.get(detail())
    for i in range(20):
        call(world.op1, at(D, 16, i), caller=world.callers["A"], category=world.info)
    recap_build(day=D, now=world.now)
    with CaptureQueriesContext(connection) as second:
        boss_client.get(detail())
    assert len(first) == len(second)


def test_a_day_without_a_recap_offers_to_build_it(boss_client, world):
    day = D - timedelta(days=1)
    response = boss_client.get(detail(day))
    assert response.status_code == 200
    assert "There is no recap of this day yet." in response.content.decode()
    response = boss_client.post(action("build", day))
    assert response.status_code == 302
    built = DailyRecap.objects.get(date=day)
    assert built.figures["calls"]["total"] == 1  # call 12 at 23:30
    assert built.history.first().history_user is not None


def _ids(response) -> set[int]:
    return set(response.context["filter"].qs.values_list("pk", flat=True))


def test_figure_links_open_exactly_the_counted_calls(boss_client, recap, world):
    links = links_of(boss_client.get(detail()))
    c = world.calls
    expected = {
        "calls.total": {c[n].pk for n in (1, 2, 3, 4, 5, 6, 7, 11)},
        "calls.in": {c[n].pk for n in (1, 2, 4, 5, 6, 7)},
        "calls.by_outcome.no_answer": {c[n].pk for n in (1, 5, 6)},
        "missed.call_back": {c[4].pk},
        "calls.by_hour.8": {c[1].pk, c[2].pk},
        "calls.by_hour.23": {c[7].pk},
        f"calls.by_category.{world.info.pk}": {c[n].pk for n in (4, 5, 7)},
        f"calls.by_department.{world.department.pk}": {c[1].pk, c[2].pk},
        f"calls.by_operator.{world.op2.pk}": {c[n].pk for n in (4, 5, 6, 11)},
        f"repeat.top.{world.callers['A'].pk}": {c[1].pk, c[2].pk},
    }
    for key, ids in expected.items():
        response = boss_client.get(links[key])
        assert response.status_code == 200, key
        assert _ids(response) == ids, key


def test_complaint_links_open_the_counted_complaints(boss_client, recap, world):
    links = links_of(boss_client.get(detail()))
    response = boss_client.get(links["complaints.opened"])
    assert response.status_code == 200
    assert response.content.decode().count("data-complaint-id=") == 3
    query = parse_qs(urlsplit(links["complaints.resolved"]).query)
    assert query["date_from"] == [D.isoformat()]
    assert (
        boss_client.get(links["complaints.resolved"]).content.decode().count("data-complaint-id=")
        == 1
    )


def test_attendance_link_opens_the_day(boss_client, recap):
    links = links_of(boss_client.get(detail()))
    response = boss_client.get(links["attendance.absent"])
    assert response.status_code == 200
    assert parse_qs(urlsplit(links["attendance.absent"]).query) == {
        "day": [D.isoformat()],
        "status": ["absent"],
    }


# Review steps -------------------------------------------------------------------------


def test_comment_review_and_sign_off(boss_client, recap, boss):
    response = boss_client.post(
        action("comment"), {"comment": "Two missed calls not called back.", "version": 1}
    )
    assert response.status_code == 302
    response = boss_client.post(action("review"), {"version": 2}, follow=True)
    assert "The recap is marked reviewed." in response.content.decode()
    response = boss_client.post(action("sign-off"), {"version": 3}, follow=True)
    assert "The recap is signed off." in response.content.decode()
    recap.refresh_from_db()
    assert recap.status == RecapStatus.SIGNED_OFF
    assert recap.comment == "Two missed calls not called back."
    assert recap.signed_by == boss and recap.reviewed_by == boss
    assert recap.signed_figures == recap.figures
    assert recap.history.count() == 4


def test_a_stale_page_gets_a_conflict_and_nothing_changes(boss_client, recap):
    response = boss_client.post(action("comment"), {"comment": "late", "version": 0}, follow=True)
    assert "Someone else changed this recap" in response.content.decode()
    response = boss_client.post(action("sign-off"), {"version": 0}, follow=True)
    assert "Someone else changed this recap" in response.content.decode()
    recap.refresh_from_db()
    assert recap.comment == "" and recap.status == RecapStatus.BUILT and recap.version == 1


def test_a_too_long_comment_is_a_field_error(boss_client, recap):
    response = boss_client.post(action("comment"), {"comment": "x" * 4001, "version": 1})
    assert response.status_code == 400
    assert "at most 4000 characters" in response.content.decode()
    recap.refresh_from_db()
    assert recap.comment == "" and recap.version == 1


def test_rebuilding_a_signed_off_recap_needs_a_reason(boss_client, recap, boss, world):
    recap_sign_off(recap=recap, by=boss, now=world.now)
    recap.refresh_from_db()
    signed = recap.signed_figures
    response = boss_client.post(action("build"), {"reason": "", "version": recap.version})
    assert response.status_code == 400
    assert "Give the reason for rebuilding a signed-off recap." in response.content.decode()
    recap.refresh_from_db()
    assert recap.status == RecapStatus.SIGNED_OFF
    call(world.op1, at(D, 17), caller=world.callers["B"])
    response = boss_client.post(
        action("build"), {"reason": "a call logged late", "version": recap.version}
    )
    assert response.status_code == 302
    recap.refresh_from_db()
    assert recap.status == RecapStatus.REBUILT
    assert recap.rebuild_reason == "a call logged late"
    assert recap.signed_figures == signed
    assert recap.figures["calls"]["total"] == 9
    page = boss_client.get(detail()).content.decode()
    assert "Rebuilt after sign-off" in page


def test_exports_have_real_numbers(boss_client, recap):
    response = boss_client.get(action("csv"))
    assert response["Content-Type"] == "text/csv"
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert ["Calls", "Calls in total", "8", "15.0"] in rows
    response = boss_client.get(action("xlsx"))
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(response.content)).active
    values = {row[1]: row[2] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert values["Calls in total"] == 8
    assert values["Average duration (s)"] == 52.9


def test_admin_shows_a_recap_read_only(admin_client, recap):
    url = reverse("admin:reports_dailyrecap_change", args=[recap.pk])
    response = admin_client.get(url)
    assert response.status_code == 200
    assert "&quot;total&quot;: 8" in response.content.decode()
    assert (
        admin_client.get(reverse("admin:reports_dailyrecap_history", args=[recap.pk])).status_code
        == 200
    )
