"""The roster, shift swaps and the clock: every write to RosterEntry,
ShiftSwap and ClockSession goes through here (the roster grid, the operator's
own page, the admin's actions, the demo command).

    roster_set(by=supervisor, operator=sari, day=date(2026, 12, 7), key="P")
    roster_copy_week(by=supervisor, start=date(2026, 12, 7))   # from the week before
    swap = swap_request(requester=sari, requester_entry=e1, colleague=dewi, colleague_entry=e2)
    swap_respond(swap=swap, by=dewi, accept=True)
    swap_decide(swap=swap, by=supervisor, approve=True, note="OK")
    session, day = clock_in(operator=sari)

Each change of the roster recomputes that day's attendance; clocking in and out
recomputes the day the session belongs to.
"""

from datetime import date, datetime, timedelta

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from reports.models import (
    ABSENCE_KEYS,
    OPEN_SWAP_STATUSES,
    SWAP_TRANSITIONS,
    ClockSession,
    RosterEntry,
    RosterKind,
    ShiftSwap,
    ShiftType,
    SwapStatus,
)
from reports.models.roster import NOTE_MAX
from reports.services.attendance import attendance_compute, attendance_compute_days, local_date
from switchboard.roles import OPERATOR


def is_operator(user) -> bool:
    return bool(user is not None and user.is_active and user.groups.filter(name=OPERATOR).exists())


def operator_name(user) -> str:
    return user.get_full_name() or user.get_username()


def _day(value: date) -> str:
    return formats.date_format(value, "D j M")


# The roster ------------------------------------------------------------------


def parse_key(key: str, shift_types) -> tuple[str, ShiftType | None] | None:
    """(kind, shift type) for a key typed in the roster: a shift's key, or C/K/I
    for leave, sick, permission. None when the key means nothing."""
    key = (key or "").strip().upper()
    if key in ABSENCE_KEYS:
        return ABSENCE_KEYS[key], None
    for shift in shift_types:
        if shift.code == key:
            return RosterKind.SHIFT, shift
    return None


# The least rest between two shifts of one operator: a Malam shift (ending at
# 07:00) cannot be followed by that morning's Pagi.
MIN_REST = timedelta(hours=8)


def _overlap_refusal(operator, day, shift: ShiftType, *, exclude_pk=None) -> str | None:
    """A shift may not overlap the operator's shift of the day before or after
    (a Malam shift runs into the next morning), nor leave them less than
    MIN_REST between the two."""
    start, end = shift.span(day)
    around = (
        RosterEntry.objects.filter(
            operator=operator,
            date__in=(day - timedelta(days=1), day + timedelta(days=1)),
            kind=RosterKind.SHIFT,
        )
        .exclude(pk=exclude_pk)
        .select_related("shift_type")
    )
    for other in around:
        other_start, other_end = other.span()
        values = {"shift": other.shift_type.name, "day": _day(other.date)}
        if other_start < end and start < other_end:
            return _("Overlaps the %(shift)s shift on %(day)s.") % values
        gap = start - other_end if other_end <= start else other_start - end
        if gap < MIN_REST:
            values["hours"] = int(MIN_REST.total_seconds() // 3600)
            return _("Less than %(hours)d hours' rest next to the %(shift)s shift on %(day)s.") % (
                values
            )
    return None


def _open_swap_on(entry: RosterEntry) -> ShiftSwap | None:
    return (
        ShiftSwap.objects.filter(status__in=OPEN_SWAP_STATUSES)
        .filter(Q(requester_entry=entry) | Q(colleague_entry=entry))
        .first()
    )


def roster_set(
    *, by, operator, day: date, key: str = "", note: str = "", now: datetime | None = None
) -> RosterEntry | None:
    """Set (or, with an empty key, clear) `operator`'s roster entry on `day`:
    a shift by its key, or C (leave), K (sick), I (permission). Refused with a
    ValidationError (one message, shown in the grid's cell): an unknown key, a
    shift overlapping the day before or after, an entry in an open swap, a
    user who is not an active operator. Recomputes the day's attendance.
    Returns the entry, or None when cleared."""
    now = now or timezone.now()
    if not is_operator(operator):
        raise ValidationError(_("%(name)s is not an operator.") % {"name": operator_name(operator)})
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise ValidationError(_("Keep the note under %(max)d characters.") % {"max": NOTE_MAX})
    key = (key or "").strip().upper()
    parsed = None
    if key:
        parsed = parse_key(key, ShiftType.objects.filter(active=True))
        if parsed is None:
            raise ValidationError(_("No shift has the key %(key)s.") % {"key": key})
    try:
        with transaction.atomic():
            entry = (
                RosterEntry.objects.select_for_update().filter(operator=operator, date=day).first()
            )
            if entry is not None:
                swap = _open_swap_on(entry)
                if swap is not None:
                    raise ValidationError(
                        _(
                            "This day is in a shift swap waiting for an answer; "
                            "it can change once the swap is decided or cancelled."
                        )
                    )
            if parsed is None:
                if entry is None:
                    return None
                entry._history_user = by
                entry.delete()
                result = None
            else:
                kind, shift = parsed
                if shift is not None:
                    refusal = _overlap_refusal(
                        operator, day, shift, exclude_pk=entry.pk if entry else None
                    )
                    if refusal:
                        raise ValidationError(refusal)
                if entry is None:
                    entry = RosterEntry(operator=operator, date=day)
                elif (
                    entry.kind == kind
                    and entry.shift_type_id == (shift.pk if shift else None)
                    and (not note or entry.note == note)
                ):
                    return entry  # nothing to change
                entry.kind = kind
                entry.shift_type = shift
                if note:
                    entry.note = note
                entry._history_user = by
                entry.full_clean()
                entry.save()
                result = entry
            # The day, and its neighbours: a clock session near midnight may
            # now belong to a different shift.
            attendance_compute_days(
                operator=operator,
                days=[day - timedelta(days=1), day, day + timedelta(days=1)],
                now=now,
            )
    except IntegrityError as exc:
        # Someone filled the same cell at the same moment.
        raise ValidationError(_("Someone else changed this day a moment ago; look again.")) from exc
    return result


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def roster_copy_week(
    *, by, start: date, overwrite: bool = False, now: datetime | None = None
) -> dict:
    """Fill the week from Monday `start` with the week before's entries, for
    the active operators. An entry already there is kept unless `overwrite`;
    an entry that cannot be set (an open swap, an overlap) is skipped.
    Returns {"copied": n, "skipped": n, "refused": [messages]}."""
    now = now or timezone.now()
    start = week_start(start)
    source = start - timedelta(days=7)
    operators = {
        u.pk: u for u in get_user_model().objects.filter(groups__name=OPERATOR, is_active=True)
    }
    previous = RosterEntry.objects.filter(
        date__range=(source, source + timedelta(days=6)), operator_id__in=operators
    ).select_related("shift_type")
    existing = {
        (e.operator_id, e.date): e
        for e in RosterEntry.objects.filter(
            date__range=(start, start + timedelta(days=6)), operator_id__in=operators
        ).select_related("shift_type")
    }
    copied, skipped, refused = 0, 0, []
    for old in sorted(previous, key=lambda e: (e.date, e.operator_id)):
        day = old.date + timedelta(days=7)
        there = existing.get((old.operator_id, day))
        if there is not None and not overwrite:
            skipped += 1
            continue
        if (
            there is not None
            and there.kind == old.kind
            and there.shift_type_id == old.shift_type_id
        ):
            skipped += 1
            continue
        key = old.shift_type.code if old.shift_type_id else _key_of(old.kind)
        try:
            roster_set(by=by, operator=operators[old.operator_id], day=day, key=key, now=now)
        except ValidationError as exc:
            skipped += 1
            name = operator_name(operators[old.operator_id])
            refused.append(f"{name}, {_day(day)}: {' '.join(exc.messages)}")
        else:
            copied += 1
    return {"copied": copied, "skipped": skipped, "refused": refused}


def _key_of(kind: str) -> str:
    return next(k for k, v in ABSENCE_KEYS.items() if v == kind)


# Shift swaps -------------------------------------------------------------------


class SwapConflict(Exception):
    """Someone else moved the swap on first; `swap` is how it now stands."""

    def __init__(self, swap: ShiftSwap):
        self.swap = swap
        super().__init__(
            _("Someone else answered this swap a moment ago: it is now %(status)s.")
            % {"status": swap.get_status_display().lower()}
        )


class SwapStale(ValidationError):
    """The swap's shifts changed since it was asked; it has been refused."""


def _future_shift(entry: RosterEntry, field: str, now) -> dict:
    if entry.kind != RosterKind.SHIFT:
        return {field: _("Only a shift can be swapped, not a day away.")}
    start, _end = entry.span()
    if start <= now:
        return {field: _("This shift has already started; only future shifts can be swapped.")}
    return {}


def _has_entry(user, day: date, *, exclude=()) -> bool:
    return RosterEntry.objects.filter(operator=user, date=day).exclude(pk__in=exclude).exists()


def _swap_errors(*, requester, requester_entry, colleague, colleague_entry, now) -> dict:
    errors = {}
    if requester_entry.operator_id != requester.pk:
        return {"requester_entry": _("Choose one of your own shifts.")}
    errors.update(_future_shift(requester_entry, "requester_entry", now))
    if colleague.pk == requester.pk:
        errors["colleague"] = _("Choose a colleague other than yourself.")
        return errors
    if not is_operator(colleague):
        errors["colleague"] = _("%(name)s is not an operator.") % {"name": operator_name(colleague)}
        return errors
    if _open_swap_on(requester_entry) is not None:
        errors["requester_entry"] = _("This shift is already in a swap waiting for an answer.")
    if colleague_entry is None:
        if _has_entry(colleague, requester_entry.date):
            errors["colleague_entry"] = _(
                "%(name)s is rostered on %(day)s already: choose their shift to exchange."
            ) % {"name": operator_name(colleague), "day": _day(requester_entry.date)}
        return errors
    if colleague_entry.operator_id != colleague.pk:
        errors["colleague_entry"] = _("Choose one of %(name)s's shifts.") % {
            "name": operator_name(colleague)
        }
        return errors
    errors.update(_future_shift(colleague_entry, "colleague_entry", now))
    if _open_swap_on(colleague_entry) is not None:
        errors["colleague_entry"] = _("This shift is already in a swap waiting for an answer.")
    if colleague_entry.date == requester_entry.date:
        if colleague_entry.shift_type_id == requester_entry.shift_type_id:
            errors["colleague_entry"] = _("You both work the same shift that day.")
    else:
        if _has_entry(requester, colleague_entry.date):
            errors["colleague_entry"] = _("You are rostered on %(day)s already.") % {
                "day": _day(colleague_entry.date)
            }
        elif _has_entry(colleague, requester_entry.date):
            errors["colleague_entry"] = _("%(name)s is rostered on %(day)s already.") % {
                "name": operator_name(colleague),
                "day": _day(requester_entry.date),
            }
    return errors


def swap_request(
    *,
    requester,
    requester_entry: RosterEntry,
    colleague,
    colleague_entry: RosterEntry | None = None,
    reason: str = "",
    now: datetime | None = None,
) -> ShiftSwap:
    """An operator asks `colleague` to take `requester_entry` (one of their
    future shifts), in exchange for `colleague_entry` or, without one, as a
    favour (the colleague must be free that day). Nothing changes on the roster
    until a supervisor approves."""
    now = now or timezone.now()
    reason = (reason or "").strip()
    errors = _swap_errors(
        requester=requester,
        requester_entry=requester_entry,
        colleague=colleague,
        colleague_entry=colleague_entry,
        now=now,
    )
    if len(reason) > NOTE_MAX:
        errors["reason"] = _("Keep the reason under %(max)d characters.") % {"max": NOTE_MAX}
    if errors:
        raise ValidationError(errors)
    swap = ShiftSwap(
        requester=requester,
        requester_entry=requester_entry,
        colleague=colleague,
        colleague_entry=colleague_entry,
        reason=reason,
        # The real time, not `now`: approval compares it with the entries'
        # updated_at to tell whether they changed since.
        requested_at=timezone.now(),
    )
    swap._history_user = requester
    swap.full_clean()
    swap.save()
    return swap


def _move(swap: ShiftSwap, to: str, *, by, now, **fields) -> ShiftSwap:
    """Claim the swap's step with a conditional update on its status; the
    second person to try gets SwapConflict."""
    if to not in SWAP_TRANSITIONS[swap.status]:
        raise ValidationError(
            _("This swap is %(status)s; it cannot be %(to)s.")
            % {
                "status": swap.get_status_display().lower(),
                "to": SwapStatus(to).label.lower(),
            }
        )
    changed = ShiftSwap.objects.filter(pk=swap.pk, status=swap.status).update(status=to, **fields)
    if changed != 1:
        raise SwapConflict(ShiftSwap.objects.get(pk=swap.pk))
    swap.refresh_from_db()
    # The conditional update wrote no history row; write it now.
    swap._history_user = by
    swap.save()
    return swap


@transaction.atomic
def swap_respond(*, swap: ShiftSwap, by, accept: bool, now: datetime | None = None) -> ShiftSwap:
    """The colleague accepts or declines the swap they were asked for."""
    now = now or timezone.now()
    if by.pk != swap.colleague_id:
        raise ValidationError(_("Only the colleague asked can answer this swap."))
    to = SwapStatus.ACCEPTED if accept else SwapStatus.DECLINED
    if accept:
        for entry in filter(None, (swap.requester_entry, swap.colleague_entry)):
            if entry.span()[0] <= now:
                raise ValidationError(
                    _("The shift has already started; it can no longer be swapped.")
                )
    return _move(swap, to, by=by, now=now, responded_at=now)


@transaction.atomic
def swap_cancel(*, swap: ShiftSwap, by, now: datetime | None = None) -> ShiftSwap:
    """The operator who asked takes the swap back (until it is decided)."""
    now = now or timezone.now()
    if by.pk != swap.requester_id:
        raise ValidationError(_("Only the operator who asked can cancel this swap."))
    return _move(swap, SwapStatus.CANCELLED, by=by, now=now)


def _entries_changed(swap: ShiftSwap, entries) -> bool:
    expected = {swap.requester_entry_id: swap.requester_id}
    if swap.colleague_entry_id:
        expected[swap.colleague_entry_id] = swap.colleague_id
    if len(entries) != len(expected):
        return True
    return any(
        e.operator_id != expected[e.pk]
        or e.updated_at > swap.requested_at
        or e.kind != RosterKind.SHIFT
        for e in entries
    )


def _apply(swap: ShiftSwap, entries: dict, *, by, now) -> set[tuple[int, date]]:
    """Change the roster for an approved swap; returns the (operator id, day)
    pairs whose attendance is to be recomputed."""
    mine = entries[swap.requester_entry_id]
    theirs = entries.get(swap.colleague_entry_id) if swap.colleague_entry_id else None
    reason = _("Shift swap #%(id)d approved") % {"id": swap.pk}
    touched = {(swap.requester_id, mine.date), (swap.colleague_id, mine.date)}
    if theirs is None:  # a favour: the colleague takes the shift
        if _has_entry(swap.colleague, mine.date, exclude=[mine.pk]):
            raise SwapStale(
                _("%(name)s is rostered that day now.") % {"name": operator_name(swap.colleague)}
            )
        mine.operator_id = swap.colleague_id
        changes = [mine]
    elif theirs.date == mine.date:
        # Same day (Pagi ↔ Siang): each keeps their entry and they trade shift
        # types, since an operator has one entry per day.
        mine.shift_type_id, theirs.shift_type_id = theirs.shift_type_id, mine.shift_type_id
        changes = [mine, theirs]
    else:
        if _has_entry(swap.requester, theirs.date, exclude=[theirs.pk]) or _has_entry(
            swap.colleague, mine.date, exclude=[mine.pk]
        ):
            raise SwapStale(_("One of you is rostered on the other's day now."))
        touched |= {(swap.requester_id, theirs.date), (swap.colleague_id, theirs.date)}
        mine.operator_id, theirs.operator_id = swap.colleague_id, swap.requester_id
        changes = [mine, theirs]
    for entry in changes:
        entry._history_user = by
        entry._change_reason = reason
        entry.save()
    return touched


def swap_decide(
    *, swap: ShiftSwap, by, approve: bool, note: str = "", now: datetime | None = None
) -> ShiftSwap:
    """A supervisor approves (the roster changes, in the same transaction, with
    the entries' history naming the swap) or refuses (with a note) a swap the
    colleague accepted. Two supervisors at once: the second gets SwapConflict.
    A swap whose shifts changed since it was asked (re-rostered, started,
    swapped otherwise) is refused instead, and SwapStale says why."""
    now = now or timezone.now()
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise ValidationError(
            {"note": _("Keep the note under %(max)d characters.") % {"max": NOTE_MAX}}
        )
    if not by.has_perm("reports.change_shiftswap"):
        raise ValidationError(_("Only a supervisor decides on swaps."))
    stale_reason = None
    with transaction.atomic():
        to = SwapStatus.APPROVED if approve else SwapStatus.REFUSED
        swap = _move(swap, to, by=by, now=now, decided_at=now, decided_by=by, decision_note=note)
        if approve:
            ids = [swap.requester_entry_id, swap.colleague_entry_id]
            entries = {
                e.pk: e
                for e in RosterEntry.objects.select_for_update(of=("self",))
                .filter(pk__in=[i for i in ids if i])
                .select_related("shift_type")
            }
            stale_reason = None
            if _entries_changed(swap, list(entries.values())):
                stale_reason = _("The shifts in this swap changed since it was asked.")
            elif any(e.span()[0] <= now for e in entries.values()):
                stale_reason = _("The shift has already started.")
            touched = set()
            if stale_reason is None:
                try:
                    with transaction.atomic():
                        touched = _apply(swap, entries, by=by, now=now)
                except (SwapStale, IntegrityError) as exc:
                    stale_reason = (
                        " ".join(exc.messages)
                        if isinstance(exc, ValidationError)
                        else _("The roster changed meanwhile.")
                    )
            if stale_reason is not None:
                swap.status = SwapStatus.REFUSED
                swap.decision_note = _("Refused by the system: %(why)s") % {"why": stale_reason}
                swap._history_user = by
                swap.save()
            else:
                users = {
                    u.pk: u
                    for u in get_user_model().objects.filter(pk__in={o for o, _d in touched})
                }
                by_user: dict[int, list[date]] = {}
                for operator_id, day in touched:
                    by_user.setdefault(operator_id, []).append(day)
                for operator_id, days in by_user.items():
                    attendance_compute_days(operator=users[operator_id], days=days, now=now)
    if stale_reason is not None:
        raise SwapStale(
            _("The swap cannot be approved and has been refused: %(why)s") % {"why": stale_reason}
        )
    return swap


# The clock ---------------------------------------------------------------------


class ClockRefused(ValidationError):
    pass


def open_session(operator) -> ClockSession | None:
    return ClockSession.objects.filter(operator=operator, clock_out__isnull=True).first()


def clock_in(*, operator, now: datetime | None = None):
    """Start `operator`'s clock session. Refused (ClockRefused) when one is
    open already. Returns (session, AttendanceDay or None) with the day's
    attendance computed at once, so the operator sees whether they are late."""
    now = now or timezone.now()
    if open_session(operator) is not None:
        raise ClockRefused(_("You are clocked in already; clock out first."))
    try:
        with transaction.atomic():
            session = ClockSession(operator=operator, clock_in=now)
            session.save()
    except IntegrityError as exc:  # a double click: the constraint has the last word
        raise ClockRefused(_("You are clocked in already; clock out first.")) from exc
    return session, _recompute_for(session, now=now)


def clock_out(*, operator, now: datetime | None = None):
    """End `operator`'s open session. Refused when none is open (or it was
    closed a moment ago in another tab). Returns (session, AttendanceDay)."""
    now = now or timezone.now()
    session = open_session(operator)
    if session is None:
        raise ClockRefused(_("You are not clocked in."))
    out = max(now, session.clock_in)
    changed = ClockSession.objects.filter(pk=session.pk, clock_out__isnull=True).update(
        clock_out=out
    )
    if changed != 1:
        raise ClockRefused(_("You are not clocked in."))
    session.clock_out = out
    return session, _recompute_for(session, now=now)


def session_day(session: ClockSession, *, now) -> date:
    """The day a session belongs to (see reports.services.attendance)."""
    from reports.services.attendance import sessions_by_day

    day = local_date(session.clock_in)
    entries = list(
        RosterEntry.objects.filter(
            operator_id=session.operator_id,
            date__range=(day - timedelta(days=1), day + timedelta(days=1)),
        ).select_related("shift_type")
    )
    return next(iter(sessions_by_day([session], entries, now=now)))


def _recompute_for(session: ClockSession, *, now):
    day = session_day(session, now=now)
    return attendance_compute(operator=session.operator, day=day, now=now)
