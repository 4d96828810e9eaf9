"""Column definitions and the per-cell checks shared by the three import kinds."""

import re
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from directory.models import DEPARTMENT_CODE_RE, EXTENSION_NUMBER_RE
from switchboard.phones import parse_phone

EXTENSION_NUMBER = re.compile(EXTENSION_NUMBER_RE)
DEPARTMENT_CODE = re.compile(DEPARTMENT_CODE_RE)
LIST_SEPARATORS = re.compile(r"[\s,;]+")
MAX_TEXT_CHARS = 4000
TRUE_WORDS = {"yes", "y", "true", "1", "ya", "aktif", "active"}
FALSE_WORDS = {"no", "n", "false", "0", "tidak", "nonaktif", "inactive"}


@dataclass(frozen=True)
class Column:
    """One column of an import/export format, documented on the import page."""

    name: str
    required: bool = False
    help: Any = ""
    example: str = ""


@dataclass
class Plan:
    """What applying a file would do: one entry per row for the preview, the
    row errors, and (kept private to each kind) the objects to write."""

    entries: list[dict] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)
    work: Any = None

    def add(self, row: int, action: str, label: str, diff=(), notes=(), data=None):
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

    def error(self, row: int, column: str, message: str):
        self.errors.append({"row": row, "column": column, "message": str(message)})

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
            self.error("", _("This row has more cells than the header has columns."))

    def error(self, column: str, message) -> None:
        self.errors.append({"row": self.number, "column": column, "message": str(message)})

    def has(self, column: str) -> bool:
        return column in self.cells

    def text(self, column: str, *, max_length: int = MAX_TEXT_CHARS, required=False):
        if not self.has(column):
            return None
        value = self.cells[column].replace("\r\n", "\n")
        if required and not value:
            self.error(column, _("This column is required."))
        elif len(value) > max_length:
            self.error(
                column,
                _("Too long: %(length)d characters, at most %(max)d.")
                % {"length": len(value), "max": max_length},
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
            self.error(column, _("A department code uses A-Z, 0-9, - and _."))
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
                    column, _("“%(value)s” is not a valid e-mail address.") % {"value": value}
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
                self.error(column, _("“%(value)s” is not a valid phone number.") % {"value": value})
                self.data.pop(column)
            elif phone.extension:
                self.error(
                    column,
                    _("“%(value)s” has an extension; give the number alone.") % {"value": value},
                )
                self.data.pop(column)
            else:
                self.data[column] = phone.e164
        return value

    def extension_number(self, column: str, *, required=False):
        value = self.text(column, required=required)
        if value and column in self.data and not EXTENSION_NUMBER.match(value):
            self.error(column, _("An extension is 2 to 8 digits."))
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
                _("Not an extension number (2 to 8 digits): %(numbers)s.")
                % {"numbers": ", ".join(bad)},
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
            self.error(column, _("Write yes or no."))
        return self.data.get(column)

    def choice(self, column: str, choices, *, default: str):
        value = self.text(column, max_length=40)
        if value is None or column not in self.data:
            return value
        value = value.strip().lower().replace(" ", "_") or default
        if value not in choices:
            self.error(
                column,
                _("Unknown %(column)s “%(value)s”; use one of: %(choices)s.")
                % {"column": column, "value": value, "choices": ", ".join(choices)},
            )
            self.data.pop(column)
            return None
        self.data[column] = value
        return value
