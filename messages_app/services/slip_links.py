"""The acknowledge link in a slip's e-mail: signed (django.core.signing, its own
salt), carrying the slip and the recipient, and expiring after
SLIP_ACK_LINK_DAYS. It works without logging in. A GET only shows the slip
(mail scanners fetch links); the POST acknowledges it, once: replaying a link
never changes a slip that is acknowledged or done, and an expired, altered or
no longer applicable link says which it is (AckLinkError.reason)."""

from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.utils import timezone
from django.utils.translation import gettext as _

from directory.models import Staff
from messages_app.models import (
    UNACKNOWLEDGED_SLIP_STATUSES,
    MessageSlip,
    SlipRecipient,
    SlipStatus,
)
from messages_app.services.slips import SlipConflict, mark_read, transition

ACK_SALT = "messages_app.slip-ack"
# The recipient part of a link sent to a department's group mailbox.
GROUP_RECIPIENT = 0


class AckLinkError(Exception):
    """An acknowledge link that cannot be used: `reason` is "expired",
    "invalid" (tampered or mangled) or "gone" (the slip no longer exists, or
    is no longer with this recipient)."""

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(reason)


@dataclass
class AckLink:
    slip: MessageSlip
    staff: Staff | None  # None: the department's group mailbox
    acknowledged: bool = False  # this request acknowledged it
    conflict: bool = False  # someone else acted at the same moment


class _AckSigner(signing.TimestampSigner):
    def __init__(self, now=None):
        super().__init__(salt=ACK_SALT)
        self.now = now

    def timestamp(self):
        if self.now is None:
            return super().timestamp()
        return signing.b62_encode(int(self.now.timestamp()))


def ack_link_days() -> int:
    return int(getattr(settings, "SLIP_ACK_LINK_DAYS", 7))


def slip_ack_token(*, slip_id: int, staff_id: int | None = None, now=None) -> str:
    """The signed token of one recipient's acknowledge link (staff_id None:
    the department's group mailbox)."""
    return _AckSigner(now).sign(f"{int(slip_id)}.{int(staff_id or GROUP_RECIPIENT)}")


def _read_token(token: str, now) -> tuple[int, int]:
    signer = _AckSigner()
    try:
        value = signing.Signer.unsign(signer, str(token or "")[:300])
        payload, stamp = value.rsplit(signer.sep, 1)
        signed_at = signing.b62_decode(stamp)
        slip_id, staff_id = (int(part) for part in payload.split("."))
    except (signing.BadSignature, ValueError):
        raise AckLinkError("invalid") from None
    age = (now or timezone.now()).timestamp() - signed_at
    if age > ack_link_days() * 86400:
        raise AckLinkError("expired")
    return slip_id, staff_id


def slip_ack_link(token: str, *, now=None) -> AckLink:
    """What an acknowledge link points at, checked (AckLinkError otherwise):
    the slip, and the recipient it was sent to, who must still be one."""
    slip_id, staff_id = _read_token(token, now)
    slip = (
        MessageSlip.objects.select_related("for_staff", "for_department", "acknowledged_by")
        .filter(pk=slip_id)
        .first()
    )
    if slip is None:
        raise AckLinkError("gone")
    if staff_id == GROUP_RECIPIENT:
        if not slip.for_department_id:
            raise AckLinkError("gone")
        return AckLink(slip=slip, staff=None)
    recipient = (
        SlipRecipient.objects.select_related("staff__user").filter(slip=slip, staff_id=staff_id)
    ).first()
    if recipient is None:
        raise AckLinkError("gone")
    return AckLink(slip=slip, staff=recipient.staff)


def slip_acknowledge_by_link(token: str, *, now=None) -> AckLink:
    """POST of an acknowledge link: acknowledges a slip that is not yet
    acknowledged, for the link's recipient (marking their copy read). A slip
    acknowledged or done already is left as it is, whoever replays the link."""
    now = now or timezone.now()
    link = slip_ack_link(token, now=now)
    staff = link.staff
    if link.slip.status not in UNACKNOWLEDGED_SLIP_STATUSES:
        mark_read(link.slip, staff, now)
        return link
    who = staff.full_name if staff is not None else link.slip.for_department.email
    by = staff.user if staff is not None and staff.user_id else None
    try:
        link.slip = transition(
            link.slip,
            by=by,
            to_status=SlipStatus.ACKNOWLEDGED,
            note=_("From the e-mailed link, by %(who)s") % {"who": who},
            version=None,
            now=now,
            reader=staff,
        )
        link.acknowledged = True
    except SlipConflict as exc:
        link.slip, link.conflict = exc.slip, True
    return link
