"""The roster and the clock in a real browser at the desk's 1366x768, under
the Content-Security-Policy (tests/browser/conftest.py fails a test on any
console error or violation): a supervisor fills next week's roster by
keyboard after copying last week, and an operator clocks in late and sees it."""

from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from reports.models import AttendanceDay, RosterEntry
from reports.services.roster import week_start
from switchboard.roles import SUPERVISOR
from tests.factories import UserFactory
from tests.reports.factories_roster import (
    RosterEntryFactory,
    ShiftTypeFactory,
    desk_shifts,
    make_operator,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def cell(page, operator, day):
    return page.locator(
        f".sb-roster-cell[data-operator='{operator.pk}'][data-date='{day.isoformat()}']"
    )


def test_a_supervisor_copies_last_week_and_fills_next_week_by_keyboard(live_server, log_in):
    shifts = desk_shifts()
    UserFactory(username="lilis", roles=[SUPERVISOR])
    agus = make_operator("agus", first_name="Agus", last_name="Setiawan")
    dewi = make_operator("dewi", first_name="Dewi", last_name="Anggraini")
    this_monday = week_start(timezone.localdate())
    monday = this_monday + timedelta(days=7)
    for i, key in enumerate("PPSSM"):
        RosterEntryFactory(
            operator=agus, date=this_monday + timedelta(days=i), shift_type=shifts[key]
        )

    page = log_in("lilis")
    page.goto(f"{live_server.url}{reverse('reports:roster-week')}")
    # Next week, by keyboard: the link, then Enter.
    page.locator("#sb-roster-next").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "week=" in url)
    year, week, _ = monday.isocalendar()
    expect(page.locator("#sb-roster-title")).to_contain_text(f"Week {week}")

    # Copy last week: Agus's five days come over.
    page.locator("#sb-roster-copy").focus()
    page.keyboard.press("Enter")
    expect(page.locator(".alert-success")).to_contain_text(
        "5 entries copied from the week before; 0 kept as they were."
    )
    expect(cell(page, agus, monday)).to_have_attribute("data-key", "P")

    # Dewi's week by keyboard: Monday, then each key moves on to the next day.
    first = cell(page, dewi, monday)
    first.focus()
    for key in ["s", "s", "m", "m"]:
        page.keyboard.press(key)
    expect(cell(page, dewi, monday + timedelta(days=3))).to_have_attribute("data-key", "M")
    # Friday is now focused: Malam on Thursday leaves no rest for Pagi on Friday.
    expect(cell(page, dewi, monday + timedelta(days=4))).to_be_focused()
    page.keyboard.press("p")
    refused = cell(page, dewi, monday + timedelta(days=4))
    expect(refused.locator(".sb-roster-error")).to_contain_text("Less than 8 hours")
    expect(refused).to_have_attribute("data-key", "")
    # The grid stays usable: back to Friday, a day away instead (C = leave).
    page.keyboard.press("ArrowLeft")
    expect(refused).to_be_focused()
    page.keyboard.press("c")
    expect(cell(page, dewi, monday + timedelta(days=4))).to_have_attribute("data-key", "C")
    # Up to Agus's Friday (empty), then Delete clears his Thursday.
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowUp")
    expect(cell(page, agus, monday + timedelta(days=3))).to_be_focused()
    page.keyboard.press("Delete")
    expect(cell(page, agus, monday + timedelta(days=3))).to_have_attribute("data-key", "")
    # Ctrl+C / Ctrl+V copies Agus's Monday onto his Sunday.
    page.keyboard.press("Home")
    page.keyboard.press("Control+c")
    page.keyboard.press("End")
    page.keyboard.press("Control+v")
    expect(cell(page, agus, monday + timedelta(days=6))).to_have_attribute("data-key", "P")

    # The counts under the grid follow: Monday has one Pagi (Agus) and one Siang.
    counts = page.locator("tfoot [data-count-key='P'] [data-count-col='0']")
    expect(counts).to_have_text("1")
    expect(page.locator("tfoot [data-count-key='C'] [data-count-col='4']")).to_have_text("1")

    saved = {
        (e.operator.username, (e.date - monday).days): e.shift_type.code if e.shift_type else e.kind
        for e in RosterEntry.objects.filter(date__gte=monday).select_related(
            "operator", "shift_type"
        )
    }
    assert saved == {
        ("agus", 0): "P",
        ("agus", 1): "P",
        ("agus", 2): "S",
        ("agus", 4): "M",
        ("agus", 6): "P",
        ("dewi", 0): "S",
        ("dewi", 1): "S",
        ("dewi", 2): "M",
        ("dewi", 3): "M",
        ("dewi", 4): "leave",
    }
    # It is all in the history, with who did it.
    assert RosterEntry.history.filter(history_user__username="lilis").count() >= 11


def test_a_cell_dragged_onto_another_is_copied(live_server, log_in):
    shifts = desk_shifts()
    UserFactory(username="lilis", roles=[SUPERVISOR])
    agus = make_operator("agus", first_name="Agus")
    monday = week_start(timezone.localdate()) + timedelta(days=7)
    RosterEntryFactory(operator=agus, date=monday, shift_type=shifts["S"])
    page = log_in("lilis")
    page.goto(f"{live_server.url}{reverse('reports:roster-week')}?start={monday.isoformat()}")
    cell(page, agus, monday).drag_to(cell(page, agus, monday + timedelta(days=1)))
    expect(cell(page, agus, monday + timedelta(days=1))).to_have_attribute("data-key", "S")
    assert RosterEntry.objects.filter(operator=agus).count() == 2


def test_an_operator_clocks_in_late_and_sees_it(live_server, log_in):
    # A shift that began 20 minutes ago (past its 5 minutes' grace).
    zone = timezone.get_default_timezone()
    now = timezone.localtime()
    start = (now - timedelta(minutes=20)).replace(second=0, microsecond=0)
    shift = ShiftTypeFactory(
        code="T",
        name="Tes",
        starts_at=start.time(),
        ends_at=(start + timedelta(hours=8)).time(),
        late_grace_minutes=5,
    )
    siti = make_operator("siti", first_name="Siti", last_name="Rahmawati")
    RosterEntryFactory(operator=siti, date=start.date(), shift_type=shift)
    minutes = int(
        (timezone.now() - datetime.combine(start.date(), start.time(), tzinfo=zone)).total_seconds()
        // 60
    )

    page = log_in("siti")
    page.goto(f"{live_server.url}{reverse('calls:console')}")
    state = page.locator("#sb-clock-state")
    expect(state).to_have_attribute("data-clocked-in", "false")
    page.locator("#sb-clock-button").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: url.endswith(reverse("calls:console")))
    message = page.locator(".alert-warning")
    expect(message).to_contain_text("minutes late for Tes")
    late = AttendanceDay.objects.get(operator=siti).late_minutes
    assert late in (minutes, minutes + 1)
    expect(message).to_contain_text(f"{late} minutes late")
    expect(state).to_have_attribute("data-clocked-in", "true")
    # The outcome buttons are still in view with the clock in the bar.
    expect(page.locator(".sb-outcomes")).to_be_in_viewport()

    # The attendance on my own page says so too.
    page.goto(f"{live_server.url}{reverse('reports:my-schedule')}")
    expect(page.locator("#sb-my-attendance-table")).to_contain_text(f"{late} min late")
