"""Exporting the call log becomes a permission of its own ("calls.export_call"):
callers' numbers are personal data. switchboard.roles gives it to the Supervisor
role after migrate. Reverse: the permission leaves Meta (Django keeps the row)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("calls", "0003_call_time_bounds")]

    operations = [
        migrations.AlterModelOptions(
            name="call",
            options={
                "ordering": ["-started_at", "-id"],
                "permissions": [
                    ("correct_any_call", "Can correct any operator's call"),
                    ("export_call", "Can export the call log"),
                ],
                "verbose_name": "call",
                "verbose_name_plural": "calls",
            },
        ),
    ]
