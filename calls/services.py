"""Every write to the call log goes through here: the console, corrections,
supervisor deletions, imports and tasks all call the same functions."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from calls.models import Call, Caller, CallerKind

# Fields an operator may correct after saving (not who took it or when it was deleted).
EDITABLE_FIELDS = (
    "direction",
    "started_at",
    "ended_at",
    "caller_name",
    "caller_company",
    "caller_kind",
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


@transaction.atomic
def call_log(*, operator, number=None, now=None, **fields) -> Call:
    """Record one call: validates everything, remembers the caller's name and
    company for the number, stores the call with its duration. Nothing is
    written when anything is invalid (ValidationError)."""
    now = now or timezone.now()
    # Both ends default to the same instant: the model's own default for the
    # start would be read a moment after `now` and put the end before the start.
    fields.setdefault("started_at", now)
    fields.setdefault("ended_at", now)
    if fields["started_at"] is None:
        fields["started_at"] = now
    call = Call(operator=operator, number_withheld=not number, **fields)
    # Related objects handed in as instances were just loaded from the database;
    # checking again that they exist would cost a query each. Ids are checked.
    loaded = [name for name, value in fields.items() if isinstance(value, models.Model)]
    # Call.clean() already rejects an end before the start; validating the
    # CheckConstraint as well would cost a savepoint and a SELECT per call.
    # The constraint itself still guards the table.
    call.full_clean(exclude=["caller", "operator", *loaded], validate_constraints=False)
    if call.ended_at:
        call.duration_seconds = int((call.ended_at - call.started_at).total_seconds())
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


@transaction.atomic
def call_update(*, call: Call, by, now=None, **changes) -> Call:
    """Correct a call; the change is kept in its history."""
    if not can_edit_call(by, call, now=now):
        raise PermissionDenied(_("You may correct only your own calls, on the same day."))
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"Not editable: {sorted(unknown)}")
    for name, value in changes.items():
        setattr(call, name, value)
    call.full_clean(exclude=["caller", "operator"], validate_constraints=False)  # see call_log
    call.duration_seconds = (
        int((call.ended_at - call.started_at).total_seconds()) if call.ended_at else None
    )
    call._change_reason = "corrected"
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
    call._change_reason = f"deleted: {reason[:80]}"
    call.save(update_fields=["deleted_at", "deleted_by", "delete_reason"])
    return call
