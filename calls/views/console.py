"""The operator's console: one page to find whom a caller wants, log the call in
a keystroke or two, and see the caller's history and the day's calls."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from calls.forms import ConsoleCallForm, active_categories, parse_phone_number
from calls.models import Outcome
from calls.selectors import caller_get, caller_history, console_day
from calls.services import call_log
from directory.models import AVAILABLE_PRESENCES, Extension
from directory.selectors import directory_search

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


def _outcome_buttons():
    buttons = []
    for outcome, key in OUTCOME_KEYS:
        if outcome in OUTGOING_ONLY:
            directions = "out"
        elif outcome in BOTH_DIRECTIONS:
            directions = "in out internal"
        else:
            directions = "in internal"
        buttons.append(
            {"value": outcome.value, "label": outcome.label, "key": key, "directions": directions}
        )
    return buttons


def _today(user) -> dict:
    calls, count = console_day(day=timezone.localdate(), operator=user, limit=TODAY_LIMIT)
    return {
        "today_calls": calls,
        "today_count": count,
        "today_more": count - len(calls),
        "daily_target": settings.CALLS_DAILY_TARGET,
    }


def _form_context(form) -> dict:
    return {"form": form, "outcome_buttons": _outcome_buttons()}


def _page_context(request, form) -> dict:
    return {**_form_context(form), **_today(request.user)}


def _search_choices(query: str) -> list[dict]:
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
        choice = {
            "r": r,
            # Only staff have a presence; departments and the like are always reachable.
            "available": not r.presence or r.presence in AVAILABLE_PRESENCES,
            "transfer_number": r.extension,
            "via_cover": False,
        }
        # directory_search names a cover only for staff who are away.
        if r.cover and r.cover.get("extension"):
            choice["transfer_number"] = r.cover["extension"]
            choice["via_cover"] = True
        choice["transfer_id"] = ext_ids.get(choice["transfer_number"], "")
        choices.append(choice)
    return choices


def _save(request, form):
    """call_log with the form's data; its validation errors go back on the form."""
    try:
        return call_log(
            operator=request.user, number=form.cleaned_data["number"] or None, **form.call_fields()
        )
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            for field, errors in exc.message_dict.items():
                # The end is stamped here, so "ends before it starts" is the timer's fault.
                target = "started_at" if field == "ended_at" else field
                form.add_error(target if target in form.fields else None, errors)
        else:
            form.add_error(None, exc.messages)
        return None


@require_http_methods(["GET", "POST"])
@permission_required("calls.add_call", raise_exception=True)
def console(request):
    """GET: the console (or, for the type-ahead, just the search results).
    POST: log one call, then answer with a fresh form and the updated day."""
    if request.method == "GET":
        if request.htmx and "q" in request.GET:
            query = request.GET.get("q", "")
            return render(
                request,
                "calls/partials/_search_results.html",
                {"query": query, "choices": _search_choices(query)},
            )
        form = ConsoleCallForm(categories=active_categories())
        return render(request, "calls/console.html", _page_context(request, form))

    # One read of the categories checks the one sent and lists them in the fresh form.
    categories = active_categories()
    form = ConsoleCallForm(request.POST, categories=categories)
    call = _save(request, form) if form.is_valid() else None
    if call is None:
        if request.htmx:
            return render(request, "calls/partials/_form.html", _form_context(form), status=422)
        return render(request, "calls/console.html", _page_context(request, form), status=422)
    saved = _("Call saved: %(outcome)s.") % {"outcome": call.get_outcome_display()}
    if not request.htmx:
        messages.success(request, saved)
        return redirect("calls:console")
    fresh = ConsoleCallForm(categories=categories)
    context = {**_form_context(fresh), **_today(request.user), "saved": saved}
    response = render(request, "calls/partials/_saved.html", context)
    response["HX-Trigger"] = "callSaved"
    return response


@require_GET
@permission_required("calls.add_call", raise_exception=True)
def caller_lookup(request):
    """GET ?number=: who this number is (name, company, kind to fill in) and
    their last ten calls, or "new caller"."""
    raw = request.GET.get("number", "").strip()[:100]
    context = {"raw": raw, "caller": None, "history": [], "error": ""}
    if raw:
        try:
            number = parse_phone_number(raw)
        except ValidationError as exc:
            context["error"] = exc.messages[0]
        else:
            context["number"] = number
            caller = caller_get(number)
            if caller is not None:
                context["caller"] = caller
                context["history"] = list(caller_history(caller, limit=10))
    return render(request, "calls/partials/_caller.html", context)
