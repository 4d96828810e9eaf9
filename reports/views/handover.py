"""The shift handover (issue 10).

- handover: the operator's page. Their shift's recap so far, the note and
  "Hand over" (once per shift); below, the handovers waiting for them as the
  incoming operator, each acknowledged with one button.
- handover-acknowledge (POST): acknowledge one.
- handover-detail: one handover (its author, its receivers, supervisors).
- handover-list: the supervisors' list, with each handover's state.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from reports.access_handover import (
    ADD,
    get_handover_for_user,
    require_handover_user,
    require_supervisor,
)
from reports.forms_handover import HandoverForm
from reports.selectors_handover import (
    figure_rows,
    handover_for_shift,
    handovers_of,
    handovers_waiting_for,
    missed_list,
    shift_figures,
    shift_window,
)
from reports.selectors_handover import (
    handover_list as handover_list_selector,
)
from reports.services.handover import HandoverConflict, handover_acknowledge, handover_create

PAGE_SIZE = 30
STATES = [
    ("", gettext_lazy("All")),
    ("waiting", gettext_lazy("Waiting")),
    ("acknowledged", gettext_lazy("Acknowledged")),
]


def _waiting(user, now) -> list:
    waiting = handovers_waiting_for(user=user, now=now)
    for handover in waiting:
        handover.rows = figure_rows(handover.figures)
    return waiting


@require_http_methods(["GET", "POST"])
def handover(request):
    user = request.user
    require_handover_user(user)
    now = timezone.now()
    window = shift_window(operator=user, now=now)
    done = handover_for_shift(operator=user, start=window.start)
    form = HandoverForm(request.POST or None)
    if request.method == "POST":
        if not user.has_perm(ADD):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        if form.is_valid():
            try:
                handover_create(operator=user, note=form.cleaned_data["note"], now=now)
            except ValidationError as exc:
                errors = exc.message_dict if hasattr(exc, "error_dict") else {None: exc.messages}
                for field, messages_ in errors.items():
                    form.add_error(field if field in form.fields else None, messages_)
                done = handover_for_shift(operator=user, start=window.start)
            else:
                messages.success(request, _("Shift handed over. The next shift will see it."))
                return redirect("reports:handover")
    figures = (
        done.figures
        if done
        else shift_figures(operator=user, start=window.start, end=window.end, now=now)
    )
    context = {
        "window": window,
        "done": done,
        "rows": figure_rows(figures),
        "missed": missed_list(operator=user, start=window.start, end=window.end),
        "form": form,
        "waiting": _waiting(user, now),
        "mine": handovers_of(operator=user, limit=5),
    }
    return render(request, "reports/handover.html", context, status=422 if form.is_bound else 200)


@require_POST
def handover_acknowledge_view(request, pk):
    handover = get_handover_for_user(request, pk)
    try:
        handover_acknowledge(handover=handover, by=request.user)
    except HandoverConflict as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        name = handover.operator.get_full_name() or handover.operator.username
        messages.success(request, _("You acknowledged %(name)s's handover.") % {"name": name})
    return redirect("reports:handover" if not _is_list(request) else "reports:handover-list")


def _is_list(request) -> bool:
    return request.POST.get("from") == "list"


@require_GET
def handover_detail(request, pk):
    handover = get_handover_for_user(request, pk)
    return render(
        request,
        "reports/handover_detail.html",
        {"handover": handover, "rows": figure_rows(handover.figures)},
    )


@require_GET
def handover_list(request):
    require_supervisor(request.user)
    state = request.GET.get("state", "")
    if state not in {v for v, _label in STATES}:
        state = ""
    page = Paginator(handover_list_selector(state=state), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    for item in page.object_list:
        item.rows = figure_rows(item.figures)
    context = {"page": page, "state": state, "states": STATES}
    return render(request, "reports/handover_list.html", context)


urlpatterns = [
    path("handover/", handover, name="handover"),
    path("handover/list/", handover_list, name="handover-list"),
    path("handover/<int:pk>/", handover_detail, name="handover-detail"),
    path(
        "handover/<int:pk>/acknowledge/",
        handover_acknowledge_view,
        name="handover-acknowledge",
    ),
]
