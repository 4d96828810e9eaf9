"""Every write to the call log goes through here: the console, corrections,
supervisor deletions, imports and tasks all call the same functions."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from calls.models import CALL_TIME_FLOOR, Call, Caller, CallerKind, ChangeReason, Direction, Outcome

# Fields an operator may correct after saving (not who took it or when it was deleted).
EDITABLE_FIELDS = (
    "direction",
    "started_at",
    "ended_at",
    "caller_name",
    "caller_company",
    "caller_kind",
    "caller_extension",
    "asked_for_staff",
    "asked_for_department",
    "transferred_to",
    "category",
    "purpose",
    "outcome",
    "info_entry",
    "requested_by",
    "is_personal",
    "notes",
)


def _remember_caller(*, number, name: str, company: str, kind: str, when) -> Caller | None:
    """Create or refresh the Caller for a number; None for a withheld number.

    A blank name or company never wipes what the desk heard before."""
    if not number:
        return None
    known_kind = kind if kind and kind != CallerKind.UNKNOWN else ""
    # A new number is one INSERT with everything; a known one is locked (FOR
    # UPDATE) until the call is saved, so counting up in Python stays right when
    # two operators log the same number at once.
    caller, created = Caller.objects.select_for_update().get_or_create(
        number=number,
        defaults={
            "name": name,
            "company": company,
            "kind": known_kind or CallerKind.UNKNOWN,
            "first_call_at": when,
            "last_call_at": when,
            "call_count": 1,
        },
    )
    if created:
        return caller
    if name:
        caller.name = name
    if company:
        caller.company = company
    if known_kind:
        caller.kind = known_kind
    if caller.last_call_at is None or when > caller.last_call_at:
        caller.last_call_at = when
    if caller.first_call_at is None or when < caller.first_call_at:
        caller.first_call_at = when
    caller.call_count += 1
    caller.save(
        update_fields=["name", "company", "kind", "first_call_at", "last_call_at", "call_count"]
    )
    return caller


def _normalise(call: Call, *, person_changed: bool = False) -> None:
    """Tidy a call the same way whether it is logged or corrected.

    What was picked on the way but does not fit the call is cleared, not
    refused, because that is what the desk expects: an operator who searched
    for an extension and then took a message, or who switched a correction from
    outgoing to incoming, wants the call saved as it now is, not an error about
    a field that no longer applies. So:

    - the extension it went to is kept only for a transferred call;
    - who it was placed for, and "personal", only for an outgoing call;
    - "number withheld" only for an incoming call, a caller's extension only
      with a number;
    - the department follows the person asked for: it is filled in from them
      when empty, and follows a new person chosen in a correction unless the
      department was changed in the same correction; with no person, an empty
      department comes from the category's usual one.
    """
    if call.outcome != Outcome.TRANSFERRED:
        call.transferred_to = None
    if call.direction != Direction.OUTGOING:
        call.requested_by = None
        call.is_personal = False
    # Only a caller withholds a number: an internal call comes from an extension
    # and the desk dialled an outgoing one.
    if call.direction != Direction.INCOMING:
        call.number_withheld = False
    if call.number_withheld:
        call.caller_extension = ""
    if call.asked_for_staff_id:
        if person_changed or not call.asked_for_department_id:
            call.asked_for_department_id = call.asked_for_staff.department_id
    elif not call.asked_for_department_id and call.category_id:
        department_id = call.category.default_department_id
        if department_id:
            call.asked_for_department_id = department_id


def _validate(call: Call, *, exclude, now, errors: dict | None = None) -> None:
    """Call.full_clean plus the errors the service found itself, raised together."""
    errors = dict(errors or {})
    try:
        # Call.clean() already rejects what the CheckConstraints guard; validating
        # them as well would cost a savepoint and a SELECT per call. The
        # constraints themselves still guard the table.
        call.full_clean(exclude=exclude, validate_constraints=False, now=now)
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, [])
            errors[field] = [*errors[field], *messages]
    if errors:
        raise ValidationError(errors)


def _duration(call: Call) -> int | None:
    return int((call.ended_at - call.started_at).total_seconds()) if call.ended_at else None


def call_log_check(*, operator, number=None, now=None, **fields) -> Call:
    """The call call_log would store, tidied (_normalise) and checked against
    every rule (Call.clean), without writing anything: ValidationError names
    each field at fault. The console also asks it about a form that has errors
    of its own, so the operator hears of every problem at once."""
    now = now or timezone.now()
    # Both ends default to the same instant: the model's own default for the
    # start would be read a moment after `now` and put the end before the start.
    fields.setdefault("started_at", now)
    fields.setdefault("ended_at", now)
    if fields["started_at"] is None:
        fields["started_at"] = now
    call = Call(operator=operator, number_withheld=not number, **fields)
    given_department = fields.get("asked_for_department") or fields.get("asked_for_department_id")
    _normalise(call)
    # Related objects handed in as instances were just loaded from the database;
    # checking again that they exist would cost a query each. Ids are checked.
    loaded = [name for name, value in fields.items() if isinstance(value, models.Model)]
    if call.asked_for_department_id and not given_department:
        if {"asked_for_staff", "category"} & set(loaded):
            loaded.append("asked_for_department")  # taken from a row just loaded
    _validate(call, exclude=["caller", "operator", *loaded], now=now)
    call.duration_seconds = _duration(call)
    return call


@transaction.atomic
def call_log(*, operator, number=None, now=None, **fields) -> Call:
    """Record one call: tidies it (_normalise), validates every rule (Call.clean:
    times within bounds, outcome fitting the direction, what each outcome needs),
    remembers the caller's name and company for the number, stores the call with
    its duration. Nothing is written when anything is invalid (ValidationError)."""
    call = call_log_check(operator=operator, number=number, now=now, **fields)
    call.caller = _remember_caller(
        number=number,
        name=call.caller_name,
        company=call.caller_company,
        kind=call.caller_kind,
        when=call.started_at,
    )
    call.save()
    return call


def can_edit_call(user, call: Call, *, now=None) -> bool:
    """Supervisors correct any call; operators their own, on the day it was taken."""
    if call.is_deleted:
        return False
    if user.has_perm("calls.correct_any_call"):
        return True
    today = timezone.localdate(now or timezone.now())
    return (
        call.operator_id == user.pk
        and user.has_perm("calls.add_call")
        and timezone.localdate(call.started_at) == today
    )


def call_update_check(*, call: Call, by, now=None, **changes) -> Call:
    """Apply `changes` to `call` (in memory) and check them as call_update
    does, without saving: the admin's change form validates with this, so it
    gives the same errors as the correction page. Raises PermissionDenied or
    ValidationError; returns the changed call."""
    now = now or timezone.now()
    if not can_edit_call(by, call, now=now):
        raise PermissionDenied(_("You may correct only your own calls, on the same day."))
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"Not editable: {sorted(unknown)}")
    original_day = timezone.localdate(call.started_at) if call.started_at else None
    old_staff_id = call.asked_for_staff_id
    for name, value in changes.items():
        setattr(call, name, value)
    _normalise(
        call,
        person_changed=call.asked_for_staff_id != old_staff_id
        and "asked_for_department" not in changes,
    )
    errors = {}
    # Operators correct their own call on its day (can_edit_call); moving it to
    # another day would take it out of that day's list and out of this rule.
    # Supervisors may move a call between days, within Call.clean()'s bounds.
    started = call.started_at
    if (
        started is not None
        and original_day is not None
        and not by.has_perm("calls.correct_any_call")
        and CALL_TIME_FLOOR <= started
        and timezone.localdate(started) != original_day
    ):
        errors["started_at"] = [
            _("A call stays on its own day (%(day)s); a supervisor can move it to another.")
            % {"day": original_day.isoformat()}
        ]
    _validate(call, exclude=["caller", "operator"], now=now, errors=errors)
    call.duration_seconds = _duration(call)
    return call


@transaction.atomic
def call_update(*, call: Call, by, now=None, **changes) -> Call:
    """Correct a call: the same tidying and rules as call_log (see _normalise
    and Call.clean), and an operator may not move a call out of its local day.
    The change is kept in its history with the reason code "corrected".
    Nothing is written when anything is refused (PermissionDenied,
    ValidationError)."""
    call = call_update_check(call=call, by=by, now=now, **changes)
    call._change_reason = ChangeReason.CORRECTED.value
    call.save()
    return call


@transaction.atomic
def call_delete(*, call: Call, by, reason: str, now=None) -> Call:
    """A supervisor removes a call from the log. The row stays, marked deleted
    with who, when and why, so the trace survives."""
    if not by.has_perm("calls.delete_call"):
        raise PermissionDenied(_("Only a supervisor may delete a call."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the call is deleted.")})
    claimed = Call.objects.filter(pk=call.pk, deleted_at__isnull=True)
    call = claimed.select_for_update().first()
    if call is None:
        raise ValidationError(_("This call was already deleted."))
    call.deleted_at = now or timezone.now()
    call.deleted_by = by
    call.delete_reason = reason[:300]
    call._change_reason = ChangeReason.DELETED.value  # the reason itself is a field
    call.save(update_fields=["deleted_at", "deleted_by", "delete_reason"])
    return call
