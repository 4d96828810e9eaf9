"""Default limits that count on the business calendar, for a first run.

Urgency limits (how long a slip may wait for its acknowledgement): urgent 10
minutes on the clock, high 30 and normal 240 working minutes, low by the end of
the next working day. Default response targets (rule empty) per complaint
severity, in working minutes: critical 60 to acknowledge / 480 to resolve,
high 120 / 960, medium 240 / 2400, low 480 / 4800.

Written only where none exist (limits: no urgency limit at all; targets: no
default target at all), so limits an admin has set are left alone. Reversing
leaves the rows: by then admins may have changed them.
"""

from django.db import migrations

# Copied here, not imported: a migration must not change when the code does.
URGENCY_LIMITS = [
    # urgency, minutes, business_time, next_working_day
    ("urgent", 10, False, False),
    ("high", 30, True, False),
    ("normal", 240, True, False),
    ("low", None, True, True),
]
RESPONSE_TARGETS = [
    # severity, acknowledge_minutes, resolve_minutes
    ("critical", 60, 480),
    ("high", 120, 960),
    ("medium", 240, 2400),
    ("low", 480, 4800),
]


def add_defaults(apps, schema_editor):
    db = schema_editor.connection.alias
    UrgencyLimit = apps.get_model("messages_app", "UrgencyLimit")
    ResponseTarget = apps.get_model("messages_app", "ResponseTarget")
    if not UrgencyLimit.objects.using(db).exists():
        UrgencyLimit.objects.using(db).bulk_create(
            UrgencyLimit(
                urgency=urgency,
                minutes=minutes,
                business_time=business_time,
                next_working_day=next_working_day,
            )
            for urgency, minutes, business_time, next_working_day in URGENCY_LIMITS
        )
    if not ResponseTarget.objects.using(db).filter(rule__isnull=True).exists():
        ResponseTarget.objects.using(db).bulk_create(
            ResponseTarget(
                rule=None,
                severity=severity,
                acknowledge_minutes=acknowledge,
                resolve_minutes=resolve,
            )
            for severity, acknowledge, resolve in RESPONSE_TARGETS
        )


class Migration(migrations.Migration):
    dependencies = [("messages_app", "0001_initial")]

    operations = [migrations.RunPython(add_defaults, migrations.RunPython.noop)]
