"""The search columns can never go stale: every way of writing a person, a
department or an answer leaves it findable by its new name (and no longer by
its old one).

Every write path Django, simple_history and this project offer is walked; the
completeness tests at the end fail when one appears that this file does not
walk (a Django upgrade, or a raw SQL write somewhere in the project).
"""

import inspect
import re
import threading
from pathlib import Path

import pytest
from asgiref.sync import async_to_sync
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections
from django.db.models import F, Value
from django.db.models.functions import Concat
from django.db.models.query import QuerySet
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from simple_history import utils as history_utils

from directory.importing import bulk as project_bulk
from directory.importing import import_apply, import_preview
from directory.models import Department, InfoEntry, Staff
from directory.selectors import directory_search
from tests.factories import DepartmentFactory, InfoEntryFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
OLD_NAME = "Qwertyuiop Lama"
NEW_NAME = "Zulkarnain Wibisono"


class Kind:
    """How to make, name and find one model's rows."""

    def __init__(self, model, kind, field, factory, parent_field, admin_url, columns):
        self.model, self.kind, self.field = model, kind, field
        self.factory, self.parent_field, self.admin_url = factory, parent_field, admin_url
        self.columns = columns

    def make(self, **kwargs):
        return self.factory(**{self.field: OLD_NAME, **kwargs})

    def new(self, name=NEW_NAME, **kwargs):
        """An unsaved row named `name`, with what it needs to be saved."""
        values = {self.field: name, **kwargs}
        if self.model is Staff:
            values.setdefault("department", DepartmentFactory())
        if self.model is Department:
            values.setdefault("code", "ZUL")
        if self.model is InfoEntry:
            values.setdefault("answer", "Jawaban.")
        return self.model(**values)

    def required(self, **kwargs):
        row = self.new(**kwargs)
        return {
            f.name: getattr(row, f.name)
            for f in self.model._meta.concrete_fields
            if f.name in ("department", "code", "answer")
        }


KINDS = {
    "staff": Kind(
        Staff,
        "staff",
        "full_name",
        StaffFactory,
        "department",
        "staff",
        ["search_name", "search_text"],
    ),
    "department": Kind(
        Department, "department", "name", DepartmentFactory, "parent", "department", ["search_text"]
    ),
    "info": Kind(
        InfoEntry,
        "info",
        "title",
        InfoEntryFactory,
        "owner",
        "infoentry",
        ["search_title", "search_text"],
    ),
}


def found(kind: Kind, query: str) -> set[int]:
    return {r.id for r in directory_search(query) if r.kind == kind.kind}


def assert_columns_fresh(kind: Kind) -> None:
    """Every row's stored search columns equal what its fields give."""
    for row in kind.model.objects.all():
        stored = [getattr(row, c) for c in kind.columns]
        row.refresh_search_fields()
        assert stored == [getattr(row, c) for c in kind.columns], row.pk


# Each path renames the row `obj` (or writes a new row) to NEW_NAME and returns
# the pk of the row that now carries the name.


def via_save(kind, obj):
    setattr(obj, kind.field, NEW_NAME)
    obj.save()
    return obj.pk


def via_save_update_fields(kind, obj):
    setattr(obj, kind.field, NEW_NAME)
    obj.save(update_fields=[kind.field])
    return obj.pk


def via_create(kind, obj):
    return kind.model.objects.create(**{kind.field: NEW_NAME, **kind.required()}).pk


def run_async(function, *args, **kwargs):
    """Run an async ORM call to its end, from sync code. In a thread of its own:
    the browser tests leave an event loop in the main thread, where
    async_to_sync refuses to run (the test is transactional, so that thread's
    database connection sees the rows)."""
    outcome = {}

    def target():
        try:
            outcome["value"] = async_to_sync(function)(*args, **kwargs)
        except BaseException as exc:  # handed to the test below
            outcome["error"] = exc
        finally:
            connections.close_all()

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def via_acreate(kind, obj):
    make = kind.model.objects.all().acreate
    return run_async(make, **{kind.field: NEW_NAME, **kind.required()}).pk


def via_get_or_create(kind, obj):
    row, _created = kind.model.objects.get_or_create(
        **{kind.field: NEW_NAME}, defaults=kind.required()
    )
    return row.pk


def via_aget_or_create(kind, obj):
    get = kind.model.objects.all().aget_or_create
    row, _created = run_async(get, **{kind.field: NEW_NAME}, defaults=kind.required())
    return row.pk


def via_update_or_create(kind, obj):
    kind.model.objects.update_or_create(pk=obj.pk, defaults={kind.field: NEW_NAME})
    return obj.pk


def via_aupdate_or_create(kind, obj):
    run_async(
        kind.model.objects.all().aupdate_or_create, pk=obj.pk, defaults={kind.field: NEW_NAME}
    )
    return obj.pk


def via_update(kind, obj):
    kind.model.objects.filter(pk=obj.pk).update(**{kind.field: NEW_NAME})
    return obj.pk


def via_aupdate(kind, obj):
    run_async(kind.model.objects.filter(pk=obj.pk).aupdate, **{kind.field: NEW_NAME})
    return obj.pk


def via_update_filtered_on_the_changed_field(kind, obj):
    kind.model.objects.filter(**{kind.field: OLD_NAME}).update(**{kind.field: NEW_NAME})
    return obj.pk


def via_update_with_an_expression(kind, obj):
    kind.model.objects.filter(pk=obj.pk).update(
        **{kind.field: Concat(Value(NEW_NAME + " "), F(kind.field))}
    )
    return obj.pk


def via_update_of_a_search_column_itself(kind, obj):
    # Even a write of the search columns themselves cannot make them wrong.
    setattr(obj, kind.field, NEW_NAME)
    obj.save()
    kind.model.objects.filter(pk=obj.pk).update(**dict.fromkeys(kind.columns, ""))
    return obj.pk


def via_related_manager_update(kind, obj):
    parent_model = kind.model._meta.get_field(kind.parent_field).related_model
    parent = DepartmentFactory() if parent_model is Department else None
    kind.model.objects.filter(pk=obj.pk).update(**{kind.parent_field: parent})
    related = kind.model._meta.get_field(kind.parent_field).remote_field.get_accessor_name()
    getattr(parent, related).update(**{kind.field: NEW_NAME})
    return obj.pk


def via_base_manager_update(kind, obj):
    kind.model._base_manager.filter(pk=obj.pk).update(**{kind.field: NEW_NAME})
    return obj.pk


def via_bulk_create(kind, obj):
    (row,) = kind.model.objects.bulk_create([kind.new()])
    return row.pk


def via_abulk_create(kind, obj):
    (row,) = run_async(kind.model.objects.all().abulk_create, [kind.new()])
    return row.pk


def via_bulk_create_upsert(kind, obj):
    # Only the name is written; the row keeps its other fields (job title, code).
    row = kind.new(pk=obj.pk, **kind.required())
    kind.model.objects.bulk_create(
        [row], update_conflicts=True, unique_fields=["id"], update_fields=[kind.field]
    )
    return obj.pk


def via_bulk_update(kind, obj):
    setattr(obj, kind.field, NEW_NAME)
    kind.model.objects.bulk_update([obj], [kind.field])
    return obj.pk


def via_abulk_update(kind, obj):
    setattr(obj, kind.field, NEW_NAME)
    run_async(kind.model.objects.all().abulk_update, [obj], [kind.field])
    return obj.pk


def via_history_bulk_create(kind, obj):
    (row,) = history_utils.bulk_create_with_history([kind.new()], kind.model)
    return kind.model.objects.get(**{kind.field: NEW_NAME}).pk if row.pk is None else row.pk


def via_history_bulk_update(kind, obj):
    setattr(obj, kind.field, NEW_NAME)
    history_utils.bulk_update_with_history([obj], kind.model, [kind.field])
    return obj.pk


def via_project_bulk_update(kind, obj):
    setattr(obj, kind.field, NEW_NAME)
    project_bulk.bulk_update_with_history(
        [obj], kind.model, [kind.field], default_user=None, default_change_reason="test"
    )
    return obj.pk


def via_project_bulk_update_on_other_databases(kind, obj, monkeypatch):
    monkeypatch.setattr(project_bulk, "_supports_update_from", lambda: False)
    return via_project_bulk_update(kind, obj)


def via_admin_edit(kind, obj):
    client = Client()
    client.force_login(UserFactory(username="root", is_superuser=True, is_staff=True))
    url = reverse(f"admin:directory_{kind.admin_url}_change", args=[obj.pk])
    data = admin_form_data(client.get(url))
    data[kind.field] = NEW_NAME
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    return obj.pk


def admin_form_data(response) -> dict:
    """What the admin change form posts back unchanged."""
    data = {}
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        forms += [formset.management_form, *formset.forms]
    for form in forms:
        for name in form.fields:
            value = form[name].value()
            if value is None or value is False:
                continue
            data[form.add_prefix(name)] = "on" if value is True else value
    return data


def _import(kind, text):
    admin = UserFactory(username="importer", is_superuser=True)
    upload = SimpleUploadedFile("import.csv", text.encode(), content_type="text/csv")
    batch = import_preview(
        kind="departments" if kind.model is Department else "staff",
        uploaded_file=upload,
        user=admin,
    )
    assert batch.error_count == 0, batch.errors
    import_apply(batch=batch, user=admin)


def via_import_updating(kind, obj):
    if kind.model is Staff:
        _import(
            kind, f"full_name,department_code,email\n{NEW_NAME},{obj.department.code},{obj.email}\n"
        )
    else:
        _import(kind, f"code,name\n{obj.code},{NEW_NAME}\n")
    return obj.pk


def via_import_creating(kind, obj):
    if kind.model is Staff:
        _import(kind, f"full_name,department_code\n{NEW_NAME},{obj.department.code}\n")
    else:
        _import(kind, f"code,name\nZUL,{NEW_NAME}\n")
    return kind.model.objects.get(**{kind.field: NEW_NAME}).pk


# name -> (path, the kinds it applies to). The names are what the completeness
# tests below look for.
PATHS = {
    "save": (via_save, KINDS),
    "save_update_fields": (via_save_update_fields, KINDS),
    "create": (via_create, KINDS),
    "acreate": (via_acreate, KINDS),
    "get_or_create": (via_get_or_create, KINDS),
    "aget_or_create": (via_aget_or_create, KINDS),
    "update_or_create": (via_update_or_create, KINDS),
    "aupdate_or_create": (via_aupdate_or_create, KINDS),
    "update": (via_update, KINDS),
    "aupdate": (via_aupdate, KINDS),
    "update_filtered_on_the_changed_field": (via_update_filtered_on_the_changed_field, KINDS),
    "update_with_an_expression": (via_update_with_an_expression, KINDS),
    "update_of_a_search_column_itself": (via_update_of_a_search_column_itself, KINDS),
    "related_manager_update": (via_related_manager_update, KINDS),
    "base_manager_update": (via_base_manager_update, KINDS),
    "bulk_create": (via_bulk_create, KINDS),
    "abulk_create": (via_abulk_create, KINDS),
    "bulk_create_upsert": (via_bulk_create_upsert, KINDS),
    "bulk_update": (via_bulk_update, KINDS),
    "abulk_update": (via_abulk_update, KINDS),
    "bulk_create_with_history": (via_history_bulk_create, KINDS),
    "bulk_update_with_history": (via_history_bulk_update, KINDS),
    "directory.importing.bulk.bulk_update_with_history": (via_project_bulk_update, KINDS),
    "directory.importing.bulk.bulk_update_with_history (other databases)": (
        via_project_bulk_update_on_other_databases,
        KINDS,
    ),
    "admin edit": (via_admin_edit, KINDS),
    "import updating": (via_import_updating, ("staff", "department")),
    "import creating": (via_import_creating, ("staff", "department")),
}


# Run in a thread of their own (run_async), so with their rows committed.
ASYNC_PATHS = {
    "acreate",
    "aget_or_create",
    "aupdate_or_create",
    "aupdate",
    "abulk_create",
    "abulk_update",
}


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        pytest.param(
            path,
            kind,
            marks=[pytest.mark.django_db(transaction=True)] if path in ASYNC_PATHS else [],
        )
        for path, (_fn, kinds) in PATHS.items()
        for kind in kinds
    ],
)
def test_every_write_path_leaves_the_row_findable_by_its_new_name(path, kind, monkeypatch):
    kind = KINDS[kind]
    obj = kind.make()
    assert found(kind, "qwertyuiop") == {obj.pk}
    write = PATHS[path][0]

    if "monkeypatch" in inspect.signature(write).parameters:
        pk = write(kind, obj, monkeypatch)
    else:
        pk = write(kind, obj)

    assert pk in found(kind, "zulkarnain")
    assert pk in found(kind, "wibis")
    if pk == obj.pk and path != "update_with_an_expression":
        assert found(kind, "qwertyuiop") == set()
    assert_columns_fresh(kind)


def test_a_presence_change_leaves_the_search_columns_alone():
    person = StaffFactory(full_name=OLD_NAME)
    person.presence = "out"
    with CaptureQueriesContext(connection) as queries:
        person.save(update_fields=["presence"])
    staff_sql = [q["sql"] for q in queries.captured_queries if '"directory_staff"' in q["sql"]]
    assert len(staff_sql) == 1 and staff_sql[0].startswith("UPDATE")
    assert "search_name" not in staff_sql[0]
    assert found(KINDS["staff"], "qwertyuiop") == {person.pk}


def test_an_update_of_other_fields_costs_no_extra_query(django_assert_num_queries):
    person = StaffFactory(full_name=OLD_NAME)
    with django_assert_num_queries(1):
        Staff.objects.filter(pk=person.pk).update(presence="out")


# Completeness: a new write path fails here until the walk above covers it.

WRITE_CALL = re.compile(
    r"UpdateQuery|_insert\(|\.save\(|\.update\(\*\*"
    r"|\.(?:create|get_or_create|update_or_create|bulk_create|bulk_update)\("
)
DELEGATES = re.compile(r"sync_to_async\(self\.(\w+)\)")


def test_every_queryset_write_method_of_django_is_walked():
    methods = dict(inspect.getmembers(QuerySet, inspect.isfunction))
    public = {n: inspect.getsource(f) for n, f in methods.items() if not n.startswith("_")}
    writes = {name for name, source in public.items() if WRITE_CALL.search(source)}
    writes |= {
        name
        for name, source in public.items()
        if (match := DELEGATES.search(source)) and match.group(1) in writes
    }
    assert writes >= {"update", "bulk_create", "bulk_update", "create"}  # the scan works
    assert writes <= set(PATHS), f"walk these too: {sorted(writes - set(PATHS))}"


def test_every_bulk_helper_of_simple_history_is_walked():
    helpers = {
        name
        for name, function in inspect.getmembers(history_utils, inspect.isfunction)
        if function.__module__ == history_utils.__name__
        and re.search(r"manager\.bulk_(create|update)\(", inspect.getsource(function))
    }
    assert helpers == {"bulk_create_with_history", "bulk_update_with_history"}
    assert helpers <= set(PATHS)


# Raw SQL that writes rows, outside migrations and tests; each must be walked
# above (or write no table with search columns: the benchmark's own tables).
RAW_WRITES_WALKED = {
    "directory/importing/bulk.py": "directory.importing.bulk.bulk_update_with_history",
    "bench/core.py": None,  # its marker table
    "bench/data/calls.py": None,  # calls, callers and users, no search columns
    "messages_app/notifications.py": None,  # outbox claims and stamps: no search columns
}
RAW_WRITE = re.compile(r"""["'](?:UPDATE|INSERT INTO|REPLACE INTO)\s+[{\w"]""")


def test_every_raw_sql_write_in_the_project_is_walked():
    files = {
        str(path.relative_to(ROOT))
        for path in ROOT.rglob("*.py")
        if not {".venv", "migrations", "tests", "node_modules"} & set(path.parts)
        and RAW_WRITE.search(path.read_text(encoding="utf-8"))
    }
    assert files == set(RAW_WRITES_WALKED), "a new raw SQL write: walk it in this file"
    assert {path for path in RAW_WRITES_WALKED.values() if path} <= set(PATHS)
