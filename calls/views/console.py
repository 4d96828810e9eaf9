"""The operator's console: one page to find whom a caller wants, log the call in
a keystroke or two, and see the caller's history and the day's calls."""

import json
from contextlib import nullcontext

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import get_text_list
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from calls.extensions import caller_panel_sections, outcome_extension, outcome_extensions
from calls.forms import ConsoleCallForm, active_categories
from calls.models import Call, Direction, Outcome
from calls.selectors import caller_get, caller_history, console_day
from calls.selectors_incidents import incidents_open
from calls.services import call_log, call_log_check, can_edit_call
from directory.models import AVAILABLE_PRESENCES, Extension
from directory.selectors import directory_search
from directory.views.cards import ConsoleChoice, console_results_html
from switchboard.links import pk_link
from switchboard.phones import parse_phone

# The outcome buttons, in the order of their Alt+digit shortcuts.
OUTCOME_KEYS = [
    (Outcome.TRANSFERRED, "1"),
    (Outcome.ANSWERED, "2"),
    (Outcome.MESSAGE, "3"),
    (Outcome.COMPLAINT, "4"),
    (Outcome.NO_ANSWER, "5"),
    (Outcome.WRONG_NUMBER, "6"),
    (Outcome.NUISANCE, "7"),
    (Outcome.CALL_BACK, "8"),
    (Outcome.CONNECTED, "9"),
]
OUTGOING_ONLY = {Outcome.CONNECTED}
BOTH_DIRECTIONS = {Outcome.NO_ANSWER}


# The day list shows the latest calls; the count covers the whole day.
TODAY_LIMIT = 20


def _refusal(direction: str, outcome_label: str, usable: list[dict]) -> str:
    """What the status line says when an outcome key does not apply to the call's
    direction: which keys do."""
    if len(usable) <= 3:
        choices = get_text_list([f"Alt+{b['key']} {b['label']}" for b in usable], _("or"))
    else:
        choices = _("one of Alt+%(first)s to Alt+%(last)s") % {
            "first": usable[0]["key"],
            "last": usable[-1]["key"],
        }
    if direction == Direction.INCOMING:
        template = _("%(outcome)s is not an outcome of an incoming call; use %(choices)s.")
    elif direction == Direction.OUTGOING:
        template = _("%(outcome)s is not an outcome of an outgoing call; use %(choices)s.")
    else:
        template = _("%(outcome)s is not an outcome of an internal call; use %(choices)s.")
    return template % {"outcome": outcome_label, "choices": choices}


def _outcome_buttons():
    """The outcome buttons, each with the directions it applies to and, for the
    others, what the status line says when its key is pressed anyway."""
    buttons = []
    for outcome, key in OUTCOME_KEYS:
        if outcome in OUTGOING_ONLY:
            directions = [Direction.OUTGOING]
        elif outcome in BOTH_DIRECTIONS:
            directions = list(Direction)
        else:
            directions = [Direction.INCOMING, Direction.INTERNAL]
        buttons.append(
            {
                "value": outcome.value,
                "label": outcome.label,
                "key": key,
                "directions": " ".join(directions),
                "for": {d.value for d in directions},
                # An app's section opens on the first press (calls.extensions).
                "extension": outcome_extension(outcome) is not None,
            }
        )
    for button in buttons:
        button["refusals"] = [
            (
                direction.value,
                _refusal(direction, button["label"], [b for b in buttons if direction in b["for"]]),
            )
            for direction in Direction
            if direction not in button["for"]
        ]
    return buttons


def _today(user) -> dict:
    """The operator's day: the latest calls (each links to its page), the count
    against the target, and the correction page of the latest call while the
    operator may still correct it (Alt+E)."""
    calls, count = console_day(day=timezone.localdate(), operator=user, limit=TODAY_LIMIT)
    detail = pk_link("calls:call-detail")
    for call in calls:
        call["url"] = detail(call["pk"])
    edit_last = ""
    if calls:
        # The rule is can_edit_call's; the row holds all it looks at.
        latest = Call(pk=calls[0]["pk"], operator_id=user.pk, started_at=calls[0]["started_at"])
        if can_edit_call(user, latest):
            edit_last = reverse("calls:call-edit", args=[latest.pk])
    return {
        "today_calls": calls,
        "today_count": count,
        "today_more": count - len(calls),
        "daily_target": settings.CALLS_DAILY_TARGET,
        "edit_last_url": edit_last,
    }


def _form_context(form, ext_forms: dict) -> dict:
    # What "New call" puts back in each field: the form's initial values, not
    # the values the page was rendered with (after a refused save, the old call's).
    blank = {name: str(field.initial) for name, field in form.fields.items() if field.initial}
    for ext_form in ext_forms.values():
        blank.update(
            {
                ext_form.add_prefix(name): str(field.initial)
                for name, field in ext_form.fields.items()
                if field.initial
            }
        )
    return {
        "form": form,
        # Each extension's partial, rendered inside the form (calls.extensions).
        "outcome_extensions": [
            {"extension": ext, "form": ext_forms[ext.outcome]} for ext in outcome_extensions()
        ],
        "outcome_buttons": _outcome_buttons(),
        "form_blank": json.dumps(blank),
        # Rendered hidden already, so nothing flashes before console.js applies it.
        "direction": str(form["direction"].value() or Direction.INCOMING),
    }


def _page_context(request, form, ext_forms: dict) -> dict:
    # The open phone-line incidents, as a banner: why callers cannot get through.
    return {
        **_form_context(form, ext_forms),
        **_today(request.user),
        "incidents_open": incidents_open(),
    }


def _search_choices(query: str) -> list[ConsoleChoice]:
    """Directory results, each with what choosing it puts in the call: the
    person or department asked for and the extension to transfer to (the
    person's own, or their cover's while they are away), or the answer used."""
    results = directory_search(query) if query.strip() else []
    numbers = {r.extension for r in results if r.extension}
    numbers |= {r.cover["extension"] for r in results if r.cover and r.cover.get("extension")}
    ext_ids = (
        dict(Extension.objects.filter(number__in=numbers).values_list("number", "pk"))
        if numbers
        else {}
    )
    choices = []
    for r in results:
        transfer_number, via_cover = r.extension, False
        # directory_search names a cover only for staff who are away.
        if r.cover and r.cover.get("extension"):
            transfer_number, via_cover = r.cover["extension"], True
        choices.append(
            ConsoleChoice(
                result=r,
                # Only staff have a presence; departments and the like are always reachable.
                available=not r.presence or r.presence in AVAILABLE_PRESENCES,
                transfer_number=transfer_number,
                transfer_id=ext_ids.get(transfer_number),
                via_cover=via_cover,
            )
        )
    return choices


def _extension_forms(data=None, *, call_form, user) -> dict:
    """The extra form of every outcome an app took over (calls.extensions),
    bound to the POST when there is one."""
    return {
        ext.outcome: ext.make_form(data, call_form=call_form, user=user)
        for ext in outcome_extensions()
    }


def _put_errors(exc: ValidationError, form, ext_form, faulted: set) -> None:
    """A service's ValidationError onto the field it names: the extra form's
    own fields first, then the call form's; a field the form already faults
    keeps only the form's error."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for field, errors in exc.message_dict.items():
        if ext_form is not None and field in ext_form.fields:
            if field not in ext_form.errors:
                ext_form.add_error(field, errors)
            continue
        # The end is stamped here, so "ends before it starts" is the timer's fault.
        target = "started_at" if field == "ended_at" else field
        target = target if target in form.fields else None
        if target not in faulted:
            form.add_error(target, errors)


def _save(request, form, ext_forms: dict):
    """call_log with the form's data, and what an outcome's extension keeps with
    the call (a message slip, a complaint), in one transaction; validation
    errors go back on the forms. Returns (call, extension result) or None.

    A form with errors of its own is still checked against the call's rules
    (call_log_check, nothing written), so an operator who typed a bad number
    for a message without text hears of both at once."""
    extension = outcome_extension(form.data.get("outcome"))
    ext_form = ext_forms.get(extension.outcome) if extension else None
    extra_valid = ext_form.is_valid() if ext_form is not None else True
    valid = form.is_valid() and extra_valid
    faulted = set(form.errors)  # the form's own errors, before the rules speak
    # One transaction for the call and what the extension keeps with it; a call
    # alone is call_log's own transaction.
    together = transaction.atomic() if valid and extension is not None else nullcontext()
    try:
        with together:
            service = call_log if valid else call_log_check
            call = service(
                operator=request.user,
                number=form.cleaned_data.get("number") or None,
                **form.call_fields(),
            )
            if not valid:
                return None
            result = None
            if extension is not None:
                result = extension.save(call=call, form=ext_form, user=request.user)
    except ValidationError as exc:
        _put_errors(exc, form, ext_form, faulted)
        return None
    return call, (extension, result)


@require_http_methods(["GET", "POST"])
@permission_required("calls.add_call", raise_exception=True)
def console(request):
    """GET: the console (or, for the type-ahead, just the search results).
    POST: log one call, then answer with a fresh form and the updated day."""
    if request.method == "GET":
        if request.htmx and "q" in request.GET:
            query = request.GET.get("q", "")
            return HttpResponse(console_results_html(query, _search_choices(query)))
        form = ConsoleCallForm(categories=active_categories())
        ext_forms = _extension_forms(call_form=form, user=request.user)
        return render(request, "calls/console.html", _page_context(request, form, ext_forms))

    # One read of the categories checks the one sent and lists them in the fresh form.
    categories = active_categories()
    form = ConsoleCallForm(request.POST, categories=categories)
    ext_forms = _extension_forms(request.POST, call_form=form, user=request.user)
    saved_call = _save(request, form, ext_forms)
    if saved_call is None:
        context = _form_context(form, ext_forms)
        if request.htmx:
            return render(request, "calls/partials/_form.html", context, status=422)
        context = _page_context(request, form, ext_forms)
        return render(request, "calls/console.html", context, status=422)
    call, (extension, result) = saved_call
    if extension is not None:
        saved = extension.saved_text(result)
    else:
        saved = _("Call saved: %(outcome)s.") % {"outcome": call.get_outcome_display()}
    if not request.htmx:
        messages.success(request, saved)
        return redirect("calls:console")
    fresh = ConsoleCallForm(categories=categories)
    fresh_extras = _extension_forms(call_form=fresh, user=request.user)
    context = {**_form_context(fresh, fresh_extras), **_today(request.user), "saved": saved}
    response = render(request, "calls/partials/_saved.html", context)
    response["HX-Trigger"] = "callSaved"
    return response


@require_GET
@permission_required("calls.add_call", raise_exception=True)
def caller_lookup(request):
    """GET ?number=: who this number is (name, company, kind to fill in) and
    their last ten calls, or "new caller". The console asks as the number is
    typed (?typing=1) and again when the field is left."""
    raw = request.GET.get("number", "").strip()[:100]
    # While the operator is still typing, a number that does not parse yet is
    # not an error: the panel stays empty until it does (or the field is left).
    typing = request.GET.get("typing") == "1"
    context = {"raw": raw, "caller": None, "history": [], "error": ""}
    if raw:
        try:
            phone = parse_phone(raw)
        except ValidationError as exc:
            if not typing:
                context["error"] = exc.messages[0]
        else:
            number = context["number"] = phone.e164
            context["extension"] = phone.extension
            caller = caller_get(number)
            if caller is not None:
                context["caller"] = caller
                context["history"] = list(caller_history(caller, limit=10))
                context["sections"] = caller_panel_sections(caller, user=request.user, compact=True)
    return render(request, "calls/partials/_caller.html", context)
