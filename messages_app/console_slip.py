"""What message slips add to the console and the caller's pages (calls.extensions),
and the outbox hook that marks a slip delivered. Registered once, in
MessagesAppConfig.ready (register_slips).

At the console the "message taken" outcome (Alt+3) turns the call into a slip:
the message is the call's own "Purpose / message" (typed once), whom it is for
and who called come from the call; the section adds urgency, mood, call-back
number and time and, for a person away with a cover, who gets it. Choosing a
person who is away opens the section by itself (static/js/console_slip.js), so a
slip takes the keystrokes of a transfer plus the message: F2, three letters,
Enter, the text, Alt+3.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.text import get_text_list
from django.utils.translation import gettext as _

from calls.extensions import CallerPanel, OutcomeExtension, register_caller_panel, register_outcome
from calls.models import Outcome
from messages_app import notifications
from messages_app.delivery import register_email_context
from messages_app.forms_slips import ConsoleSlipForm
from messages_app.models import MessageSlip
from messages_app.selectors_slips import slip_list_for_caller
from messages_app.services.slips import slip_create, slip_mark_delivered
from messages_app.templatetags.slip_tags import slip_email_context

# slip_create's field names -> the console form's (the call's, or this section's).
CALL_FIELDS = {
    "for_staff": "asked_for_staff",
    "for_department": "asked_for_staff",
    "message": "purpose",
    "caller_number": "number",
    "caller_name": "caller_name",
    "caller_company": "caller_company",
}
SECTION_FIELDS = {"urgency", "mood", "callback_number", "callback_time", "send_to"}


@dataclass(frozen=True)
class SavedSlip:
    slip: MessageSlip
    recipients: list[str]


def save_console_slip(*, call, form, user) -> SavedSlip:
    """The slip of a call just logged with "message taken", in the call's
    transaction: a ValidationError here undoes the call too, and lands on the
    field the operator fixes (the call's Asked for and Purpose / message, or
    this section's)."""
    data = form.cleaned_data
    staff = call.asked_for_staff if call.asked_for_staff_id else None
    department = call.asked_for_department if call.asked_for_department_id and not staff else None
    try:
        slip = slip_create(
            taken_by=user,
            message=call.purpose,
            for_staff=staff,
            for_department=department,
            send_to=data.get("send_to") or "person",
            caller=call.caller,
            caller_name=call.caller_name,
            caller_company=call.caller_company,
            caller_number=call.caller.number if call.caller_id else "",
            callback_number=data.get("callback_number", ""),
            callback_time=data.get("callback_time", ""),
            urgency=data.get("urgency"),
            mood=data.get("mood"),
            call=call,
            now=call.ended_at or call.started_at,
        )
    except ValidationError as exc:
        if not hasattr(exc, "error_dict"):
            raise
        errors = {}
        for field, messages in exc.message_dict.items():
            if field in SECTION_FIELDS:
                target = field
            elif field in ("for_staff", "for_department") and not (staff or department):
                target = "asked_for_staff"
                messages = [
                    _("Choose whom the message is for: search for the person or the department.")
                ]
            else:
                target = CALL_FIELDS.get(field, field)
            errors.setdefault(target, []).extend(messages)
        raise ValidationError(errors) from exc
    return SavedSlip(slip=slip, recipients=slip.recipient_names)


def saved_text(saved: SavedSlip) -> str:
    slip = saved.slip
    whom = slip.for_staff.full_name if slip.for_staff_id else slip.for_department.name
    return _("Message for %(whom)s saved (%(urgency)s; sent to %(recipients)s).") % {
        "whom": whom,
        "urgency": slip.get_urgency_display().lower(),
        "recipients": get_text_list(saved.recipients, _("and")),
    }


def caller_panel_context(*, caller, user, compact: bool) -> dict:
    """The number's slips for the caller panel (a few) and the caller page (the
    latest hundred): one query, none without the permission."""
    if not user.has_perm("messages_app.view_messageslip"):
        return {"visible": False, "slips": [], "more": False, "compact": compact}
    slips, more = slip_list_for_caller(caller=caller, compact=compact)
    return {"visible": True, "slips": slips, "more": more, "compact": compact}


MESSAGE_EXTENSION = OutcomeExtension(
    outcome=Outcome.MESSAGE,
    form_class=ConsoleSlipForm,
    template="messages_app/partials/_console_slip.html",
    save=save_console_slip,
    saved_text=saved_text,
    script="js/console_slip.js",
)
SLIP_CALLER_PANEL = CallerPanel(
    name="slips",
    template="messages_app/partials/_slip_caller_panel.html",
    context=caller_panel_context,
)


def register_slips() -> None:
    register_outcome(MESSAGE_EXTENSION)
    register_caller_panel(SLIP_CALLER_PANEL)
    if slip_mark_delivered not in notifications.AFTER_SENT:
        notifications.AFTER_SENT.append(slip_mark_delivered)
    register_email_context(slip_email_context)
