"""Calibration rounds: several reviewers score the same call.

- calibration-list: every round with its spread (min, max, range, standard
  deviation of the submitted scores), and the form to start one
  (calibration-new);
- calibration-detail: the call, each reviewer's score, the spread and, per
  item, whether the reviewers agreed; a reviewer sees the others' scores
  only after submitting their own, and scores the call here
  (calibration-score);
- calibration-close: no more scoring.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from reports.access_quality import (
    ADD_ROUND,
    VIEW_ROUND,
    get_round_for_user,
    may_see_round_scores,
)
from reports.forms_quality import CalibrationForm, ReviewForm, put_errors
from reports.models import ReviewStatus
from reports.selectors_quality import (
    calibration_agreement,
    calibration_list,
    call_for_review,
    scorecard_sections,
)
from reports.services.quality import (
    ReviewConflict,
    calibration_close,
    calibration_score,
    calibration_start,
)


def _detail_url(round_) -> str:
    return reverse("reports:calibration-detail", args=[round_.pk])


@require_GET
def calibration_list_view(request):
    if not request.user.has_perm(VIEW_ROUND):
        raise PermissionDenied
    return render(
        request,
        "reports/calibration_list.html",
        {"rounds": calibration_list(), "may_start": request.user.has_perm(ADD_ROUND)},
    )


@require_http_methods(["GET", "POST"])
def calibration_new_view(request):
    if not request.user.has_perm(ADD_ROUND):
        raise PermissionDenied
    form = CalibrationForm(request.POST or None, initial={"call": request.GET.get("call")})
    if request.method == "POST" and form.is_valid():
        call = call_for_review(form.cleaned_data["call"])
        if call is None:
            form.add_error("call", _("There is no call with this number in the log."))
        else:
            try:
                round_ = calibration_start(
                    call=call,
                    reviewers=form.cleaned_data["reviewers"],
                    created_by=request.user,
                    note=form.cleaned_data["note"],
                )
            except ValidationError as exc:
                put_errors(form, exc)
            else:
                messages.success(
                    request, _("Calibration round started. Each reviewer scores the call here.")
                )
                return redirect(_detail_url(round_))
    status = 422 if form.is_bound else 200
    return render(request, "reports/calibration_form.html", {"form": form}, status=status)


def _mine(round_, user):
    return next((r for r in round_.reviews.all() if r.reviewer_id == user.pk), None)


def _detail(request, round_, form=None, status=200):
    user = request.user
    mine = _mine(round_, user)
    may_score = (
        round_.is_reviewer
        and round_.closed_at is None
        and (mine is None or mine.status == ReviewStatus.DRAFT)
    )
    if may_score and form is None:
        form = ReviewForm(
            sections=scorecard_sections(round_.scorecard), review=mine, with_coaching=False
        )
    reviews, spread, agreement = calibration_agreement(round_)
    shows_scores = may_see_round_scores(user, round_)
    context = {
        "round": round_,
        "call": round_.call,
        "mine": mine,
        "may_score": may_score,
        "form": form if may_score else None,
        "shows_scores": shows_scores,
        "reviews": reviews if shows_scores else [],
        "spread": spread if shows_scores else None,
        "agreement": agreement if shows_scores else [],
        "submitted_count": len(reviews),
        "reviewer_count": len(round_.reviewers.all()),
        "may_close": round_.closed_at is None and user.has_perm("reports.change_calibrationround"),
    }
    return render(request, "reports/calibration_detail.html", context, status=status)


@require_GET
def calibration_detail_view(request, pk):
    return _detail(request, get_round_for_user(request, pk))


@require_POST
def calibration_score_view(request, pk):
    round_ = get_round_for_user(request, pk)
    if not round_.is_reviewer:
        raise PermissionDenied
    mine = _mine(round_, request.user)
    form = ReviewForm(
        request.POST,
        sections=scorecard_sections(round_.scorecard),
        review=mine,
        with_coaching=False,
    )
    if form.is_valid():
        submit = request.POST.get("action") == "submit"
        try:
            calibration_score(
                round_=round_,
                reviewer=request.user,
                answers=form.answers(),
                comment=form.cleaned_data["comment"],
                submit=submit,
            )
        except ReviewConflict as exc:
            messages.error(request, str(exc))
            return redirect(_detail_url(round_))
        except ValidationError as exc:
            put_errors(form, exc)
        else:
            messages.success(
                request,
                _("Your score is submitted; the others' scores are shown now.")
                if submit
                else _("Draft saved."),
            )
            return redirect(_detail_url(round_))
    return _detail(request, get_round_for_user(request, pk), form=form, status=422)


@require_POST
def calibration_close_view(request, pk):
    if not request.user.has_perm("reports.change_calibrationround"):
        raise PermissionDenied
    round_ = get_round_for_user(request, pk)
    try:
        calibration_close(round_=round_, by=request.user)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, _("Round closed."))
    return redirect(_detail_url(round_))
