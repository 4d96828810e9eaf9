"""The daily recap of the desk's work and the shift handover.

Every night a Celery task builds the DailyRecap of the day from the database
with aggregate queries (reports.services.recap); the supervisor reviews it,
comments, signs it off. At the end of a shift the operator hands over with
their shift's recap and a note that the incoming operator acknowledges.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

TEXT_MAX = 4000


class RecapStatus(models.TextChoices):
    BUILT = "built", _("Built")
    REVIEWED = "reviewed", _("Reviewed")
    SIGNED_OFF = "signed_off", _("Signed off")
    REBUILT = "rebuilt", _("Rebuilt after sign-off")


class DailyRecap(models.Model):
    """The day's figures, one recap per local date: calls by hour, direction,
    outcome, category, department and operator; missed calls and call-backs;
    repeat callers and first-call resolution; messages and complaints;
    attendance; QA reviews; phone-line incidents; the busiest hour; each
    against the same weekday's average of the last eight weeks. `figures` is
    the JSON the build service writes (its module documents the keys); a
    rebuild gives the same figures for the same data.

    A signed-off recap keeps `signed_figures`, the figures as signed; it is
    rebuilt only on purpose, with a reason, and then shows as rebuilt after
    sign-off until it is signed again. The history keeps every version."""

    date = models.DateField(_("date"), unique=True)
    status = models.CharField(
        _("status"), max_length=12, choices=RecapStatus.choices, default=RecapStatus.BUILT
    )
    figures = models.JSONField(_("figures"), default=dict)
    built_at = models.DateTimeField(_("built"), default=timezone.now)
    build_ms = models.PositiveIntegerField(_("build time (ms)"), default=0)
    builds = models.PositiveIntegerField(_("times built"), default=1)
    comment = models.TextField(_("supervisor's comment"), max_length=TEXT_MAX, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("signed off by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    signed_at = models.DateTimeField(_("signed off"), null=True, blank=True)
    signed_figures = models.JSONField(_("figures as signed"), null=True, blank=True)
    rebuild_reason = models.CharField(_("reason for the rebuild"), max_length=300, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    # When the supervisors were e-mailed about the nightly build: claimed with
    # a conditional update, so a retried task never e-mails them twice.
    notified_at = models.DateTimeField(_("supervisors e-mailed"), null=True, blank=True)

    history = HistoricalRecords(excluded_fields=["build_ms", "notified_at"])

    class Meta:
        verbose_name = _("daily recap")
        verbose_name_plural = _("daily recaps")
        ordering = ["-date"]
        indexes = [models.Index(fields=["status", "-date"], name="recap_status_date")]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d}"


class ShiftHandover(models.Model):
    """What an operator hands over at the end of a shift: their shift's recap
    (their calls, messages and complaints, as figures) and a note for the
    next shift, which the incoming operator acknowledges."""

    operator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("operator"),
        on_delete=models.PROTECT,
        related_name="handovers",
    )
    date = models.DateField(_("date"))
    shift_type = models.ForeignKey(
        "reports.ShiftType",
        verbose_name=_("shift"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    period_start = models.DateTimeField(_("from"))
    period_end = models.DateTimeField(_("to"))
    figures = models.JSONField(_("figures"), default=dict)
    note = models.TextField(_("note for the next shift"), max_length=TEXT_MAX, blank=True)
    created_at = models.DateTimeField(_("handed over"), default=timezone.now)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("acknowledged by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="handovers_received",
    )
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("shift handover")
        verbose_name_plural = _("shift handovers")
        ordering = ["-period_end", "-id"]
        indexes = [
            models.Index(
                fields=["-period_end"],
                condition=Q(acknowledged_at__isnull=True),
                name="handover_waiting",
            ),
            models.Index(fields=["operator", "-date"], name="handover_operator_date"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["operator", "period_start"],
                name="handover_once_per_shift",
                violation_error_message=_("This shift has been handed over already."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.operator}"
