"""Seeding Indonesia's holidays and cuti bersama (directory.holiday_seed), the
seed_holidays command and the monthly beat job."""

from datetime import date, datetime
from io import StringIO
from zoneinfo import ZoneInfo

import holidays as holidays_lib
import pytest
from celery.schedules import crontab
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from directory.holiday_seed import SOURCE, holiday_remove, holidays_seed
from directory.models import Holiday, HolidayKind
from directory.tasks import seed_holidays_task

pytestmark = pytest.mark.django_db

CHRISTMAS_LEAVE = date(2026, 12, 24)
CHRISTMAS = date(2026, 12, 25)


@pytest.fixture(autouse=True)
def _empty_calendar(db):
    Holiday.objects.all().delete()


def seed(*years, language="en"):
    return holidays_seed(years=list(years), language=language)


def offered(year, category):
    return holidays_lib.country_holidays("ID", years=year, categories=(category,), language="en_US")


def test_seed_writes_public_holidays_and_collective_leave_with_their_source():
    result = seed(2026)

    public, leave = offered(2026, "public"), offered(2026, "government")
    assert result.created == len(public) + len(leave) == Holiday.objects.count()
    christmas = Holiday.objects.get(date=CHRISTMAS)
    assert (christmas.name, christmas.kind) == ("Christmas Day", HolidayKind.PUBLIC)
    leave_day = Holiday.objects.get(date=CHRISTMAS_LEAVE)
    assert (leave_day.name, leave_day.kind) == (
        "Christmas Joint Holiday",
        HolidayKind.COLLECTIVE_LEAVE,
    )
    assert set(Holiday.objects.values_list("source", flat=True)) == {SOURCE}
    assert all(h.source_date == h.date and h.active for h in Holiday.objects.all())
    assert christmas.history.get().history_change_reason == f"seeded from {SOURCE}"


def test_names_follow_the_company_language_by_default(settings):
    settings.LANGUAGE_CODE = "id"

    holidays_seed(years=[2026])

    assert Holiday.objects.get(date=CHRISTMAS).name == "Hari Raya Natal"
    assert Holiday.objects.get(date=CHRISTMAS_LEAVE).name == "Cuti Bersama Hari Raya Natal"


def test_seeding_again_changes_nothing():
    seed(2026, 2027)
    rows = list(Holiday.objects.values_list("date", "name", "kind", "active", "source_date"))
    history = Holiday.history.count()

    result = seed(2026, 2027)

    assert (result.created, result.updated, result.removed, result.kept) == (0, 0, 0, 0)
    assert list(Holiday.objects.values_list("date", "name", "kind", "active", "source_date")) == (
        rows
    )
    assert Holiday.history.count() == history


def test_seeding_again_refreshes_names_and_adds_new_days():
    """As after upgrading the package: a name changed, a day added."""
    seed(2026)
    Holiday.objects.filter(date=CHRISTMAS).update(name="Christmas Day (estimated)")
    Holiday.objects.filter(date=CHRISTMAS_LEAVE).delete()

    result = seed(2026)

    assert (result.created, result.updated) == (1, 1)
    assert Holiday.objects.get(date=CHRISTMAS).name == "Christmas Day"
    assert Holiday.objects.get(date=CHRISTMAS_LEAVE).source == SOURCE


def test_a_seeded_day_the_source_no_longer_gives_is_removed():
    """An estimated date that the decree moved: the stale day goes."""
    seed(2026)
    Holiday.objects.create(
        date=date(2026, 7, 7), name="Old estimate", source=SOURCE, source_date=date(2026, 7, 7)
    )

    result = seed(2026)

    assert result.removed == 1
    assert not Holiday.objects.filter(date=date(2026, 7, 7)).exists()


def test_days_an_admin_added_are_never_touched():
    own = Holiday.objects.create(date=CHRISTMAS, name="Natal kantor", kind=HolidayKind.COMPANY)
    anniversary = Holiday.objects.create(
        date=date(2026, 7, 7), name="Company anniversary", kind=HolidayKind.COMPANY
    )

    result = seed(2026)

    assert result.kept == 1
    own.refresh_from_db()
    assert (own.name, own.kind, own.source, own.source_date) == (
        "Natal kantor",
        HolidayKind.COMPANY,
        "",
        None,
    )
    assert Holiday.objects.filter(pk=anniversary.pk, source="").exists()


def test_a_seeded_day_an_admin_removed_stays_removed():
    seed(2026)
    leave_day = Holiday.objects.get(date=CHRISTMAS_LEAVE)

    assert holiday_remove(leave_day) is False  # switched off, not deleted
    Holiday.objects.filter(pk=leave_day.pk).update(name="Cuti bersama (not for us)")
    result = seed(2026)

    leave_day.refresh_from_db()
    assert not leave_day.active
    assert leave_day.name == "Cuti bersama (not for us)"
    assert result.kept == 1
    assert Holiday.objects.filter(date=CHRISTMAS_LEAVE).count() == 1


def test_a_seeded_day_an_admin_moved_stays_where_it_was_put():
    seed(2026)
    leave_day = Holiday.objects.get(date=CHRISTMAS_LEAVE)
    leave_day.date = date(2026, 12, 28)
    leave_day.save()

    result = seed(2026)

    assert not Holiday.objects.filter(date=CHRISTMAS_LEAVE).exists()
    leave_day.refresh_from_db()
    assert leave_day.date == date(2026, 12, 28)
    assert leave_day.moved and leave_day.source_date == CHRISTMAS_LEAVE
    assert (result.created, result.removed, result.kept) == (0, 0, 1)


def test_removing_a_day_an_admin_added_deletes_it():
    own = Holiday.objects.create(date=date(2026, 7, 7), name="Anniversary")
    pk = own.pk

    assert holiday_remove(own) is True
    assert not Holiday.objects.filter(pk=pk).exists()
    assert Holiday.history.filter(id=pk, history_type="-").exists()


@pytest.mark.parametrize(
    ("years", "message"),
    [
        ([2026, 1800], "1946 to 2100, not 1800"),
        ([2101], "not 2101"),
        (["abc"], "“abc” is not a year."),
        (["2026.5"], "is not a year"),
        ([True], "is not a year"),
        ([], "at least one year"),
    ],
)
def test_bad_years_are_refused_before_anything_is_written(years, message):
    with pytest.raises(ValidationError) as error:
        seed(*years)

    assert message in " ".join(error.value.messages)
    assert not Holiday.objects.exists()


@pytest.mark.parametrize(
    ("now", "years"),
    [
        (datetime(2026, 6, 1, 9, tzinfo=ZoneInfo("UTC")), [2026, 2027]),
        # 31 December 18:00 UTC is already New Year's Day in Jakarta
        (datetime(2026, 12, 31, 18, tzinfo=ZoneInfo("UTC")), [2027, 2028]),
    ],
)
def test_by_default_this_year_and_next_in_the_company_time_zone(now, years):
    result = holidays_seed(now=now, language="en")

    assert result.years == years
    assert set(Holiday.objects.dates("date", "year").values_list("date__year", flat=True)) == (
        set(years)
    )


# The command --------------------------------------------------------------------


def test_command_seeds_the_years_given():
    out = StringIO()

    call_command(
        "seed_holidays", "--year", "2026", "--year", "2027", "--language", "en", stdout=out
    )

    assert Holiday.objects.filter(date__year=2026).exists()
    assert Holiday.objects.filter(date__year=2027).exists()
    assert not Holiday.objects.filter(date__year=2028).exists()
    added = Holiday.objects.filter(date__year=2026).count()
    assert f"2026: {added} added, 0 updated, 0 removed, 0 left as the admins set them" in (
        out.getvalue()
    )
    assert "Holidays seeded." in out.getvalue()


def test_command_without_years_seeds_this_year_and_next():
    out = StringIO()

    call_command("seed_holidays", stdout=out)

    year = datetime.now(ZoneInfo("Asia/Jakarta")).year
    assert f"{year}: " in out.getvalue() and f"{year + 1}: " in out.getvalue()
    assert {d.year for d in Holiday.objects.dates("date", "year")} == {year, year + 1}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--year", "1800"], "Holidays can be seeded for the years 1946 to 2100, not 1800."),
        (["--year", "next"], "“next” is not a year."),
        (["--language", "fr"], "invalid choice: 'fr'"),
    ],
)
def test_command_refuses_bad_input_clearly(args, message):
    with pytest.raises(CommandError, match=message):
        call_command("seed_holidays", *args, stdout=StringIO())

    assert not Holiday.objects.exists()


# The beat job ---------------------------------------------------------------------


def test_the_monthly_job_seeds_this_year_and_next():
    added = seed_holidays_task.delay().get()

    assert added == Holiday.objects.count() > 0


def test_the_seed_job_is_on_the_beat_schedule(settings):
    from switchboard.celery import app

    app.loader.import_default_modules()
    entry = settings.CELERY_BEAT_SCHEDULE["directory-seed-holidays"]

    assert entry["task"] == "directory.tasks.seed_holidays_task"
    assert entry["task"] in app.tasks
    assert entry["schedule"] == crontab(day_of_month=1, hour=3, minute=15)
