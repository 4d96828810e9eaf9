"""The correction page in a real browser: an operator corrects a call with the
keyboard only, through the type-ahead pickers."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from calls.models import Call, Direction, Outcome
from directory.models import ExtensionKind
from switchboard.roles import OPERATOR
from tests.calls.factories_log import recent_today
from tests.factories import (
    CallFactory,
    DepartmentFactory,
    ExtensionFactory,
    StaffFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def tab_to(page, selector, limit=40):
    """Press Tab until `selector` has the focus, as a keyboard user would."""
    for _ in range(limit):
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{selector} never got the focus")


@pytest.fixture
def problems(page):
    """Script errors and CSP violations the page reports."""
    found = []
    page.on("pageerror", lambda error: found.append(str(error)))
    page.on(
        "console",
        lambda message: (
            found.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return found


def test_operator_corrects_their_call_with_the_keyboard_only(live_server, log_in, problems):
    operator = UserFactory(username="operator1", roles=[OPERATOR])
    finance = DepartmentFactory(name="Keuangan", code="FIN")
    budi = StaffFactory(full_name="Budi Santoso", department=finance)
    desk = ExtensionFactory(number="2104", staff=budi, kind=ExtensionKind.DESK)
    rina = StaffFactory(full_name="Rina Wati", department=finance)
    wrong = ExtensionFactory(number="4100", staff=rina)
    call = CallFactory(
        operator=operator,
        direction=Direction.INCOMING,
        started_at=recent_today(),
        outcome=Outcome.TRANSFERRED,
        asked_for_staff=rina,
        asked_for_department=finance,
        transferred_to=wrong,
    )
    page = log_in("operator1")
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(f"{live_server.url}{reverse('calls:call-detail', args=[call.pk])}")

    tab_to(page, f"a[href='{reverse('calls:call-edit', args=[call.pk])}']")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{reverse('calls:call-edit', args=[call.pk])}")
    box = page.locator("#id_asked_for_staff")
    expect(box).to_have_value("Rina Wati · Keuangan · 4100")  # names and numbers, no id

    tab_to(page, "#id_asked_for_staff")
    page.keyboard.press("Control+a")
    page.keyboard.type("bud")
    page.keyboard.press("Enter")  # the first match, as soon as it arrives
    expect(box).to_have_value("Budi Santoso · Keuangan · 2104")
    expect(page.locator("#id_asked_for_staff_listbox")).to_be_hidden()

    tab_to(page, "#id_transferred_to")
    page.keyboard.press("Control+a")
    page.keyboard.type("2104")
    listbox = page.locator("#id_transferred_to_listbox")
    expect(listbox.get_by_role("option").first).to_have_text("2104 · Budi Santoso · Keuangan")
    page.keyboard.press("Escape")  # the number typed stands; Esc only closes the list
    expect(listbox).to_be_hidden()
    expect(page.locator("#id_transferred_to")).to_have_value("2104")
    page.keyboard.press("Enter")  # the list is closed: Enter saves

    page.wait_for_url(f"**{reverse('calls:call-detail', args=[call.pk])}")
    expect(page.locator("main, body").first).to_contain_text("The call was corrected.")
    details = page.locator("dl")
    expect(details).to_contain_text("Budi Santoso")
    expect(details).to_contain_text("2104 · Budi Santoso")
    call.refresh_from_db()
    assert (call.asked_for_staff, call.transferred_to) == (budi, desk)
    assert call.asked_for_department == finance
    assert Call.objects.count() == 1
    assert problems == []


def test_arrow_keys_choose_and_emptying_the_box_clears_the_choice(live_server, log_in, problems):
    operator = UserFactory(username="operator1", roles=[OPERATOR])
    finance = DepartmentFactory(name="Keuangan", code="FIN")
    StaffFactory(full_name="Sari Dewi", department=finance)
    StaffFactory(full_name="Sari Lestari", department=finance)
    call = CallFactory(
        operator=operator,
        started_at=recent_today(),
        outcome=Outcome.MESSAGE,
        purpose="Mohon telepon balik",
    )
    page = log_in("operator1")
    page.goto(f"{live_server.url}{reverse('calls:call-edit', args=[call.pk])}")
    box = page.locator("#id_asked_for_staff")
    tab_to(page, "#id_asked_for_staff")
    page.keyboard.type("sari")
    options = page.locator("#id_asked_for_staff_listbox").get_by_role("option")
    expect(options).to_have_count(2)
    expect(box).to_have_attribute("aria-expanded", "true")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    second = options.nth(1)
    expect(second).to_have_attribute("aria-selected", "true")
    expect(box).to_have_attribute("aria-activedescendant", second.get_attribute("id"))
    page.keyboard.press("Enter")
    expect(box).to_have_value("Sari Lestari · Keuangan")
    hidden = page.locator("input[type=hidden][name=asked_for_staff]")
    assert hidden.input_value().isdigit()

    page.keyboard.press("Control+a")
    page.keyboard.press("Backspace")
    expect(hidden).to_have_value("")
    assert problems == []
