"""Staff file: full_name, department_code, job_title, email, mobile, extensions,
topics, aliases, operator_notes, active.

A row updates the person with the same e-mail; without an e-mail match, the
person with the same name in the same department. Otherwise it adds a person.
When the file has an `extensions` column, it lists all of the person's numbers:
a number held by someone else moves to this person, a new number is created as
a desk phone, and a number left out is released (kept, with no owner).

Built for 20,000 rows: everything is looked up once into dictionaries, and the
writes are batched bulk inserts/updates that keep the change history.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy, gettext_noop, pgettext_lazy
from simple_history.utils import bulk_create_with_history

from directory.importing.bulk import bulk_update_with_history
from directory.importing.formats import Column, Plan, RowReader, active_text, diff, message
from directory.models import Department, Extension, ExtensionKind, Staff
from directory.text import fold
from switchboard.phones import phone_display, phone_e164

BATCH_SIZE = 1000
TEXT_FIELDS = ("full_name", "job_title", "email", "mobile", "topics", "aliases", "operator_notes")

COLUMNS = (
    Column("full_name", required=True, help=gettext_lazy("Full name."), example="Budi Santoso"),
    Column(
        "department_code",
        required=True,
        help=gettext_lazy("Code of an existing department."),
        example="FIN",
    ),
    Column(
        "job_title",
        help=gettext_lazy("Job title."),
        example=pgettext_lazy("import example", "Tax officer"),
    ),
    Column(
        "email",
        help=gettext_lazy(
            "E-mail. Rows are matched on it; without one, on the name within the department. "
            "To move someone to another department, give their e-mail."
        ),
        example="budi.santoso@example.co.id",
    ),
    Column(
        "mobile",
        help=gettext_lazy("Mobile number; national (0812…) or international (+62…)."),
        example="0812-3456-7890",
    ),
    Column(
        "extensions",
        help=gettext_lazy(
            "All of the person's extension numbers, separated by spaces or commas. A number "
            "someone else holds moves to this person; numbers left out are released."
        ),
        example="2101 2102",
    ),
    Column(
        "topics",
        help=gettext_lazy("What they handle, comma-separated."),
        example=pgettext_lazy("import example", "tax invoices, VAT"),
    ),
    Column("aliases", help=gettext_lazy("Nicknames, comma-separated."), example="Pak Budi"),
    Column(
        "operator_notes",
        help=gettext_lazy("Notes for operators."),
        example=pgettext_lazy("import example", "Sales calls go to Sari."),
    ),
    Column("active", help=gettext_lazy("yes or no; blank means yes."), example=gettext_lazy("yes")),
)


def clean_rows(table_rows):
    """Check each cell, and people or extension numbers repeated within the file."""
    errors: list[dict] = []
    rows = []
    people: dict[tuple, int] = {}
    numbers: dict[str, int] = {}
    for number, cells in table_rows:
        reader = RowReader(number, cells, errors)
        reader.text("full_name", max_length=150, required=True)
        reader.code("department_code", required=True)
        reader.text("job_title", max_length=150)
        reader.email("email")
        reader.phone("mobile")
        reader.extension_list("extensions")
        reader.text("topics")
        reader.text("aliases")
        reader.text("operator_notes")
        reader.boolean("active")
        data = reader.data
        key = _file_key(data)
        if key is not None:
            if key in people:
                column = "email" if key[0] == "email" else "full_name"
                reader.error(
                    column,
                    gettext_noop("The same person is already in row %(row)d."),
                    row=people[key],
                )
            else:
                people[key] = number
        for extension in data.get("extensions", []):
            if extension in numbers:
                reader.error(
                    "extensions",
                    gettext_noop("Extension %(number)s is also given to row %(row)d."),
                    number=extension,
                    row=numbers[extension],
                )
            else:
                numbers[extension] = number
        rows.append({"row": number, "data": data})
    return rows, errors


def _file_key(data):
    if data.get("email"):
        return ("email", data["email"].lower())
    if data.get("full_name") and data.get("department_code"):
        return ("name", fold(data["full_name"]), data["department_code"])
    return None


@dataclass
class _Work:
    creates: list = field(default_factory=list)  # (row, data, department_pk)
    updates: list = field(default_factory=list)  # (row, person, data, department_pk)
    owners: dict = field(default_factory=dict)  # extension number -> row that claims it
    released: set = field(default_factory=set)  # extension numbers to leave without owner
    extensions: dict = field(default_factory=dict)  # number -> Extension
    fields: set = field(default_factory=set)  # columns changed on updated people
    person_by_row: dict = field(default_factory=dict)  # row -> Staff (new ones on apply)


class _Directory:
    """Everything the staff planner looks up, loaded in four queries."""

    def __init__(self):
        self.departments = {
            code: (pk, name)
            for pk, code, name in Department.objects.values_list("pk", "code", "name")
        }
        self.department_codes = {pk: code for code, (pk, _name) in self.departments.items()}
        self.people = {person.pk: person for person in Staff.objects.all()}
        self.by_email = defaultdict(list)
        self.by_name = defaultdict(list)
        for person in self.people.values():
            if person.email:
                self.by_email[person.email.lower()].append(person)
            self.by_name[(fold(person.full_name), person.department_id)].append(person)
        self.extensions = {e.number: e for e in Extension.objects.all()}
        self.numbers_of = defaultdict(list)
        for extension in self.extensions.values():
            if extension.staff_id:
                self.numbers_of[extension.staff_id].append(extension.number)

    def match(self, data, department_pk):
        """(person or None, (column, error) or None) for one row."""
        name_key = (fold(data["full_name"]), department_pk)
        if data.get("email"):
            found = self.by_email.get(data["email"].lower(), [])
            if len(found) > 1:
                return None, (
                    "email",
                    message(
                        gettext_noop(
                            "%(count)d people in the directory have this e-mail; fix them first."
                        ),
                        count=len(found),
                    ),
                )
            if found:
                return found[0], None
            found = [p for p in self.by_name.get(name_key, []) if not p.email]
        else:
            found = self.by_name.get(name_key, [])
        if len(found) > 1:
            return None, (
                "full_name",
                message(
                    gettext_noop(
                        "%(count)d people with this name work in %(code)s; "
                        "add their e-mail to tell them apart."
                    ),
                    count=len(found),
                    code=data["department_code"],
                ),
            )
        return (found[0] if found else None), None

    def owner_text(self, extension) -> str:
        if extension.staff_id:
            person = self.people[extension.staff_id]
            code = self.department_codes.get(person.department_id, "")
            return f"{person.full_name} ({code})" if code else person.full_name
        if extension.department_id:
            return self.department_codes.get(extension.department_id, "")
        return ""


def mobile_text(value) -> str:
    """A stored mobile as the file shows it: national format at home, E.164 abroad."""
    return phone_display(value)


def _mobile_e164(value) -> str:
    return phone_e164(value)


def plan(rows, columns) -> Plan:
    """Match rows to people and describe what applying would change."""
    result = Plan()
    directory = _Directory()
    work = _Work(extensions=directory.extensions)
    matched: dict[int, int] = {}
    for row in rows:
        number, data = row["row"], row["data"]
        if not row.get("ok", True) or "full_name" not in data or "department_code" not in data:
            continue
        department = directory.departments.get(data["department_code"])
        if department is None:
            result.error(
                number,
                "department_code",
                gettext_noop("Unknown department code %(code)s."),
                code=data["department_code"],
            )
            continue
        person, problem = directory.match(data, department[0])
        if problem:
            result.error(number, *problem)
            continue
        if person is not None and person.pk in matched:
            result.error(
                number,
                "full_name",
                gettext_noop("This is the same person as row %(row)d."),
                row=matched[person.pk],
            )
            continue
        if person is not None:
            matched[person.pk] = number
            work.person_by_row[number] = person
        label = f"{data['full_name']} ({data['department_code']})"
        changes, notes = _describe(directory, person, data, work, number, result, label)
        if person is None:
            work.creates.append((number, data, department[0]))
            result.add(number, "create", label, changes, notes, data)
        else:
            staff_fields = {c for c, _old, _new in changes if c != "extensions"}
            if staff_fields:
                work.updates.append((number, person, data, department[0]))
                work.fields |= staff_fields
            result.add(number, "update" if changes else "unchanged", label, changes, notes, data)
    result.work = work
    return result


def _describe(directory, person, data, work, row_number, result: Plan, label: str):
    """The row's changes and notes; records on `result` the extensions that
    move to this person from someone else."""
    old = {
        "full_name": person.full_name if person else "",
        "department_code": directory.department_codes[person.department_id] if person else "",
        "job_title": person.job_title if person else "",
        "email": person.email if person else "",
        "mobile": _mobile_e164(person.mobile) if person else "",
        "extensions": sorted(directory.numbers_of.get(person.pk, [])) if person else [],
        "topics": person.topics if person else "",
        "aliases": person.aliases if person else "",
        "operator_notes": person.operator_notes if person else "",
        "active": person.active if person else "",
    }
    order = [c.name for c in COLUMNS if c.name in data]
    changes = diff((column, old[column], data[column]) for column in order)
    notes = []
    if "extensions" in data:
        for number in data["extensions"]:
            work.owners[number] = row_number
            extension = directory.extensions.get(number)
            if extension is None:
                notes.append(message(gettext_noop("creates extension %(number)s"), number=number))
            elif (extension.staff_id or extension.department_id) and (
                person is None or extension.staff_id != person.pk
            ):
                owner = directory.owner_text(extension)
                notes.append(
                    message(
                        gettext_noop("extension %(number)s moves from %(owner)s"),
                        number=number,
                        owner=owner,
                    )
                )
                result.move(row_number, "extensions", number, owner, label)
        if person is not None:
            work.released.update(set(old["extensions"]) - set(data["extensions"]))
    return changes, notes


_FIELD_NAMES = {"department_code": "department"}


def apply(result: Plan, *, user, reason: str) -> None:
    """Insert new people, update changed ones, then move, create and release
    extensions; each in batches, each with its history rows."""
    work: _Work = result.work
    history = {"default_user": user, "default_change_reason": reason}

    new_people = []
    for number, data, department_pk in work.creates:
        person = Staff(department_id=department_pk, active=data.get("active", True))
        _assign(person, data, department_pk)
        new_people.append(person)
        work.person_by_row[number] = person
    bulk_create_with_history(new_people, Staff, batch_size=BATCH_SIZE, **history)

    changed = []
    for _number, person, data, department_pk in work.updates:
        _assign(person, data, department_pk)
        changed.append(person)
    if changed:
        fields = sorted(_FIELD_NAMES.get(f, f) for f in work.fields)
        bulk_update_with_history(
            changed,
            Staff,
            fields=[*fields, "search_name", "search_text"],
            **history,
        )

    new_extensions, moved = [], []
    for number, row in work.owners.items():
        person = work.person_by_row[row]
        extension = work.extensions.get(number)
        if extension is None:
            new_extensions.append(Extension(number=number, kind=ExtensionKind.DESK, staff=person))
        elif extension.staff_id != person.pk or extension.department_id is not None:
            extension.staff_id = person.pk
            extension.department_id = None
            moved.append(extension)
    for number in sorted(work.released - set(work.owners)):
        extension = work.extensions[number]
        extension.staff_id = None
        moved.append(extension)
    bulk_create_with_history(new_extensions, Extension, batch_size=BATCH_SIZE, **history)
    if moved:
        bulk_update_with_history(moved, Extension, fields=["staff", "department"], **history)


def _assign(person: Staff, data: dict, department_pk: int) -> None:
    person.department_id = department_pk
    for name in TEXT_FIELDS:
        if name in data:
            setattr(person, name, data[name])
    if "active" in data:
        person.active = data["active"]
    person.refresh_search_fields()


def export_rows():
    numbers = Prefetch("extensions", queryset=Extension.objects.order_by("number"))
    people = (
        Staff.objects.select_related("department")
        .prefetch_related(numbers)
        .order_by("department__code", "full_name", "pk")
    )
    for person in people.iterator(chunk_size=2000):
        yield [
            person.full_name,
            person.department.code,
            person.job_title,
            person.email,
            mobile_text(person.mobile),
            " ".join(e.number for e in person.extensions.all()),
            person.topics,
            person.aliases,
            person.operator_notes,
            active_text(person.active),
        ]
