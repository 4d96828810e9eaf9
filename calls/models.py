"""Everything that happened on the phone: each call the desk answered or placed,
who called, who they asked for, what the operator did with it."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField
from simple_history.models import HistoricalRecords

from directory.models import Department, Extension, ExtensionKind, InfoEntry, Staff

# Text limits: generous for a desk, small enough that nobody pastes a novel.
NAME_MAX = 150
NOTES_MAX = 2000
EXTENSION_MAX = 8  # switchboard.phones.EXTENSION_MAX_DIGITS

# Times a call may have. Nothing the desk logs is older than the floor (a typo such
# as 0001-01-01 once stored a BC date that every page then failed to show); nothing
# starts or ends in the future, beyond a clock skew between the desk's PCs and the
# server; and no call lasts more than a day. The floor is midnight starting 2000 in
# the company's home zone, a fixed instant, so that the database constraint does
# not change with settings.TIME_ZONE.
CALL_TIME_FLOOR = datetime(2000, 1, 1, tzinfo=ZoneInfo("Asia/Jakarta"))
CLOCK_SKEW = timedelta(minutes=1)
MAX_CALL_SECONDS = 24 * 60 * 60


class CallCategory(models.Model):
    """What a call is about ("tagihan", "lowongan kerja"), kept by admins. A
    category may name the department such calls usually go to."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    default_department = models.ForeignKey(
        Department,
        verbose_name=_("default department"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="call_categories",
    )
    active = models.BooleanField(_("active"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("call category")
        verbose_name_plural = _("call categories")
        ordering = ["position", "name"]

    def __str__(self):
        return self.name


class CallerKind(models.TextChoices):
    CUSTOMER = "customer", _("Customer")
    PROSPECT = "prospect", _("Prospect")
    VENDOR = "vendor", _("Vendor")
    GUEST = "guest", _("Guest")
    EMPLOYEE = "employee", _("Employee")
    UNKNOWN = "unknown", _("Unknown")


class Caller(models.Model):
    """A telephone number that has called or been called, with the name and
    company the desk last heard for it, so the next call fills them in."""

    number = PhoneNumberField(_("number"), unique=True)
    name = models.CharField(_("name"), max_length=NAME_MAX, blank=True)
    company = models.CharField(_("company"), max_length=NAME_MAX, blank=True)
    kind = models.CharField(
        _("kind"), max_length=10, choices=CallerKind.choices, default=CallerKind.UNKNOWN
    )
    first_call_at = models.DateTimeField(_("first call"), null=True, blank=True)
    last_call_at = models.DateTimeField(_("last call"), null=True, blank=True)
    call_count = models.PositiveIntegerField(_("calls"), default=0)

    class Meta:
        verbose_name = _("caller")
        verbose_name_plural = _("callers")
        ordering = ["-last_call_at"]

    def __str__(self):
        label = self.name or self.number.as_national
        return f"{label} ({self.company})" if self.company else label

    def get_absolute_url(self):
        return reverse("calls:caller-detail", args=[self.pk])


class Direction(models.TextChoices):
    INCOMING = "in", _("Incoming")
    OUTGOING = "out", _("Outgoing")
    INTERNAL = "internal", _("Internal")


class Outcome(models.TextChoices):
    TRANSFERRED = "transferred", _("Transferred")
    ANSWERED = "answered", _("Answered by operator")
    MESSAGE = "message", _("Message taken")
    COMPLAINT = "complaint", _("Complaint")
    NO_ANSWER = "no_answer", _("No answer / voicemail")
    WRONG_NUMBER = "wrong_number", _("Wrong number")
    NUISANCE = "nuisance", _("Nuisance call")
    CALL_BACK = "call_back", _("Call back later")
    CONNECTED = "connected", _("Connected")  # an outgoing call that got through


# Which outcomes make sense for which direction: an outgoing call either got
# through or did not; "connected" means nothing for a call the desk received.
OUTGOING_OUTCOMES = (Outcome.CONNECTED, Outcome.NO_ANSWER)
OUTCOMES_NEEDING_PURPOSE = (Outcome.MESSAGE, Outcome.COMPLAINT)


class ChangeReason(models.TextChoices):
    """Why a call's history row was written, stored as a stable code and shown
    in the reader's language (rows written before the codes keep their text)."""

    CORRECTED = "corrected", _("corrected")
    DELETED = "deleted", _("deleted")
    # Written by migration 0002 for a call whose times were out of bounds.
    RESTORED = "restored", _("times restored from the history")


# Every relation a call's own pages name: the detail page, and the correction
# form (its "Now: ..." hints), joined in the query that loads the call.
CALL_DETAIL_RELATED = (
    "operator",
    "caller",
    "category",
    "asked_for_staff",
    "asked_for_department",
    "transferred_to",
    "transferred_to__staff",
    "transferred_to__department",
    "requested_by",
    "info_entry",
    "deleted_by",
)


def _desk_number(staff_ref: str):
    """The first extension number of the person in `staff_ref`, desk phones first
    (as the directory search lists them), as a subquery."""
    numbers = Extension.objects.filter(staff=models.OuterRef(staff_ref)).order_by(
        models.Case(
            models.When(kind=ExtensionKind.DESK, then=models.Value(0)),
            default=models.Value(1),
            output_field=models.IntegerField(),
        ),
        "number",
    )
    return models.Subquery(numbers.values("number")[:1])


class CallQuerySet(models.QuerySet):
    def live(self):
        """Calls not deleted by a supervisor."""
        return self.filter(deleted_at__isnull=True)

    def for_correction(self):
        """Live calls with what the correction page's pickers show for the
        current choices ("Budi Santoso · Keuangan · 2104"), in one query."""
        return (
            self.live()
            .select_related(
                *CALL_DETAIL_RELATED,
                "asked_for_staff__department",
                "requested_by__department",
                "transferred_to__staff__department",
            )
            .annotate(
                asked_for_staff_extension=_desk_number("asked_for_staff"),
                requested_by_extension=_desk_number("requested_by"),
            )
        )

    def for_log_table(self):
        """Live calls with exactly the relations a row of the log table
        (calls.tables.CallTable) shows, in one query. Not the extension a call
        went to: the table leaves it out, and it would be one more join to plan."""
        return self.live().select_related(
            "operator",
            "caller",
            "category",
            "asked_for_staff",
            "asked_for_department",
        )


class Call(models.Model):
    """One call through the desk. Incoming: someone rings the company and the
    operator transfers them, answers from the approved answers, takes a message
    or a complaint, or deals with a wrong number or a nuisance. Outgoing: the
    operator dials out for a staff member. Internal: staff ringing the desk.
    The log is the supervisor's evidence of the desk's work, so a correction is
    kept in the history and a deletion leaves a trace."""

    direction = models.CharField(
        _("direction"), max_length=10, choices=Direction.choices, default=Direction.INCOMING
    )
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    duration_seconds = models.PositiveIntegerField(_("duration (s)"), null=True, blank=True)
    operator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("operator"),
        on_delete=models.PROTECT,
        related_name="calls",
    )
    caller = models.ForeignKey(
        Caller,
        verbose_name=_("caller"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="calls",
    )
    number_withheld = models.BooleanField(_("number withheld"), default=False)
    # "021-5551234 ext 12": the caller's main number is the Caller's; the
    # extension they gave belongs to this call.
    # The database default serves rows written outside the ORM (bulk loads).
    caller_extension = models.CharField(
        _("caller's extension"), max_length=EXTENSION_MAX, blank=True, default="", db_default=""
    )
    caller_name = models.CharField(_("caller name"), max_length=NAME_MAX, blank=True)
    caller_company = models.CharField(_("company"), max_length=NAME_MAX, blank=True)
    caller_kind = models.CharField(
        _("caller kind"), max_length=10, choices=CallerKind.choices, default=CallerKind.UNKNOWN
    )
    asked_for_staff = models.ForeignKey(
        Staff,
        verbose_name=_("asked for"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="calls_asked_for",
    )
    asked_for_department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="calls",
    )
    transferred_to = models.ForeignKey(
        Extension,
        verbose_name=_("transferred to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="transfers",
    )
    category = models.ForeignKey(
        CallCategory,
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="calls",
    )
    purpose = models.CharField(_("purpose"), max_length=300, blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices)
    info_entry = models.ForeignKey(
        InfoEntry,
        verbose_name=_("answer given"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="calls",
    )
    # Outgoing calls placed for a staff member.
    requested_by = models.ForeignKey(
        Staff,
        verbose_name=_("requested by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="calls_requested",
    )
    is_personal = models.BooleanField(_("personal call"), default=False)
    notes = models.TextField(_("notes"), max_length=NOTES_MAX, blank=True)
    deleted_at = models.DateTimeField(_("deleted"), null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("deleted by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    delete_reason = models.CharField(_("reason for deletion"), max_length=300, blank=True)

    history = HistoricalRecords()
    objects = CallQuerySet.as_manager()

    class Meta:
        verbose_name = _("call")
        verbose_name_plural = _("calls")
        ordering = ["-started_at", "-id"]
        indexes = [
            models.Index(fields=["-started_at", "-id"], name="call_started"),
            models.Index(fields=["operator", "-started_at"], name="call_operator_started"),
            models.Index(fields=["outcome", "-started_at"], name="call_outcome_started"),
            models.Index(fields=["direction", "-started_at"], name="call_direction_started"),
            models.Index(fields=["category", "-started_at"], name="call_category_started"),
            models.Index(
                fields=["asked_for_department", "-started_at"], name="call_department_started"
            ),
            models.Index(fields=["asked_for_staff", "-started_at"], name="call_staff_started"),
            models.Index(fields=["caller", "-started_at"], name="call_caller_started"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_at__gte=F("started_at")),
                name="call_end_not_before_start",
                violation_error_message=_("The end of a call cannot be before its start."),
            ),
            # The bounds Call.clean() checks, kept by the table too (the future
            # cannot be: it moves). The end is bounded through the start and the
            # duration, which the services compute from both.
            models.CheckConstraint(
                condition=Q(started_at__gte=CALL_TIME_FLOOR),
                name="call_started_after_floor",
                violation_error_message=_("A call cannot start before the year 2000."),
            ),
            models.CheckConstraint(
                condition=Q(duration_seconds__isnull=True)
                | Q(duration_seconds__lte=MAX_CALL_SECONDS),
                name="call_at_most_a_day_long",
                violation_error_message=_("A call cannot last more than a day."),
            ),
        ]
        permissions = [
            ("correct_any_call", _("Can correct any operator's call")),
            ("export_call", _("Can export the call log")),
        ]

    def __str__(self):
        return (
            f"{self.get_direction_display()} {timezone.localtime(self.started_at):%Y-%m-%d %H:%M}"
        )

    def get_absolute_url(self):
        return reverse("calls:call-detail", args=[self.pk])

    def full_clean(self, *args, now=None, **kwargs):
        """Model.full_clean, with the moment "now" is for the future-time rule
        (services pass theirs; the admin and forms use the clock)."""
        self._clean_now = now
        try:
            super().full_clean(*args, **kwargs)
        finally:
            del self._clean_now

    def clean(self):
        """The rules every call obeys, whoever writes it: the console, a
        correction, the admin or an import (they all run full_clean through
        calls.services). Errors are on the field the user would fix."""
        errors = {}
        self._clean_times(errors, now=getattr(self, "_clean_now", None) or timezone.now())
        self._clean_outcome(errors)
        if errors:
            raise ValidationError(errors)

    def _clean_times(self, errors: dict, *, now) -> None:
        latest = now + CLOCK_SKEW
        floor = timezone.localtime(CALL_TIME_FLOOR)
        floor = f"{floor:%Y-%m-%d}" if floor.time() == time.min else f"{floor:%Y-%m-%d %H:%M}"
        for name, value in (("started_at", self.started_at), ("ended_at", self.ended_at)):
            if value is None:
                continue
            if value < CALL_TIME_FLOOR:
                errors[name] = _("A call cannot be before %(floor)s.") % {"floor": floor}
            elif value > latest:
                errors[name] = (
                    _("A call cannot start in the future.")
                    if name == "started_at"
                    else _("A call cannot end in the future.")
                )
        floor_errors = any(
            v is not None and v < CALL_TIME_FLOOR for v in (self.started_at, self.ended_at)
        )
        if floor_errors or "ended_at" in errors or not (self.started_at and self.ended_at):
            return  # a time before the floor says enough
        if self.ended_at < self.started_at:
            errors["ended_at"] = _("The end of a call cannot be before its start.")
        elif (self.ended_at - self.started_at).total_seconds() > MAX_CALL_SECONDS:
            errors["ended_at"] = _("A call cannot last more than a day.")

    def _clean_outcome(self, errors: dict) -> None:
        direction, outcome = self.direction, self.outcome
        if direction == Direction.OUTGOING and outcome and outcome not in OUTGOING_OUTCOMES:
            errors["outcome"] = _("An outgoing call is either connected or not answered.")
        elif direction != Direction.OUTGOING and outcome == Outcome.CONNECTED:
            errors["outcome"] = _("Only an outgoing call is connected.")
        if outcome == Outcome.TRANSFERRED and not self.transferred_to_id:
            errors["transferred_to"] = _("Choose the extension the call went to.")
        purpose = (self.purpose or "").strip()
        if outcome in OUTCOMES_NEEDING_PURPOSE and not purpose:
            errors["purpose"] = _("Write down the message or complaint.")
        elif outcome == Outcome.ANSWERED and not purpose and not self.info_entry_id:
            errors["purpose"] = _(
                "Write down what the caller was told, or choose the answer given."
            )
        if direction == Direction.OUTGOING and not self.requested_by_id:
            errors["requested_by"] = _("Choose who asked for the call.")

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


class IncidentKind(models.TextChoices):
    OUTAGE = "outage", _("Line down")
    NO_DIAL_TONE = "no_dial_tone", _("No dial tone")
    DROPPED_CALLS = "dropped_calls", _("Calls dropping")
    POOR_AUDIO = "poor_audio", _("Noise or one-way audio")
    CANNOT_TRANSFER = "cannot_transfer", _("Transfers failing")
    EQUIPMENT = "equipment", _("Desk equipment (console, headset)")
    OTHER = "other", _("Other")


class PhoneLineIncident(models.Model):
    """An outage or a fault on the company's phone lines, logged by a
    supervisor: which line or trunk, from when to when, what failed, who was
    called about it (the technician, the provider) and their ticket number.
    An incident without an end is open: the console and the dashboard show
    it, so every operator knows why callers cannot get through; a closed one
    goes into the day's recap with its duration."""

    line = models.CharField(
        _("line or trunk"), max_length=100, help_text=_('E.g. "Trunk 1 (Telkom)", "ISDN 2".')
    )
    kind = models.CharField(
        _("what failed"), max_length=20, choices=IncidentKind.choices, default=IncidentKind.OUTAGE
    )
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    description = models.TextField(_("what happened"), max_length=NOTES_MAX, blank=True)
    contacted = models.CharField(
        _("technician or provider contacted"), max_length=NAME_MAX, blank=True
    )
    ticket_reference = models.CharField(_("their ticket reference"), max_length=60, blank=True)
    notes = models.TextField(_("notes"), max_length=NOTES_MAX, blank=True)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("logged by"),
        on_delete=models.PROTECT,
        related_name="incidents_logged",
    )
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("logged"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("phone-line incident")
        verbose_name_plural = _("phone-line incidents")
        ordering = ["-started_at", "-id"]
        indexes = [
            models.Index(fields=["-started_at"], name="incident_started"),
            models.Index(
                fields=["started_at"],
                condition=Q(ended_at__isnull=True),
                name="incident_open",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_at__gte=F("started_at")),
                name="incident_end_not_before_start",
                violation_error_message=_("An incident cannot end before it started."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.line}: {self.get_kind_display()} ({self.started_at:%Y-%m-%d %H:%M})"

    def clean(self):
        super().clean()
        latest = timezone.now() + CLOCK_SKEW
        errors = {}
        if self.started_at and self.started_at > latest:
            errors["started_at"] = _("An incident cannot start in the future.")
        elif self.started_at and self.started_at < CALL_TIME_FLOOR:
            errors["started_at"] = _("An incident cannot be before 2000.")
        if self.ended_at and self.ended_at > latest:
            errors["ended_at"] = _("An incident cannot end in the future.")
        elif self.ended_at and self.started_at and self.ended_at < self.started_at:
            errors["ended_at"] = _("An incident cannot end before it started.")
        if errors:
            raise ValidationError(errors)

    @property
    def is_open(self) -> bool:
        return self.ended_at is None

    def duration(self, now=None) -> timedelta:
        """How long the line was (or has been, while open) down."""
        return (self.ended_at or now or timezone.now()) - self.started_at
