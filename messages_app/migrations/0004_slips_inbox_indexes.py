"""Indexes for "My messages" (messages_app.selectors_slips.slip_list_inbox):

- slip_status_created: a person's slips done lately, status then newest first
  (without it PostgreSQL read every done slip of the year to find the last
  fortnight's);
- sliprecipient_staff_added: the copies a person got since a moment (their
  copies of the open slips, and of the last fortnight's), rather than every
  copy of the year (a busy person's thousands).

Written as SQL, as directory 0002/0004 write theirs, so messages_app/models.py
(shared by the issue's helpers) stays as it is; SQLite and PostgreSQL both
understand these statements."""

from django.db import migrations

INDEXES = {
    "slip_status_created": "messages_app_messageslip (status, created_at DESC)",
    "sliprecipient_staff_added": "messages_app_sliprecipient (staff_id, added_at)",
}


class Migration(migrations.Migration):
    dependencies = [("messages_app", "0003_complaints_update_kind")]

    operations = [
        migrations.RunSQL(
            f"CREATE INDEX IF NOT EXISTS {name} ON {columns}",
            f"DROP INDEX IF EXISTS {name}",
        )
        for name, columns in INDEXES.items()
    ]
