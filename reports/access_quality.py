"""Who may see and act on which quality reviews. Views use these, never a
bare lookup.

- Supervisors (reports.view_review) see every regular review; they write
  them (reports.add_review) and decide disputes (reports.change_review).
- An operator sees only their own regular reviews once submitted to them:
  never a draft, never another operator's, never a calibration review. Any
  other review is a 404 to them (its existence is nobody else's business).
- Calibration rounds: supervisors (reports.view_calibrationround) see the
  list; a round's reviewers score it. A reviewer sees the others' scores only
  once they have submitted their own.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from reports.models import ReviewKind, ReviewStatus
from reports.models.quality import COUNTED_REVIEW_STATUSES
from reports.selectors_quality import (
    calibration_detail,
    call_for_review,
    my_reviews,
    review_detail_queryset,
)

VIEW_REVIEW = "reports.view_review"
ADD_REVIEW = "reports.add_review"
CHANGE_REVIEW = "reports.change_review"
VIEW_ROUND = "reports.view_calibrationround"
ADD_ROUND = "reports.add_calibrationround"
PROPOSE_SAMPLE = "reports.add_reviewsample"
# Whose own reviews exist: the desk (operators log calls and clock in).
OWN_REVIEWS = "reports.add_clocksession"


def _require(request, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise PermissionDenied


def _pk(value) -> int:
    try:
        pk = int(value)
    except (TypeError, ValueError):
        raise Http404 from None
    if not 0 < pk < 2**63:
        raise Http404
    return pk


def get_review_for_supervisor(request, pk) -> object:
    """A regular review, for a supervisor: 403 without the permission, 404
    when there is no such review (a calibration review lives on its round)."""
    _require(request, VIEW_REVIEW)
    review = review_detail_queryset().filter(pk=_pk(pk), kind=ReviewKind.REGULAR).first()
    if review is None:
        raise Http404
    return review


def get_review_for_operator(request, pk) -> object:
    """One of the operator's own submitted reviews; 404 for any other."""
    _require(request, OWN_REVIEWS)
    review = my_reviews(request.user).filter(pk=_pk(pk)).first()
    if review is None:
        raise Http404
    return review


def get_call_for_reviewer(request, call_id):
    """A live call a supervisor may review; 403 without reports.add_review."""
    _require(request, ADD_REVIEW)
    call = call_for_review(_pk(call_id))
    if call is None:
        raise Http404
    return call


def get_round_for_user(request, pk):
    """A calibration round for a supervisor or one of its reviewers; 403 for
    anyone else with no permission, 404 when there is no such round."""
    user = request.user
    round_ = calibration_detail(_pk(pk))
    is_reviewer = round_ is not None and any(r.pk == user.pk for r in round_.reviewers.all())
    if not (user.has_perm(VIEW_ROUND) or is_reviewer):
        raise PermissionDenied
    if round_ is None:
        raise Http404
    round_.is_reviewer = is_reviewer
    return round_


def may_see_round_scores(user, round_) -> bool:
    """Everyone who may see the round sees its scores, except a reviewer who
    has not submitted their own yet (so nobody scores to match the others)."""
    if not getattr(round_, "is_reviewer", False):
        return True
    return any(
        r.reviewer_id == user.pk and r.status == ReviewStatus.SUBMITTED
        for r in round_.reviews.all()
    )


def counted(review) -> bool:
    return review.kind == ReviewKind.REGULAR and review.status in COUNTED_REVIEW_STATUSES
