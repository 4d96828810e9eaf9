"""`manage.py build_recap`: build daily recaps without a worker, through the
same service as the nightly job (reports.services.recap.recap_build).

    manage.py build_recap --day 2026-11-30
    manage.py build_recap --from 2026-10-01 --to 2026-10-31     # a backfill
    manage.py build_recap --last 56                             # the 56 days up to yesterday
    manage.py build_recap --day 2026-11-30 --force --reason "late CDR import"

Days are built oldest first (each recap's "usual" reads the earlier ones).
A signed-off day is skipped, with a line saying so, unless --force with a
--reason. Unchanged figures are not written again, so a second run changes
nothing. On a terminal a progress bar shows; otherwise one line per day.
No e-mail is sent (that is the nightly job's).
"""

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from reports.services.recap import RecapSignedOff, local_today, recap_build

MAX_DAYS = 3660
BAR_WIDTH = 30


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"Not a date (YYYY-MM-DD): {value!r}") from None


class Command(BaseCommand):
    help = "Build the daily recap of a day, a range of days, or the last N days."

    def add_arguments(self, parser):
        parser.add_argument("--day", help="one day, YYYY-MM-DD")
        parser.add_argument("--from", dest="first", help="first day of a range, YYYY-MM-DD")
        parser.add_argument("--to", dest="last_day", help="last day of a range, YYYY-MM-DD")
        parser.add_argument("--last", type=int, help="the N days up to yesterday")
        parser.add_argument(
            "--force", action="store_true", help="rebuild signed-off recaps too (needs --reason)"
        )
        parser.add_argument("--reason", default="", help="why signed-off recaps are rebuilt")

    def _days(self, options) -> list[date]:
        today = local_today()
        chosen = [name for name in ("day", "first", "last") if options.get(name) not in (None, "")]
        if options.get("last_day") and "first" not in chosen:
            raise CommandError("--to needs --from.")
        if len(chosen) != 1:
            raise CommandError("Give exactly one of --day, --from/--to or --last.")
        if options.get("day"):
            first = last = _date(options["day"])
        elif options.get("first"):
            first = _date(options["first"])
            last = _date(options["last_day"]) if options.get("last_day") else today
            if last < first:
                raise CommandError("--to is before --from.")
        else:
            n = options["last"]
            if not 1 <= n <= MAX_DAYS:
                raise CommandError(f"--last must be between 1 and {MAX_DAYS}.")
            last = today - timedelta(days=1)
            first = last - timedelta(days=n - 1)
        if last > today:
            raise CommandError(f"{last.isoformat()} has not come yet (today is {today}).")
        if (last - first).days >= MAX_DAYS:
            raise CommandError(f"At most {MAX_DAYS} days at once.")
        return [first + timedelta(days=i) for i in range((last - first).days + 1)]

    def handle(self, *args, **options):
        days = self._days(options)
        force, reason = options["force"], (options["reason"] or "").strip()
        if force and not reason:
            raise CommandError("--force needs a --reason (it is kept in the recap's history).")
        tty = self.stdout.isatty()
        counts = {"built": 0, "unchanged": 0, "skipped": 0}
        for i, day in enumerate(days, start=1):
            try:
                recap = recap_build(day=day, force=force, reason=reason if force else "")
            except RecapSignedOff:
                counts["skipped"] += 1
                line = f"{day}: signed off, skipped (use --force --reason to rebuild)"
            except ValidationError as error:
                raise CommandError(f"{day}: {' '.join(error.messages)}") from None
            else:
                key = "built" if recap.changed else "unchanged"
                counts[key] += 1
                line = f"{day}: {key}, {recap.figures['calls']['total']} calls"
            if tty:
                done = round(BAR_WIDTH * i / len(days))
                bar = "#" * done + "-" * (BAR_WIDTH - done)
                self.stdout.write(f"\r[{bar}] {i}/{len(days)} {day}", ending="")
                self.stdout.flush()
            else:
                self.stdout.write(line)
        if tty:
            self.stdout.write("")
        self.stdout.write(
            f"Recaps {days[0]} to {days[-1]}: {counts['built']} built, "
            f"{counts['unchanged']} unchanged, {counts['skipped']} signed off and skipped."
        )
