"""KPI arithmetic against the hand-counted month of tests/reports/kpi_world.py
(read its docstring for the hand count)."""

import datetime as dt

import pytest

from reports.models import DisciplineRule, KpiSettings
from reports.selectors_kpi import kpi_figures, kpi_month_table, kpi_sheet, parse_month
from tests.factories import UserFactory
from tests.reports.factories_kpi import AttendanceDayFactory
from tests.reports.kpi_world import MONTH, make_month

pytestmark = pytest.mark.django_db
TODAY = dt.date(2025, 6, 15)


@pytest.fixture
def ani(db):
    return make_month(UserFactory(username="ani", first_name="Ani", roles=["Operator"]))


def march(operator, rule=DisciplineRule.ON_TIME):
    found = kpi_figures(first=MONTH, last=MONTH, operator_ids=[operator.pk], today=TODAY, rule=rule)
    return found[(operator.pk, MONTH)]


def test_discipline_counts_shifts_worked_on_time_over_scheduled_shifts(ani):
    """9 scheduled (8 worked + 1 absent), 6 on time: 66.67 %."""
    f = march(ani)
    assert (f.scheduled, f.worked, f.on_time, f.late, f.left_early, f.absent) == (9, 8, 6, 1, 1, 1)
    assert f.discipline == 66.67
    assert (f.late_minutes, f.early_minutes) == (12, 20)


def test_discipline_under_the_worked_rule_ignores_lateness(ani):
    """8 worked of 9 scheduled: 88.89 %, late and early shifts count as worked."""
    assert march(ani, DisciplineRule.WORKED).discipline == 88.89


def test_sick_leave_and_permission_are_counted_apart_and_are_no_fault(ani):
    """Sick, leave and permission are 1 each and are not in the 9 scheduled
    shifts: adding a second sick day leaves discipline at 66.67 %."""
    f = march(ani)
    assert (f.sick, f.leave, f.permission) == (1, 1, 1)
    AttendanceDayFactory(operator=ani, date=dt.date(2025, 3, 19), status="sick", shift_type=None)
    again = march(ani)
    assert again.sick == 2 and again.scheduled == 9 and again.discipline == 66.67


def test_unscheduled_work_counts_as_worked_not_as_scheduled(ani):
    """2 unscheduled days: shifts worked 8 + 2 = 10; scheduled stays 9."""
    f = march(ani)
    assert f.unscheduled == 2 and f.shifts_worked == 10 and f.scheduled == 9


def test_a_shift_still_under_way_is_not_counted_yet(ani):
    assert march(ani).pending == 1


def test_quality_averages_submitted_regular_reviews_only(ani):
    """(90 + 80 + 100 + 0) / 4 = 67.5; the draft (10), the calibration review
    (20) and April's (50) are left out; the auto-fail counts with its 0."""
    f = march(ani)
    assert f.reviews == 4 and f.quality == 67.5 and f.auto_fails == 1


def test_productivity_is_calls_handled_per_shift_worked(ani):
    """6 live calls (the deleted one and April's are not March's) / 10 shifts."""
    f = march(ani)
    assert f.calls == 6 and f.productivity == 0.6


def test_average_handling_time_is_talk_over_calls_with_a_duration(ani):
    """(60 + 120 + 30 + 90 + 100) / 5 = 80 s; the 0-second call is left out."""
    f = march(ani)
    assert (f.calls_timed, f.talk_seconds, f.aht_seconds) == (5, 400, 80.0)


def test_no_figures_give_no_ratio():
    from reports.selectors_kpi import MonthFigures

    empty = MonthFigures(month=MONTH)
    assert (empty.discipline, empty.quality, empty.productivity, empty.aht_seconds) == (
        None, None, None, None,
    )  # fmt: skip


def test_the_month_table_colours_each_figure_against_its_target(ani):
    """Targets 95 %, 85, 185 (defaults): all three missed here; with a
    productivity target of 0.5 it is met."""
    row = next(r for r in kpi_month_table(month=MONTH, today=TODAY)["rows"] if r["operator"] == ani)
    assert {k: m.state for k, m in row["measures"].items()} == {
        "discipline": "missed", "quality": "missed", "productivity": "missed", "aht": "info",
    }  # fmt: skip
    settings = KpiSettings.load()
    settings.productivity_target = "0.5"
    settings.save()
    row = kpi_month_table(month=MONTH, today=TODAY)["rows"][0]
    assert row["measures"]["productivity"].state == "met"


def test_the_trend_is_twelve_months_ending_with_the_month(ani):
    sheet = kpi_sheet(operator=ani, month=dt.date(2025, 4, 1), today=TODAY)
    months = [entry["figures"].month for entry in sheet["trend"]]
    assert months[0] == dt.date(2024, 5, 1) and months[-1] == dt.date(2025, 4, 1)
    by_month = {entry["figures"].month: entry["figures"] for entry in sheet["trend"]}
    april = by_month[dt.date(2025, 4, 1)]
    assert by_month[MONTH].calls == 6 and april.calls == 1
    assert april.reviews == 1 and april.quality == 50


@pytest.mark.parametrize(
    ("text", "month"),
    [
        ("2025-03", dt.date(2025, 3, 1)),
        ("2025-13", None),
        ("1999-12", None),
        ("25-03", None),
        ("２０２５-03", None),
        ("2025-3", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_month(text, month):
    assert parse_month(text) == month
