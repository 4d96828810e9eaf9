"""Escalation of what nobody took up: message slips not acknowledged in time,
complaints past their deadlines. Two periodic sweeps (messages_app.tasks, the
`escalate` command) call the two functions below; both are safe to run at any
time, in any number of processes, as often as anyone likes.

Message slips, once past `due_at` and still new or delivered, go up a step at
a time, one urgency limit apart (UrgencyLimit on the business calendar, the
same rule as the first deadline):

    1. sent again to its recipients (a reminder);
    2. sent to the addressee's cover when they are away and have one, else to
       the department head (a new recipient of the slip);
    3. shown to the supervisors (their escalations page) and e-mailed to them.

Complaints are flagged overdue once per deadline (acknowledge, resolve) and
told to their department's head; when nobody has acted after half the
original target again (in working time), to the supervisors. A complaint with
no department, or whose department has no head to tell, goes to the
supervisors at once.

Every step is claimed before it is taken: a conditional UPDATE of
`escalation_level` from the level that was read (and, for slips, only while
still unacknowledged and due), whose row count is checked, in one transaction
with the step's timeline rows and notifications. Two beat processes, or a beat
and a manual run, cannot take the same step twice: the loser's UPDATE matches
no row and it moves on. A slip acknowledged (a complaint acknowledged or
resolved) between the read and the claim no longer matches and is skipped.

Escalation writes only its own columns (escalation_level, next_escalation_at)
and never bumps `version`: a person acknowledging a slip on a page read
before the sweep is not refused because the sweep ran.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Case, DateTimeField, F, OuterRef, Prefetch, Q, Subquery, When
from django.db.models.functions import Coalesce
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from directory.business_time import BusinessCalendar
from messages_app.models import (
    UNACKNOWLEDGED_COMPLAINT_STATUSES,
    UNACKNOWLEDGED_SLIP_STATUSES,
    Complaint,
    ComplaintEvent,
    ComplaintStatus,
    MessageSlip,
    NotificationKind,
    RecipientRole,
    SlipEvent,
    SlipRecipient,
    UrgencyLimit,
)
from messages_app.notifications import notify
from messages_app.services.slips import slip_due_at
from messages_app.timeline import complaint_event, slip_event
from switchboard.roles import SUPERVISOR

# Slips -------------------------------------------------------------------------

SLIP_RESENT = 1
SLIP_COVER_OR_HEAD = 2
SLIP_SUPERVISORS = 3
SLIP_LEVELS = {
    0: gettext_lazy("Not escalated"),
    SLIP_RESENT: gettext_lazy("Sent again"),
    SLIP_COVER_OR_HEAD: gettext_lazy("Sent to the cover or the department head"),
    SLIP_SUPERVISORS: gettext_lazy("Shown to the supervisors"),
}
SLIP_ESCALATION_EVENTS = (
    "escalated_resent",
    "escalated_to_cover",
    "escalated_to_head",
    "escalated_to_supervisors",
)

# Slips handled per sweep; the rest wait for the next run (a minute later).
SLIP_BATCH = 500


def _slip_due(now) -> Q:
    """Unacknowledged slips whose next step has come: the first at `due_at`,
    the others at `next_escalation_at` (empty: no further step)."""
    return Q(status__in=UNACKNOWLEDGED_SLIP_STATUSES) & (
        Q(escalation_level=0, due_at__lte=now)
        | Q(escalation_level__in=(SLIP_RESENT, SLIP_COVER_OR_HEAD), next_escalation_at__lte=now)
    )


def _due_slips(now, limit: int) -> list[MessageSlip]:
    """The slips to take a step on, with what deciding the step needs."""
    return list(
        MessageSlip.objects.filter(_slip_due(now))
        .select_related(
            "for_staff__cover",
            "for_staff__department__head",
            "for_department__head",
        )
        .prefetch_related(
            Prefetch("slip_recipients", queryset=SlipRecipient.objects.select_related("staff"))
        )
        .order_by("escalation_level", "due_at", "pk")[:limit]
    )


@dataclass
class _Supervisors:
    """The supervisors to e-mail (users in the Supervisor group with an
    address), read once per sweep and only if a step needs them."""

    users: list | None = None

    def get(self) -> list:
        if self.users is None:
            self.users = list(
                get_user_model()
                .objects.filter(groups__name=SUPERVISOR, is_active=True)
                .exclude(email="")
                .select_related("preference")
                .order_by("username")
                .distinct()
            )
        return self.users

    def addresses(self) -> list[tuple[str, str]]:
        return [(user.email, _user_language(user)) for user in self.get()]

    def names(self) -> str:
        return ", ".join(user.get_full_name() or user.get_username() for user in self.get())


def _user_language(user) -> str:
    preference = getattr(user, "preference", None)
    return (getattr(preference, "language", "") or "") or settings.LANGUAGE_CODE


@dataclass
class _Step:
    """What one escalation step does: the level it reaches, the timeline row,
    who is told and how."""

    level: int
    event: str
    note: str
    kind: str = NotificationKind.SLIP_ESCALATED
    staff: list = field(default_factory=list)
    addresses: list = field(default_factory=list)
    new_recipient: object = None
    role: str = ""


def _names(people) -> str:
    return ", ".join(person.full_name for person in people)


def _slip_step(slip: MessageSlip, *, supervisors: _Supervisors) -> _Step:
    """Decide the slip's next step from its level (notes in the company's language)."""
    copies = list(slip.slip_recipients.all())
    if slip.escalation_level == 0:
        staff = [r.staff for r in copies if r.staff.active]
        if not staff and slip.for_staff is not None and slip.for_staff.active:
            staff = [slip.for_staff]
        addresses = []
        department = slip.for_department if slip.for_staff_id is None else None
        if department is not None and department.email:
            addresses.append((department.email, settings.LANGUAGE_CODE))
        whom = ", ".join([*(person.full_name for person in staff), *(a for a, _l in addresses)])
        return _Step(
            level=SLIP_RESENT,
            event="escalated_resent",
            note=_("Not acknowledged in time; sent again to: %(whom)s.") % {"whom": whom}
            if whom
            else _("Not acknowledged in time; there is nobody to send it to again."),
            kind=NotificationKind.SLIP_REMINDER,
            staff=staff,
            addresses=addresses,
        )
    reason = ""
    if slip.escalation_level == SLIP_RESENT:
        # Someone new: the cover of an addressee who is away, else the head.
        told = {r.staff_id for r in copies} | {slip.for_staff_id}
        addressee = slip.for_staff
        if addressee is not None and not addressee.is_available:
            cover = addressee.cover
            if cover is not None and cover.active and cover.pk not in told:
                return _Step(
                    level=SLIP_COVER_OR_HEAD,
                    event="escalated_to_cover",
                    note=_("%(person)s is away (%(presence)s): sent to their cover %(cover)s.")
                    % {
                        "person": addressee.full_name,
                        "presence": addressee.get_presence_display(),
                        "cover": cover.full_name,
                    },
                    staff=[cover],
                    new_recipient=cover,
                    role=RecipientRole.COVER,
                )
        department = addressee.department if addressee is not None else slip.for_department
        head = department.head if department is not None else None
        if head is not None and head.active and head.pk not in told:
            return _Step(
                level=SLIP_COVER_OR_HEAD,
                event="escalated_to_head",
                note=_("Sent to %(head)s, head of %(department)s.")
                % {"head": head.full_name, "department": department.name},
                staff=[head],
                new_recipient=head,
                role=RecipientRole.HEAD,
            )
        reason = _("No cover or department head to send it to.")
    names = supervisors.names()
    shown = (
        _("Shown to the supervisors and e-mailed to: %(names)s.") % {"names": names}
        if names
        else _("Shown to the supervisors (none has an e-mail address).")
    )
    return _Step(
        level=SLIP_SUPERVISORS,
        event="escalated_to_supervisors",
        note=f"{reason} {shown}".strip(),
        addresses=supervisors.addresses(),
    )


def _claim_slip(slip: MessageSlip, *, now, level: int, next_at) -> bool:
    """Take the slip from the level it was read at to `level`, if it is still
    unacknowledged and due; False if another process (or an acknowledgement)
    came first."""
    seen = slip.escalation_level
    due = Q(due_at__lte=now) if seen == 0 else Q(next_escalation_at__lte=now)
    return bool(
        MessageSlip.objects.filter(
            due,
            pk=slip.pk,
            escalation_level=seen,
            status__in=UNACKNOWLEDGED_SLIP_STATUSES,
        ).update(escalation_level=level, next_escalation_at=next_at)
    )


def slip_escalation_sweep(*, now=None, limit: int = SLIP_BATCH) -> int:
    """Take the next escalation step on every unacknowledged slip whose time
    has come; returns how many steps were taken.

    Each step, in one transaction: claims the slip (escalation_level up,
    next_escalation_at one urgency limit from now, empty after the last
    step), writes a slip event saying what was decided and for whom, adds the
    cover or head as a recipient (SlipRecipient COVER/HEAD), and writes the
    notifications (queued for delivery after commit)."""
    now = now or timezone.now()
    calendar = BusinessCalendar.load()
    limits = {row.urgency: row for row in UrgencyLimit.objects.all()}
    supervisors = _Supervisors()
    steps = 0
    for slip in _due_slips(now, limit):
        with translation.override(settings.LANGUAGE_CODE):
            step = _slip_step(slip, supervisors=supervisors)
        next_at = None
        if step.level < SLIP_SUPERVISORS:
            next_at = slip_due_at(urgency=slip.urgency, start=now, calendar=calendar, limits=limits)
        with transaction.atomic():
            if not _claim_slip(slip, now=now, level=step.level, next_at=next_at):
                continue
            if step.new_recipient is not None:
                # get_or_create: someone at the desk may have added them meanwhile.
                SlipRecipient.objects.get_or_create(
                    slip=slip,
                    staff=step.new_recipient,
                    defaults={"role": step.role, "added_at": now},
                )
            slip_event(slip, step.event, note=step.note, now=now)
            notify(kind=step.kind, slip=slip, staff=step.staff, addresses=step.addresses, now=now)
        steps += 1
    return steps


# Complaints --------------------------------------------------------------------

ACK_HEAD = 1
ACK_SUPERVISORS = 2
RESOLVE_HEAD = 3
RESOLVE_SUPERVISORS = 4
COMPLAINT_LEVELS = {
    0: gettext_lazy("Overdue, not escalated yet"),
    ACK_HEAD: gettext_lazy("Not acknowledged: department head told"),
    ACK_SUPERVISORS: gettext_lazy("Not acknowledged: supervisors told"),
    RESOLVE_HEAD: gettext_lazy("Not resolved: department head told"),
    RESOLVE_SUPERVISORS: gettext_lazy("Not resolved: supervisors told"),
}
COMPLAINT_ESCALATION_EVENTS = ("overdue", "escalated_to_head", "escalated_to_supervisors")

# A complaint still waiting to be acknowledged, and one not dealt with yet.
FINISHED = (ComplaintStatus.RESOLVED, ComplaintStatus.CLOSED)
ACKNOWLEDGE, RESOLVE = "acknowledge", "resolve"

# The supervisors hear of it this share of the original target after the
# deadline (in working time), if nobody acted after the head was told; never
# sooner than SUPERVISORS_MIN_MINUTES.
SUPERVISORS_SHARE = 0.5
SUPERVISORS_MIN_MINUTES = 5


def _ack_late(complaint: Complaint, now) -> bool:
    due = complaint.acknowledge_due_at
    return complaint.status in UNACKNOWLEDGED_COMPLAINT_STATUSES and due is not None and due <= now


def _resolve_late(complaint: Complaint, now) -> bool:
    due = complaint.resolve_due_at
    return complaint.status not in FINISHED and due is not None and due <= now


def supervisors_due_at(complaint: Complaint, deadline: datetime, calendar) -> datetime:
    """When the supervisors are told of a complaint whose head was told at
    `deadline`: half the original target (created -> deadline, in working
    minutes) after it."""
    target = calendar.minutes_between(complaint.created_at, deadline)
    return calendar.add(deadline, max(target * SUPERVISORS_SHARE, SUPERVISORS_MIN_MINUTES))


@dataclass
class _ComplaintStep:
    level: int
    deadline: str
    overdue: list[str]
    head: object = None  # the Staff to tell, or None: the supervisors
    reason: str = ""


def _usable_head(complaint: Complaint):
    department = complaint.department
    head = department.head if department is not None else None
    if head is None or not head.active or not head.email:
        return None
    return head


def _complaint_step(complaint: Complaint, *, now, calendar) -> _ComplaintStep | None:
    """The complaint's next step, or None when nothing is due yet."""
    level = complaint.escalation_level
    ack_late, resolve_late = _ack_late(complaint, now), _resolve_late(complaint, now)
    if resolve_late and level < RESOLVE_SUPERVISORS:
        stage, due, head_level = RESOLVE, complaint.resolve_due_at, RESOLVE_HEAD
    elif ack_late and level < ACK_SUPERVISORS:
        stage, due, head_level = ACKNOWLEDGE, complaint.acknowledge_due_at, ACK_HEAD
    else:
        return None
    if level < head_level:  # this deadline has just been found missed
        overdue = [ACKNOWLEDGE] if stage == RESOLVE and ack_late and level < ACK_HEAD else []
        overdue.append(stage)
        head = _usable_head(complaint)
        if head is not None:
            return _ComplaintStep(level=head_level, deadline=stage, overdue=overdue, head=head)
        if complaint.department is None:
            reason = _("It is not routed to any department.")
        else:
            reason = _("%(department)s has no head with an e-mail address.") % {
                "department": complaint.department.name
            }
        return _ComplaintStep(level=head_level + 1, deadline=stage, overdue=overdue, reason=reason)
    if now >= supervisors_due_at(complaint, due, calendar):
        return _ComplaintStep(
            level=head_level + 1,
            deadline=stage,
            overdue=[],
            reason=_("Nobody acted after the department head was told."),
        )
    return None


def _overdue_text(complaint: Complaint, deadline: str) -> str:
    if deadline == ACKNOWLEDGE:
        when = timezone.localtime(complaint.acknowledge_due_at)
        return _("Not acknowledged by %(when)s.") % {"when": f"{when:%Y-%m-%d %H:%M}"}
    when = timezone.localtime(complaint.resolve_due_at)
    return _("Not resolved by %(when)s.") % {"when": f"{when:%Y-%m-%d %H:%M}"}


def _claim_complaint(complaint: Complaint, *, level: int) -> bool:
    """Take the complaint from the level it was read at to `level`, if what
    the decision rested on (status, department, deadlines) is unchanged."""
    return bool(
        Complaint.objects.filter(
            pk=complaint.pk,
            escalation_level=complaint.escalation_level,
            status=complaint.status,
            department_id=complaint.department_id,
            acknowledge_due_at=complaint.acknowledge_due_at,
            resolve_due_at=complaint.resolve_due_at,
        ).update(escalation_level=level)
    )


def _complaint_candidates(now) -> Q:
    return Q(
        status__in=UNACKNOWLEDGED_COMPLAINT_STATUSES,
        acknowledge_due_at__lte=now,
        escalation_level__lt=ACK_SUPERVISORS,
    ) | (
        ~Q(status__in=FINISHED)
        & Q(resolve_due_at__lte=now, escalation_level__lt=RESOLVE_SUPERVISORS)
    )


def _due_complaint_ids(now) -> list[int]:
    return list(
        Complaint.objects.filter(_complaint_candidates(now))
        .order_by("escalation_level", "acknowledge_due_at", "pk")
        .values_list("pk", flat=True)
    )


COMPLAINT_BATCH = 500


def complaint_escalation_sweep(*, now=None) -> int:
    """Flag overdue complaints and take their next escalation step; returns
    how many steps were taken.

    Each step, in one transaction: claims the complaint (escalation_level
    up), writes an "overdue" event for each deadline found missed (once per
    deadline: the level only goes up) and an "escalated_to_head" or
    "escalated_to_supervisors" event saying whom it went to and why, and the
    COMPLAINT_ESCALATED e-mails (queued after commit)."""
    now = now or timezone.now()
    calendar = BusinessCalendar.load()
    supervisors = _Supervisors()
    ids = _due_complaint_ids(now)
    steps = 0
    for start in range(0, len(ids), COMPLAINT_BATCH):
        batch = Complaint.objects.filter(pk__in=ids[start : start + COMPLAINT_BATCH])
        for complaint in batch.select_related("department__head").order_by(
            "escalation_level", "acknowledge_due_at", "pk"
        ):
            with translation.override(settings.LANGUAGE_CODE):
                step = _complaint_step(complaint, now=now, calendar=calendar)
                if step is None:
                    continue
                texts = {deadline: _overdue_text(complaint, deadline) for deadline in step.overdue}
                if step.head is not None:
                    text = _("Sent to %(head)s, head of %(department)s.") % {
                        "head": step.head.full_name,
                        "department": complaint.department.name,
                    }
                else:
                    names = supervisors.names()
                    text = " ".join(
                        part
                        for part in (
                            step.reason,
                            _("E-mailed to the supervisors: %(names)s.") % {"names": names}
                            if names
                            else _("No supervisor has an e-mail address."),
                        )
                        if part
                    )
            with transaction.atomic():
                if not _claim_complaint(complaint, level=step.level):
                    continue
                for deadline, overdue_text in texts.items():
                    complaint_event(
                        complaint,
                        "overdue",
                        text=overdue_text,
                        data={"deadline": deadline, "level": step.level},
                        now=now,
                    )
                if step.head is not None:
                    complaint_event(
                        complaint,
                        "escalated_to_head",
                        text=text,
                        data={"deadline": step.deadline, "level": step.level, "to": step.head.pk},
                        now=now,
                    )
                    notify(
                        kind=NotificationKind.COMPLAINT_ESCALATED,
                        complaint=complaint,
                        staff=[step.head],
                        now=now,
                    )
                else:
                    addresses = supervisors.addresses()
                    complaint_event(
                        complaint,
                        "escalated_to_supervisors",
                        text=text,
                        data={
                            "deadline": step.deadline,
                            "level": step.level,
                            "to": [address for address, _language in addresses],
                        },
                        now=now,
                    )
                    notify(
                        kind=NotificationKind.COMPLAINT_ESCALATED,
                        complaint=complaint,
                        addresses=addresses,
                        now=now,
                    )
            steps += 1
    return steps


# Reads: the supervisors' escalations page ------------------------------------


def escalated_slips():
    """Slips escalated and still not acknowledged, the latest escalation first,
    each with `escalated_at` and `escalation_kind` (its last escalation event)."""
    last = SlipEvent.objects.filter(slip=OuterRef("pk"), kind__in=SLIP_ESCALATION_EVENTS).order_by(
        "-at", "-pk"
    )
    return (
        MessageSlip.objects.filter(status__in=UNACKNOWLEDGED_SLIP_STATUSES, escalation_level__gt=0)
        .select_related("for_staff", "for_department")
        .annotate(
            escalated_at=Subquery(last.values("at")[:1]),
            escalation_kind=Subquery(last.values("kind")[:1]),
        )
        .order_by(F("escalated_at").desc(nulls_last=True), "-pk")
    )


def overdue_complaints(*, now):
    """Open complaints past a deadline (not acknowledged, or not resolved, in
    time), the latest escalation first (the deadline itself when the sweep has
    not flagged it yet), each with `escalated_at`."""
    last = ComplaintEvent.objects.filter(
        complaint=OuterRef("pk"), kind__in=COMPLAINT_ESCALATION_EVENTS
    ).order_by("-at", "-pk")
    ack_late = Q(status__in=UNACKNOWLEDGED_COMPLAINT_STATUSES, acknowledge_due_at__lte=now)
    resolve_late = ~Q(status__in=FINISHED) & Q(resolve_due_at__lte=now)
    return (
        Complaint.objects.filter(ack_late | resolve_late)
        .select_related("department")
        .annotate(
            escalated_at=Coalesce(
                Subquery(last.values("at")[:1]),
                Case(
                    When(resolve_late, then=F("resolve_due_at")),
                    default=F("acknowledge_due_at"),
                    output_field=DateTimeField(),
                ),
            )
        )
        .order_by(F("escalated_at").desc(nulls_last=True), "-pk")
    )


def complaint_late_for(complaint: Complaint, now) -> tuple[str, datetime | None]:
    """Which deadline an overdue complaint missed ("resolve" first) and when it was."""
    if _resolve_late(complaint, now):
        return RESOLVE, complaint.resolve_due_at
    return ACKNOWLEDGE, complaint.acknowledge_due_at
