"""The console in a real browser: an operator logs calls with the keyboard only."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from calls.models import Call, Outcome
from directory.models import Disclosure, ExtensionKind, Presence
from switchboard.roles import OPERATOR
from tests.factories import (
    DepartmentFactory,
    ExtensionFactory,
    InfoEntryFactory,
    StaffFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def console(live_server, log_in):
    UserFactory(username="operator1", roles=[OPERATOR])

    def _open():
        page = log_in("operator1")
        page.goto(f"{live_server.url}{reverse('calls:console')}")
        expect(page.locator("#console-q")).to_be_focused()
        return page

    return _open


def test_operator_logs_a_transferred_call_with_the_keyboard_only(console):
    finance = DepartmentFactory(name="Keuangan", code="FIN")
    budi = StaffFactory(full_name="Budi Santoso", department=finance)
    desk = ExtensionFactory(number="2104", staff=budi, kind=ExtensionKind.DESK)
    StaffFactory(full_name="Rina Wati", department=finance)
    page = console()

    page.keyboard.press("F2")
    expect(page.locator("#console-q")).to_be_focused()
    page.keyboard.type("bud")
    # Two keystrokes after the name: choose the top result, then transfer.
    page.keyboard.press("Enter")
    page.keyboard.press("Alt+1")

    expect(page.locator("#console-status")).to_contain_text("Call saved: Transferred")
    expect(page.locator("#console-today")).to_contain_text("1 of 150")
    expect(page.locator("#console-today")).to_contain_text("Budi Santoso")
    call = Call.objects.get()
    assert call.outcome == Outcome.TRANSFERRED
    assert call.transferred_to == desk
    assert call.asked_for_staff == budi
    assert call.number_withheld
    assert call.duration_seconds is not None
    # The form is ready for the next call, the cursor back in the search box.
    expect(page.locator("#console-q")).to_be_focused()
    expect(page.locator("#console-asked-for")).to_have_text("—")


def test_away_person_goes_to_the_cover_and_a_known_caller_fills_in(console, operator_caller):
    page = console()

    page.keyboard.press("Alt+n")
    page.keyboard.press("Alt+p")
    page.keyboard.type("0812 3456 7890")
    page.keyboard.press("Tab")  # the change event asks who this is
    expect(page.locator("#console-caller")).to_contain_text("Pak Joko")
    expect(page.locator("#id_caller_name")).to_have_value("Pak Joko")
    expect(page.locator("#id_caller_company")).to_have_value("PT Maju")

    page.keyboard.press("Alt+s")
    page.keyboard.type("bud")
    expect(page.locator("#console-results .console-result").first).to_contain_text("Sari")
    page.keyboard.press("Enter")
    expect(page.locator("#console-transfer")).to_contain_text("2105")
    expect(page.locator("#console-transfer-hint")).to_contain_text("Sari Wulandari")
    page.keyboard.press("Alt+1")

    expect(page.locator("#console-status")).to_contain_text("Call saved")
    call = Call.objects.get()
    assert call.transferred_to.number == "2105"
    assert call.caller.number.as_e164 == "+6281234567890"
    assert call.caller_name == "Pak Joko"


@pytest.fixture
def operator_caller(db):
    from tests.factories import CallerFactory

    finance = DepartmentFactory(name="Keuangan", code="FIN")
    sari = StaffFactory(full_name="Sari Wulandari", department=finance)
    ExtensionFactory(number="2105", staff=sari)
    budi = StaffFactory(
        full_name="Budi Santoso", department=finance, presence=Presence.OUT, cover=sari
    )
    ExtensionFactory(number="2104", staff=budi)
    return CallerFactory(number="+6281234567890", name="Pak Joko", company="PT Maju")


def test_internal_answer_shows_a_red_warning_and_is_recorded(console):
    entry = InfoEntryFactory(
        title="Gaji direksi", answer="Tidak untuk umum.", disclosure=Disclosure.INTERNAL
    )
    page = console()

    page.keyboard.press("F2")
    page.keyboard.type("gaji")
    page.keyboard.press("Enter")
    answer = page.locator("#console-answer .alert-danger")
    expect(answer).to_contain_text("do not disclose")
    expect(answer).to_contain_text("Tidak untuk umum.")
    page.keyboard.press("Alt+2")

    expect(page.locator("#console-status")).to_contain_text("Call saved")
    call = Call.objects.get()
    assert (call.outcome, call.info_entry) == (Outcome.ANSWERED, entry)


def test_error_comes_back_next_to_the_field_and_nothing_is_saved(console):
    page = console()

    page.keyboard.press("F2")
    page.keyboard.press("Alt+p")
    page.keyboard.type("12")
    page.keyboard.press("Alt+6")

    expect(page.locator('[data-error-for="number"]')).to_contain_text("valid phone number")
    expect(page.locator("#console-timer")).to_have_text(re.compile(r"^\d\d:\d\d$"))
    assert not Call.objects.exists()
    page.keyboard.press("Alt+p")
    page.keyboard.press("Control+a")
    page.keyboard.type("(021) 555-1234")
    page.keyboard.press("Alt+6")
    expect(page.locator("#console-status")).to_contain_text("Wrong number")
    assert Call.objects.get().caller.number.as_e164 == "+62215551234"
