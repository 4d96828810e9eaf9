"""What complaints add to the console and to a caller's pages (calls.extensions).

- The "complaint" outcome: its first key opens the complaint section of the
  call form (category, product, severity, optional e-mail, the customer's
  language, the routing decision and the override); the second saves the call
  and the complaint together. The customer is the call's caller (name,
  company, number) and the description defaults to the call's purpose.
  After the save the reference is shown large with the sentence to read out
  in the customer's language, until the next call (F2).
- A caller panel: the number's complaints with their state.
"""

from django.core.exceptions import ValidationError
from django.db.models import Case, Q, Value, When
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from calls.extensions import CallerPanel, OutcomeExtension, register_caller_panel, register_outcome
from calls.models import Outcome
from messages_app.access import ANY_COMPLAINT, VIEW_COMPLAINT
from messages_app.forms_complaints import ConsoleComplaintForm
from messages_app.models import OPEN_COMPLAINT_STATUSES, Complaint, ComplaintStatus
from messages_app.services.complaints import complaint_create

# Where a service's error on the complaint lands in the console: the call's own
# fields hold the customer's name and number.
CALL_FIELDS = {"customer_name": "caller_name", "customer_number": "number"}


class SavedComplaint(str):
    """The status line after the save ("Complaint KEL-2026-000123 saved ..."),
    carrying what the section shows large: the reference and the sentence to
    read out in the customer's language (the console renders its fresh form
    with this text in its context as `saved`)."""

    complaint_reference = ""
    read_out = ""
    language = ""
    url = ""


def read_out_sentence(complaint: Complaint) -> str:
    """What the operator reads to the caller, in the complaint's language."""
    with translation.override(complaint.language or None):
        return pgettext("read out to the caller", "Your complaint number is %(reference)s.") % {
            "reference": complaint.reference
        }


def save_complaint(*, call, form, user):
    data = form.cleaned_data
    description = data.get("description") or call.purpose
    try:
        return complaint_create(
            by=user,
            call=call,
            customer_name=call.caller_name or (call.caller.name if call.caller else ""),
            description=description,
            category=data.get("category"),
            product=data.get("product"),
            severity=data.get("severity"),
            customer_email=data.get("customer_email", ""),
            language=data.get("language", ""),
            department=data.get("department"),
            override_reason=data.get("override_reason", ""),
            now=call.ended_at or None,
        )
    except ValidationError as exc:
        if not hasattr(exc, "error_dict"):
            raise
        errors = {}
        for name, messages in exc.message_dict.items():
            if name == "customer_number" and not call.caller_id:
                name = "customer_email"  # withheld: an e-mail is the way back
            errors[CALL_FIELDS.get(name, name)] = messages
        raise ValidationError(errors) from exc


def saved_text(complaint: Complaint) -> SavedComplaint:
    if complaint.department_id:
        text = _("Complaint %(reference)s saved → %(department)s.") % {
            "reference": complaint.reference,
            "department": complaint.department.name,
        }
    else:
        text = _("Complaint %(reference)s saved, unrouted: a supervisor will route it.") % {
            "reference": complaint.reference
        }
    saved = SavedComplaint(text)
    saved.complaint_reference = complaint.reference
    saved.read_out = read_out_sentence(complaint)
    saved.language = complaint.language
    saved.url = reverse("messages_app:complaint-detail", args=[complaint.pk])
    return saved


COMPLAINT_OUTCOME = OutcomeExtension(
    outcome=Outcome.COMPLAINT,
    form_class=ConsoleComplaintForm,
    template="messages_app/partials/_console_complaint.html",
    save=save_complaint,
    saved_text=saved_text,
    script="js/console_complaint.js",
)


# The caller's pages ---------------------------------------------------------------

PANEL_LIMIT_COMPACT = 5
PANEL_LIMIT = 20


def caller_complaints(*, caller, user, compact: bool) -> dict:
    """The caller's complaints, the open ones first, then the latest (reference,
    state, department), in one query whatever their number and without a
    COUNT (the caller page paginates lazily); nothing for a user who may not
    read complaints. A department's staff have no role and see no caller pages."""
    if not (user.has_perm(VIEW_COMPLAINT) or user.has_perm(ANY_COMPLAINT)):
        return {"complaints": [], "shown": False}
    limit = PANEL_LIMIT_COMPACT if compact else PANEL_LIMIT
    still_open = Q(status__in=OPEN_COMPLAINT_STATUSES)
    rows = list(
        Complaint.objects.filter(caller=caller)
        .annotate(open_first=Case(When(still_open, then=Value(0)), default=Value(1)))
        .order_by("open_first", "-created_at", "-id")
        .values("pk", "reference", "status", "created_at", "department__name", "severity")[
            : limit + 1
        ]
    )
    more = len(rows) > limit
    rows = rows[:limit]
    labels = dict(ComplaintStatus.choices)
    for row in rows:
        row["status_label"] = labels.get(row["status"], row["status"])
        row["is_open"] = row["status"] in OPEN_COMPLAINT_STATUSES
        row["url"] = reverse("messages_app:complaint-detail", args=[row["pk"]])
    return {
        "shown": True,
        "compact": compact,
        "complaints": rows,
        "open": sum(row["is_open"] for row in rows),
        "more": more,
    }


COMPLAINT_PANEL = CallerPanel(
    name="complaints",
    template="messages_app/partials/_complaint_caller.html",
    context=caller_complaints,
)


def register() -> None:
    """Called once per process by MessagesAppConfig.ready()."""
    register_outcome(COMPLAINT_OUTCOME)
    register_caller_panel(COMPLAINT_PANEL)
