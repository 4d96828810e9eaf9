"""`manage.py seed_demo_history`: eight weeks of the demo desk's history
(reports/demo/history.py): calls logged by the operators on duty, with their
slips and complaints, and a phone-line incident. `make seed` runs it after
seed_demo_roster and before seed_demo_calls and seed_demo_messages, so the
complaint references follow the dates. Idempotent: a day that holds a call is
left alone, so a second run changes nothing."""

from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError

from reports.demo.history import WEEKS, DemoHistory
from switchboard.roles import OPERATOR


class Command(BaseCommand):
    help = (
        f"Add {WEEKS} weeks of demo history (calls, slips, complaints, an incident) "
        "before seed_demo_calls' days (after seed_demo_roster, before seed_demo_calls; "
        "idempotent)."
    )

    def handle(self, *args, **options):
        if not Group.objects.filter(name=OPERATOR).exists():
            raise CommandError("Run migrate (and seed_demo) first: the Operator role is missing.")
        counts = DemoHistory().load()
        if not counts.calls:
            self.stdout.write("Demo history: every day already has its calls, none added.")
            return
        operators = ", ".join(f"{name} {n}" for name, n in sorted(counts.per_operator.items()))
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo history: {counts.calls} calls on {counts.days} days ({operators}), "
                f"{counts.callers} new callers, {counts.slips} message slips, "
                f"{counts.complaints} complaints, {counts.incidents} incident; the roster "
                f"carried back with {counts.roster_entries} entries and "
                f"{counts.clock_sessions} clock sessions."
            )
        )
