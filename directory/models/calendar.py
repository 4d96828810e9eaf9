"""The company's business calendar: when the company works.

Complaint deadlines ("acknowledge within 4 working hours"), message-slip
escalation ("normal: 4 hours of business time, low: the next working day") and,
later, telephone-cost flags (calls outside working hours) all count time on
this one calendar, so it is company information and lives in the directory.

A working week is a set of WorkingPeriods: each weekday has one or more spans
of working time, so breaks fall between them (lunch 12:00-13:00; on Friday a
longer break for Friday prayer). A Holiday takes a whole date out: public
holidays (seeded from the `holidays` package), collective leave (cuti bersama)
and the company's own days off. Admins add, move and remove days.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class WorkingPeriod(models.Model):
    """One span of working time on a weekday, in the company's time zone
    (settings.TIME_ZONE). Monday 08:00-12:00 and 13:00-17:00 are two periods;
    the hour between is the lunch break. A weekday with no period is a day off."""

    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    start = models.TimeField(_("from"))
    end = models.TimeField(_("until"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("working period")
        verbose_name_plural = _("working hours")
        ordering = ["weekday", "start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=F("start")),
                name="workingperiod_ends_after_start",
                violation_error_message=_("A working period must end after it starts."),
            ),
            models.UniqueConstraint(fields=["weekday", "start"], name="workingperiod_unique_start"),
        ]

    def __str__(self):
        return f"{self.get_weekday_display()} {self.start:%H:%M}-{self.end:%H:%M}"

    def clean(self):
        self._span_reported = False
        if self.start is None or self.end is None or self.weekday is None:
            return
        if self.end <= self.start:
            self._span_reported = True
            raise ValidationError({"end": _("A working period must end after it starts.")})
        clash = (
            WorkingPeriod.objects.filter(
                weekday=self.weekday, start__lt=self.end, end__gt=self.start
            )
            .exclude(pk=self.pk)
            .first()
        )
        if clash is not None:
            self._span_reported = True
            raise ValidationError(
                _("This period overlaps %(period)s: a break goes between two periods.")
                % {"period": clash}
            )

    def validate_constraints(self, exclude=None):
        # clean() has already told the admin, in words, what is wrong with the
        # span; the database constraints behind the same rules (end after start,
        # one period per start) would only say it again.
        if getattr(self, "_span_reported", False):
            exclude = {*(exclude or ()), "start", "end"}
        super().validate_constraints(exclude=exclude)

    @property
    def minutes(self) -> int:
        start = self.start.hour * 60 + self.start.minute
        return self.end.hour * 60 + self.end.minute - start


class HolidayKind(models.TextChoices):
    PUBLIC = "public", _("Public holiday")
    COLLECTIVE_LEAVE = "collective_leave", _("Collective leave (cuti bersama)")
    COMPANY = "company", _("Company day off")


class Holiday(models.Model):
    """A date on which the company does not work, whatever the weekday says.

    Seeded days remember where they came from (`source`, and `source_date`: the
    date the source gives), so a re-seed refreshes them without touching what
    an admin added; an admin who moves or removes a seeded day keeps it that
    way (a moved day keeps its source date, a removed seeded day stays,
    inactive, so the next seed does not bring it back)."""

    date = models.DateField(
        _("date"),
        unique=True,
        error_messages={"unique": _("There is already a day off on this date.")},
    )
    name = models.CharField(_("name"), max_length=150)
    kind = models.CharField(
        _("kind"), max_length=20, choices=HolidayKind.choices, default=HolidayKind.PUBLIC
    )
    active = models.BooleanField(
        _("day off"), default=True, help_text=_("Untick to work on this day after all.")
    )
    source = models.CharField(
        _("source"),
        max_length=40,
        blank=True,
        help_text=_("Where a seeded day came from; empty for days added by hand."),
    )
    source_date = models.DateField(
        _("date in the source"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("The date the source gives; differs from the date when an admin moved it."),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")
        ordering = ["date"]
        constraints = [
            # A seeded day is known by its source and the date the source gives.
            models.UniqueConstraint(
                fields=["source", "source_date"],
                condition=Q(source_date__isnull=False),
                name="holiday_once_per_source_date",
            ),
            models.CheckConstraint(
                condition=Q(source="", source_date__isnull=True)
                | (~Q(source="") & Q(source_date__isnull=False)),
                name="holiday_seeded_has_source_date",
            ),
        ]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.name}"

    @property
    def seeded(self) -> bool:
        return bool(self.source)

    @property
    def moved(self) -> bool:
        """A seeded day an admin moved to another date."""
        return self.seeded and self.source_date != self.date
