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


# What a new operator tripped over ---------------------------------------------------


@pytest.fixture
def browser_context_args(browser_context_args):
    """The desk's screen, and the date format the keyboard steps below type in."""
    return {**browser_context_args, "viewport": {"width": 1366, "height": 768}, "locale": "en-US"}


def outcome_buttons_in_view(page) -> list[str]:
    """The labels of the visible outcome buttons, each checked to lie wholly
    inside the window without scrolling."""
    height = page.viewport_size["height"]
    width = page.viewport_size["width"]
    labels = []
    for button in page.locator("#call-form button[data-outcome-key]:visible").all():
        box = button.bounding_box()
        label = button.inner_text()
        assert box["y"] >= 0 and box["y"] + box["height"] <= height, (label, box)
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, (label, box)
        labels.append(label.split("Alt")[0].strip())
    return labels


def test_every_outcome_button_is_in_view_at_1366x768(console):
    page = console()
    assert page.evaluate("window.scrollY") == 0

    assert len(outcome_buttons_in_view(page)) == 8  # incoming: Alt+1 to Alt+8

    # A refused save adds error lines above the buttons: they stay in view.
    page.keyboard.press("F2")
    page.keyboard.press("Alt+p")
    page.keyboard.type("12")
    page.keyboard.press("Alt+3")  # opens the message section (messages_app)
    page.keyboard.press("Alt+3")  # a message with no text, from a wrong number
    expect(page.locator('[data-error-for="number"]')).to_be_visible()
    expect(page.locator('[data-error-for="purpose"]')).to_be_visible()
    assert len(outcome_buttons_in_view(page)) == 8

    page.select_option("#id_direction", "out")
    assert outcome_buttons_in_view(page) == ["No answer / voicemail", "Connected"]


def test_a_new_call_after_a_refused_save_starts_clean(console, operator_caller):
    page = console()
    page.keyboard.press("F2")
    page.keyboard.press("Alt+p")
    page.keyboard.type("12")
    page.fill("#id_caller_name", "Pak Lama")
    page.fill("#id_caller_company", "PT Lama")
    page.fill("#id_purpose", "Tanya tagihan lama")
    page.select_option("#id_caller_kind", "vendor")
    page.keyboard.press("Alt+p")
    page.keyboard.press("Alt+6")
    expect(page.locator('[data-error-for="number"]')).to_be_visible()
    expect(page.locator("#id_number")).to_be_focused()  # the cursor goes to the field at fault
    expect(page.locator("#console-status")).to_contain_text("Not saved")

    page.keyboard.press("F2")

    expect(page.locator("#console-q")).to_be_focused()
    for name in ("number", "caller_name", "caller_company", "purpose", "notes"):
        expect(page.locator(f"#call-form [name={name}]")).to_have_value("")
    expect(page.locator("#id_caller_kind")).to_have_value("unknown")
    expect(page.locator("#id_direction")).to_have_value("in")
    expect(page.locator("#call-form [data-error-for]")).to_have_count(0)
    expect(page.locator("#call-form .is-invalid")).to_have_count(0)
    expect(page.locator("#console-status")).to_have_text("")
    # The next caller, and what is saved is theirs alone.
    page.keyboard.press("Alt+p")
    page.keyboard.type("0812 3456 7890")
    expect(page.locator("#id_caller_name")).to_have_value("Pak Joko")
    page.keyboard.press("Alt+6")
    expect(page.locator("#console-status")).to_contain_text("Call saved: Wrong number")
    call = Call.objects.get()
    assert (call.caller_name, call.caller_company, call.purpose) == ("Pak Joko", "PT Maju", "")
    assert call.caller.number.as_e164 == "+6281234567890"


def test_an_empty_console_saves_nothing_and_says_why(console):
    page = console()

    page.keyboard.press("Alt+2")
    expect(page.locator("#console-status")).to_contain_text("No call to save")
    page.get_by_role("button", name="Nuisance call").click()  # the mouse is stopped too
    expect(page.locator("#console-status")).to_contain_text("No call to save")
    assert not Call.objects.exists()

    # After a saved call the console is empty again: a stray key saves nothing.
    page.keyboard.press("F2")
    page.keyboard.press("Alt+7")
    expect(page.locator("#console-status")).to_contain_text("Call saved: Nuisance")
    page.keyboard.press("Alt+7")
    expect(page.locator("#console-status")).to_contain_text("No call to save")
    assert Call.objects.count() == 1


def test_an_outcome_of_the_other_direction_says_which_keys_apply(console):
    page = console()
    page.keyboard.press("F2")
    page.select_option("#id_direction", "out")

    page.keyboard.press("Alt+1")

    status = page.locator("#console-status")
    expect(status).to_have_attribute("aria-live", "polite")
    expect(status).to_contain_text(
        "Transferred is not an outcome of an outgoing call; use Alt+5 No answer / voicemail "
        "or Alt+9 Connected."
    )
    page.select_option("#id_direction", "in")
    page.keyboard.press("Alt+9")
    expect(status).to_contain_text("Connected is not an outcome of an incoming call")
    assert not Call.objects.exists()


def test_the_caller_is_recognised_while_the_number_is_typed(console, operator_caller):
    page = console()
    page.keyboard.press("F2")
    page.keyboard.press("Alt+p")

    page.keyboard.type("0812-3456-78")  # not a whole number yet: no warning
    page.wait_for_timeout(600)
    expect(page.locator('#console-caller [data-caller-state="invalid"]')).to_have_count(0)
    page.keyboard.type("90")

    expect(page.locator("#console-caller")).to_contain_text("Pak Joko")
    expect(page.locator("#id_caller_name")).to_have_value("Pak Joko")
    expect(page.locator("#id_number")).to_be_focused()  # still typing, never left the field


def test_a_message_without_text_puts_the_cursor_on_the_purpose(console, operator_caller):
    page = console()
    page.keyboard.press("F2")
    page.keyboard.type("budi")
    page.keyboard.press("Enter")
    expect(page.locator("#console-asked-for")).to_contain_text("Budi Santoso")
    # Budi is out: the message section opened by itself (messages_app), with
    # the cursor in the message; Alt+3 saves.
    expect(page.locator("#id_purpose")).to_be_focused()

    page.keyboard.press("Alt+3")

    expect(page.locator('[data-error-for="purpose"]')).to_be_visible()
    expect(page.locator("#id_purpose")).to_be_focused()
    page.keyboard.type("Mohon telepon balik")
    page.keyboard.press("Alt+3")
    expect(page.locator("#console-status")).to_contain_text("Message for Budi Santoso saved")
    assert Call.objects.get().purpose == "Mohon telepon balik"


def test_todays_calls_open_and_alt_e_corrects_the_last_one(console):
    page = console()
    page.keyboard.press("Alt+e")
    expect(page.locator("#console-status")).to_contain_text("can be corrected")

    page.keyboard.press("F2")
    page.keyboard.press("Alt+7")
    expect(page.locator("#console-status")).to_contain_text("Call saved")
    call = Call.objects.get()

    page.keyboard.press("Alt+e")
    expect(page).to_have_url(re.compile(rf"/calls/{call.pk}/edit/$"))
    page.go_back()
    page.locator(f'#console-today [data-call-id="{call.pk}"] a').click()
    expect(page).to_have_url(re.compile(rf"/calls/{call.pk}/$"))
