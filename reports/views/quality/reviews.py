"""Supervisors' review pages:

- review-list: every regular review, filtered (ReviewFilter), and the month's
  sample per operator with its progress and the "propose the sample" action
  (sample-propose);
- review-create: score a call (from the sample, or by its id);
- review-edit: the reviewer's own draft, saved again or submitted;
- review-detail: answers by section, the score, comments, the dispute record
  and, for a dispute waiting, the decision form (review-decide).
"""

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from reports.access_quality import (
    ADD_REVIEW,
    CHANGE_REVIEW,
    PROPOSE_SAMPLE,
    VIEW_REVIEW,
    get_call_for_reviewer,
    get_review_for_supervisor,
)
from reports.forms_quality import (
    DecisionForm,
    ReviewFilter,
    ReviewForm,
    SampleProposeForm,
    parse_month,
    put_errors,
)
from reports.models import Review, ReviewKind, ReviewStatus
from reports.selectors_quality import (
    answers_by_section,
    call_for_review,
    review_list_rows,
    sample_progress,
    scorecard_sections,
)
from reports.services.quality import (
    ReviewConflict,
    ReviewExists,
    month_start,
    review_create,
    review_decide,
    review_update_draft,
    sample_propose,
    scorecard_in_use,
)
from reports.views.quality.tables import PER_PAGE, ReviewTable


def _detail_url(review) -> str:
    return reverse("reports:review-detail", args=[review.pk])


class ReviewListView(PermissionRequiredMixin, SingleTableMixin, FilterView):
    permission_required = VIEW_REVIEW
    raise_exception = True
    table_class = ReviewTable
    filterset_class = ReviewFilter
    paginate_by = PER_PAGE
    template_name = "reports/review_list.html"

    def get_queryset(self):
        return review_list_rows()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        month = parse_month(self.request.GET.get("sample")) or month_start(timezone.localdate())
        context.update(
            {
                "sample_month": month,
                "samples": sample_progress(month),
                "propose_form": SampleProposeForm(),
                "may_propose": self.request.user.has_perm(PROPOSE_SAMPLE),
            }
        )
        return context


@require_POST
def sample_propose_view(request):
    if not request.user.has_perm(PROPOSE_SAMPLE):
        raise PermissionDenied
    form = SampleProposeForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("reports:review-list")
    month = form.cleaned_data["month"]
    added = sample_propose(month=month, per_operator=form.cleaned_data["per_operator"])
    total = sum(added.values())
    if total:
        messages.success(
            request,
            _("%(count)s calls added to the sample of %(month)s (%(operators)s operators).")
            % {"count": total, "month": f"{month:%Y-%m}", "operators": len(added)},
        )
    else:
        messages.info(
            request,
            _("The sample of %(month)s is complete: nothing to add.") % {"month": f"{month:%Y-%m}"},
        )
    return redirect(f"{reverse('reports:review-list')}?sample={month:%Y-%m}")


def _review_page(request, *, call, form, review=None, status=200, blocked=None, existing=None):
    context = {
        "call": call,
        "form": form,
        "review": review,
        "blocked": blocked,
        "existing": existing,
    }
    return render(request, "reports/review_form.html", context, status=status)


@require_GET
def review_find_view(request):
    """ "Review a call by its number": to the call's review page, or back to
    the list with a message when the number is not a call's."""
    if not request.user.has_perm(ADD_REVIEW):
        raise PermissionDenied
    raw = (request.GET.get("call") or "").strip().lstrip("#")
    call = call_for_review(int(raw)) if raw.isascii() and raw.isdigit() and len(raw) < 19 else None
    if call is None:
        messages.error(request, _("There is no call with this number in the log."))
        return redirect("reports:review-list")
    return redirect("reports:review-create", call_id=call.pk)


@require_http_methods(["GET", "POST"])
def review_create_view(request, call_id):
    """Score a call. One regular review per call: a second attempt links to
    the first. Nobody reviews their own call."""
    call = get_call_for_reviewer(request, call_id)
    existing = Review.objects.filter(call=call, kind=ReviewKind.REGULAR).first()
    if existing is not None:
        if existing.status == ReviewStatus.DRAFT and existing.reviewer_id == request.user.pk:
            return redirect("reports:review-edit", pk=existing.pk)
        return _review_page(request, call=call, form=None, existing=existing, status=409)
    if call.operator_id == request.user.pk:
        return _review_page(
            request, call=call, form=None, blocked=_("You cannot review your own call."), status=403
        )
    try:
        scorecard = scorecard_in_use()
    except ValidationError as exc:
        return _review_page(request, call=call, form=None, blocked=exc.messages[0], status=409)
    form = ReviewForm(request.POST or None, sections=scorecard_sections(scorecard))
    if request.method == "POST" and form.is_valid():
        submit = request.POST.get("action") == "submit"
        try:
            review = review_create(
                call=call,
                reviewer=request.user,
                answers=form.answers(),
                comment=form.cleaned_data["comment"],
                coaching_notes=form.cleaned_data["coaching_notes"],
                submit=submit,
            )
        except ReviewExists as exc:
            return _review_page(request, call=call, form=None, existing=exc.review, status=409)
        except ValidationError as exc:
            put_errors(form, exc)
        else:
            messages.success(request, _saved_message(review, submit))
            return redirect(_detail_url(review))
    return _review_page(request, call=call, form=form, status=422 if form.is_bound else 200)


def _saved_message(review, submit) -> str:
    if submit:
        return _("Review submitted: %(score)s. The operator sees it in My reviews.") % {
            "score": review.score
        }
    return _("Draft saved. Only you see it until you submit it.")


@require_http_methods(["GET", "POST"])
def review_edit_view(request, pk):
    """The reviewer's own draft, saved again or submitted."""
    if not request.user.has_perm(ADD_REVIEW):
        raise PermissionDenied
    review = get_review_for_supervisor(request, pk)
    if review.reviewer_id != request.user.pk or review.status != ReviewStatus.DRAFT:
        messages.info(request, _("Only the reviewer's own draft can be changed."))
        return redirect(_detail_url(review))
    form = ReviewForm(
        request.POST or None, sections=scorecard_sections(review.scorecard), review=review
    )
    if request.method == "POST" and form.is_valid():
        submit = request.POST.get("action") == "submit"
        try:
            review_update_draft(
                review=review,
                by=request.user,
                answers=form.answers(),
                comment=form.cleaned_data["comment"],
                coaching_notes=form.cleaned_data["coaching_notes"],
                submit=submit,
            )
        except ReviewConflict as exc:
            messages.error(request, str(exc))
            return redirect(_detail_url(review))
        except ValidationError as exc:
            put_errors(form, exc)
        else:
            messages.success(request, _saved_message(review, submit))
            return redirect(_detail_url(review))
    return _review_page(
        request, call=review.call, form=form, review=review, status=422 if form.is_bound else 200
    )


def _detail(request, review, decision_form=None, status=200):
    may_decide = (
        review.status == ReviewStatus.DISPUTED
        and request.user.has_perm(CHANGE_REVIEW)
        and review.operator_id != request.user.pk
    )
    if may_decide and decision_form is None:
        decision_form = DecisionForm(sections=scorecard_sections(review.scorecard), review=review)
    context = {
        "review": review,
        "call": review.call,
        "sections": answers_by_section(review),
        "may_decide": may_decide,
        "decision_form": decision_form if may_decide else None,
        "may_edit": review.status == ReviewStatus.DRAFT and review.reviewer_id == request.user.pk,
    }
    return render(request, "reports/review_detail.html", context, status=status)


@require_GET
def review_detail_view(request, pk):
    review = get_review_for_supervisor(request, pk)
    return _detail(request, review)


@require_POST
def review_decide_view(request, pk):
    """Decide a dispute: the review stands, or the score is amended."""
    if not request.user.has_perm(CHANGE_REVIEW):
        raise PermissionDenied
    review = get_review_for_supervisor(request, pk)
    if review.status != ReviewStatus.DISPUTED:
        messages.error(
            request,
            _("This review is “%(status)s”: there is no dispute to decide.")
            % {"status": review.get_status_display()},
        )
        return redirect(_detail_url(review))
    form = DecisionForm(request.POST, sections=scorecard_sections(review.scorecard), review=review)
    if form.is_valid():
        decision = form.cleaned_data["decision"]
        try:
            review_decide(
                review=review,
                by=request.user,
                decision=decision,
                note=form.cleaned_data["note"],
                answers=form.answers(),
            )
        except ReviewConflict as exc:
            messages.error(request, str(exc))
            return redirect(_detail_url(review))
        except ValidationError as exc:
            put_errors(form, exc)
        else:
            messages.success(request, _("Dispute decided. The operator sees your decision."))
            return redirect(_detail_url(review))
    review = get_review_for_supervisor(request, pk)
    return _detail(request, review, decision_form=form, status=422)
