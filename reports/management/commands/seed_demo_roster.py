"""`manage.py seed_demo_roster`: the demo desk's shift types, roster, clock,
attendance and swaps (reports/demo/roster.py). `make seed` runs it after
seed_demo_messages. Idempotent: a second run changes nothing."""

from django.core.management.base import BaseCommand, CommandError

from reports.demo.roster import DemoRoster


class Command(BaseCommand):
    help = "Roster, clock sessions, attendance and swaps for the demo desk (idempotent)."

    def handle(self, *args, **options):
        from django.contrib.auth.models import Group

        from switchboard.roles import OPERATOR

        if not Group.objects.filter(name=OPERATOR).exists():
            raise CommandError("Run migrate (and seed_demo) first: the Operator role is missing.")
        counts = DemoRoster().load()
        self.stdout.write(
            self.style.SUCCESS(
                "Demo roster: {entries} entries, {sessions} clock sessions, "
                "{swaps} swaps added.".format(**counts)
            )
        )
