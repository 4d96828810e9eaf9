"""Reads of the call log for the console, the log table and the caller page."""

from datetime import date

from django.db.models import CharField, Count, ExpressionWrapper, F, Subquery
from phonenumber_field.phonenumber import PhoneNumber

from calls.models import Call, Caller, Direction, Outcome
from switchboard.dates import day_bounds  # noqa: F401  (the log's day filters)


def caller_get(number) -> Caller | None:
    """The Caller for a number (E.164 or a PhoneNumber), or None."""
    if not number:
        return None
    return Caller.objects.filter(number=number).first()


def caller_history(caller: Caller, *, limit: int | None = 10):
    """A caller's calls, newest first."""
    calls = Call.objects.for_log_table().filter(caller=caller)
    return calls[:limit] if limit else calls


def _caller_label(name: str, number: str | None, company: str) -> str:
    """str(Caller) from its columns; the number is parsed only when there is no name."""
    label = name or PhoneNumber.from_string(number).as_national
    return f"{label} ({company})" if company else label


def console_day(*, day: date, operator, limit: int = 20) -> tuple[list[dict], int]:
    """An operator's latest `limit` calls of the day, newest first, as what the
    console's day list shows, and how many calls they took that day: one query on
    the (operator, -started_at) index whatever the length of the day (the count
    is a subquery run once), no model instances."""
    start, end = day_bounds(day)
    mine = Call.objects.live().filter(operator=operator, started_at__gte=start, started_at__lt=end)
    day_count = mine.order_by().values("operator").annotate(n=Count("pk")).values("n")
    rows = list(
        mine.values(
            "pk",
            "started_at",
            "direction",
            "outcome",
            "number_withheld",
            "caller_name",
            "caller_id",
            "caller__name",
            "caller__company",
            staff_name=F("asked_for_staff__full_name"),
            department_name=F("asked_for_department__name"),
            extension=F("transferred_to__number"),
            # As text: the caller's number is parsed only when it is shown.
            caller_number=ExpressionWrapper(F("caller__number"), output_field=CharField()),
            day_count=Subquery(day_count),
        )[:limit]
    )
    directions, outcomes = dict(Direction.choices), dict(Outcome.choices)
    for row in rows:
        row["direction_label"] = directions.get(row["direction"], row["direction"])
        row["outcome_label"] = outcomes.get(row["outcome"], row["outcome"])
        row["caller"] = (
            _caller_label(row["caller__name"], row["caller_number"], row["caller__company"])
            if row["caller_id"]
            else ""
        )
    return rows, (rows[0]["day_count"] if rows else 0)
