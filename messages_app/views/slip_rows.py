"""The desk board's rows, written in one pass.

The board shows up to a hundred open slips and asks for them again every
twenty seconds from every desk PC; rendered through the template language,
each row cost about a millisecond (forty variable lookups and filters), which
was most of the page's time. format_html_join escapes every value put in
(names, messages, labels) and marks only its own literal markup safe, so
nothing here needs a review of marked-safe text. static/js/slip_board.js reads
the data- attributes; templates/messages_app/partials/_slip_board_rows.html
holds the table around the rows.
"""

from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from phonenumber_field.phonenumber import PhoneNumber

from messages_app.models import SlipStatus, Urgency

EXCERPT = 90


def _whom(slip) -> str:
    name = getattr(slip, "whom_name", None)  # a list's light row (selectors_slips._rows)
    if name is not None:
        return name
    if slip.for_staff_id:
        return slip.for_staff.full_name
    return slip.for_department.name if slip.for_department_id else ""


def _number(slip) -> str:
    # The board's query reads the number as text (parsing every row's number
    # into a PhoneNumber cost more than the rest of the row); a slip loaded
    # whole has its PhoneNumber.
    text = getattr(slip, "caller_number_text", None)
    if text is None:
        return slip.caller_number.as_national if slip.caller_number else ""
    return PhoneNumber.from_string(text).as_national if text else ""


def _caller(slip, unknown: str) -> str:
    label = slip.caller_name or _number(slip) or unknown
    return f"{label} · {slip.caller_company}" if slip.caller_company else label


def _due(slip, today) -> str:
    if not slip.due_at:
        return "—"
    local = timezone.localtime(slip.due_at)
    return local.strftime("%H:%M" if local.date() == today else "%d/%m %H:%M")


def age(since, now) -> str:
    """How long a slip has waited, in its largest unit ("12 minutes", "3 hours")."""
    minutes = max(int((now - since).total_seconds() // 60), 0)
    if minutes < 60:
        return ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes}
    hours = minutes // 60
    if hours < 48:
        return ngettext("%(n)d hour", "%(n)d hours", hours) % {"n": hours}
    days = hours // 24
    return ngettext("%(n)d day", "%(n)d days", days) % {"n": days}


def board_rows_html(rows, *, now, flash: str = "", flash_ok: bool = True) -> SafeString:
    """The <tr> of each slip in `rows` (with .links and .overdue, as
    selectors_slips.slip_list_board gives them); `flash` is what an action
    just did, for the script to say."""
    unknown = _("Unknown caller")
    overdue = format_html(' <span class="badge text-bg-danger">{}</span>', _("Overdue"))
    today = timezone.localtime(now).date()
    # The labels in the reader's language, once per answer rather than per row.
    urgencies = {value: str(label) for value, label in Urgency.choices}
    states = {value: str(label) for value, label in SlipStatus.choices}
    said = (
        format_html(' data-flash="{}" data-flash-ok="{}"', flash, "yes" if flash_ok else "no")
        if flash
        else ""
    )

    def cells(slip):
        whom = _whom(slip)
        classes = (" sb-slip-overdue" if slip.overdue else "") + (
            "" if slip.is_open else " sb-slip-closed"
        )
        return (
            slip.pk,
            slip.version,
            slip.status,
            slip.links["detail"],
            slip.links["resend"],
            slip.links["reroute"],
            slip.links["done"],
            whom,
            classes,
            said,
            slip.links["detail"],
            whom,
            _caller(slip, unknown),
            Truncator(slip.message).chars(EXCERPT),
            slip.urgency,
            urgencies.get(slip.urgency, slip.urgency),
            age(slip.created_at, now),
            slip.status,
            states.get(slip.status, slip.status),
            _due(slip, today),
            overdue if slip.overdue else "",
        )

    return format_html_join(
        "\n",
        (
            '<tr data-slip-row data-slip-id="{}" data-version="{}" data-status="{}" tabindex="-1"'
            ' data-url="{}" data-resend-url="{}" data-reroute-url="{}" data-done-url="{}"'
            ' data-whom="{}" class="sb-slip-row{}"{}>'
            '<td><a href="{}" tabindex="-1">{}</a></td>'
            '<td>{}<div class="small text-muted text-truncate sb-slip-excerpt">{}</div></td>'
            '<td><span class="badge sb-urgency-{}">{}</span></td>'
            '<td class="text-nowrap">{}</td>'
            '<td><span class="badge sb-slip-status-{}" data-slip-state>{}</span></td>'
            '<td class="text-nowrap">{}{}</td></tr>'
        ),
        (cells(slip) for slip in rows),
    )


def _callback(slip, label: str) -> str:
    text = getattr(slip, "callback_number_text", None)
    if text is None:
        number = slip.callback_number or None
    else:
        number = PhoneNumber.from_string(text) if text else None
    if not number:
        return ""
    more = f" · {slip.callback_time}" if slip.callback_time else ""
    return format_html(
        '<div class="small">{}: <a href="tel:{}">{}</a>{}</div>',
        label,
        number.as_e164,
        number.as_national,
        more,
    )


def inbox_rows_html(
    slips, *, now, csrf_token: str, back_url: str, flash: str = "", flash_ok: bool = True
) -> SafeString:
    """The <li> of each slip in "My messages" (with .links and .unread), each
    with its acknowledge and done forms (HTMX, plain POST without script);
    `flash` is what an action just did. Written in one pass, as the board's
    rows are: a busy person's hundred open slips cost a template render each."""
    words = {
        "new": _("New"),
        "for": _("for"),
        "unknown": _("Unknown caller"),
        "call_back": _("Call back"),
        "ack": _("Got it (acknowledge)"),
        "done": _("Done"),
        "how": _("How it was dealt with"),
        "placeholder": _("Called back, dealt with… (optional)"),
    }
    urgencies = {value: str(label) for value, label in Urgency.choices}
    states = {value: str(label) for value, label in SlipStatus.choices}
    said = (
        format_html(' data-flash="{}" data-flash-ok="{}"', flash, "yes" if flash_ok else "no")
        if flash
        else ""
    )
    flash_line = (
        format_html(
            '<div class="small {}" role="status">{}</div>',
            "text-success" if flash_ok else "text-danger",
            flash,
        )
        if flash
        else ""
    )

    # The same in every form but the version; put together once.
    common = format_html(
        '<input type="hidden" name="csrfmiddlewaretoken" value="{}">'
        '<input type="hidden" name="row" value="mine">'
        '<input type="hidden" name="next" value="{}">',
        csrf_token,
        back_url,
    )

    def hidden(slip):
        return format_html(
            '{}<input type="hidden" name="version" value="{}">', common, slip.version
        )

    def actions(slip):
        if not slip.is_open:
            return ""
        fields = hidden(slip)
        acknowledge = ""
        if slip.status != SlipStatus.ACKNOWLEDGED:
            acknowledge = format_html(
                '<form method="post" action="{}" hx-post="{}" hx-target="closest [data-slip-item]"'
                ' hx-swap="outerHTML">{}<button class="btn btn-sm btn-primary" type="submit">{}'
                "</button></form>",
                slip.links["acknowledge"],
                slip.links["acknowledge"],
                fields,
                words["ack"],
            )
        done = format_html(
            '<form method="post" class="d-flex gap-1" action="{}" hx-post="{}"'
            ' hx-target="closest [data-slip-item]" hx-swap="outerHTML">{}'
            '<label class="visually-hidden" for="slip-{}-note">{}</label>'
            '<input class="form-control form-control-sm" id="slip-{}-note" name="note"'
            ' maxlength="300" placeholder="{}">'
            '<button class="btn btn-sm btn-outline-success text-nowrap" type="submit">{}</button>'
            "</form>",
            slip.links["done"],
            slip.links["done"],
            fields,
            slip.pk,
            words["how"],
            slip.pk,
            words["placeholder"],
            words["done"],
        )
        return format_html('<div class="d-flex flex-wrap gap-2 mt-1">{}{}</div>', acknowledge, done)

    def cells(slip):
        classes = (" sb-slip-unread" if slip.unread else "") + (
            "" if slip.is_open else " sb-slip-closed"
        )
        new = (
            format_html('<span class="badge text-bg-primary">{}</span>', words["new"])
            if slip.unread
            else ""
        )
        return (
            classes,
            slip.pk,
            said,
            new,
            slip.urgency,
            urgencies.get(slip.urgency, slip.urgency),
            slip.links["detail"],
            _caller(slip, words["unknown"]),
            words["for"],
            _whom(slip),
            timezone.localtime(slip.created_at).strftime("%Y-%m-%d %H:%M"),
            _("%(age)s ago") % {"age": age(slip.created_at, now)},
            slip.status,
            states.get(slip.status, slip.status),
            Truncator(slip.message).chars(300),
            _callback(slip, words["call_back"]),
            flash_line,
            actions(slip),
        )

    return format_html_join(
        "\n",
        (
            '<li class="list-group-item sb-slip-item{}" data-slip-item data-slip-id="{}"{}>'
            '<div class="d-flex flex-wrap align-items-baseline gap-2">{}'
            '<span class="badge sb-urgency-{}">{}</span>'
            '<a class="fw-semibold" href="{}">{}</a>'
            '<span class="small text-muted">{} {}</span>'
            '<span class="small text-muted ms-auto" title="{}">{}</span>'
            '<span class="badge sb-slip-status-{}">{}</span></div>'
            '<div class="sb-pre-line">{}</div>{}{}{}</li>'
        ),
        (cells(slip) for slip in slips),
    )
