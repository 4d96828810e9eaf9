"""Departments file: code, name, parent_code, email, main_extension, active.

Rows are matched on the department code. A parent may be a department already in
the directory or one further up or down the same file. A main extension that does
not exist yet is created as a department line owned by that department.
"""

from django.utils.translation import gettext_lazy, gettext_noop, pgettext_lazy
from simple_history.utils import bulk_create_with_history

from directory.importing.bulk import bulk_update_with_history
from directory.importing.formats import Column, Plan, RowReader, active_text, diff, message
from directory.models import Department, Extension, ExtensionKind
from directory.selectors import tree_order

BATCH_SIZE = 500

COLUMNS = (
    Column(
        "code",
        required=True,
        help=gettext_lazy("Unique short code (A-Z, 0-9, - and _). Rows are matched on it."),
        example="FIN",
    ),
    Column(
        "name",
        required=True,
        help=gettext_lazy("Department name."),
        example=pgettext_lazy("import example", "Finance"),
    ),
    Column(
        "parent_code",
        help=gettext_lazy(
            "Code of the department it sits under, in the directory or in this file; "
            "blank for a top-level division."
        ),
        example="CORP",
    ),
    Column("email", help=gettext_lazy("Group e-mail address."), example="finance@example.co.id"),
    Column(
        "main_extension",
        help=gettext_lazy(
            "The department's main line. A number that does not exist yet is created "
            "as a department line."
        ),
        example="2100",
    ),
    Column("active", help=gettext_lazy("yes or no; blank means yes."), example=gettext_lazy("yes")),
)


def clean_rows(table_rows):
    """Check each cell and the codes repeated within the file."""
    errors: list[dict] = []
    rows = []
    seen: dict[str, int] = {}
    for number, cells in table_rows:
        reader = RowReader(number, cells, errors)
        reader.code("code", required=True)
        reader.text("name", max_length=120, required=True)
        reader.code("parent_code")
        reader.email("email")
        reader.extension_number("main_extension")
        reader.boolean("active")
        code = reader.data.get("code")
        if code:
            if code in seen:
                reader.error(
                    "code",
                    gettext_noop("Department %(code)s is already in row %(row)d."),
                    code=code,
                    row=seen[code],
                )
            else:
                seen[code] = number
            if reader.data.get("parent_code") == code:
                reader.error("parent_code", gettext_noop("A department cannot sit under itself."))
        rows.append({"row": number, "data": reader.data})
    return rows, errors


def plan(rows, columns) -> Plan:
    """Match rows to departments by code and describe what applying would change."""
    result = Plan()
    existing = {d.code: d for d in Department.objects.select_related("parent", "main_extension")}
    extension_pks = dict(Extension.objects.values_list("number", "pk"))
    file_codes = {r["data"]["code"] for r in rows if r["data"].get("code")}
    parent_of = {code: (d.parent.code if d.parent_id else "") for code, d in existing.items()}
    for row in rows:
        data = row["data"]
        if data.get("code") and "parent_code" in data:
            parent_of[data["code"]] = data["parent_code"]
    new_lines: dict[str, int] = {}
    for row in rows:
        number, data = row["row"], row["data"]
        code = data.get("code")
        if not row.get("ok", True) or not code:
            continue
        parent_code = data.get("parent_code")
        if parent_code and parent_code not in existing and parent_code not in file_codes:
            result.error(
                number,
                "parent_code",
                gettext_noop(
                    "Unknown department code %(code)s: not in the directory or in this file."
                ),
                code=parent_code,
            )
            continue
        if parent_code and _loops(code, parent_of):
            result.error(
                number, "parent_code", gettext_noop("This parent makes a loop of departments.")
            )
            continue
        notes = []
        main = data.get("main_extension")
        if main and main not in extension_pks:
            if main in new_lines:
                result.error(
                    number,
                    "main_extension",
                    gettext_noop(
                        "New extension %(number)s is already the main line in row %(row)d."
                    ),
                    number=main,
                    row=new_lines[main],
                )
                continue
            new_lines[main] = number
            notes.append(
                message(
                    gettext_noop("creates extension %(number)s as a department line"), number=main
                )
            )
        department = existing.get(code)
        old = _current(department)
        changes = diff((column, old[column], data[column]) for column in _order(data))
        if department is None:
            result.add(number, "create", f"{data['name']} ({code})", changes, notes, data)
        else:
            action = "update" if changes else "unchanged"
            result.add(number, action, str(department), changes, notes, data)
    result.work = {"existing": existing, "extension_pks": extension_pks}
    return result


def _order(data):
    return [c.name for c in COLUMNS if c.name in data]


def _current(department) -> dict:
    if department is None:
        return dict.fromkeys((c.name for c in COLUMNS), "")
    return {
        "code": department.code,
        "name": department.name,
        "parent_code": department.parent.code if department.parent_id else "",
        "email": department.email,
        "main_extension": department.main_extension.number if department.main_extension_id else "",
        "active": department.active,
    }


def _loops(code: str, parent_of: dict[str, str]) -> bool:
    seen = {code}
    node = parent_of.get(code)
    while node:
        if node in seen:
            return True
        seen.add(node)
        node = parent_of.get(node)
    return False


def apply(result: Plan, *, user, reason: str) -> None:
    """Create new departments parents-first, then the new main lines, then
    update the changed departments; every write keeps its history row."""
    existing = result.work["existing"]
    extension_pks = result.work["extension_pks"]
    history = {"default_user": user, "default_change_reason": reason}
    by_code = dict(existing)
    pending = [e for e in result.entries if e["action"] == "create"]
    while pending:
        ready = [e for e in pending if e["data"].get("parent_code", "") in ("", *by_code)]
        if not ready:  # plan() refuses loops and unknown parents
            raise RuntimeError("Department parents could not be ordered.")
        new = []
        for entry in ready:
            department = Department(code=entry["data"]["code"], active=True)
            _assign(department, entry["data"], by_code, extension_pks)
            new.append(department)
        for department in bulk_create_with_history(
            new, Department, batch_size=BATCH_SIZE, **history
        ):
            by_code[department.code] = department
        ready_rows = {e["row"] for e in ready}
        pending = [e for e in pending if e["row"] not in ready_rows]

    lines = []
    for entry in result.entries:
        main = entry["data"].get("main_extension")
        if main and main not in extension_pks:
            owner = by_code[entry["data"]["code"]]
            lines.append(Extension(number=main, kind=ExtensionKind.DEPARTMENT, department=owner))
    for line in bulk_create_with_history(lines, Extension, batch_size=BATCH_SIZE, **history):
        extension_pks[line.number] = line.pk

    changed = []
    for entry in result.entries:
        data = entry["data"]
        department = by_code[data["code"]]
        if entry["action"] == "update":
            _assign(department, data, by_code, extension_pks)
            changed.append(department)
        elif entry["action"] == "create" and data.get("main_extension"):
            if department.main_extension_id != extension_pks[data["main_extension"]]:
                department.main_extension_id = extension_pks[data["main_extension"]]
                changed.append(department)
    if changed:
        bulk_update_with_history(
            changed,
            Department,
            fields=["name", "parent", "email", "main_extension", "active", "search_text"],
            **history,
        )


def _assign(department, data, by_code, extension_pks) -> None:
    if "name" in data:
        department.name = data["name"]
    if "parent_code" in data:
        department.parent = by_code[data["parent_code"]] if data["parent_code"] else None
    if "email" in data:
        department.email = data["email"]
    if "main_extension" in data:
        department.main_extension_id = extension_pks.get(data["main_extension"])
    if "active" in data:
        department.active = data["active"]
    department.refresh_search_fields()


def export_rows():
    departments = Department.objects.select_related("parent", "main_extension")
    for department, _depth in tree_order(departments):
        yield [
            department.code,
            department.name,
            department.parent.code if department.parent_id else "",
            department.email,
            department.main_extension.number if department.main_extension_id else "",
            active_text(department.active),
        ]
