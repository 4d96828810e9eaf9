"""Writes of the shift handover: the outgoing operator hands over their
shift's recap with a note, once per shift; the incoming operator
acknowledges it.

    handover = handover_create(operator=rina, note="Trunk 1 still down")
    handover_acknowledge(handover=handover, by=agus)

handover_create stores the figures as they are at that moment (the recap the
next shift reads), with full_clean; a second handover of the same shift is
refused by the model's unique constraint, also when two are sent at once.
handover_acknowledge claims the handover with a conditional UPDATE on "not
acknowledged yet" whose row count decides: of two incoming operators
acknowledging at once, one does and the other is told who did. Both leave a
history row.
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from reports.models import ShiftHandover
from reports.selectors_handover import receives, receiving_context, shift_figures, shift_window


class HandoverConflict(Exception):
    """The handover was acknowledged by someone else a moment before."""

    def __init__(self, handover: ShiftHandover, message: str):
        super().__init__(message)
        self.handover = handover


def _already() -> ValidationError:
    return ValidationError(_("This shift has been handed over already."), code="handed_over")


def handover_create(*, operator, note: str = "", now=None) -> ShiftHandover:
    """Hand over the operator's current shift (reports.selectors_handover.
    shift_window) with its figures and `note`. Raises ValidationError when the
    shift was handed over already, or the note is too long."""
    now = now or timezone.now()
    window = shift_window(operator=operator, now=now)
    handover = ShiftHandover(
        operator=operator,
        date=window.day,
        shift_type=window.shift_type,
        period_start=window.start,
        period_end=max(window.end, window.start),
        figures=shift_figures(operator=operator, start=window.start, end=window.end, now=now),
        note=(note or "").strip(),
        created_at=now,
    )
    try:
        handover.full_clean()
    except ValidationError as exc:
        if (
            "__all__" in exc.message_dict
            and ShiftHandover.objects.filter(operator=operator, period_start=window.start).exists()
        ):
            raise _already() from exc
        raise
    handover._history_user = operator
    try:
        with transaction.atomic():
            handover.save()
    except IntegrityError as exc:  # two handovers of the same shift at once
        raise _already() from exc
    return handover


def handover_acknowledge(*, handover: ShiftHandover, by, now=None) -> ShiftHandover:
    """`by` (an incoming operator) acknowledges `handover`. Raises
    ValidationError if `by` is not one of its incoming operators, and
    HandoverConflict if someone acknowledged it first."""
    now = now or timezone.now()
    if not receives(handover, user=by, context=receiving_context(user=by, now=now)):
        raise ValidationError(
            _("Only an operator of the next shift, or one on duty, acknowledges a handover."),
            code="not_incoming",
        )
    with transaction.atomic():
        claimed = ShiftHandover.objects.filter(pk=handover.pk, acknowledged_at__isnull=True).update(
            acknowledged_by=by, acknowledged_at=now
        )
        current = ShiftHandover.objects.select_related("acknowledged_by").get(pk=handover.pk)
        if not claimed:
            who = current.acknowledged_by
            raise HandoverConflict(
                current,
                _("%(who)s acknowledged this handover already, at %(when)s.")
                % {
                    "who": (who.get_full_name() or who.username) if who else "?",
                    "when": f"{timezone.localtime(current.acknowledged_at):%H:%M}",
                },
            )
        # The claim is a queryset UPDATE, which simple_history does not see.
        ShiftHandover.history.bulk_history_create(
            [current], update=True, default_user=by, default_date=now
        )
    return current
