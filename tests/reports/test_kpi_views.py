"""The KPI pages through the test client: who sees what, bad months and ids,
the XLSX export's real numbers, and constant queries on the month table."""

import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from reports.models import KpiSettings
from reports.selectors_kpi import add_months, month_start
from reports.services.operator_days import operator_days_build
from tests.factories import UserFactory
from tests.reports.factories_kpi import AttendanceDayFactory, ReviewFactory
from tests.reports.kpi_world import MONTH, call, make_month

pytestmark = pytest.mark.django_db
SHEET_MONTH = f"{MONTH:%Y-%m}"


@pytest.fixture
def ani(db):
    return make_month(UserFactory(username="ani", first_name="Ani", roles=["Operator"]))


def sheet_url(user, month=SHEET_MONTH, name="reports:kpi-sheet"):
    return reverse(name, args=[user.pk, month])


# The month table ---------------------------------------------------------------


def test_supervisor_sees_every_operators_month(supervisor_client, ani):
    response = supervisor_client.get(reverse("reports:kpi-month"), {"month": SHEET_MONTH})
    assert response.status_code == 200
    page = response.content.decode()
    assert f'data-operator="{ani.pk}"' in page
    assert 'data-kpi="discipline" data-state="missed">66.7%' in page
    assert 'data-kpi="quality" data-state="missed">67.5' in page
    assert "target met" in page or "below target" in page  # said in words, not colour alone
    assert "<svg" in page and "<polyline" in page
    assert "style=" not in page


@pytest.mark.parametrize("month", ["junk", "2025-13", "9999-01", "2025-1", "-1", "２０２５-03"])
def test_a_bad_month_shows_this_month(supervisor_client, month):
    response = supervisor_client.get(reverse("reports:kpi-month"), {"month": month})
    assert response.status_code == 200
    assert response.context["month"] == month_start(timezone.localdate())


@pytest.mark.parametrize("who", ["operator_client", "staff_client", "outsider_client"])
def test_only_supervisors_see_the_month_table(request, who):
    client = request.getfixturevalue(who)
    assert client.get(reverse("reports:kpi-month")).status_code == 403


def test_the_month_table_runs_the_same_queries_for_1_and_12_operators(supervisor_client):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = supervisor_client.get(reverse("reports:kpi-month"), {"month": SHEET_MONTH})
        assert response.status_code == 200
        return len(queries)

    def operator_with_data(i):
        user = UserFactory(username=f"op{i}", roles=["Operator"])
        AttendanceDayFactory(operator=user, date=dt.date(2025, 3, 3))
        AttendanceDayFactory(operator=user, date=dt.date(2025, 1, 3))
        ReviewFactory(operator=user, call_date=dt.date(2025, 3, 3))
        call(user, dt.datetime(2025, 3, 3, 9, tzinfo=dt.UTC), 30)
        return user

    KpiSettings.load()  # made on the first visit
    operator_with_data(0)

    operator_days_build(start=dt.date(2025, 1, 1), end=dt.date(2025, 3, 31))
    one = count()
    for i in range(1, 12):
        operator_with_data(i)
    operator_days_build(start=dt.date(2025, 1, 1), end=dt.date(2025, 3, 31))
    assert count() == one
    assert one <= 12


# The sheet ----------------------------------------------------------------------


def test_supervisor_sees_an_operators_sheet_with_targets_and_trend(supervisor_client, ani):
    response = supervisor_client.get(sheet_url(ani))
    assert response.status_code == 200
    page = response.content.decode()
    assert "KPI sheet · Ani" in page
    assert page.count('data-month="') == 12
    assert 'data-month="2025-03"' in page and 'data-month="2024-04"' in page
    assert "Not signed off yet." in page
    assert "Sign off these figures" in page
    assert "sb-kpi-page" in page  # the print stylesheet's hook
    assert "style=" not in page


def test_operator_sees_their_own_sheet_and_nobody_elses(operator_client, operator, ani):
    assert operator_client.get(sheet_url(operator)).status_code == 200
    assert operator_client.get(sheet_url(ani)).status_code == 404
    assert operator_client.get(sheet_url(ani, name="reports:kpi-sheet-xlsx")).status_code == 404
    own = operator_client.get(sheet_url(operator))
    assert "Sign off these figures" not in own.content.decode()


def test_my_kpis_shows_the_operators_own_figures(ani):
    from django.test import Client

    client = Client()
    client.force_login(ani)
    response = client.get(reverse("reports:my-kpis"), {"month": SHEET_MONTH})
    assert response.status_code == 200
    assert response.context["operator"] == ani
    assert response.context["figures"].calls == 6
    page = response.content.decode()
    assert "My KPIs" in page and "Sign off these figures" not in page
    assert client.get(reverse("reports:my-kpis"), {"month": "nonsense"}).status_code == 200


@pytest.mark.parametrize("who", ["staff_client", "outsider_client"])
def test_no_role_no_kpis(request, who, ani):
    client = request.getfixturevalue(who)
    assert client.get(reverse("reports:my-kpis")).status_code == 403
    assert client.get(sheet_url(ani)).status_code == 403


LATER = f"{add_months(month_start(dt.date.today()), 2):%Y-%m}"


@pytest.mark.parametrize("month", ["2025-13", "junk", "1999-12", LATER])
def test_a_bad_month_in_the_sheets_url_is_404(supervisor_client, ani, month):
    assert supervisor_client.get(sheet_url(ani, month)).status_code == 404


@pytest.mark.parametrize("operator_id", [999999, 2**31, 10**30])
def test_an_unknown_operator_is_404(supervisor_client, operator_id):
    url = reverse("reports:kpi-sheet", args=[operator_id, SHEET_MONTH])
    assert supervisor_client.get(url).status_code == 404


def test_the_xlsx_has_real_numbers(supervisor_client, ani):
    from openpyxl import load_workbook

    response = supervisor_client.get(sheet_url(ani, name="reports:kpi-sheet-xlsx"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    header, march = rows[0], rows[-1]
    assert len(rows) == 13
    values = dict(zip(header, march, strict=True))
    assert values["Month"] == dt.datetime(2025, 3, 1)
    assert values["Scheduled shifts"] == 9 and values["Worked on time"] == 6
    assert values["Discipline (%)"] == pytest.approx(66.67)
    assert values["Average score"] == pytest.approx(67.5) and values["Auto-fails"] == 1
    assert values["Calls handled"] == 6 and values["Calls per shift worked"] == pytest.approx(0.6)
    assert values["Average handling time (s)"] == pytest.approx(80.0)
    assert values["Quality target"] == 85
    assert isinstance(values["Discipline (%)"], float)


def test_a_user_who_is_no_operator_has_no_sheet(supervisor_client, supervisor):
    assert supervisor_client.get(sheet_url(supervisor)).status_code == 404


def test_svg_coordinates_are_not_localised_in_bahasa_indonesia(supervisor_client, ani, settings):
    """Bahasa Indonesia writes 4,9 for 4.9; SVG lengths must keep the dot."""
    import re

    settings.LANGUAGE_CODE = "id"
    for url in (sheet_url(ani), f"{reverse('reports:kpi-month')}?month={SHEET_MONTH}"):
        page = supervisor_client.get(url).content.decode()
        assert "<circle" in page
        assert not re.search(r' (?:cx|cy|x|y|x1|x2|y1|y2)="[^"]*,', page), url
        assert "66,7%" in page  # the figures themselves are in the reader's format


def test_the_xlsx_takes_any_name(supervisor_client):
    from openpyxl import load_workbook

    odd = UserFactory(username="odd", first_name="A/B [x]*?", last_name="C:D", roles=["Operator"])
    response = supervisor_client.get(sheet_url(odd, name="reports:kpi-sheet-xlsx"))
    assert response.status_code == 200
    assert load_workbook(io.BytesIO(response.content)).active.max_row == 13
