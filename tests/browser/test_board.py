"""The in/out board in a real browser at the desk's 1366x768: filtered as the
filter changes, and worked by keyboard only."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from directory.models import Presence
from switchboard.roles import OPERATOR
from tests.factories import DepartmentFactory, ExtensionFactory, StaffFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser_context_args(browser_context_args):
    """The desk's screen, and the date format typed into the back-at field."""
    return {**browser_context_args, "viewport": {"width": 1366, "height": 768}, "locale": "en-US"}


@pytest.fixture
def board(live_server, log_in):
    UserFactory(username="operator1", roles=[OPERATOR])
    finance = DepartmentFactory(name="Keuangan", code="FIN")
    sales = DepartmentFactory(name="Penjualan", code="SLS")
    budi = StaffFactory(full_name="Budi Santoso", department=finance)
    ExtensionFactory(number="2104", staff=budi)
    StaffFactory(full_name="Rina Budiman", department=sales)
    StaffFactory(full_name="Agus Salim", department=sales)
    page = log_in("operator1")
    page.goto(f"{live_server.url}/directory/board/")
    return page, {"finance": finance, "sales": sales, "budi": budi}


def type_back_at(page, when):
    """A datetime-local field, by keyboard: month, day, year, then the time."""
    local = timezone.localtime(when)
    page.keyboard.type(local.strftime("%m%d%Y"))
    page.keyboard.press("Tab")
    page.keyboard.type(local.strftime("%I%M%p"))


def tab_to(page, name, most=8):
    """Tab on until the field `name` has the cursor (a date field has stops inside)."""
    for _ in range(most):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.name") == name:
            return
    raise AssertionError(f"Tab never reached {name}")


def test_filter_by_department_and_name_as_they_change(board):
    page, data = board
    rows = page.locator("#board-results tr[data-presence-row]")
    expect(rows).to_have_count(3)
    expect(page.locator("#board-results")).to_contain_text("2104")  # extensions on the board

    page.select_option("#id_department", str(data["sales"].pk))  # no button pressed
    expect(rows).to_have_count(2)
    expect(page).to_have_url(re.compile(rf"department={data['sales'].pk}"))

    page.locator("#id_q").fill("bud")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Rina Budiman")

    page.locator("#id_q").fill("zzz")
    expect(page.locator("[data-board-empty]")).to_contain_text("Nobody matches this filter.")
    page.get_by_role("link", name="Show everyone").click()
    expect(rows).to_have_count(3)
    expect(page.locator("#id_q")).to_have_value("")
    expect(page.locator("#id_department")).to_have_value("")


def test_operator_changes_a_presence_by_keyboard_only(board):
    page, data = board
    budi = data["budi"]
    page.locator("#id_q").focus()
    page.keyboard.type("budi s")
    rows = page.locator("#board-results tr[data-presence-row]")
    expect(rows).to_have_count(1)
    page.keyboard.press("Tab")  # to the department filter, the presence filter, Filter,
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")  # ... and Budi's Change
    change = page.locator(f"#presence-row-{budi.pk} [data-presence-change]")
    expect(change).to_be_focused()

    page.keyboard.press("Enter")
    presence = page.locator(f"#presence-row-{budi.pk} select[name=presence]")
    expect(presence).to_be_focused()
    presence.press("ArrowDown")  # In office -> Out
    expect(presence).to_have_value("out")
    page.keyboard.press("Tab")
    type_back_at(page, timezone.now() - timedelta(days=1))  # yesterday: refused
    page.keyboard.press("Enter")

    error = page.locator(f'#presence-row-{budi.pk} [data-error-for="back_at"]')
    expect(error).to_contain_text("The back-at time must be in the future.")
    back_at = page.locator(f"#presence-row-{budi.pk} input[name=back_at]")
    expect(back_at).to_be_focused()
    expect(back_at).to_have_attribute("aria-invalid", "true")
    budi.refresh_from_db()
    assert budi.presence == Presence.IN

    type_back_at(page, timezone.now() + timedelta(days=1))
    tab_to(page, "note")
    page.keyboard.type("Ke bank")
    page.keyboard.press("Enter")

    row = page.locator(f"#presence-row-{budi.pk}")
    expect(row).to_contain_text("Ke bank")
    expect(row).to_contain_text("Out")
    expect(row.locator("[data-presence-change]")).to_be_focused()  # back on the row
    budi.refresh_from_db()
    assert (budi.presence, budi.presence_note) == (Presence.OUT, "Ke bank")
    assert budi.back_at > timezone.now()


def test_escape_cancels_and_returns_to_the_row(board):
    page, data = board
    budi = data["budi"]
    change = page.locator(f"#presence-row-{budi.pk} [data-presence-change]")
    change.focus()
    page.keyboard.press("Enter")
    presence = page.locator(f"#presence-row-{budi.pk} select[name=presence]")
    expect(presence).to_be_focused()
    presence.press("ArrowDown")
    tab_to(page, "note")
    page.keyboard.type("Tidak jadi")

    page.keyboard.press("Escape")

    row = page.locator(f"#presence-row-{budi.pk}")
    expect(row.locator("form")).to_have_count(0)
    expect(row).to_contain_text("In office")
    expect(row.locator("[data-presence-change]")).to_be_focused()
    budi.refresh_from_db()
    assert budi.presence == Presence.IN


def test_pages_keep_the_filter(board, live_server):
    page, data = board
    for i in range(55):
        StaffFactory(full_name=f"Staf {i:02d}", department=data["finance"])
    page.goto(f"{live_server.url}/directory/board/?department={data['finance'].pk}")
    expect(page.locator("#board-count")).to_contain_text("56 people · page 1 of 2")

    page.get_by_role("link", name="Next").click()

    expect(page.locator("#board-count")).to_contain_text("page 2 of 2")
    expect(page.locator("#board-results tr[data-presence-row]")).to_have_count(6)
    expect(page).to_have_url(re.compile(rf"department={data['finance'].pk}&page=2"))
    expect(page.locator("#id_department")).to_have_value(str(data["finance"].pk))
