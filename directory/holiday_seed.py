"""Indonesia's public holidays and collective leave, from the `holidays` package.

The package (a maintained, community-checked list) gives, per year, the public
holidays (category PUBLIC: "Hari Raya Idul Fitri", "Tahun Baru Imlek", ...)
and the collective leave the government sets each year (category GOVERNMENT:
"Cuti Bersama Hari Raya Idul Fitri", ...). Days still waiting for the official
decree carry "(perkiraan)" (estimated) in their name; a later package release
confirms or moves them, and seeding again follows.

Seeded rows remember their source and the date the source gives
(Holiday.source / source_date). Re-seeding a year:

- adds the days the source gives that are not there yet;
- refreshes the name and kind of seeded days nobody has touched;
- deletes a seeded day nobody has touched that the source no longer gives
  (an estimated date the decree moved);
- never touches a day an admin added, nor a seeded day an admin moved to
  another date or switched off (removing a seeded day in the admin switches it
  off, see holiday_remove), so those stay as the admin left them.

Run it with `manage.py seed_holidays` (or `make seed`); a monthly beat job
(directory.tasks.seed_holidays_task) seeds this year and next.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

import holidays as holidays_lib
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from directory.models import Holiday, HolidayKind

COUNTRY = "ID"
SOURCE = f"holidays:{COUNTRY}"
_CALENDAR = holidays_lib.Indonesia
FIRST_YEAR = _CALENDAR.start_year
LAST_YEAR = _CALENDAR.end_year
# Names in the company's language: the package speaks Indonesian and English.
LANGUAGES = {"id": "id", "en": "en_US"}
NAME_LENGTH = Holiday._meta.get_field("name").max_length


@dataclass
class SeedResult:
    """What one seed did, per year and in all."""

    years: list[int]
    created: int = 0
    updated: int = 0
    removed: int = 0
    kept: int = 0  # days the admins added, moved or switched off, left alone
    per_year: dict[int, dict[str, int]] = field(default_factory=dict)


def default_years(*, now=None) -> list[int]:
    """This year and next, in the company's time zone."""
    year = timezone.localtime(now or timezone.now(), timezone.get_default_timezone()).year
    return [year, year + 1]


def clean_years(years: Iterable) -> list[int]:
    """The years as sorted distinct ints, or a ValidationError that says why not."""
    cleaned = set()
    for year in years:
        if isinstance(year, int) and not isinstance(year, bool):
            value = year
        elif isinstance(year, str) and year.strip().isascii() and year.strip().isdigit():
            value = int(year)
        else:
            raise ValidationError(
                _("“%(year)s” is not a year."), params={"year": year}, code="invalid"
            )
        if not FIRST_YEAR <= value <= LAST_YEAR:
            raise ValidationError(
                _("Holidays can be seeded for the years %(first)s to %(last)s, not %(year)s."),
                params={"first": FIRST_YEAR, "last": LAST_YEAR, "year": value},
                code="out_of_range",
            )
        cleaned.add(value)
    if not cleaned:
        raise ValidationError(_("Name at least one year."), code="required")
    return sorted(cleaned)


def offered_days(year: int, *, language: str) -> dict:
    """{date: (name, kind)} the package gives for one year. A date that is both
    a public holiday and collective leave is a public holiday."""
    days = {}
    for category, kind in (
        (holidays_lib.GOVERNMENT, HolidayKind.COLLECTIVE_LEAVE),
        (holidays_lib.PUBLIC, HolidayKind.PUBLIC),
    ):
        calendar = holidays_lib.country_holidays(
            COUNTRY, years=year, categories=(category,), language=language
        )
        for day, name in calendar.items():
            days[day] = (name[:NAME_LENGTH], kind)
    return days


def _language(language: str | None) -> str:
    code = language or settings.LANGUAGE_CODE
    return LANGUAGES.get(code, code if code in _CALENDAR.supported_languages else "id")


@transaction.atomic
def holidays_seed(*, years=None, now=None, language: str | None = None) -> SeedResult:
    """Write the package's holidays and collective leave for `years` (default:
    this year and next) as Holiday rows with source "holidays:ID", each change
    kept in the history. Idempotent: a second run changes nothing. Raises
    ValidationError for a bad year, before writing anything."""
    years = clean_years(default_years(now=now) if years is None else years)
    language = _language(language)
    result = SeedResult(years=years)
    for year in years:
        counts = _seed_year(year, language=language)
        result.per_year[year] = counts
        for key, value in counts.items():
            setattr(result, key, getattr(result, key) + value)
    return result


def _seed_year(year: int, *, language: str) -> dict[str, int]:
    counts = {"created": 0, "updated": 0, "removed": 0, "kept": 0}
    offered = offered_days(year, language=language)
    # Locked (on PostgreSQL), so a second seed running at the same time (the
    # beat job and an admin's command) waits for this one instead of refreshing
    # the same rows; two adding the same new day collide on the unique date and
    # the later one is rolled back whole, nothing half-written.
    on_dates = {h.date: h for h in Holiday.objects.select_for_update().filter(date__year=year)}
    seeded = {
        h.source_date: h
        for h in Holiday.objects.select_for_update().filter(source=SOURCE, source_date__year=year)
    }
    reason = f"seeded from {SOURCE}"
    for day, (name, kind) in sorted(offered.items()):
        row = seeded.get(day)
        if row is not None:
            if row.moved or not row.active:
                counts["kept"] += 1  # the admin's decision stands
            elif (row.name, row.kind) != (name, kind):
                row.name, row.kind = name, kind
                row._change_reason = reason
                row.save(update_fields=["name", "kind"])
                counts["updated"] += 1
            continue
        if day in on_dates:
            counts["kept"] += 1  # an admin's own day, or a seeded day moved here
            continue
        row = Holiday(date=day, name=name, kind=kind, source=SOURCE, source_date=day)
        row._change_reason = reason
        row.save()
        counts["created"] += 1
    for day, row in seeded.items():
        if day not in offered and row.active and not row.moved:
            row._change_reason = f"no longer given by {SOURCE}"
            row.delete()
            counts["removed"] += 1
    return counts


def holiday_remove(holiday: Holiday) -> bool:
    """Take a day off the calendar. A day an admin added is deleted; a seeded
    day is switched off instead (kept, inactive), so the next seed does not
    bring it back. Returns True when the row was deleted. Kept in the history."""
    if not holiday.seeded:
        holiday.delete()
        return True
    if holiday.active:
        holiday.active = False
        holiday._change_reason = "removed (seeded day switched off)"
        holiday.save(update_fields=["active"])
    return False
