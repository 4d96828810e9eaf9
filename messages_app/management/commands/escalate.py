"""`manage.py escalate`: run the escalation sweeps by hand, without a worker.

    python manage.py escalate                 # slips and complaints, now
    python manage.py escalate --slips         # only message slips
    python manage.py escalate --complaints --now 2026-03-06T16:30

The same functions the beat tasks call (messages_app.services.escalation), so
running it while beat runs too is safe: every step is claimed before it is
taken, and a step already taken is not taken again.
"""

from datetime import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from messages_app.services.escalation import complaint_escalation_sweep, slip_escalation_sweep


def parse_now(value: str) -> datetime:
    """An ISO 8601 date-time; without an offset, in the company's time zone."""
    try:
        when = datetime.fromisoformat(value.strip())
    except ValueError:
        raise CommandError(
            f"--now {value!r} is not a date and time; use ISO 8601, e.g. 2026-03-06T16:30"
        ) from None
    if timezone.is_naive(when):
        when = timezone.make_aware(when)
    return when


class Command(BaseCommand):
    help = (
        "Escalate message slips not acknowledged in time and complaints past their "
        "deadlines (both unless --slips or --complaints is given)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--slips", action="store_true", help="Escalate message slips.")
        parser.add_argument("--complaints", action="store_true", help="Escalate complaints.")
        parser.add_argument(
            "--now",
            metavar="ISO",
            help="Decide as if it were this time (ISO 8601; default: now).",
        )

    def handle(self, *args, slips=False, complaints=False, now=None, **options):
        when = parse_now(now) if now is not None else timezone.now()
        if not slips and not complaints:
            slips = complaints = True
        if slips:
            steps = slip_escalation_sweep(now=when)
            self.stdout.write(f"Message slips: {steps} escalation step(s) taken.")
        if complaints:
            steps = complaint_escalation_sweep(now=when)
            self.stdout.write(f"Complaints: {steps} escalation step(s) taken.")
