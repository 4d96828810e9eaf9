"""Counts of complaints by category and by product over time: the same
figures in the chart (SVG bars) and the table, per month or per week, for the
list's filter and the user's complaints, in a constant number of queries."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from messages_app.complaint_report import nice_ceiling
from tests.messages_app.complaint_world import *  # noqa: F403  (the fixtures)
from tests.messages_app.complaint_world import at
from tests.messages_app.factories import (
    ComplaintCategoryFactory,
    ComplaintFactory,
    ProductFactory,
)

pytestmark = pytest.mark.django_db

REPORT = reverse("messages_app:complaint-report")


def table_of(html: str, number: int) -> dict[str, list[str]]:
    """Chart `number`'s table: series label -> its cells (periods, then total)."""
    section = html.split(f'data-chart="{number}"')[1].split("</section>")[0]
    rows = {}
    for row in re.findall(r"<tr data-series=[^>]*>(.*?)</tr>", section, re.S):
        label = re.sub(r"<[^>]+>", "", re.search(r"<th[^>]*>(.*?)</th>", row, re.S).group(1))
        rows[label.strip()] = re.findall(r'<td class="text-end[^"]*">(\d+)</td>', row)
    return rows


def bars_of(html: str, number: int) -> list[str]:
    section = html.split(f'data-chart="{number}"')[1].split("</section>")[0]
    return re.findall(r"<rect [^>]*><title>([^<]*)</title>", section)


@pytest.fixture
def spring(finance, service, billing, card):
    """Hand-counted: March 3 Tagihan (2 Kartu Kredit), 1 Layanan, 1 with no
    category; April 2 Tagihan, 1 Layanan (Kartu Kredit); May nothing."""
    layanan = ComplaintCategoryFactory(name="Layanan")
    tabungan = ProductFactory(name="Tabungan")
    rows = [
        (at(2026, 3, 2), billing, card, finance),
        (at(2026, 3, 10), billing, card, finance),
        (at(2026, 3, 31, 23, 30), billing, tabungan, service),  # still March, in Jakarta
        (at(2026, 3, 15), layanan, None, service),
        (at(2026, 3, 20), None, tabungan, finance),
        (at(2026, 4, 1, 0, 15), billing, None, finance),
        (at(2026, 4, 28), billing, tabungan, finance),
        (at(2026, 4, 9), layanan, card, service),
        (at(2026, 6, 1), billing, card, finance),  # after the range asked for
    ]
    for created, category, product, department in rows:
        ComplaintFactory(
            created_at=created, category=category, product=product, department=department
        )
    return {"layanan": layanan, "tabungan": tabungan}


def test_the_chart_and_the_table_show_the_hand_counted_figures(supervisor_client, spring):
    response = supervisor_client.get(REPORT, {"date_from": "2026-03-01", "date_to": "2026-05-31"})

    html = response.content.decode()
    assert "Per month, 1 Mar 2026 to 31 May 2026." in html
    assert table_of(html, 1) == {
        "Tagihan": ["3", "2", "0", "5"],
        "Layanan": ["1", "1", "0", "2"],
        "(no category)": ["1", "0", "0", "1"],
    }
    assert table_of(html, 2) == {
        "Kartu Kredit": ["2", "1", "0", "3"],
        "Tabungan": ["2", "1", "0", "3"],
        "(no product)": ["1", "1", "0", "2"],
    }
    assert "data-grand-total>8<" in html
    assert set(bars_of(html, 1)) == {
        "Tagihan, Mar 2026: 3",
        "Tagihan, Apr 2026: 2",
        "Layanan, Mar 2026: 1",
        "Layanan, Apr 2026: 1",
        "(no category), Mar 2026: 1",
    }


def test_a_short_range_is_counted_per_week(supervisor_client, spring):
    response = supervisor_client.get(REPORT, {"date_from": "2026-03-02", "date_to": "2026-03-22"})

    html = response.content.decode()
    assert "Per week" in html
    # Weeks from Monday 2, 9 and 16 March: 1, 1, 2 (15th is a Sunday).
    assert table_of(html, 1)["Tagihan"] == ["1", "1", "0", "2"]
    assert table_of(html, 1)["Layanan"] == ["0", "1", "0", "1"]
    assert table_of(html, 1)["(no category)"] == ["0", "0", "1", "1"]


def test_the_report_follows_the_filter_and_what_the_user_may_see(
    supervisor_client, staff_client, spring, service
):
    query = {"date_from": "2026-03-01", "date_to": "2026-05-31"}
    html = supervisor_client.get(REPORT, {**query, "department": service.pk}).content.decode()
    assert table_of(html, 1) == {"Tagihan": ["1", "0", "0", "1"], "Layanan": ["1", "1", "0", "2"]}

    # A department's staff count their department's (Keuangan) only.
    html = staff_client.get(REPORT, query).content.decode()
    assert table_of(html, 1) == {
        "Tagihan": ["2", "2", "0", "4"],
        "(no category)": ["1", "0", "0", "1"],
    }


def test_without_dates_the_last_twelve_months(supervisor_client, spring):
    html = supervisor_client.get(REPORT).content.decode()

    assert "The last twelve months" in html
    assert html.count('<th scope="col" class="text-end">') == 2 * 13  # 12 months + total


def test_more_than_five_years_is_refused_with_a_message(supervisor_client, spring):
    response = supervisor_client.get(REPORT, {"date_from": "2016-01-01", "date_to": "2026-01-01"})

    assert response.status_code == 200
    assert "Choose a range of at most 60 months." in response.content.decode()


def test_the_report_keeps_a_constant_number_of_queries(supervisor_client, spring, finance):
    query = {"date_from": "2026-01-01", "date_to": "2026-12-31"}
    supervisor_client.get(REPORT, query)

    def count():
        with CaptureQueriesContext(connection) as queries:
            supervisor_client.get(REPORT, query)
        return len(queries)

    few = count()
    for n in range(30):
        ComplaintFactory(
            created_at=at(2026, 1 + n % 12, 3),
            category=ComplaintCategoryFactory(name=f"Kategori {n}"),
            product=ProductFactory(name=f"Produk {n}"),
            department=finance,
        )
    assert count() == few


def test_the_busiest_eight_are_drawn_and_the_rest_summed_as_other(supervisor_client, finance):
    for n in range(10):
        category = ComplaintCategoryFactory(name=f"K{n:02d}")
        for _ in range(10 - n):
            ComplaintFactory(created_at=at(2026, 3, 3), category=category, department=finance)

    html = supervisor_client.get(
        REPORT, {"date_from": "2026-03-01", "date_to": "2026-05-31"}
    ).content.decode()

    table = table_of(html, 1)
    assert list(table) == [f"K{n:02d}" for n in range(8)] + ["Other"]
    assert table["Other"] == ["3", "0", "0", "3"]  # K08 (2) and K09 (1)


@pytest.mark.parametrize(
    ("value", "ceiling"), [(0, 1), (1, 1), (3, 5), (9, 10), (11, 20), (36, 50), (1200, 2000)]
)
def test_the_scale_ends_on_a_round_number(value, ceiling):
    assert nice_ceiling(value) == ceiling
