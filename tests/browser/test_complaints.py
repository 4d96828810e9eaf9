"""Complaints in a real browser, by keyboard only, at the desk's 1366x768, under
the Content-Security-Policy (the browser_problems fixture fails the test on
any violation): the operator records a complaint from the console and reads
back its reference; the department acknowledges and resolves it on its page."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from calls.models import Call, Outcome
from messages_app.models import Complaint, ComplaintStatus, Visibility
from switchboard.roles import OPERATOR
from tests.factories import DepartmentFactory, StaffFactory, UserFactory
from tests.messages_app.factories import (
    ComplaintCategoryFactory,
    ResponseTargetFactory,
    RoutingRuleFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


class Keys:
    """The keyboard, counting the keys pressed apart from the text typed."""

    def __init__(self, page):
        self.page = page
        self.count = 0

    def press(self, key):
        self.count += 1
        self.page.keyboard.press(key)

    def type(self, text):
        self.page.keyboard.type(text)


@pytest.fixture
def company(db):
    finance = DepartmentFactory(name="Keuangan", code="FIN", email="keuangan@example.co.id")
    StaffFactory(full_name="Sari Pegawai", department=finance, user=UserFactory(username="sari"))
    billing = ComplaintCategoryFactory(name="Tagihan", position=1)
    ComplaintCategoryFactory(name="Pelayanan", position=2)
    RoutingRuleFactory(name="Tagihan", position=10, category=billing, department=finance)
    ResponseTargetFactory(severity="medium", acknowledge_minutes=240, resolve_minutes=2400)
    UserFactory(username="operator1", roles=[OPERATOR])
    return finance


def test_the_operator_records_a_complaint_and_the_department_resolves_it(
    live_server, log_in, company
):
    page = log_in("operator1")
    page.goto(f"{live_server.url}{reverse('calls:console')}")
    expect(page.locator("#console-q")).to_be_focused()
    keys = Keys(page)

    keys.press("F2")
    keys.press("Alt+p")
    keys.type("0812 3456 7890")
    keys.press("Tab")  # "number withheld"
    keys.press("Tab")  # the caller's name
    keys.type("Bu Ani")
    keys.press("Alt+4")  # opens the complaint section, on the description
    section = page.locator('[data-extension-section="complaint"]')
    expect(section).to_be_visible()
    expect(page.locator("#id_complaint-description")).to_be_focused()
    keys.type("Tagihan kartu kredit saya dobel")
    # The purpose follows the description: typed once.
    expect(page.locator("#id_purpose")).to_have_value("Tagihan kartu kredit saya dobel")
    keys.press("Tab")  # the category
    keys.press("ArrowDown")  # Tagihan
    expect(page.locator("#complaint-route")).to_contain_text("→ Keuangan (rule: Tagihan)")
    keys.press("Alt+4")  # saves the call and the complaint

    reference = f"KEL-{timezone.localdate().year}-000001"
    shown = page.locator("#complaint-saved-reference")
    expect(shown).to_have_text(reference)
    expect(page.locator("[data-read-out]")).to_have_text(f"Your complaint number is {reference}.")
    size = shown.evaluate("el => parseFloat(getComputedStyle(el).fontSize)")
    assert size >= 32, f"the reference is {size}px: not large"
    box = shown.bounding_box()
    assert box and 0 <= box["y"] and box["y"] + box["height"] <= 768  # in view without scrolling
    print(f"\nDESK SPEED complaint: {keys.count} keystrokes from F2 to the reference on screen")
    assert keys.count == 8

    call = Call.objects.get()
    complaint = Complaint.objects.get()
    assert call.outcome == Outcome.COMPLAINT and complaint.call == call
    assert (complaint.reference, complaint.department) == (reference, company)
    assert complaint.customer_name == "Bu Ani"
    assert complaint.description == "Tagihan kartu kredit saya dobel"

    # The reference stays until the next call.
    expect(page.locator("#console-q")).to_be_focused()
    expect(shown).to_be_visible()
    page.keyboard.press("F2")
    expect(page.locator("[data-complaint-saved]")).to_have_count(0)

    # The department's staff member acknowledges and resolves it, by keyboard.
    page.context.clear_cookies()
    log_in("sari")
    page.goto(f"{live_server.url}{reverse('messages_app:complaint-queue')}")
    expect(page.locator("tbody")).to_contain_text(reference)
    page.goto(f"{live_server.url}{complaint.get_absolute_url()}")
    main = page.locator("#complaint-main")
    expect(main).to_have_attribute("data-status", "routed")
    page.keyboard.press("Alt+k")
    expect(main).to_have_attribute("data-status", "acknowledged")
    expect(page.locator("[data-complaint-done]")).to_have_text("Acknowledged.")
    page.keyboard.press("Alt+r")
    expect(page.locator("#complaint-resolve-text")).to_be_focused()
    page.keyboard.type("Tagihan sudah dikoreksi, kelebihan dikembalikan.")
    page.keyboard.press("Control+Enter")
    expect(main).to_have_attribute("data-status", "resolved")
    expect(page.locator("#complaint-told")).to_be_visible()
    expect(page.locator(".sb-told-customer")).to_contain_text("kelebihan dikembalikan")

    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.RESOLVED
    resolved = complaint.events.get(kind="resolved")
    assert resolved.visibility == Visibility.CUSTOMER
    assert resolved.by.username == "sari"


def test_a_refused_step_and_a_stale_page_say_so_in_place(live_server, log_in, company):
    from messages_app.services.complaints import complaint_set_status
    from tests.messages_app.factories import ComplaintFactory

    complaint = ComplaintFactory(department=company, status=ComplaintStatus.ROUTED)
    page = log_in("sari")
    page.goto(f"{live_server.url}{complaint.get_absolute_url()}")
    main = page.locator("#complaint-main")
    expect(main).to_have_attribute("data-version", "1")

    # Someone else acknowledges it meanwhile: this page is out of date.
    supervisor = UserFactory(username="sup1", roles=["Supervisor"])
    complaint_set_status(complaint=complaint, by=supervisor, to_status="acknowledged")
    page.keyboard.press("Alt+k")

    expect(page.locator("[data-complaint-conflict]")).to_contain_text("Someone else changed")
    expect(main).to_have_attribute("data-status", "acknowledged")
    expect(main).to_have_attribute("data-version", "2")
    assert re.search(r"Start work", main.inner_text())  # the steps of the current state
