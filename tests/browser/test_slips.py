"""Message slips in a real browser, keyboard only, at the desk's 1366x768, under
the Content-Security-Policy (tests/browser/conftest.py fails a test on any
violation): the operator takes a message for an absent person from the console,
the recipient acknowledges through the link in the e-mail without logging in,
and the operator's board shows it acknowledged, then closes it.

The desk-speed figure: keystrokes from F2 to a saved slip for an absent person
found by three letters, the message text apart; and the same for a transfer."""

import re

import pytest
from django.core import mail
from django.urls import reverse
from playwright.sync_api import expect

from directory.models import Presence
from messages_app.models import MessageSlip, SlipStatus
from switchboard.roles import OPERATOR
from tests.browser.conftest import VIEWPORT, BrowserProblems
from tests.factories import DepartmentFactory, ExtensionFactory, StaffFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LINK = re.compile(r"https?://[^\s\"<]+/messages/ack/[^\s\"<]+/")
MESSAGE = "Tolong telepon balik soal faktur bulan lalu"


class Keyboard:
    """The page's keyboard, counting what the operator presses. Text typed
    with type_text() (the message) is not counted; letters with letters() are."""

    def __init__(self, page):
        self.page = page
        self.count = 0

    def press(self, key):
        self.page.keyboard.press(key)
        self.count += 1

    def letters(self, text):
        self.page.keyboard.type(text)
        self.count += len(text)

    def type_text(self, text):
        self.page.keyboard.type(text)


@pytest.fixture
def office(db):
    finance = DepartmentFactory(name="Keuangan", code="FIN")
    sari = StaffFactory(full_name="Sari Wulandari", department=finance, email="sari@example.co.id")
    ExtensionFactory(number="2105", staff=sari)
    budi = StaffFactory(
        full_name="Budi Santoso",
        department=finance,
        email="budi@example.co.id",
        presence=Presence.OUT,
        cover=sari,
        user=UserFactory(username="budi"),
    )
    ExtensionFactory(number="2104", staff=budi)
    UserFactory(username="operator1", roles=[OPERATOR])
    return {"budi": budi, "sari": sari}


@pytest.fixture
def console(live_server, log_in):
    def _open():
        page = log_in("operator1")
        page.goto(f"{live_server.url}{reverse('calls:console')}")
        expect(page.locator("#console-q")).to_be_focused()
        return page

    return _open


def test_a_message_for_an_absent_person_reaches_them_and_comes_back_acknowledged(
    office, console, live_server, browser, settings, capsys
):
    settings.SITE_URL = live_server.url
    mail.outbox = []
    page = console()
    section = page.locator('#call-form [data-extension-section="message"]')
    expect(section).to_be_hidden()

    # The slip: F2, three letters, Enter (Budi is out: the section opens with
    # the cursor in the message), the text, Alt+3.
    keys = Keyboard(page)
    keys.press("F2")
    keys.letters("bud")
    keys.press("Enter")
    expect(section).to_be_visible()
    expect(page.locator("#id_purpose")).to_be_focused()
    expect(section.locator("[data-slip-for]")).to_contain_text("Budi Santoso")
    expect(section.locator("[data-slip-away]")).to_contain_text("Sari Wulandari")
    keys.type_text(MESSAGE)
    keys.press("Alt+3")

    status = page.locator("#console-status")
    expect(status).to_contain_text("Message for Budi Santoso saved (normal; sent to Budi Santoso)")
    slip_keys = keys.count
    slip = MessageSlip.objects.get()
    assert (slip.for_staff, slip.message, slip.call.outcome) == (office["budi"], MESSAGE, "message")
    # The form is fresh for the next call, the section closed, the cursor in the search.
    expect(page.locator("#console-q")).to_be_focused()
    expect(section).to_be_hidden()
    expect(page.locator("#id_purpose")).to_have_value("")

    # A transfer for comparison: F2, three letters, Enter, Alt+1.
    keys = Keyboard(page)
    keys.press("F2")
    keys.letters("sar")
    keys.press("Enter")
    expect(page.locator("#console-transfer")).to_contain_text("2105")
    keys.press("Alt+1")
    expect(status).to_contain_text("Call saved: Transferred")
    transfer_keys = keys.count
    with capsys.disabled():
        print(
            f"\n[desk speed] slip for an absent person: {slip_keys} keystrokes from F2 "
            f"(plus the {len(MESSAGE)} characters of the message); transfer: {transfer_keys}"
        )
    assert slip_keys == transfer_keys == 6

    # The e-mail reached Budi, with his own acknowledge link.
    assert [m.to for m in mail.outbox] == [["budi@example.co.id"]]
    link = LINK.search(mail.outbox[0].body).group(0)
    assert link.startswith(live_server.url)

    # Budi opens it (no log-in: a browser of his own) and acknowledges by keyboard.
    context = browser.new_context(viewport=VIEWPORT)
    recipient = context.new_page()
    problems = BrowserProblems(recipient, live_server.url)
    recipient.goto(link)
    button = recipient.get_by_role("button", name="Got it: acknowledge")
    expect(button).to_be_focused()
    recipient.keyboard.press("Enter")
    expect(recipient.locator("[data-ack-done]")).to_contain_text("the message is acknowledged")
    assert problems.report() == []
    context.close()
    slip.refresh_from_db()
    assert slip.status == SlipStatus.ACKNOWLEDGED and slip.acknowledged_by == office["budi"].user

    # The operator's board shows it acknowledged; C closes it with a note.
    page.goto(f"{live_server.url}{reverse('messages_app:slip-board')}")
    row = page.locator(f'[data-slip-row][data-slip-id="{slip.pk}"]')
    expect(row.locator("[data-slip-state]")).to_have_text("Acknowledged")
    expect(row).to_be_focused()
    page.keyboard.press("c")
    expect(page.locator("#slip-close-note")).to_be_focused()
    page.keyboard.type("Budi called back")
    page.keyboard.press("Enter")
    expect(page.locator("#slip-board-status")).to_contain_text("Message for Budi Santoso done.")
    expect(row.locator("[data-slip-state]")).to_have_text("Done")
    slip.refresh_from_db()
    assert (slip.status, slip.done_note) == (SlipStatus.DONE, "Budi called back")


def test_the_board_by_keyboard_resends_and_reroutes(office, live_server, log_in):
    from messages_app.services.slips import slip_create

    taker = UserFactory(username="op2")
    for text in ("Pesan pertama", "Pesan kedua"):
        slip_create(taken_by=taker, message=text, for_staff=office["budi"], caller_name="Joko")
    first, second = MessageSlip.objects.order_by("due_at", "created_at", "pk")
    page = log_in("operator1")
    page.goto(f"{live_server.url}{reverse('messages_app:slip-board')}")
    rows = page.locator("[data-slip-row]")
    expect(rows.first).to_be_focused()

    page.keyboard.press("ArrowDown")
    expect(rows.nth(1)).to_be_focused()
    page.keyboard.press("r")
    expect(page.locator("#slip-board-status")).to_contain_text("Sent again to Budi Santoso.")
    assert second.events.filter(kind="resent").exists()

    page.keyboard.press("g")
    dialog = page.locator("#slip-reroute-dialog")
    expect(dialog).to_be_visible()
    page.keyboard.type("sari")
    expect(dialog.locator(".sb-picker-option").first).to_contain_text("Sari Wulandari")
    page.keyboard.press("Enter")  # chooses Sari
    page.keyboard.press("Tab")  # the department list
    page.keyboard.press("Tab")  # the reason
    page.keyboard.type("Budi is on leave all week")
    page.keyboard.press("Enter")
    expect(dialog).to_be_hidden()
    expect(page.locator("#slip-board-status")).to_contain_text("Message passed to Sari Wulandari")
    expect(rows.nth(1)).to_contain_text("Sari Wulandari")
    expect(rows.nth(1)).to_be_focused()
    second.refresh_from_db()
    first.refresh_from_db()
    assert second.for_staff == office["sari"] and first.for_staff == office["budi"]

    # The board refreshes itself (as every 20 seconds): the chosen message stays
    # chosen, with the cursor, and a message taken meanwhile shows up.
    slip_create(taken_by=taker, message="Pesan ketiga", for_staff=office["budi"])
    page.evaluate("htmx.trigger('#slip-board-body', 'slips:refresh')")
    expect(rows).to_have_count(3)
    focused = page.locator("[data-slip-row]:focus")
    expect(focused).to_have_attribute("data-slip-id", str(second.pk))

    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"/messages/{second.pk}/$"))


def test_a_message_on_its_own_by_keyboard(office, live_server, log_in):
    page = log_in("operator1")
    page.goto(f"{live_server.url}{reverse('messages_app:slip-new')}")
    box = page.locator("#id_for_staff")
    expect(box).to_be_focused()

    page.keyboard.type("bud")
    expect(page.locator(".sb-picker-option").first).to_contain_text("Budi Santoso")
    page.keyboard.press("Enter")
    expect(box).to_have_value(re.compile("^Budi Santoso"))
    for _ in range(3):  # the department, who gets it, to the visitor's name
        page.keyboard.press("Tab")
    page.keyboard.type("Ibu Tamu")
    page.keyboard.press("Tab")
    page.keyboard.type("CV Sejahtera")
    page.keyboard.press("Tab")
    page.keyboard.type("0812 9999 0000")
    page.keyboard.press("Tab")
    page.keyboard.type("Menitipkan dokumen kontrak di resepsionis")
    page.keyboard.press("Control+Enter")

    expect(page.locator(".alert-success")).to_contain_text("Message for Budi Santoso saved")
    expect(box).to_be_focused()  # a fresh form for the next visitor
    slip = MessageSlip.objects.get()
    assert (slip.for_staff, slip.caller_name, slip.caller_company) == (
        office["budi"],
        "Ibu Tamu",
        "CV Sejahtera",
    )
    assert slip.message == "Menitipkan dokumen kontrak di resepsionis" and slip.call is None
