"""Template helpers of slips: whom a slip is for, and (for the e-mails, through
messages_app.delivery.register_email_context) the signed acknowledge link of
one notification, its recipient's or the department mailbox's, absolute
(settings.SITE_URL). Signing needs no query."""

from django import template
from django.conf import settings
from django.urls import NoReverseMatch, reverse

from messages_app.services.slip_links import slip_ack_token

register = template.Library()


def absolute(path: str) -> str:
    return f"{getattr(settings, 'SITE_URL', '').rstrip('/')}{path}"


def slip_email_context(notification) -> dict:
    """What a slip e-mail adds to its context, worked out once per e-mail (its
    text and HTML parts share it): the acknowledge link for the person or
    mailbox it goes to, and how long the link works."""
    if not notification.slip_id:
        return {}
    slip = notification.slip
    ack_url = ""
    if notification.recipient_id or slip.for_department_id:
        token = slip_ack_token(slip_id=notification.slip_id, staff_id=notification.recipient_id)
        try:
            ack_url = absolute(reverse("messages_app:slip-ack", args=[token]))
        except NoReverseMatch:  # a site without the acknowledge page: no link
            ack_url = ""
    return {"ack_url": ack_url, "ack_days": int(getattr(settings, "SLIP_ACK_LINK_DAYS", 7))}


@register.simple_tag
def slip_whom(slip) -> str:
    """Whom a slip is for: the person's name, or the department's."""
    if slip is None:
        return ""
    if slip.for_staff_id:
        return slip.for_staff.full_name
    return slip.for_department.name if slip.for_department_id else ""
