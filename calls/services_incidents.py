"""Writes of phone-line incidents: a supervisor logs an outage or a fault,
corrects it while it is known better, and closes it when the line is back.

    incident = incident_create(by=supervisor, line="Trunk 1 (Telkom)", kind="outage")
    incident_close(incident=incident, by=supervisor, ended_at=now)

Every write runs full_clean and leaves a history row with who and when.
Closing is claimed with a conditional UPDATE on "still open" whose row count
decides, so when two supervisors close the same incident at once one closes it
and the other is told who did. An edit carries the version of the incident
the supervisor saw (its latest history row): an incident changed meanwhile is
refused with the current state, never overwritten.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from calls.models import PhoneLineIncident

EDITABLE_FIELDS = (
    "line",
    "kind",
    "started_at",
    "ended_at",
    "description",
    "contacted",
    "ticket_reference",
    "notes",
)


class IncidentConflict(Exception):
    """Someone else changed (or closed) the incident a moment before; carries
    the incident as it now is."""

    def __init__(self, incident: PhoneLineIncident, message: str):
        super().__init__(message)
        self.incident = incident


def incident_version(incident: PhoneLineIncident) -> int:
    """The version a form carries: the id of the incident's latest history row."""
    latest = incident.history.order_by("-history_id").values_list("history_id", flat=True)
    return latest.first() or 0


def _clean_text(values: dict) -> dict:
    return {k: v.strip() if isinstance(v, str) else v for k, v in values.items()}


def incident_create(*, by, now=None, **fields) -> PhoneLineIncident:
    """Log an incident (open unless `ended_at` is given): full_clean, save,
    history row by `by`."""
    now = now or timezone.now()
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"Unknown incident fields: {sorted(unknown)}")
    fields = _clean_text(fields)
    fields.setdefault("started_at", now)
    incident = PhoneLineIncident(logged_by=by, **fields)
    if incident.ended_at is not None:
        incident.closed_by = by
    incident.full_clean()
    incident._history_user = by
    with transaction.atomic():
        incident.save()
    return incident


def incident_update(*, incident: PhoneLineIncident, by, version=None, **fields):
    """Correct an incident's fields. `version` is incident_version() of the copy
    the supervisor edited; a changed incident raises IncidentConflict. Ending an
    open incident here closes it (closed_by is stamped); clearing the end of a
    closed one reopens it."""
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"Unknown incident fields: {sorted(unknown)}")
    fields = _clean_text(fields)
    with transaction.atomic():
        current = PhoneLineIncident.objects.select_for_update().get(pk=incident.pk)
        if version not in (None, "") and _int(version) != incident_version(current):
            raise IncidentConflict(
                current,
                _("Someone changed this incident a moment ago; here it is as it now stands."),
            )
        was_open = current.ended_at is None
        for name, value in fields.items():
            setattr(current, name, value)
        if was_open and current.ended_at is not None:
            current.closed_by = by
        elif current.ended_at is None:
            current.closed_by = None
        current.full_clean()
        current._history_user = by
        current.save()
    return current


def incident_close(*, incident: PhoneLineIncident, by, ended_at=None, notes=None, now=None):
    """Close an open incident at `ended_at` (now by default), with an optional
    note added to its notes. One conditional UPDATE on "still open": when two
    close it at once, the second gets IncidentConflict naming who closed it."""
    now = now or timezone.now()
    ended_at = ended_at or now
    probe = PhoneLineIncident(
        line=incident.line,
        kind=incident.kind,
        started_at=incident.started_at,
        ended_at=ended_at,
        logged_by_id=incident.logged_by_id,
    )
    try:
        probe.clean()
    except ValidationError as exc:
        raise ValidationError({"ended_at": exc.message_dict.get("ended_at", exc.messages)}) from exc
    changes = {"ended_at": ended_at, "closed_by": by}
    note = (notes or "").strip()
    if note:
        joined = f"{incident.notes}\n{note}".strip() if incident.notes else note
        if len(joined) > PhoneLineIncident._meta.get_field("notes").max_length:
            raise ValidationError({"notes": _("The notes are too long; shorten them.")})
        changes["notes"] = joined
    with transaction.atomic():
        claimed = PhoneLineIncident.objects.filter(pk=incident.pk, ended_at__isnull=True).update(
            **changes
        )
        current = PhoneLineIncident.objects.select_related("closed_by").get(pk=incident.pk)
        if not claimed:
            closer = current.closed_by
            who = (closer.get_full_name() or closer.username) if closer else "?"
            raise IncidentConflict(
                current,
                _("This incident was closed already, by %(who)s at %(when)s.")
                % {"who": who, "when": f"{timezone.localtime(current.ended_at):%H:%M}"},
            )
        # The claim is a queryset UPDATE, which simple_history does not see.
        PhoneLineIncident.history.bulk_history_create(
            [current], update=True, default_user=by, default_date=now
        )
    return current


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1
