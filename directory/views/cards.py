"""The search results as HTML, written in one pass of string formatting.

The type-ahead answers every keystroke; twenty result cards through the template
engine took as long as the search itself. The markup is the same as before it
moved here: a list box the keyboard helper in switchboard.js walks.
"""

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


def results_html(query: str, results: list[SearchResult]) -> SafeString:
    """The results partial: a marker saying which query it answers, then the
    cards, or a line saying nothing was found."""
    parts = [f'<div hidden data-results-for="{escape(query)}"></div>']
    if query and not results:
        message = escape(gettext("Nothing found for “%(query)s”.")) % {"query": escape(query)}
        parts.append(f'<p class="text-muted py-3" role="status">{message}</p>')
    elif results:
        words = _Words()
        parts.append(
            f'<ol class="list-group sb-results" role="listbox" aria-label="{words.results}">'
        )
        parts.extend(_card(number, r, words) for number, r in enumerate(results, 1))
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


def _card(number: int, r: SearchResult, words: _Words) -> str:
    first = number == 1
    name = escape(r.name)
    title = (
        f'<a class="sb-result-link stretched-link fw-semibold" href="{escape(r.url)}" '
        f'tabindex="-1">{name}</a>'
        if r.url
        else f'<span class="fw-semibold">{name}</span>'
    )
    about = " · ".join(escape(part) for part in (r.detail, r.department) if part)
    return (
        f'<li class="list-group-item list-group-item-action sb-result{" active" if first else ""}"'
        f' role="option" aria-selected="{"true" if first else "false"}"'
        f' data-url="{escape(r.url)}" data-kind="{escape(r.kind)}" id="sb-result-{number}">'
        '<div class="d-flex justify-content-between align-items-start gap-2">'
        f'<div class="flex-grow-1">{title}'
        f' <span class="badge text-bg-light border ms-1">{words.kinds.get(r.kind, "")}</span>'
        f'<div class="small text-muted">{about}</div>'
        f"{_answer(r, words)}{_presence(r, words)}</div>"
        f"{_numbers(r)}</div></li>"
    )


def _answer(r: SearchResult, words: _Words) -> str:
    if r.kind != "info":
        return ""
    if r.disclosure == Disclosure.INTERNAL:
        text = f"<em>{words.internal}</em>"
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
