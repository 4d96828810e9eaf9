"""A working week to start from: Monday to Friday, 08:00-17:00 with a lunch
break, and a longer break on Friday for Friday prayer. Admins change it in
Django admin; an existing week (any period at all) is left alone."""

from datetime import time

from django.db import migrations

MORNING = (time(8, 0), time(12, 0))
AFTERNOON = (time(13, 0), time(17, 0))
FRIDAY_MORNING = (time(8, 0), time(11, 30))
WEEK = {
    0: [MORNING, AFTERNOON],
    1: [MORNING, AFTERNOON],
    2: [MORNING, AFTERNOON],
    3: [MORNING, AFTERNOON],
    4: [FRIDAY_MORNING, AFTERNOON],
}


def add_week(apps, schema_editor):
    WorkingPeriod = apps.get_model("directory", "WorkingPeriod")
    db = schema_editor.connection.alias
    if WorkingPeriod.objects.using(db).exists():
        return
    WorkingPeriod.objects.using(db).bulk_create(
        WorkingPeriod(weekday=weekday, start=start, end=end)
        for weekday, spans in WEEK.items()
        for start, end in spans
    )


class Migration(migrations.Migration):
    dependencies = [("directory", "0009_business_calendar")]

    operations = [migrations.RunPython(add_week, migrations.RunPython.noop)]
