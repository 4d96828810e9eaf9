"""Message slips: taking one (at the console or on its own), telling its people,
and every step of its life after that. Views, the console, the admin, the
acknowledge links and the escalation sweep all write through here.

    slip = slip_create(taken_by=operator, message="Call back about the invoice",
                       for_staff=budi, send_to=SendTo.BOTH, caller_number="0812...")
    slip_acknowledge(slip=slip, by=budi_user, version=slip.version)
    slip_done(slip=slip, by=budi_user, note="Called back", version=slip.version)

Status changes go through slip_set_status only: checked against
SLIP_TRANSITIONS, claimed with a conditional UPDATE on `version` (two people at
once never lose an update: the second gets SlipConflict with the slip as it now
stands), and written to the slip's timeline.

The e-mails' signed acknowledge links are services/slip_links.py.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from phonenumber_field.phonenumber import PhoneNumber

from calls.models import Caller
from directory.business_time import BusinessCalendar
from directory.models import Department, Staff
from messages_app import notifications
from messages_app.access import ANY_SLIP, can_act_on_slip
from messages_app.models import (
    SLIP_TRANSITIONS,
    TEXT_MAX,
    UNACKNOWLEDGED_SLIP_STATUSES,
    MessageSlip,
    Mood,
    NotificationKind,
    RecipientRole,
    SlipEvent,
    SlipRecipient,
    SlipStatus,
    Urgency,
    UrgencyLimit,
)
from messages_app.timeline import slip_event
from switchboard.phones import parse_phone


class SendTo(models.TextChoices):
    """Who gets a message for a person who is away and has a cover."""

    PERSON = "person", gettext_lazy("The person asked for")
    COVER = "cover", gettext_lazy("Their cover")
    BOTH = "both", gettext_lazy("Both")


class SlipConflict(Exception):
    """Someone changed the slip since the caller read it. `slip` is the slip
    as it now stands, to show instead."""

    def __init__(self, slip: MessageSlip):
        self.slip = slip
        super().__init__(
            _(
                "Someone else changed this message a moment ago; it is now %(status)s. "
                "Here it is as it stands."
            )
            % {"status": slip.get_status_display().lower()}
        )


# When an urgency has no UrgencyLimit row (admins keep them; migrations seed
# them): (minutes, counted in working time only, by the end of the next working
# day). The figures the issue gives: urgent 10 minutes on the clock, high 30
# and normal 240 working minutes, low the next working day.
FALLBACK_LIMITS = {
    Urgency.URGENT: (10, False, False),
    Urgency.HIGH: (30, True, False),
    Urgency.NORMAL: (240, True, False),
    Urgency.LOW: (None, True, True),
}


def slip_due_at(
    *,
    urgency: str,
    start: datetime,
    calendar: BusinessCalendar | None = None,
    limits: dict | None = None,
):
    """When a slip of `urgency` taken at `start` must be acknowledged by: its
    UrgencyLimit (minutes of working time, or on the clock, or the end of the
    next working day) counted on the business calendar (loaded when needed and
    not given), or FALLBACK_LIMITS when admins set none.

    `limits` ({urgency: UrgencyLimit}, read once by a caller handling many
    slips, such as the escalation sweep) saves the query for the limit; the
    escalation's later steps count the same rule from the step's own time."""
    if urgency not in Urgency.values:
        raise ValidationError({"urgency": _("Choose low, normal, high or urgent.")})
    if limits is None:
        limit = UrgencyLimit.objects.filter(urgency=urgency).first()
    else:
        limit = limits.get(urgency)
    if limit is not None:
        minutes, business, next_day = limit.minutes, limit.business_time, limit.next_working_day
    else:
        minutes, business, next_day = FALLBACK_LIMITS[urgency]
    if next_day:
        calendar = calendar or BusinessCalendar.load()
        return calendar.end_of_next_working_day(start)
    if not business:
        return start + timedelta(minutes=minutes)
    calendar = calendar or BusinessCalendar.load()
    return calendar.add(start, minutes)


# Creating ---------------------------------------------------------------------


def _phone(raw, field: str, errors: dict) -> tuple[str, str]:
    """(E.164, extension) of a number typed any way, a PhoneNumber, or blank."""
    if not raw:
        return "", ""
    if isinstance(raw, PhoneNumber):
        return (raw.as_e164 if raw.is_valid() else ""), ""
    try:
        phone = parse_phone(str(raw))
    except ValidationError as exc:
        errors[field] = exc.messages
        return "", ""
    return phone.e164, phone.extension


def _recipients_of(slip: MessageSlip, send_to: str, errors: dict):
    """[(staff, role)] and [(address, language)] a new slip goes to."""
    people, addresses = [], []
    if slip.for_staff is not None:
        person = slip.for_staff
        if send_to not in SendTo.values:
            errors["send_to"] = _("Choose the person, their cover, or both.")
            return people, addresses
        if send_to in (SendTo.PERSON, SendTo.BOTH):
            people.append((person, RecipientRole.ADDRESSEE))
        if send_to in (SendTo.COVER, SendTo.BOTH):
            cover = person.cover if person.cover_id else None
            if cover is None or not cover.active:
                errors["send_to"] = _("%(name)s has no cover to send it to.") % {
                    "name": person.full_name
                }
            else:
                people.append((cover, RecipientRole.COVER))
    elif slip.for_department is not None:
        department = slip.for_department
        head = department.head if department.head_id else None
        if head is not None and head.active:
            people.append((head, RecipientRole.HEAD))
        if department.email:
            addresses.append((department.email, settings.LANGUAGE_CODE))
        if not people and not addresses:
            errors["for_department"] = _(
                "%(department)s has neither a head nor a group e-mail to send it to; "
                "choose a person."
            ) % {"department": department.name}
    return people, addresses


def _addressee_errors(for_staff, for_department, errors: dict) -> None:
    if for_staff is not None and for_department is not None:
        errors["for_staff"] = _("A message is for a person or for a department, not both.")
    elif for_staff is None and for_department is None:
        errors["for_staff"] = _("Say whom the message is for: a person or a department.")
    elif for_staff is not None and not for_staff.active:
        errors["for_staff"] = _("%(name)s no longer works here; choose someone else.") % {
            "name": for_staff.full_name
        }
    elif for_department is not None and not for_department.active:
        errors["for_department"] = _(
            "%(department)s is closed; choose a person or another department."
        ) % {"department": for_department.name}


def names_of(people) -> list[str]:
    return [person.full_name for person, _role in people]


@transaction.atomic
def slip_create(
    *,
    taken_by,
    message: str,
    for_staff: Staff | None = None,
    for_department: Department | None = None,
    send_to: str = SendTo.PERSON,
    caller: Caller | None = None,
    caller_name: str = "",
    caller_company: str = "",
    caller_number="",
    callback_number="",
    callback_time: str = "",
    urgency: str = Urgency.NORMAL,
    mood: str = Mood.CALM,
    call=None,
    now=None,
) -> MessageSlip:
    """Take a message for a person (for_staff) or a department (for_department).

    Writes the slip (checked with full_clean; its acknowledge-by time from
    slip_due_at), its SlipRecipient rows (the person, their cover, or both, as
    `send_to` says; a department's head), the "created" timeline row and its
    notifications (notify: e-mail to each recipient, and to a department's group
    mailbox), all in one transaction; the notifications are queued once it
    commits. Numbers are read by switchboard.phones; a blank call-back number is
    the caller's. A known caller (Caller) is linked by number, so the slip shows
    in their history. Nothing is written when anything is wrong
    (ValidationError naming the field). The slip's `recipient_names` lists who
    was told."""
    now = now or timezone.now()
    errors: dict = {}
    _addressee_errors(for_staff, for_department, errors)
    message = (message or "").strip()
    if not message:
        errors["message"] = _("Write down the message.")
    elif len(message) > TEXT_MAX:
        errors["message"] = _("A message is at most %(max)s characters.") % {"max": TEXT_MAX}
    caller_e164, _ext = _phone(caller_number, "caller_number", errors)
    callback_e164, callback_ext = _phone(callback_number, "callback_number", errors)
    callback_time = (callback_time or "").strip()
    if callback_ext and callback_ext not in callback_time:
        callback_time = " ".join(
            part for part in (callback_time, _("ext. %(ext)s") % {"ext": callback_ext}) if part
        )
    if caller is None and caller_e164:
        caller = Caller.objects.filter(number=caller_e164).first()
    if caller is not None:
        caller_e164 = caller_e164 or caller.number.as_e164
        caller_name = (caller_name or "").strip() or caller.name
        caller_company = (caller_company or "").strip() or caller.company
    slip = MessageSlip(
        call=call,
        for_staff=for_staff,
        for_department=for_department,
        caller=caller,
        caller_name=(caller_name or "").strip(),
        caller_company=(caller_company or "").strip(),
        caller_number=caller_e164,
        callback_number=callback_e164 or caller_e164,
        callback_time=callback_time,
        message=message,
        urgency=urgency,
        mood=mood,
        taken_by=taken_by,
        created_at=now,
        status=SlipStatus.NEW,
    )
    people, addresses = ([], [])
    if not errors:
        people, addresses = _recipients_of(slip, send_to, errors)
    try:
        # The related rows were handed in loaded; the addressee rule is checked
        # above with a message that names the person.
        slip.full_clean(
            exclude=["call", "for_staff", "for_department", "caller", "taken_by", "message"],
            validate_constraints=False,
        )
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, messages)
    if errors:
        raise ValidationError(errors)
    slip.due_at = slip_due_at(urgency=urgency, start=now)
    slip.next_escalation_at = slip.due_at
    slip.save()
    SlipRecipient.objects.bulk_create(
        [SlipRecipient(slip=slip, staff=person, role=role, added_at=now) for person, role in people]
    )
    told = names_of(people) + [address for address, _language in addresses]
    slip_event(
        slip,
        "created",
        by=taken_by,
        to_status=SlipStatus.NEW,
        note=_("Sent to %(recipients)s") % {"recipients": ", ".join(told)},
        now=now,
    )
    notifications.notify(
        kind=NotificationKind.SLIP,
        slip=slip,
        staff=[person for person, _role in people],
        addresses=addresses,
        now=now,
    )
    slip.recipient_names = told
    return slip


# Status -----------------------------------------------------------------------


def own_staff(user) -> Staff | None:
    """The user's own active Staff record (None for the system or a log-in with none)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return Staff.objects.filter(user_id=user.pk, active=True).first()


def _record_history(slip: MessageSlip, by, now) -> None:
    # The claim is a queryset UPDATE, which simple_history does not see.
    MessageSlip.history.bulk_history_create(
        [slip], update=True, default_user=by if getattr(by, "pk", None) else None, default_date=now
    )


def mark_read(slip: MessageSlip, staff: Staff | None, now) -> bool:
    if staff is None:
        return False
    return bool(
        SlipRecipient.objects.filter(slip=slip, staff=staff, read_at__isnull=True).update(
            read_at=now
        )
    )


def _refused(slip: MessageSlip, to_status: str) -> ValidationError:
    if slip.status == to_status:
        text = _("This message is already %(status)s.") % {
            "status": slip.get_status_display().lower()
        }
    else:
        text = _("A message that is %(from)s cannot be marked %(to)s.") % {
            "from": slip.get_status_display().lower(),
            "to": SlipStatus(to_status).label.lower(),
        }
    return ValidationError(text, code="transition")


def transition(
    slip: MessageSlip, *, by, to_status: str, note: str, version, now, reader=None
) -> MessageSlip:
    """Move `slip` to `to_status` if the map allows it and nobody changed it
    since `version` (the caller's copy when None): one conditional UPDATE whose
    row count decides. Stamps who and when, writes the timeline row, marks the
    slip read for `reader` (the recipient acting). Raises ValidationError for a
    step the map refuses, SlipConflict when the slip changed meanwhile."""
    if to_status not in SlipStatus.values:
        raise ValidationError(_("There is no such state."), code="invalid")
    expected = slip.version if version in (None, "") else _version(version)
    if expected != slip.version:
        raise SlipConflict(MessageSlip.objects.get(pk=slip.pk))
    if to_status not in SLIP_TRANSITIONS.get(slip.status, set()):
        raise _refused(slip, to_status)
    note = (note or "").strip()[:300]
    user = by if getattr(by, "pk", None) else None
    changes = {"status": to_status, "version": F("version") + 1}
    if to_status == SlipStatus.DELIVERED:
        changes["delivered_at"] = now
    elif to_status == SlipStatus.ACKNOWLEDGED:
        changes.update(acknowledged_at=now, acknowledged_by=user, acknowledged_note=note)
        changes["next_escalation_at"] = None
    elif to_status == SlipStatus.DONE:
        changes.update(done_at=now, done_by=user, done_note=note, next_escalation_at=None)
    from_status = slip.status
    with transaction.atomic():
        claimed = MessageSlip.objects.filter(
            pk=slip.pk, version=expected, status=from_status
        ).update(**changes)
        if not claimed:
            raise SlipConflict(MessageSlip.objects.get(pk=slip.pk))
        slip.refresh_from_db()
        _record_history(slip, user, now)
        slip_event(
            slip,
            str(to_status),
            by=user,
            note=note,
            from_status=from_status,
            to_status=to_status,
            now=now,
        )
        mark_read(slip, reader, now)
    return slip


def _version(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        message = _("This form is out of date; open the message again.")
        raise ValidationError(message, code="version") from None


def _acts_as_desk(user, slip: MessageSlip, staff: Staff | None) -> bool:
    """The desk acting for someone else (not on a slip of their own)."""
    if not user.has_perm(ANY_SLIP):
        return False
    if staff is None:
        return True
    return not (
        slip.for_staff_id == staff.pk
        or slip.for_department_id == staff.department_id
        or slip.slip_recipients.filter(staff=staff).exists()
    )


DESK_NOTES = {
    SlipStatus.ACKNOWLEDGED: gettext_lazy("Acknowledged by phone, via the operator"),
    SlipStatus.DONE: gettext_lazy("Closed by the desk"),
}


def slip_set_status(
    *, slip: MessageSlip, by, to_status: str, note: str = "", version=None, now=None, staff=None
) -> MessageSlip:
    """The one way a slip changes state (SLIP_TRANSITIONS). The desk acts on any
    slip (for a recipient who said "got it" on the phone; without a note of
    its own the timeline says so); a staff member (`staff`, looked up when not
    given) on their own, copied and department's slips, else PermissionDenied.
    `version` is the version the user saw: a slip changed since raises
    SlipConflict carrying it as it stands. Returns the slip, updated."""
    now = now or timezone.now()
    staff = staff if staff is not None else own_staff(by)
    if not can_act_on_slip(by, slip, staff=staff):
        raise PermissionDenied(_("You may act only on your own and your department's messages."))
    if not (note or "").strip() and _acts_as_desk(by, slip, staff):
        note = str(DESK_NOTES.get(to_status, ""))
    return transition(
        slip, by=by, to_status=to_status, note=note, version=version, now=now, reader=staff
    )


def slip_acknowledge(*, slip, by, note="", version=None, now=None, staff=None) -> MessageSlip:
    """ "Got it": slip_set_status to acknowledged (escalation stops)."""
    return slip_set_status(
        slip=slip,
        by=by,
        to_status=SlipStatus.ACKNOWLEDGED,
        note=note,
        version=version,
        now=now,
        staff=staff,
    )


def slip_done(*, slip, by, note="", version=None, now=None, staff=None) -> MessageSlip:
    """Called back or dealt with: slip_set_status to done."""
    return slip_set_status(
        slip=slip,
        by=by,
        to_status=SlipStatus.DONE,
        note=note,
        version=version,
        now=now,
        staff=staff,
    )


def _claim_version(slip: MessageSlip, version, **changes) -> None:
    """Bump the version of an open slip nobody changed since `version`, with
    `changes`; SlipConflict otherwise."""
    expected = slip.version if version in (None, "") else _version(version)
    claimed = expected == slip.version and MessageSlip.objects.filter(
        pk=slip.pk, version=expected, status=slip.status
    ).update(version=F("version") + 1, **changes)
    if not claimed:
        raise SlipConflict(MessageSlip.objects.get(pk=slip.pk))


def _current_recipients(slip: MessageSlip):
    people = [
        (r.staff, r.role)
        for r in slip.slip_recipients.select_related("staff__user__preference").order_by("pk")
    ]
    addresses = []
    if slip.for_department_id and slip.for_department.email:
        addresses.append((slip.for_department.email, settings.LANGUAGE_CODE))
    return people, addresses


def _check_open(slip: MessageSlip, by, staff) -> None:
    if not can_act_on_slip(by, slip, staff=staff):
        raise PermissionDenied(_("You may act only on your own and your department's messages."))
    if not slip.is_open:
        raise ValidationError(_("This message is done; take a new one."), code="closed")


@transaction.atomic
def slip_resend(*, slip: MessageSlip, by, note: str = "", version=None, now=None) -> MessageSlip:
    """Send an open slip again to the people it is with now (new notifications
    for its current recipients), with a timeline row. `version` as in
    slip_set_status."""
    now = now or timezone.now()
    _check_open(slip, by, own_staff(by))
    _claim_version(slip, version)
    slip.refresh_from_db()
    people, addresses = _current_recipients(slip)
    if not people and not addresses:
        raise ValidationError(_("Nobody to send it to: re-route it to someone."), code="nobody")
    notifications.notify(
        kind=NotificationKind.SLIP,
        slip=slip,
        staff=[person for person, _role in people],
        addresses=addresses,
        now=now,
    )
    told = names_of(people) + [address for address, _language in addresses]
    text = _("Sent again to %(recipients)s") % {"recipients": ", ".join(told)}
    slip_event(slip, "resent", by=by, note=f"{text}. {note}".strip() if note else text, now=now)
    slip.recipient_names = told
    return slip


@transaction.atomic
def slip_reroute(
    *,
    slip: MessageSlip,
    by,
    for_staff: Staff | None = None,
    for_department: Department | None = None,
    reason: str,
    send_to: str = SendTo.PERSON,
    version=None,
    now=None,
) -> MessageSlip:
    """Pass an open slip to someone else (a person or a department) with a
    reason: it goes to them now (new recipients replace the old ones, who are
    no longer told; notifications go out), and an unacknowledged slip gets a
    fresh acknowledge-by time and starts its escalation again."""
    now = now or timezone.now()
    _check_open(slip, by, own_staff(by))
    errors: dict = {}
    _addressee_errors(for_staff, for_department, errors)
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = _("Say why it goes to someone else.")
    if not errors and for_staff is not None and for_staff.pk == slip.for_staff_id:
        errors["for_staff"] = _("The message is already for %(name)s.") % {
            "name": for_staff.full_name
        }
    if not errors and for_department is not None and for_department.pk == slip.for_department_id:
        errors["for_department"] = _("The message is already for %(department)s.") % {
            "department": for_department.name
        }
    before = str(slip.for_staff or slip.for_department.name)
    slip.for_staff, slip.for_department = for_staff, for_department
    people, addresses = ([], [])
    if not errors:
        people, addresses = _recipients_of(slip, send_to, errors)
    if errors:
        slip.refresh_from_db()
        raise ValidationError(errors)
    changes = {"for_staff": for_staff, "for_department": for_department}
    if slip.status in UNACKNOWLEDGED_SLIP_STATUSES:
        due = slip_due_at(urgency=slip.urgency, start=now)
        changes.update(due_at=due, next_escalation_at=due, escalation_level=0)
    _claim_version(slip, version, **changes)
    slip.refresh_from_db()
    _record_history(slip, by, now)
    slip.slip_recipients.exclude(staff__in=[person for person, _role in people]).delete()
    kept = set(slip.slip_recipients.values_list("staff_id", flat=True))
    SlipRecipient.objects.bulk_create(
        [
            SlipRecipient(slip=slip, staff=person, role=role, added_at=now)
            for person, role in people
            if person.pk not in kept
        ]
    )
    after = str(for_staff or for_department.name)
    slip_event(
        slip,
        "rerouted",
        by=by,
        note=_("%(before)s → %(after)s: %(reason)s")
        % {"before": before, "after": after, "reason": reason},
        now=now,
    )
    notifications.notify(
        kind=NotificationKind.SLIP,
        slip=slip,
        staff=[person for person, _role in people],
        addresses=addresses,
        now=now,
    )
    slip.recipient_names = names_of(people) + [address for address, _language in addresses]
    return slip


def slip_mark_read(*, slip: MessageSlip, staff: Staff | None, now=None) -> bool:
    """The recipient `staff` opened the slip: their copy is read (once; the
    timeline says when). True if it was unread."""
    now = now or timezone.now()
    with transaction.atomic():
        if not mark_read(slip, staff, now):
            return False
        slip_event(slip, "read", by=staff.user if staff.user_id else None, note=str(staff), now=now)
    return True


def slip_mark_delivered(notifications, *, now=None) -> int:
    """AFTER_SENT hook (messages_app.notifications): the first notification of a
    new slip that went out makes it "delivered", once, with a timeline row and
    a history row. Given the notifications sent together (a sweep's batch), it
    claims all their new slips with one conditional UPDATE, so a batch costs a
    few statements however many it holds; returns how many slips it marked."""
    by_slip = {n.slip_id: n for n in notifications if n.slip_id}
    if not by_slip:
        return 0
    now = now or timezone.now()
    new = list(
        MessageSlip.objects.select_for_update()
        .filter(pk__in=by_slip, status=SlipStatus.NEW)
        .values_list("pk", flat=True)
    )
    if not new:
        return 0
    MessageSlip.objects.filter(pk__in=new, status=SlipStatus.NEW).update(
        status=SlipStatus.DELIVERED, delivered_at=now, version=F("version") + 1
    )
    slips = []
    for pk in new:
        slip = by_slip[pk].slip
        slip.status, slip.delivered_at, slip.version = SlipStatus.DELIVERED, now, slip.version + 1
        slips.append(slip)
    MessageSlip.history.bulk_history_create(slips, update=True, default_date=now)
    SlipEvent.objects.bulk_create(
        SlipEvent(
            slip=slip,
            kind="delivered",
            from_status=SlipStatus.NEW,
            to_status=SlipStatus.DELIVERED,
            note=f"{by_slip[slip.pk].get_channel_display()}: {by_slip[slip.pk].address}"[:500],
            at=now,
        )
        for slip in slips
    )
    return len(slips)
