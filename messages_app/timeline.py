"""The timelines of slips and complaints: one row per thing that happened,
written by the services (and the escalation sweeps) through these functions.
Kinds are stable codes, stored as such and shown in the reader's language."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from messages_app.models import ComplaintEvent, SlipEvent, Visibility

SLIP_EVENTS = {
    "created": _("Message taken"),
    "sent": _("Notification sent"),
    "send_failed": _("Notification failed"),
    "delivered": _("Delivered"),
    "read": _("Read"),
    "acknowledged": _("Acknowledged"),
    "done": _("Done"),
    "resent": _("Sent again"),
    "rerouted": _("Passed to someone else"),
    "escalated_resent": _("Escalated: sent again"),
    "escalated_to_cover": _("Escalated to the cover person"),
    "escalated_to_head": _("Escalated to the department head"),
    "escalated_to_supervisors": _("Escalated to the supervisors"),
}

COMPLAINT_EVENTS = {
    "created": _("Complaint recorded"),
    "routed": _("Routed"),
    "rerouted": _("Routed to another department"),
    "assigned": _("Assigned"),
    "acknowledged": _("Acknowledged"),
    "in_progress": _("Work started"),
    "resolved": _("Resolved"),
    "closed": _("Closed"),
    "reopened": _("Reopened"),
    "comment": _("Comment"),
    "customer_update": _("Told the customer"),
    "sent": _("Notification sent"),
    "send_failed": _("Notification failed"),
    "resent": _("Sent again"),
    "overdue": _("Overdue"),
    "escalated_to_head": _("Escalated to the department head"),
    "escalated_to_supervisors": _("Escalated to the supervisors"),
}


def slip_event(
    slip, kind: str, *, by=None, note: str = "", from_status="", to_status="", now=None
) -> SlipEvent:
    if kind not in SLIP_EVENTS:
        raise ValueError(f"unknown slip event {kind!r}")
    return SlipEvent.objects.create(
        slip=slip,
        kind=kind,
        by=by,
        note=(note or "")[:500],
        from_status=from_status,
        to_status=to_status,
        at=now or timezone.now(),
    )


def complaint_event(
    complaint,
    kind: str,
    *,
    by=None,
    text: str = "",
    visibility: str = Visibility.INTERNAL,
    from_status="",
    to_status="",
    data=None,
    now=None,
) -> ComplaintEvent:
    if kind not in COMPLAINT_EVENTS:
        raise ValueError(f"unknown complaint event {kind!r}")
    return ComplaintEvent.objects.create(
        complaint=complaint,
        kind=kind,
        by=by,
        text=text or "",
        visibility=visibility,
        from_status=from_status,
        to_status=to_status,
        data=data or {},
        at=now or timezone.now(),
    )


def event_label(kinds: dict, code: str) -> str:
    """A timeline row's kind in the reader's language (the code if unknown)."""
    return str(kinds.get(code, code))
