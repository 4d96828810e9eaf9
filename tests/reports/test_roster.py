"""The roster: setting cells through the service and the grid's endpoint,
copying last week, and the week page (permissions, parameters, query count)."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from directory.models import Holiday
from reports.models import AttendanceDay, RosterEntry, RosterKind
from reports.services.roster import roster_copy_week, roster_set, swap_request, week_start
from tests.factories import UserFactory
from tests.reports.factories_roster import RosterEntryFactory, desk_shifts, make_operator

pytestmark = pytest.mark.django_db

MONDAY = date(2026, 12, 7)


@pytest.fixture
def shifts():
    return desk_shifts()


@pytest.fixture
def sari():
    return make_operator("sari", first_name="Sari", last_name="Wulandari")


# The service ---------------------------------------------------------------------


def test_keys_set_shifts_and_days_away_and_an_empty_key_clears(supervisor, sari, shifts):
    entry = roster_set(by=supervisor, operator=sari, day=MONDAY, key="p")
    assert (entry.kind, entry.shift_type) == (RosterKind.SHIFT, shifts["P"])
    for key, kind in (("C", "leave"), ("K", "sick"), ("I", "permission")):
        entry = roster_set(by=supervisor, operator=sari, day=MONDAY, key=key)
        assert entry.kind == kind and entry.shift_type is None
    assert roster_set(by=supervisor, operator=sari, day=MONDAY, key="") is None
    assert not RosterEntry.objects.exists()
    # Every change is in the history, with who made it.
    history = RosterEntry.history.filter(operator=sari).order_by("history_date")
    assert [h.history_type for h in history] == ["+", "~", "~", "~", "-"]
    assert {h.history_user for h in history} == {supervisor}


def test_refusals_say_why(supervisor, sari, shifts):
    with pytest.raises(Exception, match="No shift has the key X"):
        roster_set(by=supervisor, operator=sari, day=MONDAY, key="X")
    roster_set(by=supervisor, operator=sari, day=MONDAY, key="M")
    with pytest.raises(Exception, match="Less than 8 hours' rest next to the Malam shift"):
        roster_set(by=supervisor, operator=sari, day=MONDAY + timedelta(days=1), key="P")
    # Siang the next day leaves 8 hours: fine.
    roster_set(by=supervisor, operator=sari, day=MONDAY + timedelta(days=1), key="S")
    roster_set(by=supervisor, operator=sari, day=MONDAY + timedelta(days=1), key="")
    long_night = desk_shifts()["M"]
    long_night.ends_at = long_night.ends_at.replace(hour=16)
    long_night.save()
    with pytest.raises(Exception, match="Overlaps the Malam shift"):
        roster_set(by=supervisor, operator=sari, day=MONDAY + timedelta(days=1), key="P")
    with pytest.raises(Exception, match="not an operator"):
        roster_set(by=supervisor, operator=UserFactory(username="tamu"), day=MONDAY, key="P")


def test_an_entry_in_an_open_swap_cannot_change(supervisor, sari, shifts):
    dewi = make_operator("dewi")
    day = timezone.localdate() + timedelta(days=3)
    mine = roster_set(by=supervisor, operator=sari, day=day, key="P")
    swap_request(requester=sari, requester_entry=mine, colleague=dewi)
    with pytest.raises(Exception, match="shift swap"):
        roster_set(by=supervisor, operator=sari, day=day, key="S")


def test_copy_last_week_keeps_what_is_set_unless_asked(supervisor, sari, shifts):
    dewi = make_operator("dewi")
    last = MONDAY - timedelta(days=7)
    for i, key in enumerate("PPSSM"):
        RosterEntryFactory(operator=sari, date=last + timedelta(days=i), shift_type=shifts[key])
    RosterEntryFactory(operator=dewi, date=last, kind="leave", shift_type=None)
    RosterEntryFactory(operator=sari, date=MONDAY, shift_type=shifts["S"])  # already set
    result = roster_copy_week(by=supervisor, start=MONDAY + timedelta(days=2))  # any day
    assert (result["copied"], result["skipped"]) == (5, 1)
    assert RosterEntry.objects.get(operator=sari, date=MONDAY).shift_type == shifts["S"]
    assert RosterEntry.objects.get(operator=dewi, date=MONDAY).kind == "leave"
    assert (
        RosterEntry.objects.get(operator=sari, date=MONDAY + timedelta(days=4)).shift_type
        == (shifts["M"])
    )
    again = roster_copy_week(by=supervisor, start=MONDAY, overwrite=True)
    assert again["copied"] == 1  # the Siang Monday becomes Pagi; the rest are the same
    assert RosterEntry.objects.get(operator=sari, date=MONDAY).shift_type == shifts["P"]


# The grid's endpoint ---------------------------------------------------------------


def cell(client, operator, day, key):
    return client.post(
        reverse("reports:roster-cell"),
        {"operator": operator.pk, "date": day.isoformat(), "key": key},
    )


def test_a_cell_is_saved_and_answered_with_itself(supervisor_client, sari, shifts):
    response = cell(supervisor_client, sari, MONDAY, "S")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-key="S"' in html and f'data-operator="{sari.pk}"' in html
    assert RosterEntry.objects.get(operator=sari, date=MONDAY).shift_type == shifts["S"]
    assert AttendanceDay.objects.get(operator=sari, date=MONDAY).status == "scheduled"
    response = cell(supervisor_client, sari, MONDAY, "")
    assert 'data-key=""' in response.content.decode()
    assert not RosterEntry.objects.exists()


def test_a_refused_cell_shows_the_reason_and_keeps_what_was_there(supervisor_client, sari, shifts):
    cell(supervisor_client, sari, MONDAY, "M")
    response = cell(supervisor_client, sari, MONDAY + timedelta(days=1), "P")
    assert response.status_code == 422
    html = response.content.decode()
    assert "Less than 8 hours" in html and 'data-key=""' in html
    response = cell(supervisor_client, sari, MONDAY, "Q")
    assert response.status_code == 422 and "No shift has the key Q" in response.content.decode()
    assert RosterEntry.objects.get(operator=sari).shift_type == shifts["M"]


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"operator": "abc", "date": "2026-12-07", "key": "P"},
        {"operator": "999999", "date": "2026-12-07", "key": "P"},
        {"operator": "1", "date": "2026-13-45", "key": "P"},
        {"operator": "1", "date": "2026-12-07", "key": "PPPP"},
    ],
)
def test_bad_cell_input_is_refused_without_a_500(supervisor_client, sari, shifts, data):
    if data.get("operator") == "1":
        data["operator"] = str(sari.pk)
    response = supervisor_client.post(reverse("reports:roster-cell"), data)
    assert response.status_code == 422
    assert not RosterEntry.objects.exists()


def test_operators_and_outsiders_cannot_roster(operator_client, outsider_client, sari, shifts):
    for client in (operator_client, outsider_client):
        assert cell(client, sari, MONDAY, "P").status_code == 403
        assert client.get(reverse("reports:roster-week")).status_code == 403
        assert (
            client.post(reverse("reports:roster-copy"), {"start": "2026-12-07"}).status_code == 403
        )
    assert not RosterEntry.objects.exists()


def test_copy_last_week_from_the_page_reports_what_it_did(supervisor_client, sari, shifts):
    RosterEntryFactory(operator=sari, date=MONDAY - timedelta(days=7), shift_type=shifts["P"])
    response = supervisor_client.post(
        reverse("reports:roster-copy"), {"start": MONDAY.isoformat()}, follow=True
    )
    assert "1 entry copied from the week before; 0 kept as they were." in response.content.decode()
    assert RosterEntry.objects.filter(date=MONDAY).count() == 1


# The week page ----------------------------------------------------------------


def test_the_week_shows_operators_days_holidays_and_counts(supervisor_client, sari, shifts):
    Holiday.objects.create(date=MONDAY + timedelta(days=2), name="Hari Libur Uji")
    Holiday.objects.create(date=MONDAY + timedelta(days=3), name="Dihapus", active=False)
    RosterEntryFactory(operator=sari, date=MONDAY, shift_type=shifts["P"])
    RosterEntryFactory(operator=make_operator("dewi"), date=MONDAY, shift_type=shifts["P"])
    response = supervisor_client.get(reverse("reports:roster-week"), {"week": "2026-W50"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Week 50" in html and "Sari Wulandari" in html
    assert "Hari Libur Uji" in html and "Dihapus" not in html
    days = response.context["days"]
    assert [d.date for d in days] == [MONDAY + timedelta(days=i) for i in range(7)]
    assert days[0].counts[0] == 2  # two on Pagi on Monday
    assert response.context["previous"] == MONDAY - timedelta(days=7)
    assert "Supervisor" not in [r["name"] for r in response.context["rows"]]


@pytest.mark.parametrize(
    "query",
    [
        {"week": "2026-W99"},
        {"week": "nonsense"},
        {"week": "99999-W01"},
        {"start": "2026-02-30"},
        {"start": "0001-01-01"},
        {"start": "\x00"},
        {"week": "2026-W00"},
    ],
)
def test_bad_week_values_show_this_week(supervisor_client, shifts, query):
    response = supervisor_client.get(reverse("reports:roster-week"), query)
    assert response.status_code == 200
    assert response.context["start"] == week_start(timezone.localdate())


def test_start_moves_to_its_monday_and_today_is_marked(supervisor_client, sari, shifts):
    today = timezone.localdate()
    response = supervisor_client.get(reverse("reports:roster-week"), {"start": today.isoformat()})
    assert response.context["start"] == week_start(today)
    assert [d.today for d in response.context["days"]].count(True) == 1
    assert 'aria-current="date"' in response.content.decode()


def _week_with(n, shifts):
    for i in range(n):
        operator = make_operator(f"op{n}_{i}")
        for d in range(7):
            if (i + d) % 4:
                RosterEntryFactory(
                    operator=operator,
                    date=MONDAY + timedelta(days=d),
                    shift_type=shifts["PSM"[d % 3]],
                )


@pytest.mark.parametrize("operators", [1, 25])
def test_the_week_page_runs_a_constant_number_of_queries(
    supervisor_client, shifts, operators, django_assert_max_num_queries
):
    _week_with(operators, shifts)
    with django_assert_max_num_queries(11):
        response = supervisor_client.get(reverse("reports:roster-week"), {"start": "2026-12-07"})
    assert len(response.context["rows"]) == operators
