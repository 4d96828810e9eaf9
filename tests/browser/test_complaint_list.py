"""The complaint list in a real browser at the desk's 1366x768, under the
Content-Security-Policy: a supervisor filters by keyboard, ticks two
complaints and assigns them in bulk; the list comes back with the result."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from messages_app.models import Complaint, ComplaintStatus
from messages_app.services.complaints import complaint_search_text
from switchboard.roles import SUPERVISOR
from tests.factories import DepartmentFactory, StaffFactory, UserFactory
from tests.messages_app.factories import ComplaintFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def complaint(**values) -> Complaint:
    made = ComplaintFactory(**values)
    Complaint.objects.filter(pk=made.pk).update(search_text=complaint_search_text(made))
    return made


@pytest.fixture
def desk(db):
    finance = DepartmentFactory(name="Keuangan", code="FIN")
    service = DepartmentFactory(name="Layanan", code="SVC")
    StaffFactory(full_name="Rudi Rekan", department=finance)
    StaffFactory(full_name="Sari Pegawai", department=finance)
    UserFactory(username="sup1", roles=[SUPERVISOR])
    return {
        "first": complaint(
            department=finance,
            status=ComplaintStatus.ROUTED,
            description="Tagihan kartu kredit dobel",
        ),  # fmt: skip
        "second": complaint(
            department=finance,
            status=ComplaintStatus.ACKNOWLEDGED,
            description="Tagihan listrik salah hitung",
        ),  # fmt: skip
        "elsewhere": complaint(department=service, description="Tagihan lewat jatuh tempo"),
        "other_topic": complaint(department=finance, description="Pengiriman terlambat"),
    }


def test_a_supervisor_filters_by_keyboard_and_assigns_two_in_bulk(live_server, log_in, desk):
    page = log_in("sup1")
    page.goto(f"{live_server.url}{reverse('messages_app:complaint-list')}")
    rows = page.locator("tbody tr[data-complaint-id]")
    expect(rows).to_have_count(4)

    # "/" goes to the search; Tab through overdue, escalated, Filter, Clear,
    # status and severity to the departments; ↓↓ chooses Keuangan; Enter filters.
    page.keyboard.press("/")
    expect(page.locator("#id_q")).to_be_focused()
    page.keyboard.type("tagihan")
    for _ in range(7):
        page.keyboard.press("Tab")
    expect(page.locator("#id_department")).to_be_focused()
    page.keyboard.press("ArrowDown")  # Unrouted
    page.keyboard.press("ArrowDown")  # Keuangan
    page.keyboard.press("Enter")
    page.wait_for_url("**department=*")
    expect(rows).to_have_count(2)
    expect(page.locator("[data-list-count]")).to_contain_text("2 complaints")

    # Tick both by keyboard: Space, then Tab past the reference link to the next row.
    page.locator("input[data-tick]").first.focus()
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Space")
    expect(page.locator("#complaint-bulk-count")).to_have_text("2 complaints ticked.")
    expect(page.locator("input[data-select-all]")).to_be_checked()

    # Assign (the action chosen first) to Rudi Rekan, the department's first person.
    page.locator("#complaint-bulk-action").focus()
    page.keyboard.press("Tab")
    expect(page.locator("#complaint-bulk-staff")).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(page.locator("#complaint-bulk-staff")).to_have_value(
        str(desk["first"].department.staff.get(full_name="Rudi Rekan").pk)
    )
    page.keyboard.press("Tab")  # the reason is for re-routing and closing: hidden
    expect(page.get_by_role("button", name="Apply to the ticked complaints")).to_be_focused()
    page.keyboard.press("Enter")

    expect(page.locator(".sb-messages")).to_contain_text("2 complaints changed.")
    assert "q=tagihan" in page.url  # back on the same filtered list
    expect(rows).to_have_count(2)
    expect(page.locator("tbody")).to_contain_text("Rudi Rekan")
    assigned = Complaint.objects.filter(assigned_to__full_name="Rudi Rekan")
    assert sorted(assigned.values_list("pk", flat=True)) == sorted(
        [desk["first"].pk, desk["second"].pk]
    )
    assert Complaint.objects.get(pk=desk["elsewhere"].pk).assigned_to is None
