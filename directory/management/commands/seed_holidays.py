"""`manage.py seed_holidays [--year 2026 ...]`: Indonesia's public holidays and
collective leave (cuti bersama) from the `holidays` package into the business
calendar. Without --year: this year and next. Safe to run again at any time:
days the admins added, moved or switched off stay as they left them (see
directory.holiday_seed). The monthly beat job runs the same service."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from directory.holiday_seed import LANGUAGES, SOURCE, holidays_seed


class Command(BaseCommand):
    help = "Seed Indonesia's public holidays and cuti bersama (default: this year and next)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--year",
            action="append",
            dest="years",
            metavar="YEAR",
            help="A year to seed; repeat for several (default: this year and next).",
        )
        parser.add_argument(
            "--language",
            choices=sorted(LANGUAGES),
            help="Language of the holiday names (default: LANGUAGE_CODE).",
        )

    def handle(self, *args, years=None, language=None, **options):
        try:
            result = holidays_seed(years=years, language=language)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        for year, counts in result.per_year.items():
            self.stdout.write(
                f"{year}: {counts['created']} added, {counts['updated']} updated, "
                f"{counts['removed']} removed, {counts['kept']} left as the admins set them "
                f"({SOURCE})."
            )
        self.stdout.write(self.style.SUCCESS("Holidays seeded."))
