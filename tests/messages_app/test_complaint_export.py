"""Export of the complaint list: CSV (streamed) and XLSX (typed cells) of
exactly the rows the list shows for the same filter and the same user, in
its order, with formula-like texts defused; supervisors only."""

import csv
import io
from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from messages_app import exports
from messages_app.models import Complaint
from tests.messages_app.complaint_world import *  # noqa: F403  (the fixtures)
from tests.messages_app.complaint_world import at
from tests.messages_app.factories import ComplaintFactory

pytestmark = pytest.mark.django_db


def export(client, fmt, **query):
    return client.get(reverse("messages_app:complaint-export", args=[fmt]), query)


def csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


@pytest.fixture
def two(finance, service, billing, card, worker):
    now = timezone.now()
    first = ComplaintFactory(
        department=finance,
        status="routed",
        customer_name='=HYPERLINK("http://evil")',
        customer_number="+6281234567890",
        customer_email="ani@example.com",
        category=billing,
        product=card,
        severity="high",
        assigned_to=worker,
        created_at=at(2026, 3, 2, 9, 30),
        acknowledge_due_at=now - timedelta(hours=1),
        escalation_level=2,
        description="@SUM(1+1) tagihan dobel",
    )
    second = ComplaintFactory(
        department=service,
        status="closed",
        customer_name="Pak Budi",
        created_at=at(2026, 3, 3, 14, 0),
        resolved_at=at(2026, 3, 4, 10, 0),
        closed_at=at(2026, 3, 5, 8, 15),
    )
    return first, second


def test_the_csv_has_the_lists_rows_with_local_times_and_defused_formulas(supervisor_client, two):
    first, second = two

    rows = csv_rows(export(supervisor_client, "csv"))

    header = rows[0]
    assert header[:4] == [
        "Reference",
        "Recorded (Asia/Jakarta)",
        "Customer name",
        "Customer's number",
    ]
    assert [row[0] for row in rows[1:]] == [second.reference, first.reference]  # newest first
    cells = dict(zip(header, rows[2], strict=True))
    assert cells["Customer name"] == '\'=HYPERLINK("http://evil")'
    assert cells["Description"] == "'@SUM(1+1) tagihan dobel"
    assert cells["Recorded (Asia/Jakarta)"] == "2026-03-02 09:30"
    assert cells["Customer's number"] == "0812-3456-7890"
    assert (cells["Category"], cells["Product"], cells["Severity"]) == (
        "Tagihan",
        "Kartu Kredit",
        "High",
    )
    assert (cells["Status"], cells["Department"], cells["Assigned to"]) == (
        "Routed",
        "Keuangan",
        "Sari Pegawai",
    )
    assert (cells["Overdue"], cells["Escalation level"]) == ("yes", "2")
    closed = dict(zip(header, rows[1], strict=True))
    assert (closed["Closed (Asia/Jakarta)"], closed["Overdue"]) == ("2026-03-05 08:15", "no")


def test_the_export_follows_the_filter_and_the_sort(supervisor_client, two, finance):
    first, second = two

    rows = csv_rows(export(supervisor_client, "csv", department=finance.pk))
    assert [row[0] for row in rows[1:]] == [first.reference]
    rows = csv_rows(export(supervisor_client, "csv", sort="created_at"))
    assert [row[0] for row in rows[1:]] == [first.reference, second.reference]


def test_the_xlsx_keeps_numbers_dates_and_formula_like_text_as_text(supervisor_client, two):
    first, _second = two

    response = export(supervisor_client, "xlsx", sort="created_at")

    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('.xlsx"')
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    header, row = rows[0], dict(zip(rows[0], rows[1], strict=True))
    assert "Recorded (Asia/Jakarta)" in header
    assert row["Reference"] == first.reference
    assert row["Recorded (Asia/Jakarta)"] == datetime(2026, 3, 2, 9, 30)
    assert row["Escalation level"] == 2
    assert row["Customer name"] == '=HYPERLINK("http://evil")'
    cell = sheet.cell(row=2, column=header.index("Customer name") + 1)
    assert cell.data_type == "s"  # text, not a formula


def test_only_supervisors_export_and_only_what_they_may_see(
    operator_client, staff_client, supervisor_client, two
):
    assert export(operator_client, "csv").status_code == 403
    assert export(staff_client, "xlsx").status_code == 403
    assert export(supervisor_client, "pdf").status_code == 404


def test_a_filter_the_list_refuses_goes_back_to_the_list_with_a_message(supervisor_client, two):
    response = export(supervisor_client, "csv", status="sleeping")

    assert response.status_code == 302
    page = supervisor_client.get(response.url).content.decode()
    assert "The filter is not valid; correct it and export again." in page


def test_too_many_for_one_xlsx_says_so(supervisor_client, two, monkeypatch):
    monkeypatch.setattr(exports, "XLSX_MAX_ROWS", 1)

    response = export(supervisor_client, "xlsx")

    assert response.status_code == 302
    assert "too many for one XLSX file" in supervisor_client.get(response.url).content.decode()
    assert Complaint.objects.count() == 2
