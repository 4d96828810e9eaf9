"""Extension points of the console and of a caller's pages, for the apps above calls.

Dependencies run one way (messages_app -> calls -> directory), so calls never
imports what a later app does with a call. Instead that app registers, when it
starts (AppConfig.ready), what it adds:

- an OutcomeExtension takes over one outcome at the console: "message taken"
  becomes a message slip, "complaint" a complaint. Its form (extra fields,
  rendered inside the console form by its template) is checked together with the
  call's, and its `save` runs in the same transaction as calls.services.call_log,
  so a call and its slip are saved together or not at all.
- a CallerPanel adds a section to what the console's caller panel and the caller
  page show about one number (its messages, its complaints).

Registration happens once per process at start-up; nothing here queries.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django import forms


@dataclass(frozen=True)
class OutcomeExtension:
    """What an app does with a call saved with `outcome`.

    form_class: the extra fields, bound with prefix=`outcome` (so their names
        never clash with the call's); its clean() may read `call_form.data`.
    template: a partial rendered inside the console's form, with `ext_form`
        (the extra form) and `form` (the call's form) in its context.
    save(*, call, form, user): writes what the app keeps for the saved call
        (call is the Call just written, form the valid extra form) and returns
        it; it runs inside the call's transaction and may raise ValidationError
        (field names of the extra form), which undoes the call too.
    saved_text(result): the status line after a save ("Message for Budi saved").
    script: a static file the console page loads for the section (optional).

    At the console the outcome's key first opens the section (its template
    renders it inside an element with data-extension-section="<outcome>",
    hidden unless the form came back with this outcome), and the same key
    again saves; see static/js/console.js (window.SwitchboardConsole and the
    console:choose / console:newcall / console:extension-open events).
    """

    outcome: str
    form_class: type[forms.Form]
    template: str
    save: Callable[..., object]
    saved_text: Callable[[object], str]
    script: str = ""

    def make_form(self, data=None, *, call_form=None, user=None) -> forms.Form:
        return self.form_class(data, prefix=self.outcome, call_form=call_form, user=user)


@dataclass(frozen=True)
class CallerPanel:
    """A section of a caller's pages: `context(caller=, user=, compact=)`
    returns what `template` shows, in a constant number of queries (the
    console's panel, compact, answers as the number is typed; the caller page
    shows the full section)."""

    name: str
    template: str
    context: Callable[..., dict]


_outcomes: dict[str, OutcomeExtension] = {}
_caller_panels: dict[str, CallerPanel] = {}


def register_outcome(extension: OutcomeExtension) -> None:
    """Register (or replace, on a second ready()) the extension of an outcome."""
    _outcomes[extension.outcome] = extension


def outcome_extension(outcome: str | None) -> OutcomeExtension | None:
    return _outcomes.get(outcome or "")


def outcome_extensions() -> list[OutcomeExtension]:
    return list(_outcomes.values())


def register_caller_panel(panel: CallerPanel) -> None:
    _caller_panels[panel.name] = panel


def caller_panels() -> list[CallerPanel]:
    return list(_caller_panels.values())


def caller_panel_sections(caller, *, user, compact: bool) -> list[dict]:
    """Every registered panel's template and context for one caller."""
    return [
        {"template": panel.template, **panel.context(caller=caller, user=user, compact=compact)}
        for panel in _caller_panels.values()
    ]
