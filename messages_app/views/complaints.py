"""Complaint pages (see messages_app/urls.py): recording one on its own, its
page with the timeline and the actions the user may take, the department's
queue, the routing preview the console and the form ask for, and the bulk
actions the complaint list posts.

Every page checks login and permission through messages_app.access; every
change goes through messages_app.services.complaints. Actions are POST forms
that work without JavaScript (redirect back to the page) and, sent by htmx,
answer with the page's main part (200; 422 with the errors next to their
fields; 409 with the current state after a conflict)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Case, F, Q, Value, When
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from directory.access import linked_staff
from directory.models import Department, Staff
from messages_app import notifications
from messages_app.access import (
    ANY_COMPLAINT,
    VIEW_COMPLAINT,
    can_work_on_complaint,
    complaints_visible_to,
    get_complaint_for_user,
)
from messages_app.console_complaint import read_out_sentence
from messages_app.forms_complaints import (
    STEPS,
    AssignForm,
    CommentForm,
    ComplaintForm,
    RerouteForm,
    StatusForm,
)
from messages_app.models import (
    COMPLAINT_TRANSITIONS,
    OPEN_COMPLAINT_STATUSES,
    UNACKNOWLEDGED_COMPLAINT_STATUSES,
    Complaint,
    ComplaintStatus,
    Severity,
    Visibility,
)
from messages_app.routing import RuleSet
from messages_app.selectors_complaints import deadline_flags
from messages_app.services.complaints import (
    ADD_COMPLAINT,
    ComplaintConflict,
    complaint_assign,
    complaint_bulk,
    complaint_comment,
    complaint_create,
    complaint_reroute,
    complaint_set_status,
)
from messages_app.timeline import COMPLAINT_EVENTS, event_label

DETAIL_RELATED = (
    "category",
    "product",
    "department",
    "rule",
    "assigned_to",
    "created_by",
    "caller",
    "call",
)
QUEUE_PAGE_SIZE = 50
BULK_MAX = 500  # complaints per bulk action


# Reading ----------------------------------------------------------------------


def _overdue_first(queryset, now):
    """Overdue complaints first, then by their next deadline (to acknowledge
    while unacknowledged, else to resolve), oldest first."""
    ack_late = Q(status__in=UNACKNOWLEDGED_COMPLAINT_STATUSES, acknowledge_due_at__lt=now)
    resolve_late = Q(resolve_due_at__lt=now)
    return queryset.annotate(
        overdue=Case(When(ack_late | resolve_late, then=Value(1)), default=Value(0)),
        next_due=Case(
            When(status__in=UNACKNOWLEDGED_COMPLAINT_STATUSES, then=F("acknowledge_due_at")),
            default=F("resolve_due_at"),
        ),
    ).order_by("-overdue", F("next_due").asc(nulls_last=True), "created_at", "id")


# The rows whose data names departments ("from", "to", "department"); other
# rows keep other things there (an assignment staff ids, an escalation the
# addresses it went to).
ROUTING_EVENTS = ("routed", "rerouted")


def _departments_of(event) -> dict:
    data = event.data if event.kind in ROUTING_EVENTS and isinstance(event.data, dict) else {}
    return {key: value for key, value in data.items() if isinstance(value, int)}


def _timeline(complaint) -> list:
    """The timeline with who and, for routing rows, the departments' names:
    two queries whatever its length."""
    events = list(complaint.events.select_related("by"))
    ids = set()
    for event in events:
        ids.update(
            value
            for key, value in _departments_of(event).items()
            if key in ("from", "to", "department")
        )
    names = dict(Department.objects.filter(pk__in=ids).values_list("pk", "name")) if ids else {}
    for event in events:
        event.label = event_label(COMPLAINT_EVENTS, event.kind)
        event.customer = event.visibility == Visibility.CUSTOMER
        data = _departments_of(event)
        event.from_department = names.get(data.get("from"), "")
        event.to_department = names.get(data.get("to") or data.get("department"), "")
    return events


def _steps_for(complaint) -> list[str]:
    allowed = COMPLAINT_TRANSITIONS.get(complaint.status, set())
    return [step for step, status in STEPS.items() if status in allowed]


def _main_context(request, complaint, *, bound=None, conflict="", now=None) -> dict:
    """Everything the complaint's main part shows; `bound` holds a form sent
    back with its errors (by name), `conflict` the message after a conflict."""
    now = now or timezone.now()
    bound = bound or {}
    staff = linked_staff(request)
    can_work = can_work_on_complaint(request.user, complaint, staff=staff)
    steps = _steps_for(complaint) if can_work else []
    version = {"version": complaint.version}
    can_assign = can_work and complaint.is_open and complaint.department_id is not None
    can_reroute = can_work and ComplaintStatus.ROUTED in COMPLAINT_TRANSITIONS.get(
        complaint.status, set()
    )
    department_staff = (
        Staff.objects.active().filter(department_id=complaint.department_id).order_by("full_name")
    )
    events = _timeline(complaint)
    return {
        "complaint": complaint,
        "flags": deadline_flags(complaint, now),
        "events": events,
        "customer_events": [event for event in events if event.customer],
        "can_work": can_work,
        "steps": steps,
        "resolve_form": bound.get("resolve")
        or StatusForm(initial={**version, "step": "resolve", "email_customer": True}),
        "reopen_form": bound.get("reopen") or StatusForm(initial={**version, "step": "reopen"}),
        "assign_form": (
            (
                bound.get("assign")
                or AssignForm(
                    initial={**version, "staff": complaint.assigned_to_id},
                    department_staff=department_staff,
                )
            )
            if can_assign
            else None
        ),
        "reroute_form": (bound.get("reroute") or RerouteForm(initial=version))
        if can_reroute
        else None,
        "comment_form": (
            (bound.get("comment") or CommentForm(initial={"email_customer": True}))
            if can_work
            else None
        ),
        "bound_step": bound.get("step", ""),
        "conflict": conflict,
        "deliveries": notifications.delivery_log(complaint=complaint),
        "read_out": read_out_sentence(complaint),
    }


def _load(request, pk) -> Complaint:
    return get_complaint_for_user(
        request, pk, queryset=Complaint.objects.select_related(*DETAIL_RELATED)
    )


@require_GET
def complaint_detail(request, pk):
    """A complaint: its facts, deadlines, timeline (internal notes and what was
    told to the customer apart), deliveries and the actions the user may take."""
    complaint = _load(request, pk)
    return render(request, "messages_app/complaint_detail.html", _main_context(request, complaint))


# Acting -----------------------------------------------------------------------


def _answer(request, pk, *, message="", bound=None, conflict="", error="", status=200):
    """After an action: the page again (re-read: the related rows may have
    changed). htmx gets the main part; a browser without it a redirect after
    success, else the whole page with the errors."""
    try:
        complaint = _load(request, pk)
    except (Http404, PermissionDenied):  # passed to a department the user cannot see
        if message:
            messages.success(request, message)
        target = reverse("messages_app:complaint-queue")
        if request.htmx:
            response = HttpResponse(status=204)
            response["HX-Redirect"] = target
            return response
        return redirect(target)
    if status == 200 and not request.htmx:
        if message:
            messages.success(request, message)
        return redirect("messages_app:complaint-detail", pk=pk)
    context = _main_context(request, complaint, bound=bound, conflict=conflict)
    context["done"] = message
    context["error"] = error or _unshown_errors(bound)
    template = (
        "messages_app/partials/_complaint_main.html"
        if request.htmx
        else "messages_app/complaint_detail.html"
    )
    return render(request, template, context, status=status)


HIDDEN_FIELDS = ("step", "version")


def _unshown_errors(bound) -> str:
    """Errors no field on the page shows: the hidden fields' (a page too old,
    a step that does not exist) and the forms' own."""
    found = []
    for name, form in (bound or {}).items():
        if name == "step" or not hasattr(form, "errors"):
            continue
        found += form.non_field_errors()
        for field in HIDDEN_FIELDS:
            if field in form.errors:
                found.append(_("This page is out of date: here is the complaint as it is now."))
                break
    return " ".join(dict.fromkeys(found))


def _errors_onto(form, exc: ValidationError, *, default_field=None) -> str:
    """A service's errors onto the form's fields; what belongs to no field
    (a refused step, a closed complaint) is returned, for the page's alert."""
    if not hasattr(exc, "error_dict"):
        return " ".join(exc.messages)
    for name, errors in exc.message_dict.items():
        form.add_error(name if name in form.fields else default_field, errors)
    return ""


def _worker(request, pk) -> tuple[Complaint, Staff | None]:
    complaint = _load(request, pk)
    staff = linked_staff(request)
    if not can_work_on_complaint(request.user, complaint, staff=staff):
        raise PermissionDenied
    return complaint, staff


STEP_DONE = {
    "acknowledge": gettext_lazy("Acknowledged."),
    "start": gettext_lazy("Work started."),
    "resolve": gettext_lazy("Resolved."),
    "close": gettext_lazy("Closed."),
    "reopen": gettext_lazy("Reopened."),
}


@require_POST
def complaint_status(request, pk):
    """One status step (step=acknowledge|start|resolve|close|reopen)."""
    complaint, staff = _worker(request, pk)
    form = StatusForm(request.POST)
    step = request.POST.get("step", "")
    if not form.is_valid():
        return _answer(request, pk, bound={step: form, "step": step}, status=422)
    step = form.cleaned_data["step"]
    try:
        complaint_set_status(
            complaint=complaint,
            by=request.user,
            to_status=STEPS[step],
            text=form.cleaned_data["text"],
            visibility=Visibility.CUSTOMER if step == "resolve" else Visibility.INTERNAL,
            version=form.cleaned_data["version"],
            by_staff=staff,
            email_customer=form.cleaned_data["email_customer"],
        )
    except ComplaintConflict as exc:
        return _answer(request, pk, conflict=exc.messages[0], status=409)
    except ValidationError as exc:
        error = _errors_onto(form, exc, default_field="text")
        return _answer(request, pk, bound={step: form, "step": step}, error=error, status=422)
    return _answer(request, pk, message=str(STEP_DONE[step]))


@require_POST
def complaint_assign_view(request, pk):
    complaint, staff = _worker(request, pk)
    form = AssignForm(
        request.POST,
        department_staff=Staff.objects.filter(department_id=complaint.department_id),
    )
    if not form.is_valid():
        return _answer(request, pk, bound={"assign": form}, status=422)
    try:
        complaint_assign(
            complaint=complaint,
            by=request.user,
            staff=form.cleaned_data["staff"],
            version=form.cleaned_data["version"],
            by_staff=staff,
        )
    except ComplaintConflict as exc:
        return _answer(request, pk, conflict=exc.messages[0], status=409)
    except ValidationError as exc:
        error = _errors_onto(form, exc, default_field="staff")
        return _answer(request, pk, bound={"assign": form}, error=error, status=422)
    assignee = form.cleaned_data["staff"]
    done = (
        _("Assigned to %(name)s.") % {"name": assignee.full_name}
        if assignee
        else _("Assigned to nobody.")
    )
    return _answer(request, pk, message=done)


@require_POST
def complaint_reroute_view(request, pk):
    complaint, staff = _worker(request, pk)
    form = RerouteForm(request.POST)
    if not form.is_valid():
        return _answer(request, pk, bound={"reroute": form}, status=422)
    department = form.cleaned_data["department"]
    try:
        complaint_reroute(
            complaint=complaint,
            by=request.user,
            department=department,
            reason=form.cleaned_data["reason"],
            version=form.cleaned_data["version"],
            by_staff=staff,
        )
    except ComplaintConflict as exc:
        return _answer(request, pk, conflict=exc.messages[0], status=409)
    except ValidationError as exc:
        error = _errors_onto(form, exc, default_field="reason")
        return _answer(request, pk, bound={"reroute": form}, error=error, status=422)
    done = _("%(reference)s passed to %(department)s.") % {
        "reference": complaint.reference,
        "department": department.name,
    }
    return _answer(request, pk, message=done)


@require_POST
def complaint_comment_view(request, pk):
    complaint, staff = _worker(request, pk)
    form = CommentForm(request.POST)
    if not form.is_valid():
        return _answer(request, pk, bound={"comment": form}, status=422)
    try:
        complaint_comment(
            complaint=complaint,
            by=request.user,
            text=form.cleaned_data["text"],
            visibility=form.cleaned_data["visibility"],
            by_staff=staff,
            email_customer=form.cleaned_data["email_customer"],
        )
    except ValidationError as exc:
        error = _errors_onto(form, exc, default_field="text")
        return _answer(request, pk, bound={"comment": form}, error=error, status=422)
    return _answer(request, pk, message=_("Comment added."))


# Recording on its own page ----------------------------------------------------


def _records_complaints(user) -> bool:
    return user.has_perm(ADD_COMPLAINT)


@require_http_methods(["GET", "POST"])
def complaint_create_view(request):
    """A complaint on its own (a letter, a walk-in customer): the same
    service as the console's, then its page with the reference to read out."""
    if not _records_complaints(request.user):
        raise PermissionDenied
    form = ComplaintForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            complaint = complaint_create(
                by=request.user,
                customer_name=data["customer_name"],
                customer_number=data["customer_number"],
                customer_email=data["customer_email"],
                language=data["language"],
                category=data["category"],
                product=data["product"],
                severity=data["severity"],
                description=data["description"],
                department=data["department"],
                override_reason=data["override_reason"],
            )
        except ValidationError as exc:
            error = _errors_onto(form, exc)
            if error:
                form.add_error(None, error)
        else:
            messages.success(
                request,
                _("Complaint %(reference)s recorded. Read to the customer: %(sentence)s")
                % {"reference": complaint.reference, "sentence": read_out_sentence(complaint)},
            )
            return redirect("messages_app:complaint-detail", pk=complaint.pk)
    status = 422 if request.method == "POST" else 200
    return render(request, "messages_app/complaint_form.html", {"form": form}, status=status)


def _id(value) -> int | None:
    text = str(value or "").strip()
    if text.isascii() and text.isdigit() and len(text) <= 18:
        return int(text)
    return None


@require_GET
def complaint_route_preview(request):
    """Where a complaint with this category, product and text would go, for
    the console's section and the complaint form (?prefix=complaint for the
    console's field names): "→ Keuangan (rule: Tagihan)", with the targets for
    the severity chosen. Two queries (the rules and the targets)."""
    if not (_records_complaints(request.user) or request.user.has_perm(ANY_COMPLAINT)):
        raise PermissionDenied
    prefix = "complaint-" if request.GET.get("prefix") == "complaint" else ""

    def value(name):
        return request.GET.get(prefix + name, "")[:4000]

    description = value("description").strip() or request.GET.get("purpose", "")[:300]
    severity = value("severity")
    if severity not in Severity.values:
        severity = Severity.MEDIUM
    decision = RuleSet.load().decide(
        category=_id(value("category")), product=_id(value("product")), description=description
    )
    chosen = _id(value("department"))
    override = ""
    if chosen is not None and chosen != getattr(decision.department, "pk", None):
        override = (
            Department.objects.active().filter(pk=chosen).values_list("name", flat=True).first()
            or ""
        )
    context = {
        "decision": decision,
        "override": override,
        "target": decision.target(severity),
        "severity_label": Severity(severity).label,
    }
    return render(request, "messages_app/partials/_complaint_route.html", context)


# The department's queue -------------------------------------------------------


def _chooses_department(user) -> bool:
    return user.has_perm(ANY_COMPLAINT) or user.has_perm(VIEW_COMPLAINT)


@require_GET
def complaint_queue(request):
    """A department's open complaints, overdue first. Staff see their own
    department's; supervisors and the desk choose one (or the unrouted ones,
    or all). Constant queries: the page of rows, its count, the departments."""
    user = request.user
    me = linked_staff(request)
    chooser = _chooses_department(user)
    if not chooser and me is None:
        raise PermissionDenied
    now = timezone.now()
    open_ones = complaints_visible_to(request).filter(status__in=OPEN_COMPLAINT_STATUSES)
    choice = request.GET.get("department", "")
    departments = []
    chosen_name = ""
    if chooser:
        departments = list(Department.objects.active().values_list("pk", "name"))
        if not choice and me is not None:
            choice = str(me.department_id)
        if choice == "none":
            open_ones = open_ones.filter(department__isnull=True)
            chosen_name = _("Unrouted")
        elif _id(choice) is not None:
            open_ones = open_ones.filter(department_id=_id(choice))
            chosen_name = dict(departments).get(_id(choice), "")
        else:
            choice = ""
    else:
        choice = str(me.department_id)
        chosen_name = me.department.name
    rows = _overdue_first(
        open_ones.select_related("category", "product", "department", "assigned_to"), now
    )
    page = Paginator(rows, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    for complaint in page.object_list:
        complaint.flags = deadline_flags(complaint, now)
    context = {
        "page": page,
        "complaints": page.object_list,
        "chooser": chooser,
        "departments": departments,
        "choice": choice,
        "chosen_name": chosen_name,
        "can_record": _records_complaints(user),
    }
    return render(request, "messages_app/complaint_queue.html", context)


# Bulk actions (the complaint list posts here) ---------------------------------


def _safe_next(request) -> str:
    target = request.POST.get("next", "")
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("messages_app:complaint-queue")


@require_POST
def complaint_bulk_view(request):
    """POST action (assign | route | close), ids (repeated), staff, department,
    reason, next: each complaint through the same service as on its page;
    what was done and each refusal (by reference) come back as messages on
    `next` (a local URL), or, for htmx, as the result partial."""
    user = request.user
    if not user.has_perm(ANY_COMPLAINT) and linked_staff(request) is None:
        raise PermissionDenied
    ids = {pk for pk in (_id(v) for v in request.POST.getlist("ids")[:BULK_MAX]) if pk}
    complaints = list(
        complaints_visible_to(request)
        .filter(pk__in=ids)
        .select_related("department")
        .order_by("reference")
    )
    staff_id, department_id = _id(request.POST.get("staff")), _id(request.POST.get("department"))
    staff = Staff.objects.filter(pk=staff_id).first() if staff_id else None
    department = Department.objects.filter(pk=department_id).first() if department_id else None
    error, result = "", None
    if not ids:
        error = _("Tick the complaints first.")
    else:
        try:
            result = complaint_bulk(
                action=request.POST.get("action", ""),
                complaints=complaints,
                by=user,
                staff=staff,
                department=department,
                reason=request.POST.get("reason", ""),
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
    missing = len(ids) - len(complaints)
    if request.htmx:
        context = {"result": result, "error": error, "missing": missing}
        response = render(request, "messages_app/partials/_complaint_bulk_result.html", context)
        if result is not None and result.done:
            response["HX-Trigger"] = "complaintsChanged"
        return response
    if error:
        messages.error(request, error)
    if result is not None:
        if result.done:
            changed = ngettext(
                "%(count)s complaint changed.", "%(count)s complaints changed.", result.done
            )
            messages.success(request, changed % {"count": result.done})
        for reference, why in result.refused:
            messages.warning(request, f"{reference}: {why}")
    if missing:
        messages.warning(request, _("Not found: %(count)s.") % {"count": missing})
    return redirect(_safe_next(request))


urlpatterns = [
    path("complaints/new/", complaint_create_view, name="complaint-create"),
    path("complaints/queue/", complaint_queue, name="complaint-queue"),
    path("complaints/route/", complaint_route_preview, name="complaint-route-preview"),
    path("complaints/bulk/", complaint_bulk_view, name="complaint-bulk"),
    path("complaints/<int:pk>/", complaint_detail, name="complaint-detail"),
    path("complaints/<int:pk>/status/", complaint_status, name="complaint-status"),
    path("complaints/<int:pk>/assign/", complaint_assign_view, name="complaint-assign"),
    path("complaints/<int:pk>/reroute/", complaint_reroute_view, name="complaint-reroute"),
    path("complaints/<int:pk>/comment/", complaint_comment_view, name="complaint-comment"),
]
