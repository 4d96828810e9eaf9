"""The operators' KPIs: what the company measures each operator on every month
(discipline, quality, productivity, average handling time), the targets it
sets, the per-day call figures the KPIs are read from, and the supervisor's
sign-off of an operator's month for the contract review.

Calls are aggregated once per operator and local day (`OperatorDay`), so a
month's figures never scan the raw call log; today is read live.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

NOTE_MAX = 1000
SETTINGS_PK = 1


class DisciplineRule(models.TextChoices):
    ON_TIME = "on_time", _("Share of scheduled shifts worked on time")
    WORKED = "worked", _("Share of scheduled shifts worked (lateness ignored)")


def _percent(**kwargs):
    return models.DecimalField(
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
        **kwargs,
    )


class KpiSettings(models.Model):
    """The company's KPI targets, one row, kept by admins in Django admin. The
    quality target is the average review score an operator should reach
    (auto-fails count in the average with their 0, and are shown apart);
    productivity is calls handled per shift worked (call centres set 185-200);
    discipline is the share of scheduled shifts worked on time, or worked at
    all, as the company's contract says. Sick, leave and permission days are
    no scheduled shifts for discipline."""

    quality_target = _percent(verbose_name=_("quality target (average score)"), default=85)
    productivity_target = models.DecimalField(
        _("productivity target (calls per shift worked)"),
        max_digits=7,
        decimal_places=2,
        default=185,
        validators=[MinValueValidator(Decimal(0))],
    )
    discipline_rule = models.CharField(
        _("discipline rule"),
        max_length=10,
        choices=DisciplineRule.choices,
        default=DisciplineRule.ON_TIME,
    )
    discipline_target = _percent(verbose_name=_("discipline target (%)"), default=95)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("KPI settings")
        verbose_name_plural = _("KPI settings")
        constraints = [
            models.CheckConstraint(condition=models.Q(pk=SETTINGS_PK), name="kpi_settings_one_row")
        ]

    def __str__(self) -> str:
        return str(_("KPI settings"))

    def save(self, *args, **kwargs):
        self.pk = SETTINGS_PK
        super().save(*args, **kwargs)

    @classmethod
    def load(cls) -> "KpiSettings":
        """The one row, made with the defaults on first use."""
        row, _created = cls.objects.get_or_create(pk=SETTINGS_PK)
        return row


class OperatorDay(models.Model):
    """One operator's calls on one local day, aggregated from the call log by
    reports.services.operator_days (never written by hand): calls handled
    (every call the operator logged that was not deleted), the calls with a
    duration and their talk time (for the average handling time), and the
    calls by direction. Rebuilt every night for the recent days and whenever
    a call of that day is corrected or deleted."""

    operator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("operator"),
        on_delete=models.CASCADE,
        related_name="operator_days",
    )
    date = models.DateField(_("date"))
    calls_handled = models.PositiveIntegerField(_("calls handled"), default=0)
    calls_timed = models.PositiveIntegerField(_("calls with a duration"), default=0)
    talk_seconds = models.PositiveBigIntegerField(_("talk time (s)"), default=0)
    calls_in = models.PositiveIntegerField(_("incoming"), default=0)
    calls_out = models.PositiveIntegerField(_("outgoing"), default=0)
    calls_internal = models.PositiveIntegerField(_("internal"), default=0)
    built_at = models.DateTimeField(_("built"), default=timezone.now)

    class Meta:
        verbose_name = _("operator day")
        verbose_name_plural = _("operator days")
        ordering = ["-date", "operator_id"]
        constraints = [
            models.UniqueConstraint(fields=["operator", "date"], name="operator_day_once")
        ]
        indexes = [models.Index(fields=["date", "operator"], name="operator_day_date")]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.operator} {self.calls_handled}"


class OperatorDayDirty(models.Model):
    """A day whose OperatorDay is out of date because one of its calls was
    corrected, moved or deleted. Written in the same transaction as the call's
    change; a frequent scheduled job rebuilds the days and removes the marks,
    so nothing is lost when the worker is down."""

    operator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("operator"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    date = models.DateField(_("date"))
    marked_at = models.DateTimeField(_("marked"), default=timezone.now)

    class Meta:
        verbose_name = _("day to rebuild")
        verbose_name_plural = _("days to rebuild")
        ordering = ["date", "operator_id"]
        constraints = [
            models.UniqueConstraint(fields=["operator", "date"], name="operator_day_dirty_once")
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.operator}"


class SignOffStatus(models.TextChoices):
    SIGNED = "signed", _("Signed off")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class KpiSignOff(models.Model):
    """A supervisor's sign-off of one operator's KPI sheet for one month, for
    the contract review: who signed, when, a note, and the figures exactly as
    they were signed (so a later correction of a call or an attendance day
    shows as "changed since the sign-off"). A sign-off may be withdrawn with a
    reason and signed again; the history keeps every step."""

    operator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("operator"),
        on_delete=models.PROTECT,
        related_name="kpi_sign_offs",
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    status = models.CharField(
        _("status"), max_length=10, choices=SignOffStatus.choices, default=SignOffStatus.SIGNED
    )
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("signed by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    signed_at = models.DateTimeField(_("signed"), default=timezone.now)
    note = models.TextField(_("note"), max_length=NOTE_MAX, blank=True)
    figures = models.JSONField(_("figures as signed"), default=dict)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("withdrawn by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    withdraw_reason = models.TextField(_("reason for withdrawal"), max_length=NOTE_MAX, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("KPI sign-off")
        verbose_name_plural = _("KPI sign-offs")
        ordering = ["-month", "operator_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["operator", "month"],
                name="kpi_sign_off_once",
                violation_error_message=_("This month of this operator is already signed off."),
            ),
        ]
        indexes = [models.Index(fields=["month", "operator"], name="kpi_sign_off_month_op")]
        permissions = [
            ("view_kpis", _("Can see every operator's KPIs")),
            ("sign_off_kpis", _("Can sign off an operator's KPI sheet")),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.operator} {self.get_status_display()}"

    @property
    def is_signed(self) -> bool:
        return self.status == SignOffStatus.SIGNED
