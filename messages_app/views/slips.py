"""Message slip views (see messages_app/urls.py).

- slip-new: a slip on its own (walk-in visitor, relayed message), keyboard first.
- slip-mine: "My messages": a staff member's open and recent slips (for the desk
  without a Staff record, the slips they took), unread first.
- slip-detail: one slip, with its recipients, timeline and delivery log.
- slip-acknowledge / slip-done / slip-resend / slip-reroute: POST actions calling
  one service each; from a list (HTMX, `row=mine|board`) they answer with the
  row as it now is, else they redirect back.
- slip-board: the desk's board of open slips (polled by HTMX).
- slip-unread: the unread badge alone.
- slip-ack: the signed acknowledge link of an e-mail, without logging in: GET
  shows the slip, POST acknowledges it.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from directory.access import linked_staff
from messages_app import notifications
from messages_app.access import ANY_SLIP, can_act_on_slip, get_slip_for_user
from messages_app.forms_slips import NoteForm, RerouteForm, SlipForm
from messages_app.models import UNACKNOWLEDGED_SLIP_STATUSES, SlipRecipient
from messages_app.selectors_slips import (
    slip_detail_queryset,
    slip_list_board,
    slip_list_inbox,
    slip_list_taken_by,
    slip_unread_count,
    with_links,
)
from messages_app.services.slip_links import (
    AckLinkError,
    slip_ack_link,
    slip_acknowledge_by_link,
)
from messages_app.services.slips import (
    SlipConflict,
    slip_acknowledge,
    slip_create,
    slip_done,
    slip_mark_read,
    slip_reroute,
    slip_resend,
)
from messages_app.timeline import SLIP_EVENTS, event_label
from messages_app.views.slip_rows import board_rows_html, inbox_rows_html

ROW_TEMPLATES = {
    "mine": "messages_app/partials/_slip_row.html",
    "board": "messages_app/partials/_slip_board_row.html",
}


def _next_url(request) -> str:
    url = request.POST.get("next") or request.GET.get("next") or ""
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return ""


def _put_errors(form, exc: ValidationError) -> None:
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


# A slip on its own ---------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@permission_required("messages_app.add_messageslip", raise_exception=True)
def slip_new(request):
    """Take a message without a call: a walk-in visitor, a colleague relaying
    one. Saved, it answers with a fresh form for the next one."""
    form = SlipForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            slip = slip_create(taken_by=request.user, **form.service_kwargs())
        except ValidationError as exc:
            _put_errors(form, exc)
        else:
            messages.success(
                request,
                _("Message for %(whom)s saved (sent to %(recipients)s).")
                % {
                    "whom": slip.for_staff or slip.for_department.name,
                    "recipients": ", ".join(slip.recipient_names),
                },
            )
            return redirect("messages_app:slip-new")
    status = 422 if form.is_bound else 200
    return render(request, "messages_app/slip_form.html", {"form": form}, status=status)


# My messages ---------------------------------------------------------------------


def _inbox(request, me):
    if me is not None:
        return slip_list_inbox(staff=me)
    return slip_list_taken_by(user=request.user)


@require_GET
def slip_mine(request):
    """A staff member's messages: for them, copied to them, for their
    department. The desk without a Staff record sees the slips it took."""
    me = linked_staff(request)
    desk = request.user.has_perm(ANY_SLIP)
    if me is None and not desk:
        raise PermissionDenied
    now = timezone.now()
    slips = _inbox(request, me)
    rows = {"now": now, "csrf_token": get_token(request), "back_url": request.path}
    context = {
        **slips,
        "open_html": inbox_rows_html(slips["open"], **rows),
        "recent_html": inbox_rows_html(slips["recent"], **rows),
        "me": me,
        "desk": desk,
        "now": now,
    }
    return render(request, "messages_app/slip_mine.html", context)


@require_GET
def slip_unread(request):
    """The navigation's unread badge alone (one query)."""
    return render(
        request,
        "messages_app/partials/_slip_badge.html",
        {"unread": slip_unread_count(request.user)},
    )


# One slip --------------------------------------------------------------------


@require_GET
def slip_detail(request, pk):
    slip = get_slip_for_user(request, pk, queryset=slip_detail_queryset())
    me = linked_staff(request)
    if me is not None and any(
        r.staff_id == me.pk and r.read_at is None for r in slip.slip_recipients.all()
    ):
        slip_mark_read(slip=slip, staff=me)
        slip = get_slip_for_user(request, pk, queryset=slip_detail_queryset())
    events = list(slip.events.all())
    for event in events:
        event.label = event_label(SLIP_EVENTS, event.kind)
    context = {
        "slip": slip,
        "events": events,
        "recipients": list(slip.slip_recipients.all()),
        "notifications": notifications.delivery_log(slip=slip),
        "desk": request.user.has_perm(ANY_SLIP),
        "can_act": _can_act(request, slip),
        "now": timezone.now(),
    }
    return render(request, "messages_app/slip_detail.html", context)


def _can_act(request, slip) -> bool:
    return can_act_on_slip(request.user, slip, staff=linked_staff(request))


# Actions -----------------------------------------------------------------------


def _row_context(request, slip, now) -> dict:
    slip.overdue = bool(
        slip.status in UNACKNOWLEDGED_SLIP_STATUSES and slip.due_at and slip.due_at < now
    )
    me = linked_staff(request)
    slip.unread = bool(
        me is not None
        and SlipRecipient.objects.filter(slip=slip, staff=me, read_at__isnull=True).exists()
    )
    rows = with_links([slip])
    return {
        "slip": slip,
        "rows": rows,
        "slips": rows,
        "now": now,
        "desk": request.user.has_perm(ANY_SLIP),
        "me": me,
    }


def _answer(request, slip, text: str, *, status: int = 200, ok: bool = True):
    """After an action: the row as it now is, with what happened (a list's
    HTMX request), or back where the user came from with the message."""
    row = request.POST.get("row", "")
    if request.htmx and row in ROW_TEMPLATES:
        now = timezone.now()
        context = {**_row_context(request, slip, now), "flash": text, "flash_ok": ok}
        if row == "board":
            context["rows_html"] = board_rows_html(
                context["rows"], now=now, flash=text, flash_ok=ok
            )
        if row == "mine":
            context["unread_total"] = slip_unread_count(request.user, staff=context["me"])
            context["rows_html"] = inbox_rows_html(
                context["slips"],
                now=now,
                csrf_token=get_token(request),
                back_url=reverse("messages_app:slip-mine"),
                flash=text,
                flash_ok=ok,
            )
        return render(request, ROW_TEMPLATES[row], context, status=status)
    (messages.success if ok else messages.error)(request, text)
    return redirect(_next_url(request) or slip.get_absolute_url())


def _act(request, pk, action, done_text):
    """Run one service on a slip the user may see; its refusals become the
    answer's message (conflict: the slip as it stands)."""
    slip = get_slip_for_user(request, pk)
    form = NoteForm(request.POST)
    form.is_valid()  # both fields are optional; a bad version reads as stale
    data = form.cleaned_data
    version = data.get("version") if "version" not in form.errors else -1
    try:
        slip = action(slip=slip, by=request.user, note=data.get("note", ""), version=version)
    except SlipConflict as exc:
        return _answer(request, exc.slip, str(exc), status=409, ok=False)
    except ValidationError as exc:
        slip.refresh_from_db()
        return _answer(request, slip, " ".join(exc.messages), status=422, ok=False)
    return _answer(request, slip, done_text(slip))


def _whom(slip) -> str:
    return str(slip.for_staff or slip.for_department.name)


@require_POST
def slip_acknowledge_view(request, pk):
    return _act(
        request,
        pk,
        slip_acknowledge,
        lambda slip: _("Message for %(whom)s acknowledged.") % {"whom": _whom(slip)},
    )


@require_POST
def slip_done_view(request, pk):
    return _act(
        request,
        pk,
        slip_done,
        lambda slip: _("Message for %(whom)s done.") % {"whom": _whom(slip)},
    )


@require_POST
def slip_resend_view(request, pk):
    return _act(
        request,
        pk,
        slip_resend,
        lambda slip: (
            _("Sent again to %(recipients)s.") % {"recipients": ", ".join(slip.recipient_names)}
        ),
    )


@require_http_methods(["GET", "POST"])
def slip_reroute_view(request, pk):
    """Pass a slip to someone else, with a reason: a page of its own (from the
    slip page), or the board's dialog (HTMX, row=board)."""
    slip = get_slip_for_user(request, pk)
    form = RerouteForm(request.POST or None, initial={"version": slip.version})
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                slip = slip_reroute(
                    slip=slip,
                    by=request.user,
                    for_staff=data["for_staff"],
                    for_department=data["for_department"],
                    reason=data["reason"],
                    version=data.get("version"),
                )
            except SlipConflict as exc:
                return _answer(request, exc.slip, str(exc), status=409, ok=False)
            except ValidationError as exc:
                _put_errors(form, exc)
            else:
                text = _("Message passed to %(whom)s (sent to %(recipients)s).") % {
                    "whom": _whom(slip),
                    "recipients": ", ".join(slip.recipient_names),
                }
                return _answer(request, slip, text)
        if request.htmx and request.POST.get("row") in ROW_TEMPLATES:
            errors = [e for field_errors in form.errors.values() for e in field_errors]
            slip.refresh_from_db()
            return _answer(request, slip, " ".join(errors), status=422, ok=False)
    status = 422 if form.is_bound else 200
    return render(
        request, "messages_app/slip_reroute.html", {"slip": slip, "form": form}, status=status
    )


# The desk's board ---------------------------------------------------------------


@require_GET
@permission_required(ANY_SLIP, raise_exception=True)
def slip_board(request):
    """The desk's open slips, overdue first; polled every 20 seconds (HTMX
    asks for the rows alone)."""
    now = timezone.now()
    rows, total = slip_list_board(now=now)
    context = {
        "rows": rows,
        "rows_html": board_rows_html(rows, now=now),
        "total": total,
        "now": now,
        "desk": True,
    }
    if request.htmx:
        return render(request, "messages_app/partials/_slip_board_rows.html", context)
    context["reroute_form"] = RerouteForm()
    context["note_form"] = NoteForm()
    return render(request, "messages_app/slip_board.html", context)


# Acknowledge links -----------------------------------------------------------------

ACK_ERROR_STATUS = {"invalid": 400, "expired": 410, "gone": 404}


def _recipient_language(request, staff) -> str | None:
    """The link's page speaks the recipient's language, unless the visitor chose
    one with the language menu."""
    if request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) or staff is None:
        return None
    return notifications.staff_language(staff)


@login_not_required
@require_http_methods(["GET", "POST"])
def slip_ack(request, token):
    """An e-mailed acknowledge link. GET (which mail scanners also fetch) only
    shows the message and a button; the POST acknowledges it. An expired or
    altered link says so; a used one shows the message as it stands."""
    try:
        link = slip_ack_link(token) if request.method == "GET" else None
        if link is None:
            link = slip_acknowledge_by_link(token)
    except AckLinkError as exc:
        context = {"error": exc.reason, "days": settings.SLIP_ACK_LINK_DAYS}
        return render(
            request, "messages_app/slip_ack.html", context, status=ACK_ERROR_STATUS[exc.reason]
        )
    context = {
        "link": link,
        "slip": link.slip,
        "can_acknowledge": link.slip.status in UNACKNOWLEDGED_SLIP_STATUSES,
        "token": token,
    }
    language = _recipient_language(request, link.staff)
    if language:
        with translation.override(language):
            return render(request, "messages_app/slip_ack.html", context)
    return render(request, "messages_app/slip_ack.html", context)


urlpatterns = [
    path("new/", slip_new, name="slip-new"),
    path("mine/", slip_mine, name="slip-mine"),
    path("unread/", slip_unread, name="slip-unread"),
    path("board/", slip_board, name="slip-board"),
    path("<int:pk>/", slip_detail, name="slip-detail"),
    path("<int:pk>/acknowledge/", slip_acknowledge_view, name="slip-acknowledge"),
    path("<int:pk>/done/", slip_done_view, name="slip-done"),
    path("<int:pk>/resend/", slip_resend_view, name="slip-resend"),
    path("<int:pk>/reroute/", slip_reroute_view, name="slip-reroute"),
    path("ack/<str:token>/", slip_ack, name="slip-ack"),
]
