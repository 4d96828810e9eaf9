"""`manage.py build_operator_days`: (re)build the per-day call figures the KPIs
are read from (reports.OperatorDay), without a worker.

    manage.py build_operator_days                       # the last 13 months up to yesterday
    manage.py build_operator_days --start 2026-01-01 --end 2026-03-31
    manage.py build_operator_days --months 3
    manage.py build_operator_days --demo                # also the demo's productivity target

The same service as the nightly job (reports.services.operator_days): one
aggregate query over the range, only changed rows written, so a second run
changes nothing. Today is never written (the KPI pages read it live).
`--demo` sets the productivity target to DEMO_PRODUCTIVITY_TARGET calls per
shift (seed_demo_history's desk takes some 40 to 60 calls a shift, nights and
weekends included, not the 185 of a call centre: some operators reach it, some
do not), only while the KPI settings are still the shipped defaults.
"""

from datetime import date, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from reports.models import KpiSettings
from reports.selectors_kpi import add_months, month_start
from reports.services.operator_days import operator_days_build, operator_days_fold_dirty

DEFAULT_MONTHS = 13
DEMO_PRODUCTIVITY_TARGET = 42
SHIPPED_PRODUCTIVITY_TARGET = 185


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"Not a date (YYYY-MM-DD): {value!r}") from None


class Command(BaseCommand):
    help = "Build the per-day call figures of the KPIs (default: the last 13 months)."

    def add_arguments(self, parser):
        parser.add_argument("--start", type=_date, help="first day, YYYY-MM-DD")
        parser.add_argument("--end", type=_date, help="last day, YYYY-MM-DD (default yesterday)")
        parser.add_argument(
            "--months", type=int, default=DEFAULT_MONTHS, help="months back from this one"
        )
        parser.add_argument(
            "--demo", action="store_true", help="set the demo desk's productivity target"
        )

    def handle(self, *args, start=None, end=None, months=DEFAULT_MONTHS, demo=False, **options):
        today = timezone.localdate()
        end = end or today - timedelta(days=1)
        if months < 1:
            raise CommandError("--months must be at least 1.")
        if start and end < start:
            raise CommandError("--end is before --start.")
        start = start or add_months(month_start(today), 1 - months)
        if demo:
            self._demo_target()
        counts = operator_days_build(start=start, end=end, today=today)
        folded = operator_days_fold_dirty(today=today)
        self.stdout.write(
            f"Operator days {start:%Y-%m-%d} to {end:%Y-%m-%d}: {counts['created']} created, "
            f"{counts['updated']} updated, {counts['deleted']} deleted, "
            f"{counts['unchanged']} unchanged; {folded} marked days folded in."
        )

    def _demo_target(self):
        with transaction.atomic():
            settings = KpiSettings.load()
            if settings.productivity_target == SHIPPED_PRODUCTIVITY_TARGET:
                settings.productivity_target = DEMO_PRODUCTIVITY_TARGET
                settings.save()
                self.stdout.write(
                    f"Demo productivity target: {DEMO_PRODUCTIVITY_TARGET} calls per shift."
                )
