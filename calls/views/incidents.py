"""Phone-line incidents: the list (operators and supervisors), and the
supervisors' pages to log, correct and close one. Every write goes through
calls.services_incidents."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from calls.forms_incidents import CloseForm, IncidentForm, parse_month
from calls.selectors_incidents import (
    duration_text,
    incident_get,
    incident_history,
    incident_list,
)
from calls.services_incidents import (
    IncidentConflict,
    incident_close,
    incident_create,
    incident_update,
    incident_version,
)

VIEW = "calls.view_phonelineincident"
ADD = "calls.add_phonelineincident"
CHANGE = "calls.change_phonelineincident"
PAGE_SIZE = 25
STATES = [
    ("", gettext_lazy("All")),
    ("open", gettext_lazy("Open")),
    ("closed", gettext_lazy("Closed")),
]


def _put_errors(form, exc: ValidationError) -> None:
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def _list_url(**query) -> str:
    query = {k: v for k, v in query.items() if v}
    return reverse("calls:incident-list") + ("?" + urlencode(query) if query else "")


@require_GET
@permission_required(VIEW, raise_exception=True)
def incident_list_view(request):
    state = request.GET.get("state", "")
    if state not in {value for value, _label in STATES}:
        state = ""
    raw_month = request.GET.get("month", "")
    month = parse_month(raw_month)
    if raw_month and month is None:
        messages.warning(request, _("That is not a month (YYYY-MM); showing every month."))
    page = Paginator(incident_list(state=state, month=month), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    now = timezone.now()
    for incident in page.object_list:
        incident.lasted = duration_text(incident.duration(now))
    month_text = f"{month:%Y-%m}" if month else ""
    context = {
        "page": page,
        "state": state,
        "month": month_text,
        "states": [(v, label, _list_url(state=v, month=month_text)) for v, label in STATES],
        "page_query": urlencode(
            {k: v for k, v in {"state": state, "month": month_text}.items() if v}
        ),
        "can_change": request.user.has_perm(CHANGE),
        "can_add": request.user.has_perm(ADD),
    }
    return render(request, "calls/incident_list.html", context)


@require_http_methods(["GET", "POST"])
@permission_required(ADD, raise_exception=True)
def incident_new(request):
    now = timezone.localtime().replace(second=0, microsecond=0)
    form = IncidentForm(request.POST or None, initial={"started_at": now})
    if request.method == "POST" and form.is_valid():
        try:
            incident = incident_create(by=request.user, **form.changes())
        except ValidationError as exc:
            _put_errors(form, exc)
        else:
            messages.success(request, _("Incident logged: %(incident)s.") % {"incident": incident})
            return redirect("calls:incident-list")
    return render(
        request,
        "calls/incident_form.html",
        {"form": form, "incident": None},
        status=422 if form.is_bound else 200,
    )


@require_http_methods(["GET", "POST"])
@permission_required(CHANGE, raise_exception=True)
def incident_edit(request, pk):
    incident = incident_get(pk)
    form = IncidentForm(
        request.POST or None,
        instance=incident,
        initial={"version": incident_version(incident)},
    )
    if request.method == "POST" and form.is_valid():
        try:
            incident = incident_update(
                incident=incident,
                by=request.user,
                version=form.cleaned_data["version"],
                **form.changes(),
            )
        except IncidentConflict as exc:
            form = IncidentForm(
                instance=exc.incident, initial={"version": incident_version(exc.incident)}
            )
            messages.error(request, str(exc))
            return render(
                request,
                "calls/incident_form.html",
                {"form": form, "incident": exc.incident, "history": incident_history(incident)},
                status=409,
            )
        except ValidationError as exc:
            _put_errors(form, exc)
        else:
            messages.success(request, _("Incident saved."))
            return redirect("calls:incident-list")
    context = {"form": form, "incident": incident, "history": incident_history(incident)}
    return render(
        request, "calls/incident_form.html", context, status=422 if form.is_bound else 200
    )


@require_http_methods(["GET", "POST"])
@permission_required(CHANGE, raise_exception=True)
def incident_close_view(request, pk):
    incident = incident_get(pk)
    if not incident.is_open:
        messages.info(request, _("This incident is closed already."))
        return redirect("calls:incident-list")
    now = timezone.localtime().replace(second=0, microsecond=0)
    form = CloseForm(request.POST or None, initial={"ended_at": now})
    if request.method == "POST" and form.is_valid():
        try:
            incident_close(
                incident=incident,
                by=request.user,
                ended_at=form.cleaned_data["ended_at"],
                notes=form.cleaned_data["notes"],
            )
        except IncidentConflict as exc:
            messages.error(request, str(exc))
            return redirect("calls:incident-list")
        except ValidationError as exc:
            _put_errors(form, exc)
        else:
            messages.success(request, _("Incident closed: the line is back."))
            return redirect("calls:incident-list")
    context = {"form": form, "incident": incident, "lasted": duration_text(incident.duration())}
    return render(
        request, "calls/incident_close.html", context, status=422 if form.is_bound else 200
    )
