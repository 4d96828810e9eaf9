"""The business calendar in Django admin: working hours and holidays, added,
moved and removed by a Directory admin, with history; others kept out."""

from datetime import date, time

import pytest
from django.contrib.admin.models import CHANGE, DELETION, LogEntry
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from directory.holiday_seed import SOURCE, holidays_seed
from directory.models import Holiday, HolidayKind, WorkingPeriod
from switchboard.roles import OPERATOR
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

HOLIDAYS = reverse("admin:directory_holiday_changelist")
ADD_HOLIDAY = reverse("admin:directory_holiday_add")
PERIODS = reverse("admin:directory_workingperiod_changelist")
ADD_PERIOD = reverse("admin:directory_workingperiod_add")
CHRISTMAS_LEAVE = date(2026, 12, 24)


def change_url(obj):
    return reverse(f"admin:directory_{obj._meta.model_name}_change", args=[obj.pk])


def delete_url(obj):
    return reverse(f"admin:directory_{obj._meta.model_name}_delete", args=[obj.pk])


@pytest.fixture(autouse=True)
def _empty_calendar(db):
    Holiday.objects.all().delete()
    WorkingPeriod.objects.all().delete()


@pytest.fixture
def seeded(db):
    holidays_seed(years=[2026], language="en")
    return Holiday.objects.get(date=CHRISTMAS_LEAVE)


@pytest.fixture
def own_day(db):
    return Holiday.objects.create(
        date=date(2026, 7, 7), name="Company anniversary", kind=HolidayKind.COMPANY
    )


def page(response) -> str:
    return response.content.decode()


# Holidays: the list ----------------------------------------------------------------


def test_holidays_are_listed_by_date_with_their_origin(admin_client_dir, seeded, own_day):
    response = admin_client_dir.get(HOLIDAYS, {"date__year": "2026"})

    assert response.status_code == 200
    text = page(response)
    assert text.index("New Year") < text.index("Company anniversary") < text.index("Christmas")
    assert "Added by an admin" in text
    assert SOURCE in text


@pytest.mark.parametrize(
    ("query", "shown", "hidden"),
    [
        ({"q": "joint"}, "Christmas Joint Holiday", "Christmas Day"),
        ({"kind__exact": "collective_leave"}, "Christmas Joint Holiday", "Christmas Day"),
        ({"kind__exact": "company"}, "Company anniversary", "Christmas"),
        ({"origin": "added"}, "Company anniversary", "Christmas"),
        ({"origin": "seeded"}, "Christmas Day", "Company anniversary"),
        ({"active__exact": "0"}, "Christmas Joint Holiday", "Christmas Day"),
        ({"date__year": "2026", "date__month": "12"}, "Christmas", "Company anniversary"),
    ],
)
def test_holidays_search_and_filters(admin_client_dir, seeded, own_day, query, shown, hidden):
    Holiday.objects.filter(pk=seeded.pk).update(active=False)

    response = admin_client_dir.get(HOLIDAYS, query)

    assert response.status_code == 200
    assert shown in page(response)
    assert hidden not in page(response)


def test_the_moved_filter_finds_seeded_days_an_admin_moved(admin_client_dir, seeded):
    Holiday.objects.filter(pk=seeded.pk).update(date=date(2026, 12, 28))

    response = admin_client_dir.get(HOLIDAYS, {"origin": "moved"})

    assert "Christmas Joint Holiday" in page(response)
    assert "Christmas Day" not in page(response)
    assert "moved from" in page(response)


def test_holiday_list_queries_do_not_grow_with_rows(admin_client_dir):
    def queries(count):
        Holiday.objects.all().delete()
        Holiday.objects.bulk_create(
            Holiday(date=date(2030, 1 + n // 28, 1 + n % 28), name=f"Day {n}") for n in range(count)
        )
        with CaptureQueriesContext(connection) as captured:
            response = admin_client_dir.get(HOLIDAYS)
        assert response.context["cl"].result_count == count
        return len(captured)

    assert queries(1) == queries(50)


# Holidays: add, move, remove --------------------------------------------------------


def test_admin_adds_a_day_of_their_own(admin_client_dir, directory_admin):
    response = admin_client_dir.get(ADD_HOLIDAY)
    assert 'value="company" selected' in page(response)  # the usual kind for a day added by hand

    response = admin_client_dir.post(
        ADD_HOLIDAY,
        {"date": "2026-07-07", "name": "Company anniversary", "kind": "company", "active": "on"},
    )

    assert response.status_code == 302
    day = Holiday.objects.get(date=date(2026, 7, 7))
    assert (day.name, day.kind, day.active, day.source, day.source_date) == (
        "Company anniversary",
        HolidayKind.COMPANY,
        True,
        "",
        None,
    )
    assert day.history.get().history_user == directory_admin


def test_a_second_day_on_the_same_date_is_refused_next_to_the_field(admin_client_dir, own_day):
    response = admin_client_dir.post(
        ADD_HOLIDAY, {"date": "2026-07-07", "name": "Twice", "kind": "company", "active": "on"}
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "date": ["There is already a day off on this date."]
    }
    assert Holiday.objects.count() == 1


def test_admin_moves_a_seeded_day_and_a_reseed_leaves_it(admin_client_dir, seeded):
    response = admin_client_dir.get(change_url(seeded))
    assert "seeding again leaves it where you put it" in page(response)

    response = admin_client_dir.post(
        change_url(seeded),
        {"date": "2026-12-28", "name": seeded.name, "kind": seeded.kind, "active": "on"},
    )

    assert response.status_code == 302
    seeded.refresh_from_db()
    assert (seeded.date, seeded.source_date, seeded.source) == (
        date(2026, 12, 28),
        CHRISTMAS_LEAVE,
        SOURCE,
    )
    assert seeded.history.first().date == date(2026, 12, 28)
    holidays_seed(years=[2026], language="en")
    assert not Holiday.objects.filter(date=CHRISTMAS_LEAVE).exists()


def test_the_source_of_a_seeded_day_cannot_be_edited(admin_client_dir, seeded):
    admin_client_dir.post(
        change_url(seeded),
        {
            "date": "2026-12-24",
            "name": "Renamed",
            "kind": seeded.kind,
            "active": "on",
            "source": "",
            "source_date": "2026-01-01",
        },
    )

    seeded.refresh_from_db()
    assert (seeded.name, seeded.source, seeded.source_date) == ("Renamed", SOURCE, CHRISTMAS_LEAVE)


def test_removing_a_seeded_day_switches_it_off(admin_client_dir, seeded, directory_admin):
    response = admin_client_dir.get(delete_url(seeded))
    assert "switched off rather than deleted" in page(response)

    response = admin_client_dir.post(delete_url(seeded), {"post": "yes"}, follow=True)

    assert response.redirect_chain[-1][0] == HOLIDAYS
    assert "switched off rather than deleted" in page(response)
    seeded.refresh_from_db()
    assert not seeded.active
    assert seeded.history.first().history_user == directory_admin
    entry = LogEntry.objects.get(object_id=str(seeded.pk))
    assert entry.action_flag == CHANGE
    holidays_seed(years=[2026], language="en")
    seeded.refresh_from_db()
    assert not seeded.active


def test_removing_a_day_added_by_hand_deletes_it(admin_client_dir, own_day):
    pk = own_day.pk

    response = admin_client_dir.post(delete_url(own_day), {"post": "yes"}, follow=True)

    assert "was deleted successfully" in page(response)
    assert not Holiday.objects.filter(pk=pk).exists()
    assert Holiday.history.filter(id=pk, history_type="-").exists()
    assert LogEntry.objects.get(object_id=str(pk)).action_flag == DELETION


def test_removing_several_days_at_once(admin_client_dir, seeded, own_day):
    christmas = Holiday.objects.get(date=date(2026, 12, 25))
    selected = [seeded.pk, christmas.pk, own_day.pk]

    response = admin_client_dir.post(
        HOLIDAYS, {"action": "delete_selected", "_selected_action": selected}
    )
    assert "switched off rather than deleted" in page(response)
    response = admin_client_dir.post(
        HOLIDAYS,
        {"action": "delete_selected", "_selected_action": selected, "post": "yes"},
        follow=True,
    )

    assert "2 of them came from the holiday seed and were switched off" in page(response)
    assert not Holiday.objects.filter(pk=own_day.pk).exists()
    assert set(Holiday.objects.filter(pk__in=selected).values_list("pk", "active")) == {
        (seeded.pk, False),
        (christmas.pk, False),
    }


# Working hours -----------------------------------------------------------------------


def test_working_hours_are_listed_weekday_by_weekday(admin_client_dir):
    WorkingPeriod.objects.create(weekday=4, start=time(13), end=time(17))
    WorkingPeriod.objects.create(weekday=0, start=time(13), end=time(17))
    WorkingPeriod.objects.create(weekday=0, start=time(8), end=time(12))

    response = admin_client_dir.get(PERIODS)

    assert response.status_code == 200
    rows = list(response.context["cl"].result_list)
    assert [(p.weekday, p.start) for p in rows] == [(0, time(8)), (0, time(13)), (4, time(13))]
    assert "4:00" in page(response)
    assert admin_client_dir.get(PERIODS, {"weekday__exact": "4"}).context["cl"].result_count == 1


def test_admin_adds_a_working_period(admin_client_dir, directory_admin):
    response = admin_client_dir.post(ADD_PERIOD, {"weekday": "5", "start": "08:00", "end": "12:00"})

    assert response.status_code == 302
    period = WorkingPeriod.objects.get(weekday=5)
    assert (period.start, period.end) == (time(8), time(12))
    assert period.history.get().history_user == directory_admin


@pytest.mark.parametrize(
    ("start", "end", "errors"),
    [
        ("12:00", "08:00", {"end": ["A working period must end after it starts."]}),
        ("09:00", "09:00", {"end": ["A working period must end after it starts."]}),
        (
            "11:00",
            "14:00",
            {
                "__all__": [
                    "This period overlaps Monday 08:00-12:00: a break goes between two periods."
                ]
            },
        ),
        (
            "08:00",
            "10:00",  # the same start as an existing period: said once, in words
            {
                "__all__": [
                    "This period overlaps Monday 08:00-12:00: a break goes between two periods."
                ]
            },
        ),
    ],
)
def test_a_bad_working_period_is_refused_clearly(admin_client_dir, start, end, errors):
    WorkingPeriod.objects.create(weekday=0, start=time(8), end=time(12))

    response = admin_client_dir.post(ADD_PERIOD, {"weekday": "0", "start": start, "end": end})

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == errors
    assert WorkingPeriod.objects.count() == 1


def test_a_period_may_be_changed_without_overlapping_itself(admin_client_dir):
    period = WorkingPeriod.objects.create(weekday=0, start=time(8), end=time(12))
    WorkingPeriod.objects.create(weekday=0, start=time(13), end=time(17))

    response = admin_client_dir.post(
        change_url(period), {"weekday": "0", "start": "07:30", "end": "12:00"}
    )

    assert response.status_code == 302
    period.refresh_from_db()
    assert period.start == time(7, 30)


def test_removing_a_working_period(admin_client_dir):
    period = WorkingPeriod.objects.create(weekday=0, start=time(8), end=time(12))
    pk = period.pk

    admin_client_dir.post(delete_url(period), {"post": "yes"})

    assert not WorkingPeriod.objects.exists()
    assert WorkingPeriod.history.filter(id=pk, history_type="-").count() == 1


# Who may ------------------------------------------------------------------------------


@pytest.mark.parametrize("url", [HOLIDAYS, ADD_HOLIDAY, PERIODS, ADD_PERIOD])
def test_an_operator_at_the_admin_gets_403(client, url):
    operator = UserFactory(username="op-staff", roles=[OPERATOR], is_staff=True)
    client.force_login(operator)

    assert client.get(url).status_code == 403


def test_an_operator_cannot_remove_a_day(client, seeded):
    client.force_login(UserFactory(username="op-staff", roles=[OPERATOR], is_staff=True))

    assert client.post(delete_url(seeded), {"post": "yes"}).status_code == 403
    seeded.refresh_from_db()
    assert seeded.active


def test_the_desk_without_admin_access_is_sent_to_log_in(operator_client):
    response = operator_client.get(HOLIDAYS)

    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]
