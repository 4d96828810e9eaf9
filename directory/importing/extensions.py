"""Extensions file: number, kind, location, label, staff_email, department_code.

Rows are matched on the number. The owner is the person with `staff_email` or
the department with `department_code` (never both); with both blank the number
has no owner. People without an e-mail cannot be named here, so a number they
hold stays theirs when both owner cells are blank; give them numbers through
the staff file instead.
"""

from collections import defaultdict

from django.utils.functional import lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy, gettext_noop, pgettext_lazy
from simple_history.utils import bulk_create_with_history

from directory.importing.bulk import bulk_update_with_history
from directory.importing.formats import Column, Plan, RowReader, diff, message
from directory.models import Department, Extension, ExtensionKind, Staff

BATCH_SIZE = 1000


def _kinds_text() -> str:
    """The kind codes a file may use, each with its name in the active language."""
    return ", ".join(f"{value} ({label})" for value, label in ExtensionKind.choices)


COLUMNS = (
    Column("number", required=True, help=gettext_lazy("2 to 8 digits."), example="2101"),
    Column(
        "kind",
        help=format_lazy(
            gettext_lazy("One of: {kinds}. Blank means desk."),
            kinds=lazy(_kinds_text, str)(),
        ),
        example=ExtensionKind.DESK.value,
    ),
    Column(
        "location",
        help=gettext_lazy("Location or floor."),
        example=pgettext_lazy("import example", "Floor 3"),
    ),
    Column(
        "label",
        help=gettext_lazy("Label, e.g. a meeting room's name."),
        example=pgettext_lazy("import example", "Melati meeting room"),
    ),
    Column(
        "staff_email",
        help=gettext_lazy("E-mail of the person who has this extension."),
        example="budi.santoso@example.co.id",
    ),
    Column(
        "department_code",
        help=gettext_lazy("Code of the department whose line it is (not with staff_email)."),
        example="",
    ),
)
OWNER_COLUMNS = ("staff_email", "department_code")


def clean_rows(table_rows):
    """Check each cell and the numbers repeated within the file."""
    errors: list[dict] = []
    rows = []
    seen: dict[str, int] = {}
    for number, cells in table_rows:
        reader = RowReader(number, cells, errors)
        reader.extension_number("number", required=True)
        reader.choice("kind", ExtensionKind.values, default=ExtensionKind.DESK)
        reader.text("location", max_length=120)
        reader.text("label", max_length=120)
        reader.email("staff_email")
        reader.code("department_code")
        data = reader.data
        if data.get("staff_email") and data.get("department_code"):
            reader.error(
                "department_code",
                gettext_noop("An extension belongs to a person or a department, not both."),
            )
        extension = data.get("number")
        if extension:
            if extension in seen:
                reader.error(
                    "number",
                    gettext_noop("Extension %(number)s is already in row %(row)d."),
                    number=extension,
                    row=seen[extension],
                )
            else:
                seen[extension] = number
        rows.append({"row": number, "data": data})
    return rows, errors


class _Lookups:
    def __init__(self):
        self.people = {}
        self.by_email = defaultdict(list)
        for pk, name, email in Staff.objects.values_list("pk", "full_name", "email"):
            self.people[pk] = (name, email)
            if email:
                self.by_email[email.lower()].append(pk)
        self.departments = dict(Department.objects.values_list("code", "pk"))
        self.department_codes = {pk: code for code, pk in self.departments.items()}
        self.extensions = {e.number: e for e in Extension.objects.all()}

    def owner_text(self, staff_id, department_id) -> str:
        if staff_id:
            name, email = self.people[staff_id]
            return f"{name} <{email}>" if email else name
        if department_id:
            return self.department_codes[department_id]
        return ""


def plan(rows, columns) -> Plan:
    """Match rows to extensions by number and describe what applying would change."""
    result = Plan()
    lookups = _Lookups()
    owners_given = any(c in columns for c in OWNER_COLUMNS)
    updates, creates = [], []
    for row in rows:
        number, data = row["row"], row["data"]
        if not row.get("ok", True) or not data.get("number"):
            continue
        extension = lookups.extensions.get(data["number"])
        old_owner = (extension.staff_id, extension.department_id) if extension else (None, None)
        notes = []
        owner = old_owner
        if owners_given:
            owner, problem = _owner(lookups, data, old_owner)
            if problem:
                result.error(number, *problem)
                continue
            if owner == old_owner and owner[0] and not data.get("staff_email"):
                notes.append(
                    message(
                        gettext_noop("stays with %(name)s, who has no e-mail"),
                        name=lookups.people[owner[0]][0],
                    )
                )
        pairs = [
            (column, _current(extension, column), data[column])
            for column in ("number", "kind", "location", "label")
            if column in data
        ]
        old_text, new_text = lookups.owner_text(*old_owner), lookups.owner_text(*owner)
        pairs.append(("owner", old_text, new_text))
        changes = diff(pairs)
        if old_text and new_text and owner != old_owner:
            result.move(number, "number", data["number"], old_text, new_text)
        if extension is None:
            creates.append((data, owner))
            result.add(number, "create", data["number"], changes, notes, data)
        else:
            if changes:
                updates.append((extension, data, owner))
            action = "update" if changes else "unchanged"
            result.add(number, action, data["number"], changes, notes, data)
    result.work = {"creates": creates, "updates": updates}
    return result


def _current(extension, column) -> str:
    if extension is None:
        return "" if column != "kind" else ExtensionKind.DESK
    return getattr(extension, column)


def _owner(lookups: _Lookups, data, old_owner):
    email = data.get("staff_email", "")
    code = data.get("department_code", "")
    if email:
        found = lookups.by_email.get(email.lower(), [])
        if not found:
            return None, (
                "staff_email",
                message(gettext_noop("Nobody in the directory has this e-mail.")),
            )
        if len(found) > 1:
            return None, (
                "staff_email",
                message(
                    gettext_noop("%(count)d people in the directory have this e-mail."),
                    count=len(found),
                ),
            )
        return (found[0], None), None
    if code:
        if code not in lookups.departments:
            return None, (
                "department_code",
                message(gettext_noop("Unknown department code %(code)s."), code=code),
            )
        return (None, lookups.departments[code]), None
    staff_id = old_owner[0]
    if staff_id and not lookups.people[staff_id][1]:
        return old_owner, None
    return (None, None), None


def apply(result: Plan, *, user, reason: str) -> None:
    history = {"default_user": user, "default_change_reason": reason}
    new = []
    for data, (staff_id, department_id) in result.work["creates"]:
        extension = Extension(number=data["number"], staff_id=staff_id, department_id=department_id)
        _assign(extension, data)
        new.append(extension)
    bulk_create_with_history(new, Extension, batch_size=BATCH_SIZE, **history)
    changed = []
    for extension, data, (staff_id, department_id) in result.work["updates"]:
        extension.staff_id, extension.department_id = staff_id, department_id
        _assign(extension, data)
        changed.append(extension)
    if changed:
        bulk_update_with_history(
            changed,
            Extension,
            fields=["kind", "location", "label", "staff", "department"],
            **history,
        )


def _assign(extension: Extension, data: dict) -> None:
    for column in ("kind", "location", "label"):
        if column in data:
            setattr(extension, column, data[column])


def export_rows():
    extensions = Extension.objects.select_related("staff", "department").order_by("number")
    for extension in extensions.iterator(chunk_size=2000):
        yield [
            extension.number,
            extension.kind,
            extension.location,
            extension.label,
            extension.staff.email if extension.staff_id else "",
            extension.department.code if extension.department_id else "",
        ]
