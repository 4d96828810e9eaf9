"""The desk's people on the clock: the shifts a supervisor rosters, the swaps
operators arrange between them, the operators' clock-ins and -outs, and the
attendance computed from both, day by day.

A day here is the company's local day (settings.TIME_ZONE, Asia/Jakarta by
default), and a shift belongs to the day it starts: the Malam shift that runs
from 23:00 on Monday to 07:00 on Tuesday is Monday's.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

NOTE_MAX = 300


class ShiftType(models.Model):
    """A kind of shift the desk works, such as Pagi 07:00–15:00, Siang
    15:00–23:00 or Malam 23:00–07:00. An end at or before the start means the
    shift runs past midnight into the next day. The grace minutes say how late
    an operator may clock in, or how early clock out, before it counts."""

    name = models.CharField(
        _("name"),
        max_length=50,
        unique=True,
        error_messages={"unique": _("There is already a shift with this name.")},
    )
    code = models.CharField(
        _("key"),
        max_length=3,
        unique=True,
        help_text=_("One to three letters typed in the roster, e.g. P for Pagi."),
        error_messages={"unique": _("There is already a shift with this key.")},
    )
    starts_at = models.TimeField(_("starts"))
    ends_at = models.TimeField(_("ends"), help_text=_("At or before the start: the next day."))
    late_grace_minutes = models.PositiveSmallIntegerField(
        _("grace for lateness (minutes)"), default=5
    )
    early_grace_minutes = models.PositiveSmallIntegerField(
        _("grace for leaving early (minutes)"), default=5
    )
    active = models.BooleanField(_("in use"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("shift type")
        verbose_name_plural = _("shift types")
        ordering = ["order", "starts_at", "name"]

    def __str__(self) -> str:
        return f"{self.name} {self.starts_at:%H:%M}–{self.ends_at:%H:%M}"

    def clean(self):
        super().clean()
        if self.code:
            self.code = self.code.strip().upper()
            if self.code in ABSENCE_KEYS:
                raise ValidationError(
                    {
                        "code": _(
                            "C, K and I are the roster's keys for leave, sick and "
                            "permission; choose another key."
                        )
                    }
                )
            if not self.code.isalpha():
                raise ValidationError({"code": _("A shift key is made of letters only.")})
        if self.starts_at is not None and self.starts_at == self.ends_at:
            raise ValidationError({"ends_at": _("A shift cannot end when it starts.")})

    @property
    def crosses_midnight(self) -> bool:
        return self.ends_at <= self.starts_at

    @property
    def duration(self) -> timedelta:
        start = self.starts_at.hour * 60 + self.starts_at.minute
        end = self.ends_at.hour * 60 + self.ends_at.minute
        if self.crosses_midnight:
            end += 24 * 60
        return timedelta(minutes=end - start)

    def span(self, day) -> tuple[datetime, datetime]:
        """The shift's start and end on `day` (the day it starts), aware, in
        the company's time zone."""
        zone = timezone.get_default_timezone()
        start = datetime.combine(day, self.starts_at, tzinfo=zone)
        end_day = day + timedelta(days=1) if self.crosses_midnight else day
        end = datetime.combine(end_day, self.ends_at, tzinfo=zone)
        return start, end


class RosterKind(models.TextChoices):
    SHIFT = "shift", _("Shift")
    LEAVE = "leave", _("Leave")
    SICK = "sick", _("Sick")
    PERMISSION = "permission", _("Permission (izin)")


# Days an operator is rostered away. Each is counted apart: a sick day is not
# a discipline fault.
ABSENCE_KINDS = (RosterKind.LEAVE, RosterKind.SICK, RosterKind.PERMISSION)

# The keys a supervisor types in the roster for a day away (Bahasa Indonesia:
# Cuti, saKit, Izin). Shift keys may not be one of them.
ABSENCE_KEYS = {"C": RosterKind.LEAVE, "K": RosterKind.SICK, "I": RosterKind.PERMISSION}


class RosterEntry(models.Model):
    """One operator's plan for one day: a shift of some type, or a day away
    (leave, sick, permission). No entry is a day off. A supervisor fills the
    week; an approved swap changes who works an entry, and the history keeps
    what was planned before."""

    operator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("operator"),
        on_delete=models.PROTECT,
        related_name="roster_entries",
    )
    date = models.DateField(_("date"))
    kind = models.CharField(
        _("kind"), max_length=12, choices=RosterKind.choices, default=RosterKind.SHIFT
    )
    shift_type = models.ForeignKey(
        ShiftType,
        verbose_name=_("shift"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="entries",
    )
    note = models.CharField(_("note"), max_length=NOTE_MAX, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("roster entry")
        verbose_name_plural = _("roster entries")
        ordering = ["date", "operator_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["operator", "date"],
                name="roster_one_entry_per_day",
                violation_error_message=_("This operator already has an entry on this day."),
            ),
            models.CheckConstraint(
                condition=(Q(kind="shift") & Q(shift_type__isnull=False))
                | (~Q(kind="shift") & Q(shift_type__isnull=True)),
                name="roster_shift_has_type",
                violation_error_message=_("A shift needs its shift type; a day away has none."),
            ),
        ]
        indexes = [models.Index(fields=["date", "operator"], name="roster_date_operator")]

    def __str__(self) -> str:
        what = self.shift_type.name if self.shift_type_id else self.get_kind_display()
        return f"{self.date:%Y-%m-%d} {self.operator} {what}"

    def clean(self):
        super().clean()
        if self.kind == RosterKind.SHIFT and not self.shift_type_id:
            raise ValidationError({"shift_type": _("Choose the shift.")})
        if self.kind != RosterKind.SHIFT and self.shift_type_id:
            raise ValidationError({"shift_type": _("A day away has no shift.")})

    def span(self) -> tuple[datetime, datetime] | None:
        return self.shift_type.span(self.date) if self.shift_type_id else None


class SwapStatus(models.TextChoices):
    REQUESTED = "requested", _("Asked")
    ACCEPTED = "accepted", _("Accepted by colleague")
    DECLINED = "declined", _("Declined by colleague")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused by supervisor")
    CANCELLED = "cancelled", _("Cancelled")


# requested → accepted (colleague) → approved (supervisor), with a way out at
# each step. Only an approved swap changes the roster.
SWAP_TRANSITIONS: dict[str, set[str]] = {
    SwapStatus.REQUESTED: {SwapStatus.ACCEPTED, SwapStatus.DECLINED, SwapStatus.CANCELLED},
    SwapStatus.ACCEPTED: {SwapStatus.APPROVED, SwapStatus.REFUSED, SwapStatus.CANCELLED},
    SwapStatus.DECLINED: set(),
    SwapStatus.APPROVED: set(),
    SwapStatus.REFUSED: set(),
    SwapStatus.CANCELLED: set(),
}
OPEN_SWAP_STATUSES = (SwapStatus.REQUESTED, SwapStatus.ACCEPTED)


class ShiftSwap(models.Model):
    """An operator asks a colleague to take one of their shifts, either in
    exchange for one of the colleague's (both entries change hands) or as a
    favour (the colleague's day is free). The colleague accepts, a supervisor
    approves, and only then does the roster change."""

    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("asked by"),
        on_delete=models.PROTECT,
        related_name="swaps_asked",
    )
    requester_entry = models.ForeignKey(
        RosterEntry,
        verbose_name=_("shift given"),
        on_delete=models.CASCADE,
        related_name="swaps_given",
    )
    colleague = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("colleague"),
        on_delete=models.PROTECT,
        related_name="swaps_offered",
    )
    colleague_entry = models.ForeignKey(
        RosterEntry,
        verbose_name=_("shift taken in exchange"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="swaps_taken",
    )
    reason = models.CharField(_("reason"), max_length=NOTE_MAX, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=SwapStatus.choices, default=SwapStatus.REQUESTED
    )
    requested_at = models.DateTimeField(_("asked"), default=timezone.now)
    responded_at = models.DateTimeField(_("answered"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decision_note = models.CharField(_("supervisor's note"), max_length=NOTE_MAX, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("shift swap")
        verbose_name_plural = _("shift swaps")
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["status", "-requested_at"], name="swap_status")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(requester=F("colleague")),
                name="swap_not_with_oneself",
                violation_error_message=_("A swap needs a colleague other than yourself."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.requester} → {self.colleague} ({self.get_status_display()})"


class ClockSession(models.Model):
    """An operator's time at the desk, from clocking in to clocking out. An
    operator has at most one open session. Sessions are the raw facts that
    attendance is computed from; supervisors correct the attendance, never
    these, so the clock's record stays as it was."""

    operator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("operator"),
        on_delete=models.PROTECT,
        related_name="clock_sessions",
    )
    clock_in = models.DateTimeField(_("clocked in"))
    clock_out = models.DateTimeField(_("clocked out"), null=True, blank=True)

    class Meta:
        verbose_name = _("clock session")
        verbose_name_plural = _("clock sessions")
        ordering = ["-clock_in", "-id"]
        indexes = [models.Index(fields=["operator", "clock_in"], name="clock_operator_in")]
        constraints = [
            models.UniqueConstraint(
                fields=["operator"],
                condition=Q(clock_out__isnull=True),
                name="clock_one_open_session",
                violation_error_message=_("This operator is already clocked in."),
            ),
            models.CheckConstraint(
                condition=Q(clock_out__isnull=True) | Q(clock_out__gte=F("clock_in")),
                name="clock_out_not_before_in",
                violation_error_message=_("Clocking out cannot be before clocking in."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.operator} {self.clock_in:%Y-%m-%d %H:%M}"


class AttendanceStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")  # the shift has not ended yet
    PRESENT = "present", _("Present")
    ABSENT = "absent", _("Absent")
    LEAVE = "leave", _("On leave")
    SICK = "sick", _("Sick")
    PERMISSION = "permission", _("Permission (izin)")
    UNSCHEDULED = "unscheduled", _("Unscheduled work")


class AttendanceDay(models.Model):
    """One operator's attendance on one day, computed from the roster and the
    clock: present (and how many minutes late, or left early, beyond the
    shift's grace), absent, away on leave, sick or with permission, or working
    a day with no shift rostered. Minutes late are counted from the shift's
    start once they pass the grace. A supervisor may correct a day with a
    reason; a corrected day is not recomputed, and the history keeps both."""

    operator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("operator"),
        on_delete=models.PROTECT,
        related_name="attendance_days",
    )
    date = models.DateField(_("date"))
    roster_entry = models.ForeignKey(
        RosterEntry,
        verbose_name=_("roster entry"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="attendance",
    )
    shift_type = models.ForeignKey(
        ShiftType,
        verbose_name=_("shift"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    scheduled_start = models.DateTimeField(_("scheduled start"), null=True, blank=True)
    scheduled_end = models.DateTimeField(_("scheduled end"), null=True, blank=True)
    first_in = models.DateTimeField(_("first in"), null=True, blank=True)
    last_out = models.DateTimeField(_("last out"), null=True, blank=True)
    worked_minutes = models.PositiveIntegerField(_("minutes worked"), default=0)
    status = models.CharField(_("status"), max_length=12, choices=AttendanceStatus.choices)
    late_minutes = models.PositiveIntegerField(_("minutes late"), default=0)
    early_minutes = models.PositiveIntegerField(_("minutes left early"), default=0)
    corrected = models.BooleanField(_("corrected"), default=False)
    correction_reason = models.CharField(
        _("reason for correction"), max_length=NOTE_MAX, blank=True
    )
    corrected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("corrected by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    corrected_at = models.DateTimeField(_("corrected"), null=True, blank=True)
    computed_at = models.DateTimeField(_("computed"), default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("attendance day")
        verbose_name_plural = _("attendance days")
        ordering = ["-date", "operator_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["operator", "date"],
                name="attendance_one_per_day",
                violation_error_message=_("This operator already has attendance on this day."),
            ),
        ]
        indexes = [
            models.Index(fields=["date", "status"], name="attendance_date_status"),
            models.Index(fields=["operator", "date"], name="attendance_operator_date"),
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.operator} {self.get_status_display()}"

    @property
    def is_late(self) -> bool:
        return self.late_minutes > 0

    @property
    def on_time(self) -> bool:
        """Worked the rostered shift, neither late nor gone early."""
        return (
            self.status == AttendanceStatus.PRESENT
            and self.late_minutes == 0
            and self.early_minutes == 0
        )
