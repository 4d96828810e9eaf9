"""The operator's side: my-reviews lists their own submitted reviews (never a
draft, never another's, never a calibration review) with answers, comment,
coaching notes and any dispute; my-review-acknowledge and my-review-dispute
are the two things they may do with a review waiting for them."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from reports.access_quality import OWN_REVIEWS, get_review_for_operator
from reports.forms_quality import DisputeForm, put_errors
from reports.models import ReviewStatus
from reports.selectors_quality import answers_by_section, my_reviews
from reports.services.quality import ReviewConflict, review_acknowledge, review_dispute


def _page(request, *, failed=None, failed_form=None, status=200):
    if not request.user.has_perm(OWN_REVIEWS):
        raise PermissionDenied
    reviews = list(my_reviews(request.user))
    for review in reviews:
        review.sections = answers_by_section(review)
        review.dispute_form = (
            failed_form
            if failed is not None and review.pk == failed
            else DisputeForm(prefix=f"r{review.pk}")
        )
    # The first review waiting for the operator takes the focus (read it, then
    # Tab to Acknowledge or to the reason for a dispute).
    waiting = [r.pk for r in reviews if r.status == ReviewStatus.SUBMITTED]
    context = {
        "reviews": reviews,
        "first_waiting": failed or (waiting[0] if waiting else None),
    }
    return render(request, "reports/my_reviews.html", context, status=status)


@require_GET
def my_reviews_view(request):
    return _page(request)


def _back(review) -> str:
    return f"{reverse('reports:my-reviews')}#review-{review.pk}"


@require_POST
def my_review_acknowledge_view(request, pk):
    review = get_review_for_operator(request, pk)
    try:
        review_acknowledge(review=review, by=request.user)
    except (ReviewConflict, ValidationError) as exc:
        messages.error(request, exc.messages[0] if isinstance(exc, ValidationError) else str(exc))
    else:
        messages.success(request, _("Review acknowledged. Thank you."))
    return redirect(_back(review))


@require_POST
def my_review_dispute_view(request, pk):
    review = get_review_for_operator(request, pk)
    form = DisputeForm(request.POST, prefix=f"r{review.pk}")
    if form.is_valid():
        try:
            review_dispute(review=review, by=request.user, reason=form.cleaned_data["reason"])
        except ReviewConflict as exc:
            messages.error(request, str(exc))
            return redirect(_back(review))
        except ValidationError as exc:
            put_errors(form, exc)
        else:
            messages.success(
                request, _("Dispute sent. A supervisor will decide it; you will see it here.")
            )
            return redirect(_back(review))
    return _page(request, failed=review.pk, failed_form=form, status=422)
