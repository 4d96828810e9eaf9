"""The search results as HTML, written in one pass of string formatting: the one
renderer of result cards, for the directory search and the operator console.

The type-ahead answers every keystroke; twenty result cards through the template
engine took as long as the search itself. The markup is a list box the keyboard
helper in switchboard.js walks. The console's cards (console_results_html) are the
same cards with what choosing one puts into the call in data attributes, and the
full answer text hidden for the console's answer panel.

Every value that comes from the database or the user goes through escape().
"""

from dataclasses import dataclass

from django.utils.dateformat import format as format_date
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.timezone import localtime
from django.utils.translation import gettext

from directory.models import Disclosure, Presence
from directory.selectors import SearchResult

ANSWER_PREVIEW = 160  # characters of an approved answer shown on its card
BACK_AT_FORMAT = "D j M H:i"


@dataclass(frozen=True, slots=True)
class ConsoleChoice:
    """A search result as the console offers it: whether the person can take
    the call, and the extension a transfer goes to (their own, or their cover's
    while they are away)."""

    result: SearchResult
    available: bool
    transfer_number: str
    transfer_id: int | None
    via_cover: bool


def results_html(query: str, results: list[SearchResult]) -> SafeString:
    """The directory's results partial: a marker saying which query it answers,
    then the cards (each opens its page), or a line saying nothing was found."""
    words = _Words() if results else None
    cards = [_card(number, r, words) for number, r in enumerate(results, 1)]
    return _list(query, cards, words)


def console_results_html(query: str, choices: list[ConsoleChoice]) -> SafeString:
    """The console's results partial: the same cards; choosing one (Enter or a
    click) fills the call instead of opening a page."""
    words = _Words() if choices else None
    cards = [_card(number, c.result, words, c) for number, c in enumerate(choices, 1)]
    return _list(query, cards, words)


def _list(query: str, cards: list[str], words) -> SafeString:
    parts = [f'<div hidden data-results-for="{escape(query)}"></div>']
    if query and not cards:
        message = escape(gettext("Nothing found for “%(query)s”.")) % {"query": escape(query)}
        parts.append(f'<p class="text-muted py-3" role="status">{message}</p>')
    elif cards:
        parts.append(
            f'<ol class="list-group sb-results" role="listbox" aria-label="{words.results}">'
        )
        parts.extend(cards)
        parts.append("</ol>")
    return mark_safe("\n".join(parts))  # noqa: S308 - every value is escaped above


class _Words:
    """The card's fixed words, translated once per answer."""

    def __init__(self):
        self.results = escape(gettext("Results"))
        self.kinds = {
            "staff": escape(gettext("person")),
            "department": escape(gettext("department")),
            "info": escape(gettext("answer")),
            "extension": escape(gettext("extension")),
        }
        self.internal = escape(gettext("Internal — do not disclose to callers."))
        self.back = escape(gettext("back %(when)s"))
        self.cover = escape(gettext("cover"))
        self.ext = escape(gettext("ext."))


def _card(number: int, r: SearchResult, words: _Words, choice: ConsoleChoice | None = None):
    first = number == 1
    name = escape(r.name)
    if choice is None and r.url:
        title = (
            f'<a class="sb-result-link stretched-link fw-semibold" href="{escape(r.url)}" '
            f'tabindex="-1">{name}</a>'
        )
    else:  # the console takes the result into the call: no link to follow
        title = f'<span class="fw-semibold">{name}</span>'
    # An unassigned extension says what it is ("Meeting room"), unless that is its name.
    kind = r.extension_kind_label if r.extension_kind_label != r.name else ""
    about = " · ".join(escape(part) for part in (kind, r.detail, r.department) if part)
    if choice is None:
        active = " active" if first else ""
        opening = (
            f'<li class="list-group-item list-group-item-action sb-result{active}"'
            f' role="option" aria-selected="{"true" if first else "false"}"'
            f' data-url="{escape(r.url)}" data-kind="{escape(r.kind)}" id="sb-result-{number}">'
        )
        hidden_answer = ""
        numbers = _numbers(r)
    else:
        opening = _console_opening(number, r, choice)
        hidden_answer = (
            f'<div hidden class="console-answer-text">{escape(r.answer)}</div>'
            if r.kind == "info"
            else ""
        )
        numbers = _console_numbers(r, choice, words)
    return (
        f"{opening}"
        '<div class="d-flex justify-content-between align-items-start gap-2">'
        f'<div class="flex-grow-1">{title}'
        f' <span class="badge text-bg-light border ms-1">{words.kinds.get(r.kind, "")}</span>'
        f'<div class="small text-muted">{about}</div>'
        f"{_answer(r, words)}{hidden_answer}{_presence(r, words)}</div>"
        f"{numbers}</div></li>"
    )


def _console_opening(number: int, r: SearchResult, choice: ConsoleChoice) -> str:
    """The console card's <li>: what choosing it puts into the call."""
    first = number == 1
    attrs = [
        f'data-kind="{escape(r.kind)}"',
        f'data-id="{r.id}"',
        f'data-name="{escape(r.name)}"',
        f'data-department="{escape(r.department)}"',
        f'data-transfer-id="{"" if choice.transfer_id is None else choice.transfer_id}"',
        f'data-transfer-number="{escape(choice.transfer_number)}"',
        f'data-available="{"yes" if choice.available else "no"}"',
    ]
    if choice.via_cover:
        attrs.append(f'data-via-cover="yes" data-cover-name="{escape(r.cover["name"])}"')
    if r.kind == "info":
        attrs.append(
            f'data-disclosure="{escape(r.disclosure)}"'
            f' data-disclosure-label="{escape(r.disclosure_label)}"'
        )
    return (
        '<li class="list-group-item list-group-item-action sb-result console-result'
        f'{" active" if first else ""}" role="option"'
        f' aria-selected="{"true" if first else "false"}" id="console-result-{number}"'
        f" {' '.join(attrs)}>"
    )


def _answer(r: SearchResult, words: _Words) -> str:
    if r.kind != "info":
        return ""
    if r.disclosure == Disclosure.INTERNAL:
        text = f'<strong class="text-danger">{words.internal}</strong>'
    else:
        text = escape(Truncator(r.answer).chars(ANSWER_PREVIEW))
    return (
        f'<div class="small mt-1"><span class="badge sb-disclosure-{escape(r.disclosure)}">'
        f"{escape(r.disclosure_label)}</span> {text}</div>"
    )


def _presence(r: SearchResult, words: _Words) -> str:
    """Where an absent person is, until when, and who takes their calls."""
    if not r.presence or r.presence == Presence.IN:
        return ""
    parts = [
        f'<span class="badge sb-presence-{escape(r.presence)}">{escape(r.presence_label)}</span>'
    ]
    if r.back_at:
        when = escape(format_date(localtime(r.back_at), BACK_AT_FORMAT))
        parts.append(f"<span>{words.back % {'when': when}}</span>")
    if r.presence_note:
        parts.append(f'<span class="text-muted">· {escape(r.presence_note)}</span>')
    if r.cover:
        extension = r.cover.get("extension")
        at = f" ({words.ext} {escape(extension)})" if extension else ""
        parts.append(
            f'<span class="ms-1">→ {words.cover}: <strong>{escape(r.cover["name"])}</strong>'
            f"{at}</span>"
        )
    return f'<div class="small mt-1">{" ".join(parts)}</div>'


def _numbers(r: SearchResult) -> str:
    """The extension to dial, large, and any further numbers under it."""
    if not r.extension:
        return ""
    more = ", ".join(escape(n) for n in r.extensions[1:])
    more = f'<div class="small text-muted">{more}</div>' if more else ""
    return (
        f'<div class="text-end"><span class="sb-ext fs-5 font-monospace">'
        f"{escape(r.extension)}</span>{more}</div>"
    )


def _console_numbers(r: SearchResult, choice: ConsoleChoice, words: _Words) -> str:
    """The extension a transfer goes to: the cover's, marked so, while the
    person is away."""
    if not choice.transfer_number:
        return ""
    if choice.via_cover:
        more = f'<div class="small text-muted">{words.cover}</div>'
    else:
        more = ", ".join(escape(n) for n in r.extensions[1:])
        more = f'<div class="small text-muted">{more}</div>' if more else ""
    return (
        f'<div class="text-end"><span class="sb-ext fs-5 font-monospace">'
        f"{escape(choice.transfer_number)}</span>{more}</div>"
    )
