"""Call quality: the company's scorecard, the reviews supervisors write of
logged calls, a fair monthly sample of calls to review, the operator's
acknowledgement or dispute, and calibration rounds in which several reviewers
score the same call.

The score of a review, 0–100:
- an item is answered pass, fail or not applicable; a section's score is the
  weight of its passed items over the weight of its applicable items;
- the review's score is the sections' scores weighted by the sections'
  weights, over the sections that have an applicable item;
- a failed item marked "fails the whole review" (rude to the caller,
  confidential data disclosed) makes the score 0, an auto-fail.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from calls.models import Call

TEXT_MAX = 4000


class Scorecard(models.Model):
    """The questions a reviewer answers about a call, grouped in weighted
    sections. A company keeps one in use at a time; reviews keep the
    scorecard they were scored on."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    description = models.TextField(_("description"), blank=True)
    active = models.BooleanField(_("in use"), default=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("scorecard")
        verbose_name_plural = _("scorecards")
        ordering = ["-active", "name"]

    def __str__(self) -> str:
        return self.name


class ScorecardSection(models.Model):
    scorecard = models.ForeignKey(
        Scorecard, verbose_name=_("scorecard"), on_delete=models.CASCADE, related_name="sections"
    )
    name = models.CharField(_("name"), max_length=100)
    weight = models.PositiveSmallIntegerField(_("weight"), default=1)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("scorecard section")
        verbose_name_plural = _("scorecard sections")
        ordering = ["scorecard_id", "order", "id"]

    def __str__(self) -> str:
        return self.name


class ScorecardItem(models.Model):
    section = models.ForeignKey(
        ScorecardSection, verbose_name=_("section"), on_delete=models.CASCADE, related_name="items"
    )
    text = models.CharField(_("question"), max_length=300)
    guidance = models.TextField(_("guidance for reviewers"), blank=True)
    weight = models.PositiveSmallIntegerField(_("weight"), default=1)
    fails_review = models.BooleanField(
        _("fails the whole review"),
        default=False,
        help_text=_("A fail here makes the review's score 0, e.g. rude to the caller."),
    )
    allows_na = models.BooleanField(_("may be not applicable"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(_("in use"), default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("scorecard item")
        verbose_name_plural = _("scorecard items")
        ordering = ["section_id", "order", "id"]

    def __str__(self) -> str:
        return self.text


class CalibrationRound(models.Model):
    """Several reviewers score the same call on the same scorecard, each
    without seeing the others, so the company can tell whether its reviewers
    agree. The spread of their scores is the measure."""

    call = models.ForeignKey(
        Call, verbose_name=_("call"), on_delete=models.PROTECT, related_name="calibrations"
    )
    scorecard = models.ForeignKey(
        Scorecard, verbose_name=_("scorecard"), on_delete=models.PROTECT, related_name="+"
    )
    reviewers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("reviewers"), related_name="calibration_rounds"
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        verbose_name = _("calibration round")
        verbose_name_plural = _("calibration rounds")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.call}"


class ReviewKind(models.TextChoices):
    REGULAR = "regular", _("Review")
    CALIBRATION = "calibration", _("Calibration")


class ReviewStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Waiting for the operator")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    DISPUTED = "disputed", _("Disputed")
    RESOLVED = "resolved", _("Dispute decided")


REVIEW_TRANSITIONS: dict[str, set[str]] = {
    ReviewStatus.DRAFT: {ReviewStatus.SUBMITTED},
    ReviewStatus.SUBMITTED: {ReviewStatus.ACKNOWLEDGED, ReviewStatus.DISPUTED},
    ReviewStatus.ACKNOWLEDGED: set(),
    ReviewStatus.DISPUTED: {ReviewStatus.RESOLVED},
    ReviewStatus.RESOLVED: set(),
}
# Reviews whose score counts for the operator's KPIs: regular, scored and shown
# to the operator. Calibration scores measure the reviewers, not the operator.
COUNTED_REVIEW_STATUSES = (
    ReviewStatus.SUBMITTED,
    ReviewStatus.ACKNOWLEDGED,
    ReviewStatus.DISPUTED,
    ReviewStatus.RESOLVED,
)


class DisputeDecision(models.TextChoices):
    UPHELD = "upheld", _("Review stands")
    AMENDED = "amended", _("Score amended")


class Review(models.Model):
    """A reviewer's scoring of one logged call on a scorecard. `operator` and
    `call_date` copy the call's operator and local day, so the month's reviews
    of an operator are read from one index. A regular review is shown to the
    operator, who acknowledges it or disputes it with a reason; a supervisor
    decides the dispute (the review stands, or its score is amended), and the
    dispute stays on record. A call has at most one regular review."""

    call = models.ForeignKey(
        Call, verbose_name=_("call"), on_delete=models.PROTECT, related_name="reviews"
    )
    operator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("operator"),
        on_delete=models.PROTECT,
        related_name="reviews_received",
    )
    call_date = models.DateField(_("call date"))
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewer"),
        on_delete=models.PROTECT,
        related_name="reviews_written",
    )
    scorecard = models.ForeignKey(
        Scorecard, verbose_name=_("scorecard"), on_delete=models.PROTECT, related_name="reviews"
    )
    kind = models.CharField(
        _("kind"), max_length=12, choices=ReviewKind.choices, default=ReviewKind.REGULAR
    )
    calibration = models.ForeignKey(
        CalibrationRound,
        verbose_name=_("calibration round"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="reviews",
    )
    status = models.CharField(
        _("status"), max_length=12, choices=ReviewStatus.choices, default=ReviewStatus.DRAFT
    )
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=2, null=True, blank=True)
    auto_failed = models.BooleanField(_("auto-fail"), default=False)
    comment = models.TextField(_("comment"), max_length=TEXT_MAX, blank=True)
    coaching_notes = models.TextField(_("coaching notes"), max_length=TEXT_MAX, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    dispute_reason = models.TextField(_("reason for dispute"), max_length=TEXT_MAX, blank=True)
    disputed_at = models.DateTimeField(_("disputed"), null=True, blank=True)
    dispute_decision = models.CharField(
        _("decision"), max_length=10, choices=DisputeDecision.choices, blank=True
    )
    dispute_note = models.TextField(_("decision note"), max_length=TEXT_MAX, blank=True)
    dispute_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    dispute_decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    score_before_dispute = models.DecimalField(
        _("score before the dispute"), max_digits=5, decimal_places=2, null=True, blank=True
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        ordering = ["-call_date", "-id"]
        indexes = [
            models.Index(fields=["operator", "call_date"], name="review_operator_date"),
            models.Index(fields=["status", "-created_at"], name="review_status"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["call"],
                condition=Q(kind="regular"),
                name="review_one_regular_per_call",
                violation_error_message=_("This call already has a review."),
            ),
            models.UniqueConstraint(
                fields=["calibration", "reviewer"],
                condition=Q(calibration__isnull=False),
                name="review_one_per_reviewer_per_round",
                violation_error_message=_("This reviewer has already scored this round."),
            ),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | (Q(score__gte=0) & Q(score__lte=100)),
                name="review_score_0_100",
                violation_error_message=_("A score is between 0 and 100."),
            ),
            models.CheckConstraint(
                condition=(Q(kind="calibration") & Q(calibration__isnull=False))
                | (Q(kind="regular") & Q(calibration__isnull=True)),
                name="review_calibration_kind",
                violation_error_message=_("A calibration review belongs to a round."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.call} {self.score if self.score is not None else '—'}"


class AnswerChoice(models.TextChoices):
    PASS = "pass", _("Yes")
    FAIL = "fail", _("No")
    NOT_APPLICABLE = "na", _("Not applicable")


class ReviewAnswer(models.Model):
    review = models.ForeignKey(
        Review, verbose_name=_("review"), on_delete=models.CASCADE, related_name="answers"
    )
    item = models.ForeignKey(
        ScorecardItem, verbose_name=_("item"), on_delete=models.PROTECT, related_name="answers"
    )
    answer = models.CharField(_("answer"), max_length=4, choices=AnswerChoice.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)

    # A dispute decided by amending the score re-answers items: the history
    # keeps what the reviewer first answered.
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        ordering = ["review_id", "item__section__order", "item__order", "item_id"]
        constraints = [
            models.UniqueConstraint(fields=["review", "item"], name="answer_one_per_item"),
        ]

    def __str__(self) -> str:
        return f"{self.item}: {self.get_answer_display()}"


class ReviewSample(models.Model):
    """A call the system proposed for review in an operator's month: drawn at
    random, spread over the month and across the outcomes the operator logged,
    so that scores are not cherry-picked. `review` is set once the call is
    reviewed."""

    operator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("operator"),
        on_delete=models.PROTECT,
        related_name="review_samples",
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    call = models.ForeignKey(
        Call, verbose_name=_("call"), on_delete=models.CASCADE, related_name="review_samples"
    )
    proposed_at = models.DateTimeField(_("proposed"), default=timezone.now)
    review = models.OneToOneField(
        Review,
        verbose_name=_("review"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sample",
    )

    class Meta:
        verbose_name = _("review sample")
        verbose_name_plural = _("review samples")
        ordering = ["month", "operator_id", "call__started_at"]
        constraints = [
            models.UniqueConstraint(fields=["call"], name="sample_call_once"),
        ]
        indexes = [models.Index(fields=["month", "operator"], name="sample_month_operator")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.operator} {self.call_id}"
