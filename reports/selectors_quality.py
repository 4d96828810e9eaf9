"""Reads for call quality: the review list, one review with its answers by
section, the operator's own reviews, the month's sample with its progress and
calibration rounds with their spread. Each is a fixed number of queries,
whatever the number of rows."""

import statistics
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import Count, Prefetch, Q

from calls.models import Call
from reports.models import (
    CalibrationRound,
    Review,
    ReviewAnswer,
    ReviewKind,
    ReviewSample,
    ReviewStatus,
)
from reports.models.quality import COUNTED_REVIEW_STATUSES
from reports.services.quality import scorecard_items
from switchboard.roles import OPERATOR, SUPERVISOR

REVIEW_ROW_RELATED = ("call", "operator", "reviewer")


def review_list_rows():
    """Regular reviews for the supervisors' list, with what a row shows."""
    return Review.objects.filter(kind=ReviewKind.REGULAR).select_related(*REVIEW_ROW_RELATED)


def _answers_prefetch():
    return Prefetch(
        "answers",
        queryset=ReviewAnswer.objects.select_related("item__section").order_by(
            "item__section__order", "item__section_id", "item__order", "item_id"
        ),
    )


def review_detail_queryset():
    return Review.objects.select_related(
        "call",
        "call__caller",
        "call__category",
        "call__asked_for_staff",
        "call__asked_for_department",
        "operator",
        "reviewer",
        "scorecard",
        "dispute_decided_by",
        "calibration",
    ).prefetch_related(_answers_prefetch())


@dataclass
class SectionAnswers:
    name: str
    weight: int
    score: Decimal | None = None
    answers: list = field(default_factory=list)


def answers_by_section(review: Review) -> list[SectionAnswers]:
    """The review's answers grouped by section (from the prefetched answers),
    with each section's score."""
    from reports import scoring
    from reports.services.quality import scoring_items

    answers = list(review.answers.all())
    items = [a.item for a in answers]
    result = scoring.score(scoring_items(items), {a.item_id: a.answer for a in answers})
    sections: dict[int, SectionAnswers] = {}
    for answer in answers:
        section = answer.item.section
        if section.pk not in sections:
            sections[section.pk] = SectionAnswers(
                name=section.name,
                weight=section.weight,
                score=result.section_scores.get(section.pk),
            )
        sections[section.pk].answers.append(answer)
    return list(sections.values())


def scorecard_sections(scorecard) -> list[dict]:
    """The scorecard's sections in use with their items, for the form."""
    sections: dict[int, dict] = {}
    for item in scorecard_items(scorecard):
        entry = sections.setdefault(item.section_id, {"section": item.section, "items": []})
        entry["items"].append(item)
    return list(sections.values())


def my_reviews(user):
    """The operator's own regular reviews that were submitted to them (never a
    draft, never a calibration review), newest first, with their answers."""
    return (
        Review.objects.filter(
            operator=user, kind=ReviewKind.REGULAR, status__in=COUNTED_REVIEW_STATUSES
        )
        .select_related("call", "reviewer", "dispute_decided_by")
        .prefetch_related(_answers_prefetch())
        .order_by("-submitted_at", "-pk")
    )


def call_for_review(call_id: int) -> Call | None:
    return Call.objects.for_correction().filter(pk=call_id).first()


def supervisors():
    """Who may review and calibrate: active users with the Supervisor role."""
    return (
        get_user_model()
        .objects.filter(groups__name=SUPERVISOR, is_active=True)
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


def operators():
    return (
        get_user_model()
        .objects.filter(groups__name=OPERATOR)
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


# The month's sample ---------------------------------------------------------------


@dataclass
class SampleProgress:
    operator: object
    total: int
    reviewed: int
    pending: list  # sample rows not reviewed yet (with their call)

    @property
    def percent(self) -> int:
        return round(100 * self.reviewed / self.total) if self.total else 0


def sample_progress(month: date) -> list[SampleProgress]:
    """Each operator's sample for `month`: how many calls, how many reviewed
    (a review submitted, not a draft) and the calls still to review. Two queries."""
    rows = list(
        ReviewSample.objects.filter(month=month)
        .select_related("operator", "call", "review")
        .order_by("operator__first_name", "operator__username", "operator_id", "call__started_at")
    )
    progress: dict[int, SampleProgress] = {}
    for row in rows:
        entry = progress.setdefault(
            row.operator_id, SampleProgress(operator=row.operator, total=0, reviewed=0, pending=[])
        )
        entry.total += 1
        if row.review_id and row.review.status != ReviewStatus.DRAFT:
            entry.reviewed += 1
        else:
            entry.pending.append(row)
    return list(progress.values())


# Calibration ----------------------------------------------------------------------


@dataclass
class Spread:
    count: int
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    range: Decimal | None = None
    stdev: Decimal | None = None


def spread(scores) -> Spread:
    """Min, max, range and (population) standard deviation of the scores."""
    values = [Decimal(s) for s in scores if s is not None]
    if not values:
        return Spread(count=0)
    deviation = Decimal(str(statistics.pstdev([float(v) for v in values]))).quantize(
        Decimal("0.01")
    )
    return Spread(
        count=len(values),
        minimum=min(values),
        maximum=max(values),
        range=max(values) - min(values),
        stdev=deviation,
    )


def _submitted(round_) -> list[Review]:
    return [r for r in round_.reviews.all() if r.status == ReviewStatus.SUBMITTED]


def calibration_list():
    """Every round, newest first, with its call, reviewers and their reviews;
    `round.spread` from the submitted scores. Four queries."""
    rounds = list(
        CalibrationRound.objects.select_related("call", "call__operator", "created_by")
        .prefetch_related("reviewers", "reviews")
        .annotate(submitted=Count("reviews", filter=Q(reviews__status=ReviewStatus.SUBMITTED)))
    )
    for round_ in rounds:
        round_.spread = spread(r.score for r in _submitted(round_))
    return rounds


def calibration_detail(round_id: int) -> CalibrationRound | None:
    return (
        CalibrationRound.objects.select_related(
            "call", "call__operator", "call__caller", "call__category", "created_by", "scorecard"
        )
        .prefetch_related(
            "reviewers",
            Prefetch(
                "reviews",
                queryset=Review.objects.select_related("reviewer").prefetch_related(
                    _answers_prefetch()
                ),
            ),
        )
        .filter(pk=round_id)
        .first()
    )


@dataclass
class ItemAgreement:
    item: object
    answers: list  # per reviewer (in the order of `reviews`), None when not answered
    agreed: bool


def calibration_agreement(round_: CalibrationRound) -> tuple[list[Review], Spread, list]:
    """The submitted reviews of the round, their spread, and per item of the
    scorecard whether every reviewer gave the same answer."""
    reviews = sorted(_submitted(round_), key=lambda r: (r.submitted_at, r.pk))
    by_review = [{a.item_id: a for a in r.answers.all()} for r in reviews]
    rows = []
    for item in scorecard_items(round_.scorecard):
        answers = [answers.get(item.pk) for answers in by_review]
        given = {a.answer for a in answers if a is not None}
        rows.append(ItemAgreement(item=item, answers=answers, agreed=len(given) <= 1))
    return reviews, spread(r.score for r in reviews), rows
