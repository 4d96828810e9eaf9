"""The database keeps the time bounds that Call.clean() checks: no call starts
before 2000-01-01 (Asia/Jakarta, a fixed instant) and none lasts more than a day.
Both are plain comparisons, portable to PostgreSQL and SQLite. (Not in the future:
a CHECK cannot use the clock. The end is bounded through the start, the existing
call_end_not_before_start and the duration the services compute.) 0002 brought
existing rows within these bounds first. Reverse: drop both constraints."""

import datetime

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("calls", "0002_call_restore_out_of_bounds_times")]

    operations = [
        migrations.AddConstraint(
            model_name="call",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    started_at__gte=datetime.datetime(
                        1999, 12, 31, 17, 0, tzinfo=datetime.timezone.utc
                    )
                ),
                name="call_started_after_floor",
                violation_error_message="A call cannot start before the year 2000.",
            ),
        ),
        migrations.AddConstraint(
            model_name="call",
            constraint=models.CheckConstraint(
                condition=models.Q(duration_seconds__isnull=True)
                | models.Q(duration_seconds__lte=86400),
                name="call_at_most_a_day_long",
                violation_error_message="A call cannot last more than a day.",
            ),
        ),
    ]
