"""Every write to a complaint goes through here: the console, the complaint
pages, the queue, bulk actions and the admin call the same functions.

- complaint_create: the reference (KEL-2026-000123, gap-free per year), the
  routing decision (messages_app.routing), the deadlines on the business
  calendar, the timeline ("created", "routed") and the notifications (the
  department; the customer when they gave an e-mail), in one transaction.
- complaint_set_status: one service for every status step, checked against
  COMPLAINT_TRANSITIONS and claimed with a conditional update on `version`:
  two people acting at once never lose an update; the second gets
  ComplaintConflict and sees the current state.
- complaint_assign, complaint_reroute, complaint_comment, complaint_bulk.

Who may work on a complaint is messages_app.access.can_work_on_complaint:
supervisors on any, a department's staff on their department's; the desk
records complaints and reads them, but does not work on them.
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from calls.models import Caller
from directory.business_time import BusinessCalendar
from directory.models import Department, Staff
from directory.text import search_key
from messages_app.access import ANY_COMPLAINT, can_work_on_complaint
from messages_app.models import (
    COMPLAINT_TRANSITIONS,
    TEXT_MAX,
    Complaint,
    ComplaintStatus,
    NotificationKind,
    ReferenceCounter,
    Severity,
    Visibility,
)
from messages_app.notifications import notify
from messages_app.routing import RuleSet, Target, route, targets_for_rule
from messages_app.timeline import complaint_event
from switchboard.phones import phone_display, phone_e164

ADD_COMPLAINT = "messages_app.add_complaint"
REFERENCE_PREFIX = "KEL"

# The status steps complaint_set_status takes, and the timeline code of each.
# "routed" is not one of them: a department comes with complaint_reroute.
STATUS_EVENTS = {
    ComplaintStatus.ACKNOWLEDGED: "acknowledged",
    ComplaintStatus.IN_PROGRESS: "in_progress",
    ComplaintStatus.RESOLVED: "resolved",
    ComplaintStatus.CLOSED: "closed",
    ComplaintStatus.REOPENED: "reopened",
}


class ComplaintConflict(ValidationError):
    """Someone else changed the complaint since it was read: nothing was written."""


_LOOK_UP = object()  # by_staff not given: read the acting user's Staff record


def staff_of(user) -> Staff | None:
    """The user's own active Staff record (their department), or None."""
    if user is None or not user.is_authenticated:
        return None
    return Staff.objects.filter(user_id=user.pk, active=True).first()


def _require_worker(by, complaint: Complaint, by_staff) -> None:
    if by.has_perm(ANY_COMPLAINT):
        return
    staff = staff_of(by) if by_staff is _LOOK_UP else by_staff
    if not can_work_on_complaint(by, complaint, staff=staff):
        raise PermissionDenied(
            _("You may not work on %(reference)s: it is not your department's.")
            % {"reference": complaint.reference}
        )


# References -------------------------------------------------------------------


def format_reference(year: int, number: int) -> str:
    return f"{REFERENCE_PREFIX}-{year}-{number:06d}"


def take_reference(*, year: int) -> tuple[int, str]:
    """The next number of `year` and its reference, gap-free.

    Must run inside the complaint's own transaction: the counter's row stays
    locked (SELECT ... FOR UPDATE) until that transaction ends, so concurrent
    saves queue here and each gets the next number; a save that rolls back
    rolls the counter back too, and the next one reuses the number. The year's
    row is created race-safely (INSERT ... ON CONFLICT DO NOTHING waits for a
    concurrent insert of the same year and then does nothing). Call it as late
    in the transaction as possible: the lock is held until commit."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("take_reference() must run inside the complaint's transaction")
    counters = ReferenceCounter.objects.select_for_update()
    counter = counters.filter(year=year).first()
    if counter is None:
        ReferenceCounter.objects.bulk_create([ReferenceCounter(year=year)], ignore_conflicts=True)
        counter = counters.get(year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last, format_reference(year, counter.last)


# Helpers ----------------------------------------------------------------------


def complaint_search_text(complaint: Complaint) -> str:
    """The folded text the keyword search reads: the reference, the customer's
    name, their number as E.164 and as national digits ("081234567890"), and
    the description."""
    e164 = phone_e164(complaint.customer_number)
    national = "".join(ch for ch in phone_display(complaint.customer_number) if ch.isdigit())
    return search_key(
        complaint.reference,
        complaint.customer_name,
        e164,
        national if national != e164.lstrip("+") else "",
        complaint.description,
    )


def _too_long() -> str:
    return _("Keep it under %(max)s characters.") % {"max": TEXT_MAX}


def _due(calendar: BusinessCalendar, start, minutes: int | None):
    return calendar.add(start, minutes) if minutes is not None else None


def _language(language: str) -> str:
    codes = dict(settings.LANGUAGES)
    if language in codes:
        return language
    current = (translation.get_language() or "").split("-")[0]
    return current if current in codes else settings.LANGUAGE_CODE


def _notify_department(complaint: Complaint, department: Department, *, now) -> None:
    """COMPLAINT_ROUTED to the department's head and its group mailbox."""
    head = department.head if department.head_id else None
    staff = [head] if head is not None and head.active else []
    addresses = []
    if department.email and (head is None or head.email != department.email):
        addresses.append((department.email, settings.LANGUAGE_CODE))
    notify(
        kind=NotificationKind.COMPLAINT_ROUTED,
        complaint=complaint,
        staff=staff,
        addresses=addresses,
        now=now,
    )


def _notify_customer(complaint: Complaint, kind: str, *, now) -> None:
    if complaint.customer_email:
        notify(
            kind=kind,
            complaint=complaint,
            addresses=[(complaint.customer_email, complaint.language)],
            now=now,
        )


def _claim(complaint: Complaint, changes: dict, *, expected: int, by, now) -> None:
    """Write `changes` only if the complaint is still at version `expected`
    (a conditional UPDATE whose row count is checked), count the version up,
    and keep the change in the history. Raises ComplaintConflict, with the
    complaint re-read, when someone else got there first."""
    updated = Complaint.objects.filter(pk=complaint.pk, version=expected).update(
        **changes, version=F("version") + 1
    )
    if updated != 1:
        complaint.refresh_from_db()
        raise ComplaintConflict(
            _(
                "Someone else changed %(reference)s a moment ago (it is now %(status)s). "
                "Nothing was changed: check its current state and try again."
            )
            % {"reference": complaint.reference, "status": complaint.get_status_display()},
            code="conflict",
        )
    for name, value in changes.items():
        setattr(complaint, name, value)
    complaint.version = expected + 1
    Complaint.history.bulk_history_create(
        [complaint], update=True, default_user=by, default_date=now
    )


def _check_version(complaint: Complaint, version) -> int:
    """The version the user acted on: the one their page showed, else the one read."""
    if version in (None, ""):
        return complaint.version
    try:
        expected = int(version)
    except (TypeError, ValueError):
        expected = -1
    if expected != complaint.version:
        raise ComplaintConflict(
            _(
                "Someone else changed %(reference)s since you opened it (it is now %(status)s). "
                "Nothing was changed: check its current state and try again."
            )
            % {"reference": complaint.reference, "status": complaint.get_status_display()},
            code="conflict",
        )
    return expected


def _refuse_step(complaint: Complaint, to_status: str) -> None:
    if to_status not in COMPLAINT_TRANSITIONS.get(complaint.status, set()):
        raise ValidationError(
            _("%(reference)s is %(status)s: it cannot become %(to)s.")
            % {
                "reference": complaint.reference,
                "status": complaint.get_status_display(),
                "to": ComplaintStatus(to_status).label,
            },
            code="transition",
        )


# Recording --------------------------------------------------------------------


@transaction.atomic
def complaint_create(
    *,
    by,
    customer_name: str,
    description: str,
    severity: str = Severity.MEDIUM,
    category=None,
    product=None,
    customer_number: str = "",
    customer_email: str = "",
    language: str = "",
    call=None,
    department: Department | None = None,
    override_reason: str = "",
    now=None,
    rules: RuleSet | None = None,
    calendar: BusinessCalendar | None = None,
) -> Complaint:
    """Record a complaint: routed by rule (or to `department`, overriding the
    rule, with `override_reason`), with its deadlines counted in working time
    from the rule's response targets (else the defaults), its reference taken
    last (the counter stays locked until commit), the timeline rows "created"
    and "routed", COMPLAINT_ROUTED to the department's head and group mailbox,
    and COMPLAINT_RECEIVED to the customer when they gave an e-mail, in their
    `language` (default: the desk's current language). A complaint no rule
    routes stays "new" with no department: supervisors route it.

    `call`: the call it came from (the console): its caller is the
    complaint's. Without one, a number given is remembered as a Caller so the
    number's history shows the complaint. ValidationError names the fields at
    fault; nothing is written then."""
    if not by.has_perm(ADD_COMPLAINT):
        raise PermissionDenied(_("You may not record complaints."))
    now = now or timezone.now()
    errors: dict[str, list[str]] = {}
    customer_name = (customer_name or "").strip()
    description = (description or "").strip()
    customer_email = (customer_email or "").strip()
    override_reason = (override_reason or "").strip()
    number = phone_e164(customer_number)
    caller = call.caller if call is not None else None
    if not number and caller is not None:
        number = phone_e164(caller.number)
    if not customer_name and caller is not None:
        customer_name = caller.name

    decision = route(category=category, product=product, description=description, rules=rules)
    if department is not None and department.pk != getattr(decision.department, "pk", None):
        if not override_reason:
            errors["override_reason"] = [
                _("Say why it goes to %(department)s and not where the rule sends it.")
                % {"department": department.name}
            ]
        if not department.active:
            errors["department"] = [_("This department is no longer active.")]
    else:
        department, override_reason = decision.department, ""
    if not number and not customer_email:
        errors["customer_number"] = [
            _("Give a phone number or an e-mail address, so the customer can be answered.")
        ]
    if language and language not in dict(settings.LANGUAGES):
        errors["language"] = [_("Choose Bahasa Indonesia or English.")]

    complaint = Complaint(
        call=call,
        caller=caller,
        customer_name=customer_name,
        customer_number=number,
        customer_email=customer_email,
        category=category,
        product=product,
        description=description,
        severity=severity,
        department=department,
        rule=decision.rule,
        route_override_reason=override_reason[:300],
        status=ComplaintStatus.ROUTED if department is not None else ComplaintStatus.NEW,
        language=_language(language),
        created_by=by,
        created_at=now,
        year=timezone.localtime(now, timezone.get_default_timezone()).year,  # TIME_ZONE's
        number=1,  # taken below, once everything else is known to be valid
        reference="-",
    )
    try:
        # The related rows were handed in loaded: checking they exist again would
        # cost a query each.
        complaint.full_clean(
            exclude=[
                "reference",
                "year",
                "number",
                "call",
                "caller",
                "created_by",
                "rule",
                "category",
                "product",
                "department",
            ],
            validate_unique=False,
            validate_constraints=False,
        )
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            errors.setdefault(name, []).extend(messages)
    if errors:
        raise ValidationError(errors)

    if caller is None and number:
        caller, _created = Caller.objects.get_or_create(
            number=number, defaults={"name": customer_name}
        )
        complaint.caller = caller
    calendar = calendar or BusinessCalendar.load()
    target: Target | None = decision.target(severity)
    complaint.acknowledge_due_at = _due(calendar, now, target and target.acknowledge_minutes)
    complaint.resolve_due_at = _due(calendar, now, target and target.resolve_minutes)

    complaint.number, complaint.reference = take_reference(year=complaint.year)
    complaint.search_text = complaint_search_text(complaint)
    complaint.save()

    complaint_event(complaint, "created", by=by, to_status=ComplaintStatus.NEW, now=now)
    if department is not None:
        complaint_event(
            complaint,
            "routed",
            by=by,
            text=override_reason,
            from_status=ComplaintStatus.NEW,
            to_status=ComplaintStatus.ROUTED,
            data={
                "department": department.pk,
                "rule": decision.rule.pk if decision.rule else None,
                "rule_department": getattr(decision.department, "pk", None),
                "override": bool(override_reason),
            },
            now=now,
        )
        _notify_department(complaint, department, now=now)
    _notify_customer(complaint, NotificationKind.COMPLAINT_RECEIVED, now=now)
    return complaint


# Status -----------------------------------------------------------------------


@transaction.atomic
def complaint_set_status(
    *,
    complaint: Complaint,
    by,
    to_status: str,
    text: str = "",
    visibility: str = Visibility.INTERNAL,
    version=None,
    now=None,
    by_staff=_LOOK_UP,
    email_customer: bool = True,
    calendar: BusinessCalendar | None = None,
) -> Complaint:
    """Take one status step (acknowledged, in progress, resolved, closed,
    reopened), if COMPLAINT_TRANSITIONS allows it from where the complaint is
    and `by` may work on it. Stamps acknowledged_at / resolved_at / closed_at;
    reopening clears resolved_at and closed_at, restarts the resolve deadline
    from now (the rule's target, else the default) and the escalation level.
    Resolving says what the customer was told (`text`, required); reopening
    says why (required). A customer-visible `text` is e-mailed to the customer
    when they gave an address (unless `email_customer` is False).

    `version`: the version the user's page showed; a complaint changed since
    (or changed by someone else while this runs) raises ComplaintConflict and
    nothing is written. Writes the timeline row with `text` and `visibility`."""
    now = now or timezone.now()
    _require_worker(by, complaint, by_staff)
    to_status = str(to_status)
    if to_status not in STATUS_EVENTS:
        raise ValidationError(_("Unknown step."), code="invalid")
    expected = _check_version(complaint, version)
    _refuse_step(complaint, to_status)
    text = (text or "").strip()
    if visibility not in Visibility.values:
        raise ValidationError({"visibility": [_("Choose internal or told the customer.")]})
    if len(text) > TEXT_MAX:
        raise ValidationError({"text": [_too_long()]})
    if to_status == ComplaintStatus.RESOLVED and not text:
        raise ValidationError({"text": [_("Say what the customer was told.")]})
    if to_status == ComplaintStatus.REOPENED and not text:
        raise ValidationError({"text": [_("Say why the complaint is reopened.")]})

    old = complaint.status
    changes: dict = {"status": to_status}
    if to_status == ComplaintStatus.ACKNOWLEDGED:
        changes["acknowledged_at"] = now
    elif to_status == ComplaintStatus.RESOLVED:
        changes["resolved_at"] = now
    elif to_status == ComplaintStatus.CLOSED:
        changes["closed_at"] = now
    elif to_status == ComplaintStatus.REOPENED:
        calendar = calendar or BusinessCalendar.load()
        target = targets_for_rule(complaint.rule_id).get(complaint.severity)
        changes.update(
            resolved_at=None,
            closed_at=None,
            resolve_due_at=_due(calendar, now, target and target.resolve_minutes),
            escalation_level=0,
        )
    _claim(complaint, changes, expected=expected, by=by, now=now)
    complaint_event(
        complaint,
        STATUS_EVENTS[to_status],
        by=by,
        text=text,
        visibility=visibility,
        from_status=old,
        to_status=to_status,
        now=now,
    )
    if visibility == Visibility.CUSTOMER and text and email_customer:
        _notify_customer(complaint, NotificationKind.COMPLAINT_UPDATE, now=now)
    return complaint


# Assignment and routing -------------------------------------------------------


@transaction.atomic
def complaint_assign(
    *, complaint: Complaint, by, staff: Staff | None, version=None, now=None, by_staff=_LOOK_UP
) -> Complaint:
    """Give an open complaint to a person of its department (None: nobody).
    Claimed on `version` like a status step; the timeline says from whom to
    whom. Assigning the person it is already assigned to changes nothing."""
    now = now or timezone.now()
    _require_worker(by, complaint, by_staff)
    expected = _check_version(complaint, version)
    if not complaint.is_open:
        raise ValidationError(
            _("%(reference)s is %(status)s: only an open complaint is assigned.")
            % {"reference": complaint.reference, "status": complaint.get_status_display()},
            code="closed",
        )
    if staff is not None:
        if staff.department_id != complaint.department_id or complaint.department_id is None:
            raise ValidationError(
                {
                    "staff": [
                        _("%(name)s does not work in the department of %(reference)s.")
                        % {"name": staff.full_name, "reference": complaint.reference}
                    ]
                }
            )
        if not staff.active:
            raise ValidationError({"staff": [_("%(name)s has left.") % {"name": staff.full_name}]})
    new_id = staff.pk if staff is not None else None
    if new_id == complaint.assigned_to_id:
        return complaint
    old_id = complaint.assigned_to_id
    _claim(complaint, {"assigned_to_id": new_id}, expected=expected, by=by, now=now)
    complaint_event(
        complaint,
        "assigned",
        by=by,
        text=staff.full_name if staff is not None else _("nobody"),
        data={"from": old_id, "to": new_id},
        now=now,
    )
    return complaint


@transaction.atomic
def complaint_reroute(
    *,
    complaint: Complaint,
    by,
    department: Department,
    reason: str,
    version=None,
    now=None,
    by_staff=_LOOK_UP,
    calendar: BusinessCalendar | None = None,
) -> Complaint:
    """Pass an open complaint to another department (or route an unrouted
    one), with the reason why (required, kept as the override reason and on
    the timeline). It becomes "routed" there: unassigned, not yet acknowledged,
    with a new acknowledge deadline counted from now (the new department has
    only just seen it) and its escalation level back to 0. The resolve deadline
    stays: the customer's wait does not restart because the company passed the
    complaint on. COMPLAINT_ROUTED goes to the new department."""
    now = now or timezone.now()
    _require_worker(by, complaint, by_staff)
    expected = _check_version(complaint, version)
    reason = (reason or "").strip()
    errors = {}
    if department is None:
        errors["department"] = [_("Choose the department.")]
    elif department.pk == complaint.department_id:
        errors["department"] = [
            _("%(reference)s is with %(department)s already.")
            % {"reference": complaint.reference, "department": department.name}
        ]
    elif not department.active:
        errors["department"] = [_("This department is no longer active.")]
    if not reason:
        errors["reason"] = [_("Say why it goes to another department.")]
    if errors:
        raise ValidationError(errors)
    _refuse_step(complaint, ComplaintStatus.ROUTED)

    calendar = calendar or BusinessCalendar.load()
    target = targets_for_rule(complaint.rule_id).get(complaint.severity)
    old_status, old_department = complaint.status, complaint.department_id
    changes = {
        "department": department,
        "status": ComplaintStatus.ROUTED,
        "assigned_to": None,
        "acknowledged_at": None,
        "route_override_reason": reason[:300],
        "acknowledge_due_at": _due(calendar, now, target and target.acknowledge_minutes),
        "escalation_level": 0,
    }
    if complaint.resolve_due_at is None and target is not None:
        changes["resolve_due_at"] = _due(calendar, now, target.resolve_minutes)
    _claim(complaint, changes, expected=expected, by=by, now=now)
    complaint_event(
        complaint,
        "routed" if old_department is None else "rerouted",
        by=by,
        text=reason,
        from_status=old_status,
        to_status=ComplaintStatus.ROUTED,
        data={"from": old_department, "to": department.pk},
        now=now,
    )
    _notify_department(complaint, department, now=now)
    return complaint


# Comments ---------------------------------------------------------------------


@transaction.atomic
def complaint_comment(
    *,
    complaint: Complaint,
    by,
    text: str,
    visibility: str = Visibility.INTERNAL,
    now=None,
    by_staff=_LOOK_UP,
    email_customer: bool = True,
):
    """Add a line to the timeline: an internal note (for the company only) or
    what was told to the customer, which is e-mailed to them when they gave an
    address (unless `email_customer` is False). A comment changes nothing else,
    so it never conflicts with a status step made at the same time."""
    now = now or timezone.now()
    _require_worker(by, complaint, by_staff)
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": [_("Write the comment.")]})
    if len(text) > TEXT_MAX:
        raise ValidationError({"text": [_too_long()]})
    if visibility not in Visibility.values:
        raise ValidationError({"visibility": [_("Choose internal or told the customer.")]})
    customer = visibility == Visibility.CUSTOMER
    event = complaint_event(
        complaint,
        "customer_update" if customer else "comment",
        by=by,
        text=text,
        visibility=visibility,
        now=now,
    )
    if customer and email_customer:
        _notify_customer(complaint, NotificationKind.COMPLAINT_UPDATE, now=now)
    return event


# Bulk -------------------------------------------------------------------------

BULK_ACTIONS = ("assign", "route", "close")


@dataclass
class BulkResult:
    """How a bulk action went: how many complaints it changed, and each one it
    refused, by reference, with why."""

    done: int = 0
    refused: list[tuple[str, str]] = field(default_factory=list)


def complaint_bulk(
    *,
    action: str,
    complaints,
    by,
    staff: Staff | None = None,
    department: Department | None = None,
    reason: str = "",
    now=None,
) -> BulkResult:
    """Assign (to `staff`), route (to `department`, with `reason`) or close
    (with `reason`, when given, as the timeline's internal note) each
    complaint through the same service a single change uses, each in its
    own transaction: one refused (not allowed, not in that state, changed by
    someone else) is reported by its reference and leaves the others done;
    none is ever half changed. A missing choice for the action raises
    ValidationError before anything is done."""
    now = now or timezone.now()
    if action not in BULK_ACTIONS:
        raise ValidationError({"action": [_("Choose assign, route or close.")]})
    if action == "assign" and staff is None:
        raise ValidationError({"staff": [_("Choose whom to assign them to.")]})
    if action == "route":
        errors = {}
        if department is None:
            errors["department"] = [_("Choose the department.")]
        if not (reason or "").strip():
            errors["reason"] = [_("Say why they go to another department.")]
        if errors:
            raise ValidationError(errors)
    me = None if by.has_perm(ANY_COMPLAINT) else staff_of(by)
    calendar = BusinessCalendar.load() if action == "route" else None
    result = BulkResult()
    for complaint in complaints:
        try:
            with transaction.atomic():
                if action == "assign":
                    complaint_assign(complaint=complaint, by=by, staff=staff, now=now, by_staff=me)
                elif action == "route":
                    complaint_reroute(
                        complaint=complaint,
                        by=by,
                        department=department,
                        reason=reason,
                        now=now,
                        by_staff=me,
                        calendar=calendar,
                    )
                else:
                    complaint_set_status(
                        complaint=complaint,
                        by=by,
                        to_status=ComplaintStatus.CLOSED,
                        text=reason,
                        now=now,
                        by_staff=me,
                    )
        except ValidationError as exc:
            result.refused.append((complaint.reference, " ".join(exc.messages)))
        except PermissionDenied as exc:
            message = str(exc) or _("You may not work on this complaint.")
            result.refused.append((complaint.reference, message))
        else:
            result.done += 1
    return result
