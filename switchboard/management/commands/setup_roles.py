from django.core.management.base import BaseCommand

from switchboard.roles import ensure_roles


class Command(BaseCommand):
    help = "Create or update the Operator, Supervisor and Directory admin groups."

    def handle(self, *args, **options):
        for name, count in ensure_roles().items():
            self.stdout.write(f"{name}: {count} permissions")
