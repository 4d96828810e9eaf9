"""Before the time bounds become database constraints (0003), bring back into
bounds the calls that a correction pushed out of them.

A call's times could be corrected to anything, e.g. 0001-01-01 (PostgreSQL stored
a BC date that Python cannot even read) or an end days after the start. For each
such call the times are restored from the newest version in its history that was
within bounds (usually the call as it was logged), and a history row says so
(reason code "restored"). A call with no such version cannot be guessed: the
migration stops and names it, so that someone decides (for example
`UPDATE calls_call SET started_at = …, ended_at = …, duration_seconds = … WHERE id = …`).

Rows are filtered in SQL and their out-of-bounds times are never loaded: reading
a BC timestamp into Python fails. Self-contained: the bounds are copied here, not
imported from calls.models. Reverse: nothing to undo (the old times are kept in
the history).
"""

from datetime import UTC, datetime

from django.db import migrations
from django.db.models import Q
from django.utils import timezone

FLOOR = datetime(1999, 12, 31, 17, 0, tzinfo=UTC)  # 2000-01-01 00:00 Asia/Jakarta
MAX_SECONDS = 24 * 60 * 60
REASON = "restored"
TIME_FIELDS = ("started_at", "ended_at", "duration_seconds")


def restore_times(apps, schema_editor):
    Call = apps.get_model("calls", "Call")
    HistoricalCall = apps.get_model("calls", "HistoricalCall")
    out_of_bounds = Q(started_at__lt=FLOOR) | Q(duration_seconds__gt=MAX_SECONDS)
    in_bounds = Q(started_at__gte=FLOOR) & (
        Q(duration_seconds__isnull=True) | Q(duration_seconds__lte=MAX_SECONDS)
    )
    ids = list(Call.objects.filter(out_of_bounds).order_by("pk").values_list("pk", flat=True))
    if not ids:
        return
    others = [
        f.attname
        for f in Call._meta.concrete_fields
        if f.name not in (*TIME_FIELDS, "id")
    ]
    stuck = []
    now = timezone.now()
    for pk in ids:
        good = (
            HistoricalCall.objects.filter(in_bounds, id=pk)
            .order_by("-history_date", "-history_id")
            .values(*TIME_FIELDS)
            .first()
        )
        if good is None or (good["ended_at"] and good["ended_at"] < good["started_at"]):
            stuck.append(pk)
            continue
        Call.objects.filter(pk=pk).update(**good)
        row = Call.objects.filter(pk=pk).values(*others).get()
        HistoricalCall.objects.create(
            id=pk,
            **row,
            **good,
            history_date=now,
            history_type="~",
            history_change_reason=REASON,
            history_user_id=None,
        )
    if stuck:
        raise RuntimeError(
            "These calls have times out of bounds (before 2000 or longer than a day) "
            f"and no version in their history to restore: ids {stuck}. Set their "
            "started_at, ended_at and duration_seconds by hand, then migrate again."
        )


class Migration(migrations.Migration):
    dependencies = [("calls", "0001_initial")]

    operations = [migrations.RunPython(restore_times, migrations.RunPython.noop)]
