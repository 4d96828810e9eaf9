"""Shift swaps: operators ask and answer (from my-schedule), supervisors
approve or refuse (swap-list). Each action is a POST calling one service."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from reports.access import SWAP_ASK, SWAP_DECIDE, get_swap_for_user, require
from reports.forms_roster import SwapDecisionForm, SwapRequestForm
from reports.models import SwapStatus
from reports.selectors_roster import swap_choices
from reports.selectors_roster import swap_list as swap_list_selector
from reports.services.roster import (
    SwapConflict,
    SwapStale,
    swap_request,
    swap_respond,
)
from reports.services.roster import swap_cancel as swap_cancel_service
from reports.services.roster import swap_decide as swap_decide_service
from reports.views.roster.common import next_url, put_errors

STATUS_FILTERS = [("open", _("Waiting")), *SwapStatus.choices]


@require_GET
def swap_list(request):
    require(request.user, SWAP_DECIDE)
    status = request.GET.get("status", "accepted")
    if status not in {"", "open", *SwapStatus.values}:
        status = "accepted"
    context = {
        "swaps": swap_list_selector(status=status),
        "status": status,
        "statuses": [("open", _("Waiting")), *SwapStatus.choices],
    }
    return render(request, "reports/swap_list.html", context)


@require_POST
def swap_decide(request, pk):
    require(request.user, SWAP_DECIDE)
    swap = get_swap_for_user(request, pk)
    form = SwapDecisionForm(request.POST)
    approve = "approve" in request.POST
    back = next_url(request, "/reports/swaps/")
    if not form.is_valid():
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
        return redirect(back)
    try:
        swap_decide_service(
            swap=swap, by=request.user, approve=approve, note=form.cleaned_data["note"]
        )
    except SwapConflict as exc:
        messages.error(request, str(exc))
    except SwapStale as exc:
        messages.error(request, " ".join(exc.messages))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if approve:
            messages.success(request, _("Swap approved: the roster shows it now."))
        else:
            messages.success(request, _("Swap refused."))
    return redirect(back)


@require_POST
def swap_new(request):
    """An operator asks for a swap; a refused form is shown again on their page."""
    require(request.user, SWAP_ASK)
    now = timezone.now()
    mine, colleagues, theirs = swap_choices(operator=request.user, now=now)
    form = SwapRequestForm(request.POST, mine=mine, colleagues=colleagues, theirs=theirs)
    if form.is_valid():
        data = form.cleaned_data
        try:
            swap_request(
                requester=request.user,
                requester_entry=data["requester_entry"],
                colleague=data["colleague"],
                colleague_entry=data["colleague_entry"],
                reason=data["reason"],
                now=now,
            )
        except ValidationError as exc:
            put_errors(form, exc)
        else:
            messages.success(
                request,
                _("Swap asked; %(name)s will answer it on their page.")
                % {"name": data["colleague"].get_full_name() or data["colleague"].username},
            )
            return redirect("reports:my-schedule")
    from reports.views.roster.mine import my_schedule_page

    return my_schedule_page(request, swap_form=form, status=422)


@require_POST
def swap_answer(request, pk):
    swap = get_swap_for_user(request, pk)
    accept = "accept" in request.POST
    try:
        swap_respond(swap=swap, by=request.user, accept=accept)
    except SwapConflict as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("Swap accepted; a supervisor approves it next.") if accept else _("Swap declined."),
        )
    return redirect("reports:my-schedule")


@require_POST
def swap_cancel(request, pk):
    swap = get_swap_for_user(request, pk)
    try:
        swap_cancel_service(swap=swap, by=request.user)
    except SwapConflict as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Swap cancelled."))
    return redirect("reports:my-schedule")
