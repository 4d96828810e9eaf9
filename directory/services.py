"""Every write to the directory that is not a plain admin edit goes through here."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from directory.models import Presence, Staff


def can_set_presence(user, staff: Staff) -> bool:
    """Operators (and anyone with change_presence) set anyone's; staff their own."""
    if not user.is_authenticated:
        return False
    return user.has_perm("directory.change_presence") or (
        staff.user_id is not None and staff.user_id == user.pk
    )


@transaction.atomic
def presence_set(
    *, staff: Staff, by, presence: str, back_at=None, note: str = "", now=None
) -> Staff:
    """Set a person's presence, back-at time and note; kept in the change history.

    Raises PermissionDenied when `by` may not change this person's presence and
    ValidationError for an unknown presence or a back-at time in the past.
    """
    if not can_set_presence(by, staff):
        raise PermissionDenied(_("You may only change your own presence."))
    now = now or timezone.now()
    if presence not in Presence.values:
        raise ValidationError({"presence": _("Unknown presence.")})
    if presence == Presence.IN:
        back_at, note = None, ""
    elif back_at is not None and back_at <= now:
        raise ValidationError({"back_at": _("The back-at time must be in the future.")})
    staff = Staff.objects.select_for_update().get(pk=staff.pk)
    _write_presence(
        staff, presence=presence, back_at=back_at, note=note, now=now, reason="presence"
    )
    return staff


def _write_presence(staff: Staff, *, presence, back_at, note: str, now, reason: str) -> None:
    """Save the presence fields of a row the caller has locked, with `reason` as
    the history's change reason."""
    staff.presence = presence
    staff.back_at = back_at
    staff.presence_note = (note or "").strip()[:200]
    staff.presence_changed_at = now
    staff._change_reason = reason
    staff.save(update_fields=["presence", "back_at", "presence_note", "presence_changed_at"])


def presence_expire(*, now=None) -> int:
    """Mark people back in the office once their back-at time has passed.

    Each row is re-read under a row lock and re-checked, so two sweeps running at
    once cannot both flip it; each change is kept in the history.
    """
    now = now or timezone.now()
    changed = 0
    due = Staff.objects.filter(back_at__lte=now).exclude(presence=Presence.IN)
    for pk in list(due.values_list("pk", flat=True)):
        with transaction.atomic():
            staff = (
                Staff.objects.select_for_update()
                .filter(pk=pk, back_at__lte=now)
                .exclude(presence=Presence.IN)
                .first()
            )
            if staff is None:
                continue
            _write_presence(
                staff,
                presence=Presence.IN,
                back_at=None,
                note="",
                now=now,
                reason="back-at time passed",
            )
        changed += 1
    return changed
