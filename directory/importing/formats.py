"""Column definitions and the per-cell checks shared by the three import kinds.

Row errors and notes are stored with the batch in no language: the English
message id (marked with gettext_noop, under that name: makemessages knows no
alias) and its parameters. message_text() renders one in the language of whoever looks at the
preview, at that moment.
"""

import re
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext, gettext_noop

from directory.models import DEPARTMENT_CODE_RE, EXTENSION_NUMBER_RE
from switchboard.phones import parse_phone

EXTENSION_NUMBER = re.compile(EXTENSION_NUMBER_RE)
DEPARTMENT_CODE = re.compile(DEPARTMENT_CODE_RE)
LIST_SEPARATORS = re.compile(r"[\s,;]+")
MAX_TEXT_CHARS = 4000
TRUE_WORDS = {"yes", "y", "true", "1", "ya", "aktif", "active"}
FALSE_WORDS = {"no", "n", "false", "0", "tidak", "nonaktif", "inactive"}


def message(msgid: str, /, **params) -> dict:
    """A message to store: its English id and parameters, in no language."""
    return {"message": str(msgid), "params": params}


def message_text(stored) -> str:
    """A stored message in the active language. Also reads what batches stored
    before messages were kept in no language: plain text, shown as it is."""
    if isinstance(stored, dict):
        text, params = stored.get("message", ""), stored.get("params") or {}
    else:
        text, params = str(stored or ""), {}
    translated = gettext(text) if text else ""
    if not params:
        return translated
    for template in (translated, text):
        try:
            return template % params
        except (KeyError, ValueError, TypeError):
            continue  # a translation with a broken placeholder: try the English
    return text


def _stored(msgid, params) -> dict:
    return dict(msgid) if isinstance(msgid, dict) else message(msgid, **params)


@dataclass(frozen=True)
class Column:
    """One column of an import/export format, documented on the import page.
    `help` and `example` are lazy translations; `name` is the file format."""

    name: str
    required: bool = False
    help: Any = ""
    example: Any = ""


@dataclass
class Plan:
    """What applying a file would do: one entry per row for the preview, the
    row errors, the extensions that would move from one owner to another, and
    (kept private to each kind) the objects to write."""

    entries: list[dict] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)
    moves: list[dict] = field(default_factory=list)
    work: Any = None

    def add(self, row: int, action: str, label: str, diff=(), notes=(), data=None):
        """`notes` are message() dicts."""
        self.entries.append(
            {
                "row": row,
                "action": action,
                "label": label,
                "diff": [list(d) for d in diff],
                "notes": list(notes),
                "data": data or {},
            }
        )

    def error(self, row: int, column: str, msgid, /, **params):
        """`msgid` is a message id marked with gettext_noop (formatted with `params` when
        shown) or a message() dict."""
        self.errors.append({"row": row, "column": column, **_stored(msgid, params)})

    def move(self, row: int, column: str, number: str, from_owner: str, to_owner: str):
        """Extension `number` would pass from one person or department to another."""
        self.moves.append(
            {"row": row, "column": column, "number": number, "from": from_owner, "to": to_owner}
        )

    def count(self, action: str) -> int:
        return sum(1 for e in self.entries if e["action"] == action)


def active_text(value: bool) -> str:
    return "yes" if value else "no"


def diff(pairs) -> list[tuple[str, str, str]]:
    """(column, old, new) for each pair whose values differ, as display text."""
    out = []
    for column, old, new in pairs:
        if old != new:
            out.append((column, _display(old), _display(new)))
    return out


def _display(value) -> str:
    if isinstance(value, bool):
        return active_text(value)
    if isinstance(value, list | tuple):
        return " ".join(value)
    return "" if value is None else str(value)


class RowReader:
    """Cleans the cells of one row, recording an error per bad cell.

    Only columns the file has are read: a column left out of the file leaves
    that field unchanged on existing records.
    """

    def __init__(self, number: int, cells: dict[str, str], errors: list[dict]):
        self.number = number
        self.cells = cells
        self.errors = errors
        self.data: dict[str, Any] = {}
        if cells.get("__extra__"):
            self.error("", gettext_noop("This row has more cells than the header has columns."))

    def error(self, column: str, msgid, /, **params) -> None:
        """Record a bad cell: see Plan.error."""
        self.errors.append({"row": self.number, "column": column, **_stored(msgid, params)})

    def has(self, column: str) -> bool:
        return column in self.cells

    def text(self, column: str, *, max_length: int = MAX_TEXT_CHARS, required=False):
        if not self.has(column):
            return None
        value = self.cells[column].replace("\r\n", "\n")
        if required and not value:
            self.error(column, gettext_noop("This column is required."))
        elif len(value) > max_length:
            self.error(
                column,
                gettext_noop("Too long: %(length)d characters, at most %(max)d."),
                length=len(value),
                max=max_length,
            )
        else:
            self.data[column] = value
        return value

    def code(self, column: str, *, required=False):
        value = self.text(column, max_length=20, required=required)
        if value is None or column not in self.data:
            return value
        value = value.upper()
        if value and not DEPARTMENT_CODE.match(value):
            self.error(column, gettext_noop("A department code uses A-Z, 0-9, - and _."))
            self.data.pop(column)
            return value
        self.data[column] = value
        return value

    def email(self, column: str):
        value = self.text(column, max_length=254)
        if value and column in self.data:
            try:
                validate_email(value)
            except ValidationError:
                self.error(
                    column, gettext_noop("“%(value)s” is not a valid e-mail address."), value=value
                )
                self.data.pop(column)
        return value

    def phone(self, column: str):
        """A number read as the console reads it (switchboard.phones), so that
        62215551234 is +62215551234 here too; a person's own number has no
        extension, so one given is an error rather than silently dropped."""
        value = self.text(column, max_length=40)
        if value and column in self.data:
            try:
                phone = parse_phone(value)
            except ValidationError:
                phone = None
            if phone is None:
                self.error(
                    column, gettext_noop("“%(value)s” is not a valid phone number."), value=value
                )
                self.data.pop(column)
            elif phone.extension:
                self.error(
                    column,
                    gettext_noop("“%(value)s” has an extension; give the number alone."),
                    value=value,
                )
                self.data.pop(column)
            else:
                self.data[column] = phone.e164
        return value

    def extension_number(self, column: str, *, required=False):
        value = self.text(column, required=required)
        if value and column in self.data and not EXTENSION_NUMBER.match(value):
            self.error(column, gettext_noop("An extension is 2 to 8 digits."))
            self.data.pop(column)
        return value

    def extension_list(self, column: str):
        value = self.text(column, max_length=400)
        if value is None or column not in self.data:
            return None
        numbers, bad = [], []
        for number in LIST_SEPARATORS.split(value):
            if not number:
                continue
            if not EXTENSION_NUMBER.match(number):
                bad.append(number)
            elif number not in numbers:
                numbers.append(number)
        if bad:
            self.error(
                column,
                gettext_noop("Not an extension number (2 to 8 digits): %(numbers)s."),
                numbers=", ".join(bad),
            )
            self.data.pop(column)
            return None
        self.data[column] = sorted(numbers)
        return numbers

    def boolean(self, column: str):
        if not self.has(column):
            return None
        value = self.cells[column].strip().lower()
        if value == "":
            self.data[column] = True
        elif value in TRUE_WORDS:
            self.data[column] = True
        elif value in FALSE_WORDS:
            self.data[column] = False
        else:
            self.error(column, gettext_noop("Write yes or no."))
        return self.data.get(column)

    def choice(self, column: str, choices, *, default: str):
        value = self.text(column, max_length=40)
        if value is None or column not in self.data:
            return value
        value = value.strip().lower().replace(" ", "_") or default
        if value not in choices:
            self.error(
                column,
                gettext_noop("Unknown %(column)s “%(value)s”; use one of: %(choices)s."),
                column=column,
                value=value,
                choices=", ".join(choices),
            )
            self.data.pop(column)
            return None
        self.data[column] = value
        return value
