"""Writes for call quality: reviews (draft, submit, the operator's
acknowledgement or dispute, the supervisor's decision), calibration rounds and
the monthly fair sample.

Every status change goes through `_transition`, which checks
REVIEW_TRANSITIONS and claims the review with a conditional UPDATE on the
status it was read with: of two people acting at once, the second gets a
ReviewConflict naming what the review now is. The review is then saved
through the model, so simple_history keeps every change.
"""

import random
from collections import Counter
from datetime import date, datetime, time

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from calls.models import Call
from reports import scoring
from reports.models import (
    CalibrationRound,
    DisputeDecision,
    Review,
    ReviewAnswer,
    ReviewKind,
    ReviewSample,
    ReviewStatus,
    Scorecard,
    ScorecardItem,
)
from reports.models.quality import REVIEW_TRANSITIONS
from switchboard.dates import add_months, month_start
from switchboard.roles import OPERATOR


class ReviewConflict(Exception):
    """Someone changed the review since the caller read it; `review` is the
    review as it now stands."""

    def __init__(self, review: Review):
        self.review = review
        super().__init__(
            _(
                "Someone else changed this review a moment ago; it is now “%(status)s”. "
                "Nothing was saved: look at it again."
            )
            % {"status": review.get_status_display()}
        )


class ReviewExists(Exception):
    """The call already has its (one) regular review: `review`."""

    def __init__(self, review: Review):
        self.review = review
        super().__init__(_("This call has already been reviewed."))


# The scorecard ------------------------------------------------------------------


def scorecard_in_use() -> Scorecard:
    """The scorecard new reviews are scored on (the first one in use)."""
    scorecard = Scorecard.objects.filter(active=True).order_by("name", "pk").first()
    if scorecard is None:
        raise ValidationError(
            _("No scorecard is in use: an admin sets one up in Django admin first.")
        )
    return scorecard


def scorecard_items(scorecard: Scorecard) -> list[ScorecardItem]:
    """The scorecard's items in use, in order, with their sections (one query)."""
    return list(
        ScorecardItem.objects.filter(section__scorecard=scorecard, active=True)
        .select_related("section")
        .order_by("section__order", "section_id", "order", "pk")
    )


def scoring_items(items) -> list[scoring.Item]:
    return [
        scoring.Item(
            id=item.pk,
            section_id=item.section_id,
            section_weight=item.section.weight,
            weight=item.weight,
            fails_review=item.fails_review,
            allows_na=item.allows_na,
        )
        for item in items
    ]


def field_name(item_id: int) -> str:
    """The form field (and error key) of an item's answer."""
    return f"item_{item_id}"


def _scored(items, answers: dict[int, str], *, complete: bool) -> scoring.Result:
    """The answers checked (ValidationError keyed by item field) and scored."""
    specs = scoring_items(items)
    errors = scoring.answer_errors(specs, answers, complete=complete)
    if errors:
        raise ValidationError(
            {(field_name(k) if k else "__all__"): [message] for k, message in errors.items()}
        )
    result = scoring.score(specs, answers)
    if complete and result.score is None:
        raise ValidationError(
            _("At least one item must apply to this call (answered Yes or No) to submit.")
        )
    return result


def _write_answers(review: Review, items, answers: dict[int, str], notes=None) -> None:
    """The review's answers as given: changed ones updated, new ones added,
    withdrawn ones deleted, each through the model so the history keeps what
    was answered before (a dispute's amendment re-answers items)."""
    notes = notes or {}
    current = {a.item_id: a for a in review.answers.all()}
    new = []
    for item in items:
        answer = answers.get(item.pk)
        note = (notes.get(item.pk) or "")[:300]
        row = current.pop(item.pk, None)
        if not answer:
            if row is not None:
                row.delete()
        elif row is None:
            new.append(ReviewAnswer(review=review, item=item, answer=answer, note=note))
        elif (row.answer, row.note) != (answer, note):
            row.answer, row.note = answer, note
            row.save(update_fields=["answer", "note"])
    for row in current.values():  # items no longer on the scorecard in use
        row.delete()
    if new:
        bulk_create_with_history(new, ReviewAnswer)


def _check_call(call: Call, reviewer) -> None:
    if call.deleted_at is not None:
        raise ValidationError(_("This call was deleted from the log; it cannot be reviewed."))
    if call.operator_id == reviewer.pk:
        raise ValidationError(_("You cannot review your own call."))


# Regular reviews ------------------------------------------------------------------


def review_create(
    *,
    call: Call,
    reviewer,
    answers: dict[int, str],
    comment: str = "",
    coaching_notes: str = "",
    submit: bool = False,
    now: datetime | None = None,
) -> Review:
    """Write the call's regular review (a draft, or submitted to the operator)
    on the scorecard in use, with its answers; the month's sample row for the
    call, if any, now points at it. `operator` and `call_date` are the call's
    operator and local day (the KPIs read them). ValidationError names each
    field at fault; ReviewExists when the call already has its review."""
    now = now or timezone.now()
    _check_call(call, reviewer)
    existing = Review.objects.filter(call=call, kind=ReviewKind.REGULAR).first()
    if existing is not None:
        raise ReviewExists(existing)
    scorecard = scorecard_in_use()
    items = scorecard_items(scorecard)
    result = _scored(items, answers, complete=submit)
    review = Review(
        call=call,
        operator_id=call.operator_id,
        call_date=timezone.localdate(call.started_at),
        reviewer=reviewer,
        scorecard=scorecard,
        kind=ReviewKind.REGULAR,
        status=ReviewStatus.SUBMITTED if submit else ReviewStatus.DRAFT,
        score=result.score,
        auto_failed=result.auto_failed,
        comment=comment,
        coaching_notes=coaching_notes,
        created_at=now,
        submitted_at=now if submit else None,
    )
    review.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            review.save()
            _write_answers(review, items, answers)
            ReviewSample.objects.filter(call=call, review__isnull=True).update(review=review)
    except IntegrityError:
        # Another reviewer saved this call's review between our check and our save.
        existing = Review.objects.filter(call=call, kind=ReviewKind.REGULAR).first()
        if existing is None:
            raise
        raise ReviewExists(existing) from None
    return review


def review_update_draft(
    *,
    review: Review,
    by,
    answers: dict[int, str],
    comment: str = "",
    coaching_notes: str = "",
    submit: bool = False,
    now: datetime | None = None,
) -> Review:
    """Save the reviewer's draft again (regular or calibration), and submit
    it when `submit`. Only its reviewer edits a draft; a draft submitted or
    changed meanwhile (another tab) gives ReviewConflict."""
    now = now or timezone.now()
    if review.reviewer_id != by.pk:
        raise ValidationError(_("Only the reviewer who wrote this draft can change it."))
    if review.status != ReviewStatus.DRAFT:
        raise ReviewConflict(review)
    if review.calibration_id and review.calibration.closed_at:
        raise ValidationError(_("This calibration round is closed."))
    items = scorecard_items(review.scorecard)
    result = _scored(items, answers, complete=submit)
    with transaction.atomic():
        if submit:
            _transition(review, ReviewStatus.SUBMITTED, submitted_at=now)
        elif not Review.objects.filter(pk=review.pk, status=ReviewStatus.DRAFT).update(
            status=ReviewStatus.DRAFT
        ):
            raise ReviewConflict(Review.objects.get(pk=review.pk))
        review.score = result.score
        review.auto_failed = result.auto_failed
        review.comment = comment
        review.coaching_notes = coaching_notes
        review.full_clean(validate_constraints=False)
        review.save()
        _write_answers(review, items, answers)
    return review


def _transition(review: Review, to_status: str, **changes) -> None:
    """Move the review to `to_status` if REVIEW_TRANSITIONS allows it and
    nobody moved it since it was read (a conditional UPDATE whose row count is
    checked); the caller saves the rest. ReviewConflict otherwise."""
    if to_status not in REVIEW_TRANSITIONS[review.status]:
        current = Review.objects.get(pk=review.pk)
        if current.status != review.status:
            raise ReviewConflict(current)
        raise ValidationError(
            _("A review that is “%(status)s” cannot be changed this way.")
            % {"status": review.get_status_display()}
        )
    claimed = Review.objects.filter(pk=review.pk, status=review.status).update(status=to_status)
    if not claimed:
        raise ReviewConflict(Review.objects.get(pk=review.pk))
    review.status = to_status
    for name, value in changes.items():
        setattr(review, name, value)


def _operators_own(review: Review, by) -> None:
    if review.kind != ReviewKind.REGULAR or review.operator_id != by.pk:
        raise ValidationError(_("Only the operator whose call was reviewed can do this."))


@transaction.atomic
def review_acknowledge(*, review: Review, by, now: datetime | None = None) -> Review:
    """The operator has read the review and accepts it."""
    _operators_own(review, by)
    _transition(review, ReviewStatus.ACKNOWLEDGED, acknowledged_at=now or timezone.now())
    review.save()
    return review


@transaction.atomic
def review_dispute(*, review: Review, by, reason: str, now: datetime | None = None) -> Review:
    """The operator disputes the review; the reason is required and stays on
    record with the supervisor's decision."""
    _operators_own(review, by)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Say why you dispute this review.")]})
    _transition(
        review, ReviewStatus.DISPUTED, dispute_reason=reason, disputed_at=now or timezone.now()
    )
    review.full_clean(validate_constraints=False)
    review.save()
    return review


def review_decide(
    *,
    review: Review,
    by,
    decision: str,
    note: str,
    answers: dict[int, str] | None = None,
    now: datetime | None = None,
) -> Review:
    """A supervisor decides a dispute: the review stands, or its score is
    amended from the items answered again (`answers`, all of them), the old
    score kept in `score_before_dispute`. The note is required; the reason,
    the decision and who took it stay on the review for the operator to see."""
    now = now or timezone.now()
    if review.operator_id == by.pk:
        raise ValidationError(_("You cannot decide a dispute about your own call."))
    note = (note or "").strip()
    errors = {}
    if decision not in DisputeDecision.values:
        errors["decision"] = [_("Choose whether the review stands or the score is amended.")]
    if not note:
        errors["note"] = [_("Write a note for the operator about your decision.")]
    if errors:
        raise ValidationError(errors)
    items = None
    result = None
    if decision == DisputeDecision.AMENDED:
        items = scorecard_items(review.scorecard)
        result = _scored(items, answers or {}, complete=True)
    with transaction.atomic():
        _transition(
            review,
            ReviewStatus.RESOLVED,
            dispute_decision=decision,
            dispute_note=note,
            dispute_decided_by=by,
            dispute_decided_at=now,
        )
        if result is not None:
            review.score_before_dispute = review.score
            review.score = result.score
            review.auto_failed = result.auto_failed
        review.full_clean(validate_constraints=False)
        review.save()
        if items is not None:
            _write_answers(review, items, answers)
    return review


# Calibration ----------------------------------------------------------------------


def calibration_start(
    *, call: Call, reviewers, created_by, note: str = "", now: datetime | None = None
) -> CalibrationRound:
    """A round in which `reviewers` (two or more, not the call's operator)
    each score `call` on the scorecard in use."""
    reviewers = list({r.pk: r for r in reviewers}.values())
    errors = {}
    if len(reviewers) < 2:
        errors["reviewers"] = [_("Choose at least two reviewers.")]
    elif any(r.pk == call.operator_id for r in reviewers):
        errors["reviewers"] = [_("The operator who took the call cannot be one of its reviewers.")]
    if call.deleted_at is not None:
        errors["call"] = [_("This call was deleted from the log; it cannot be reviewed.")]
    if errors:
        raise ValidationError(errors)
    scorecard = scorecard_in_use()
    with transaction.atomic():
        round_ = CalibrationRound(
            call=call,
            scorecard=scorecard,
            note=note,
            created_by=created_by,
            created_at=now or timezone.now(),
        )
        round_.full_clean()
        round_.save()
        round_.reviewers.set(reviewers)
    return round_


def calibration_score(
    *,
    round_: CalibrationRound,
    reviewer,
    answers: dict[int, str],
    comment: str = "",
    submit: bool = False,
    now: datetime | None = None,
) -> Review:
    """The reviewer's scoring of the round's call: created on the first save,
    then their draft saved again or submitted. A calibration review is never
    shown to the operator and never counts for their KPIs."""
    now = now or timezone.now()
    if not round_.reviewers.filter(pk=reviewer.pk).exists():
        raise ValidationError(_("You are not one of this round's reviewers."))
    if round_.closed_at:
        raise ValidationError(_("This calibration round is closed."))
    existing = Review.objects.filter(calibration=round_, reviewer=reviewer).first()
    if existing is not None:
        return review_update_draft(
            review=existing, by=reviewer, answers=answers, comment=comment, submit=submit, now=now
        )
    call = round_.call
    _check_call(call, reviewer)
    items = scorecard_items(round_.scorecard)
    result = _scored(items, answers, complete=submit)
    review = Review(
        call=call,
        operator_id=call.operator_id,
        call_date=timezone.localdate(call.started_at),
        reviewer=reviewer,
        scorecard=round_.scorecard,
        kind=ReviewKind.CALIBRATION,
        calibration=round_,
        status=ReviewStatus.SUBMITTED if submit else ReviewStatus.DRAFT,
        score=result.score,
        auto_failed=result.auto_failed,
        comment=comment,
        created_at=now,
        submitted_at=now if submit else None,
    )
    review.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            review.save()
            _write_answers(review, items, answers)
    except IntegrityError:
        raise ReviewConflict(Review.objects.get(calibration=round_, reviewer=reviewer)) from None
    return review


@transaction.atomic
def calibration_close(*, round_: CalibrationRound, by, now: datetime | None = None) -> None:
    """Close the round: no more scoring (drafts left stay out of the spread)."""
    claimed = CalibrationRound.objects.filter(pk=round_.pk, closed_at__isnull=True).update(
        closed_at=now or timezone.now()
    )
    if not claimed:
        raise ValidationError(_("This calibration round is already closed."))


# The fair sample ------------------------------------------------------------------


def next_month(month: date) -> date:
    return add_months(month, 1)


def month_bounds(month: date) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    return (
        datetime.combine(month, time.min, tzinfo=tz),
        datetime.combine(next_month(month), time.min, tzinfo=tz),
    )


def outcome_quotas(counts: dict[str, int], picks: int) -> dict[str, int]:
    """How many of `picks` each outcome gets: in proportion to `counts` (the
    operator's calls per outcome), every outcome with calls at least one when
    `picks` allows (the most frequent first otherwise), never more than it
    has calls. Largest remainder, ties by outcome name (deterministic)."""
    counts = {o: n for o, n in counts.items() if n > 0}
    total = sum(counts.values())
    picks = min(picks, total)
    if picks <= 0:
        return {}
    by_size = sorted(counts, key=lambda o: (-counts[o], o))
    if picks < len(counts):
        return {o: 1 for o in by_size[:picks]}
    quotas = {o: 1 for o in counts}
    left = picks - len(counts)
    ideal = {o: picks * counts[o] / total for o in counts}
    while left > 0:
        open_ = [o for o in by_size if quotas[o] < counts[o]]
        best = max(open_, key=lambda o: (ideal[o] - quotas[o], counts[o], o))
        quotas[best] += 1
        left -= 1
    return quotas


def _window_of(started_at: datetime, start: datetime, end: datetime, windows: int) -> int:
    span = (end - start).total_seconds()
    if span <= 0:
        return 0
    index = int((started_at - start).total_seconds() / span * windows)
    return min(max(index, 0), windows - 1)


def pick_sample(calls, *, picked, per_operator: int, rng: random.Random) -> list:
    """Choose the calls to add to one operator's month sample.

    `calls` are the operator's live calls of the month (objects with `pk`,
    `started_at`, `outcome`), `picked` those already in the sample (or
    reviewed). The span from the first to the last call is cut into
    `per_operator` equal windows; each pick goes into a window no pick holds
    yet, while there is one with a candidate. Outcomes get picks in proportion
    to the month's mix (outcome_quotas, counting the picks already made), the
    rarest outcome first so that a rare outcome's few calls find a window."""
    calls = sorted(calls, key=lambda c: (c.started_at, c.pk))
    need = per_operator - len(picked)
    picked_ids = {c.pk for c in picked}
    candidates = [c for c in calls if c.pk not in picked_ids]
    if need <= 0 or not candidates:
        return []
    start, end = calls[0].started_at, calls[-1].started_at
    windows = per_operator
    filled = {_window_of(c.started_at, start, end, windows) for c in picked}
    target = outcome_quotas(Counter(c.outcome for c in calls), per_operator)
    already = Counter(c.outcome for c in picked)
    available = Counter(c.outcome for c in candidates)
    remaining = {
        o: min(max(q - already.get(o, 0), 0), available.get(o, 0)) for o, q in target.items()
    }
    # Top up to `need` (outcomes already over their share, or lacking calls).
    while sum(remaining.values()) > need:
        worst = max(remaining, key=lambda o: (remaining[o], o))
        remaining[worst] -= 1
    chosen: list = []
    chosen_ids: set[int] = set()

    def take(pool) -> None:
        free = [c for c in pool if _window_of(c.started_at, start, end, windows) not in filled]
        call = rng.choice(free or pool)
        chosen.append(call)
        chosen_ids.add(call.pk)
        filled.add(_window_of(call.started_at, start, end, windows))

    for outcome in sorted(remaining, key=lambda o: (available[o], o)):
        for _n in range(remaining[outcome]):
            pool = [c for c in candidates if c.outcome == outcome and c.pk not in chosen_ids]
            if pool:
                take(pool)
    while len(chosen) < need:
        pool = [c for c in candidates if c.pk not in chosen_ids]
        if not pool:
            break
        take(pool)
    return chosen


def sample_propose(
    *, month: date, per_operator: int, rng_seed=None, now: datetime | None = None
) -> dict[int, int]:
    """Propose (or top up to `per_operator`) each operator's sample of calls
    to review for `month`: every user with the Operator role who logged live
    calls that month gets calls drawn from their own, spread over the month
    and across their outcomes (pick_sample). The calls already reviewed that
    month count (they join the sample with their review), a call is never in
    a sample twice (its constraint), deleted calls never. Safe to run again:
    a second run adds only what is missing. Returns {operator id: calls added}."""
    now = now or timezone.now()
    month = month_start(month)
    start, end = month_bounds(month)
    rng = random.Random(rng_seed)  # noqa: S311 (a fair draw, not a secret)
    operators = (
        get_user_model()
        .objects.filter(
            groups__name=OPERATOR,
            calls__started_at__gte=start,
            calls__started_at__lt=end,
            calls__deleted_at__isnull=True,
        )
        .distinct()
        .order_by("pk")
    )
    added: dict[int, int] = {}
    for operator in operators:
        with transaction.atomic():
            added[operator.pk] = _propose_for(operator, start, end, month, per_operator, rng, now)
    return added


def _propose_for(operator, start, end, month, per_operator, rng, now) -> int:
    calls = list(
        Call.objects.live()
        .filter(operator=operator, started_at__gte=start, started_at__lt=end)
        .only("pk", "started_at", "outcome")
        .order_by("started_at", "pk")
    )
    if not calls:
        return 0
    by_pk = {c.pk: c for c in calls}
    mine = set(
        ReviewSample.objects.filter(operator=operator, month=month).values_list(
            "call_id", flat=True
        )
    )
    # A call is in one sample at most (its constraint), whatever the month.
    taken = mine | set(
        ReviewSample.objects.filter(call_id__in=by_pk).values_list("call_id", flat=True)
    )
    need = per_operator - len(mine)
    if need <= 0:
        return 0
    # Calls reviewed already (by their id) count: they join the sample, linked
    # to their review, as far as the sample is short.
    reviewed = list(
        Review.objects.filter(kind=ReviewKind.REGULAR, call_id__in=by_pk)
        .exclude(call_id__in=taken)
        .order_by("call__started_at", "pk")
        .values_list("call_id", "pk")[:need]
    )
    ReviewSample.objects.bulk_create(
        [
            ReviewSample(
                operator=operator,
                month=month,
                call_id=call_id,
                review_id=review_id,
                proposed_at=now,
            )
            for call_id, review_id in reviewed
        ],
        ignore_conflicts=True,
    )
    joined = {call_id for call_id, _review in reviewed}
    picked = [by_pk[pk] for pk in mine | joined if pk in by_pk]
    # A sampled call since moved out of the month (corrected) or deleted still counts.
    extra = len(mine - set(by_pk))
    others = taken - mine  # in another month's sample
    chosen = pick_sample(
        [c for c in calls if c.pk not in others],
        picked=picked,
        per_operator=per_operator - extra,
        rng=rng,
    )
    ReviewSample.objects.bulk_create(
        [
            ReviewSample(operator=operator, month=month, call=call, proposed_at=now)
            for call in chosen
        ],
        ignore_conflicts=True,
    )
    return len(chosen)
