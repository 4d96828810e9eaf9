"""Writes of the KPI sheets: the supervisor's sign-off of an operator's month
and its withdrawal.

sign-off: none → signed; signed → withdrawn (with a reason); withdrawn →
signed again. Each step is a conditional update on the row's version whose
row count is checked, so of two supervisors acting at once the second is
told (KpiConflict) and nothing of theirs is written; every step is kept in
the row's history.
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from reports.models import KpiSettings, KpiSignOff, SignOffStatus
from reports.models.kpi import NOTE_MAX
from reports.selectors_kpi import MonthFigures, add_months, kpi_figures, targets_of

SIGN_OFF_TRANSITIONS: dict[str | None, set[str]] = {
    None: {SignOffStatus.SIGNED},
    SignOffStatus.SIGNED: {SignOffStatus.WITHDRAWN},
    SignOffStatus.WITHDRAWN: {SignOffStatus.SIGNED},
}


class KpiConflict(ValidationError):
    """Someone else signed or withdrew the sheet since it was read: nothing written."""


def _conflict(sign_off: KpiSignOff | None) -> KpiConflict:
    if sign_off is not None:
        sign_off.refresh_from_db()
    return KpiConflict(
        _(
            "Someone else changed this sheet's sign-off a moment ago. Nothing was "
            "changed: check its current state and try again."
        ),
        code="conflict",
    )


def _check(status, to_status) -> None:
    if to_status not in SIGN_OFF_TRANSITIONS.get(status, set()):
        if to_status == SignOffStatus.SIGNED:
            raise ValidationError(_("This sheet is already signed off."), code="signed")
        raise ValidationError(_("This sheet is not signed off."), code="not_signed")


def _clean_note(text: str, *, field: str, required: bool = False) -> str:
    text = (text or "").strip()
    if required and not text:
        raise ValidationError({field: _("Give the reason.")})
    if len(text) > NOTE_MAX:
        raise ValidationError({field: _("At most %(max)d characters, please.") % {"max": NOTE_MAX}})
    return text


def kpi_sign_off(
    *, operator, month: date, by, note: str = "", version=None, now=None, today=None
) -> KpiSignOff:
    """Sign off `operator`'s sheet for `month` (a month that is over) with
    the figures as they are now, kept as JSON with the targets. `version` is
    the sign-off's version the supervisor saw (None: no sign-off yet); if it
    changed meanwhile, KpiConflict. Writes the row and its history."""
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    month = month.replace(day=1)
    if add_months(month, 1) > today:
        raise ValidationError(_("The month is not over yet: sign it off once it is."))
    note = _clean_note(note, field="note")
    settings = KpiSettings.load()
    rule = settings.discipline_rule
    found = kpi_figures(first=month, last=month, operator_ids=[operator.pk], today=today, rule=rule)
    figures = found.get((operator.pk, month)) or MonthFigures(month=month, rule=rule)
    signed = {
        **figures.as_signed(),
        "targets": targets_of(settings),
        "rule": settings.discipline_rule,
    }
    changes = {
        "status": SignOffStatus.SIGNED,
        "signed_by": by,
        "signed_at": now,
        "note": note,
        "figures": signed,
        "withdrawn_by": None,
        "withdrawn_at": None,
        "withdraw_reason": "",
    }
    existing = KpiSignOff.objects.filter(operator=operator, month=month).first()
    with transaction.atomic():
        if existing is None:
            if version not in (None, ""):
                raise _conflict(None)
            try:
                with transaction.atomic():
                    sign_off = KpiSignOff(operator=operator, month=month, **changes)
                    sign_off.full_clean(validate_unique=False)
                    sign_off.save()
            except IntegrityError:
                raise _conflict(None) from None
            return sign_off
        expected = _expected(existing, version)
        _check(existing.status, SignOffStatus.SIGNED)
        return _claim(existing, changes, expected=expected, by=by, now=now)


def kpi_sign_off_withdraw(*, sign_off: KpiSignOff, by, reason: str, version=None, now=None):
    """Withdraw a sign-off with a reason (kept in the history); the sheet may
    then be signed again."""
    now = now or timezone.now()
    reason = _clean_note(reason, field="reason", required=True)
    expected = _expected(sign_off, version)
    _check(sign_off.status, SignOffStatus.WITHDRAWN)
    changes = {
        "status": SignOffStatus.WITHDRAWN,
        "withdrawn_by": by,
        "withdrawn_at": now,
        "withdraw_reason": reason,
    }
    with transaction.atomic():
        return _claim(sign_off, changes, expected=expected, by=by, now=now)


def _expected(sign_off: KpiSignOff, version) -> int:
    """The version the supervisor acted on (their page's, else the one read);
    KpiConflict when the page showed an older one."""
    if version in (None, ""):
        return sign_off.version
    try:
        expected = int(version)
    except (TypeError, ValueError):
        expected = -1
    if expected != sign_off.version:
        raise _conflict(sign_off)
    return expected


def _claim(sign_off: KpiSignOff, changes: dict, *, expected: int, by, now) -> KpiSignOff:
    updated = KpiSignOff.objects.filter(pk=sign_off.pk, version=expected).update(
        **changes, version=F("version") + 1
    )
    if updated != 1:
        raise _conflict(sign_off)
    for name, value in changes.items():
        setattr(sign_off, name, value)
    sign_off.version = expected + 1
    KpiSignOff.history.bulk_history_create(
        [sign_off], update=True, default_user=by, default_date=now
    )
    return sign_off
