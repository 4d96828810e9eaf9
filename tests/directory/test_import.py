"""Bulk import (preview → confirm/cancel) and export of the directory."""

import csv
import io
from datetime import timedelta

import factory
import pytest
from django.contrib.auth.models import Group, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError
from openpyxl import Workbook, load_workbook

from directory import importing
from directory.importing import (
    ImportBatchClosed,
    ImportFileError,
    ImportStale,
    import_apply,
    import_cancel,
    import_confirm,
    import_preview,
)
from directory.models import Department, Extension, ExtensionKind, ImportBatch, ImportStatus, Staff
from directory.tasks import apply_import_task, purge_imports_task, requeue_imports_task
from switchboard.roles import DIRECTORY_ADMIN, OPERATOR

pytestmark = pytest.mark.django_db


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ("code",)

    name = factory.Sequence(lambda n: f"Department {n}")
    code = factory.Sequence(lambda n: f"D{n}")


class StaffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Staff

    full_name = factory.Sequence(lambda n: f"Person {n}")
    department = factory.SubFactory(DepartmentFactory)
    email = factory.Sequence(lambda n: f"person{n}@example.co.id")


class ExtensionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Extension

    number = factory.Sequence(lambda n: str(3000 + n))


def _user(username, role):
    user = User.objects.create_user(username, password="pw-not-used")
    user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def directory_admin(db):
    return _user("diradmin", DIRECTORY_ADMIN)


@pytest.fixture
def admin_web(client, directory_admin):
    client.force_login(directory_admin)
    return client


@pytest.fixture
def operator_web(client, db):
    client.force_login(_user("op", OPERATOR))
    return client


def csv_file(text: str, name="import.csv", encoding="utf-8"):
    return SimpleUploadedFile(name, text.encode(encoding), content_type="text/csv")


def xlsx_file(rows, name="import.xlsx"):
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def upload(web, kind, uploaded):
    return web.post(reverse("directory:import"), {"kind": kind, "file": uploaded})


@pytest.fixture
def confirm(django_capture_on_commit_callbacks):
    """Press "Confirm import": the view queues the batch and, once that commits,
    sends the task, which runs at once here (no broker)."""

    def press(web, batch, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return web.post(reverse("directory:import-confirm", args=[batch.pk]), **kwargs)

    return press


def preview_and_confirm(web, kind, uploaded, confirm):
    response = upload(web, kind, uploaded)
    assert response.status_code == 302, response.content.decode()[:2000]
    batch = ImportBatch.objects.latest("pk")
    assert batch.error_count == 0, batch.errors
    confirmed = confirm(web, batch)
    assert confirmed.status_code == 302
    batch.refresh_from_db()
    return batch


def error_cells(batch):
    return {(e["row"], e["column"]) for e in batch.errors}


DEPARTMENTS_CSV = """code,name,parent_code,email,main_extension,active
TAX,Tax,FIN,tax@example.co.id,,yes
CORP,Head office,,,,
FIN,Finance,CORP,finance@example.co.id,2100,yes
"""


def test_good_departments_csv_creates_the_tree_with_history(admin_web, directory_admin, confirm):
    response = upload(admin_web, "departments", csv_file(DEPARTMENTS_CSV))
    batch = ImportBatch.objects.get()
    assert response.url == reverse("directory:import-preview", args=[batch.pk])
    page = admin_web.get(response.url).content.decode()
    assert "Finance (FIN)" in page and "creates extension 2100" in page
    assert not Department.objects.exists()  # a preview writes nothing

    confirm(admin_web, batch)

    fin = Department.objects.get(code="FIN")
    assert fin.parent.code == "CORP"
    assert Department.objects.get(code="TAX").parent == fin
    assert fin.main_extension.number == "2100"
    assert fin.main_extension.kind == ExtensionKind.DEPARTMENT
    assert fin.main_extension.department == fin
    assert fin.search_text.strip() == "finance fin"
    assert fin.history.filter(history_user=directory_admin).exists()
    assert Department.history.filter(history_type="+").count() == 3
    batch.refresh_from_db()
    assert batch.status == ImportStatus.APPLIED and batch.applied_at is not None


def test_good_staff_xlsx_creates_people_extensions_and_history(admin_web, directory_admin, confirm):
    DepartmentFactory(code="FIN", name="Finance")
    ExtensionFactory(number="2101", kind=ExtensionKind.FAX)
    rows = [
        ["full_name", "department_code", "job_title", "email", "mobile", "extensions", "active"],
        [
            "Budi Santoso",
            "fin",
            "Tax officer",
            "budi@example.co.id",
            "0812-3456-7890",
            "2101 2102",
            "yes",
        ],
        ["Siti Rahma", "FIN", "'=Head", "", 81298765432, 2103, True],
    ]
    batch = preview_and_confirm(admin_web, "staff", xlsx_file(rows), confirm)
    assert batch.create_count == 2

    budi = Staff.objects.get(email="budi@example.co.id")
    assert budi.department.code == "FIN"
    assert budi.mobile.as_e164 == "+6281234567890"
    assert budi.search_name.strip() == "budi santoso"
    assert sorted(budi.extensions.values_list("number", flat=True)) == ["2101", "2102"]
    siti = Staff.objects.get(full_name="Siti Rahma")
    assert siti.job_title == "=Head"  # the export escape is stripped, the text kept
    assert list(siti.extensions.values_list("number", flat=True)) == ["2103"]
    assert Extension.objects.get(number="2102").kind == ExtensionKind.DESK
    assert Staff.history.filter(history_type="+", history_user=directory_admin).count() == 2
    assert Extension.history.filter(number="2101", history_type="~").exists()


def test_staff_rows_update_by_email_then_by_name_instead_of_duplicating(directory_admin):
    fin = DepartmentFactory(code="FIN")
    budi = StaffFactory(full_name="Budi", email="budi@example.co.id", department=fin)
    ani = StaffFactory(full_name="Ani Wijaya", email="", department=fin)
    text = (
        "full_name,department_code,email,job_title\n"
        "Budi Santoso,FIN,BUDI@example.co.id,Manager\n"
        "ani wijaya,FIN,ani@example.co.id,Clerk\n"
    )
    batch = import_preview(kind="staff", uploaded_file=csv_file(text), user=directory_admin)
    assert (batch.create_count, batch.update_count) == (0, 2)
    import_apply(batch=batch, user=directory_admin)
    budi.refresh_from_db()
    ani.refresh_from_db()
    assert (budi.full_name, budi.job_title) == ("Budi Santoso", "Manager")
    assert (ani.email, ani.job_title) == ("ani@example.co.id", "Clerk")
    assert Staff.objects.count() == 2


def test_an_extension_moves_to_the_person_the_file_names_once_accepted(admin_web, confirm):
    fin = DepartmentFactory(code="FIN")
    old_owner = StaffFactory(full_name="Old Owner", department=fin)
    new_owner = StaffFactory(full_name="New Owner", department=fin, email="new@example.co.id")
    ExtensionFactory(number="2200", staff=old_owner)
    text = "full_name,department_code,email,extensions\nNew Owner,FIN,new@example.co.id,2200\n"
    response = upload(admin_web, "staff", csv_file(text))
    assert "moves from Old Owner" in admin_web.get(response.url).content.decode()
    batch = ImportBatch.objects.get()
    confirm(admin_web, batch, data={"accept_moves": "on", "moves": "1"})
    assert Extension.objects.get(number="2200").staff == new_owner


def test_a_file_with_bad_rows_reports_each_and_saves_nothing(admin_web, confirm):
    DepartmentFactory(code="FIN")
    long_name = "x" * 151
    text = (
        "full_name,department_code,email,mobile,extensions,active\n"
        "Good Person,FIN,good@example.co.id,,2300,yes\n"
        "Nobody Dept,XXX,,,,\n"
        "Bad Mail,FIN,not-an-email,,,\n"
        "Bad Phone,FIN,,12,,\n"
        "Bad Ext,FIN,,,12a 5,\n"
        "Twice,FIN,good@example.co.id,,,\n"
        f"{long_name},FIN,,,,\n"
        "Dup Ext,FIN,,,2300,maybe\n"
        ",FIN,,,,\n"
    )
    response = upload(admin_web, "staff", csv_file(text))
    batch = ImportBatch.objects.get()
    assert error_cells(batch) == {
        (3, "department_code"),
        (4, "email"),
        (5, "mobile"),
        (6, "extensions"),
        (7, "email"),
        (8, "full_name"),
        (9, "extensions"),
        (9, "active"),
        (10, "full_name"),
    }
    page = admin_web.get(response.url).content.decode()
    assert "Unknown department code XXX" in page
    assert "Confirm import" not in page

    refused = confirm(admin_web, batch, follow=True)
    assert "has errors" in refused.content.decode()
    assert not Staff.objects.exists()
    assert not Extension.objects.exists()
    batch.refresh_from_db()
    assert batch.status == ImportStatus.PREVIEWED


def test_extension_and_department_files_report_their_own_errors(directory_admin):
    fin = DepartmentFactory(code="FIN")
    StaffFactory(email="budi@example.co.id", department=fin)
    text = (
        "number,kind,staff_email,department_code\n"
        "2400,desk,budi@example.co.id,FIN\n"
        "2401,teleporter,,\n"
        "2402,desk,ghost@example.co.id,\n"
        "2403,,,NOPE\n"
        "2403,fax,,\n"
        "1,fax,,\n"
    )
    batch = import_preview(kind="extensions", uploaded_file=csv_file(text), user=directory_admin)
    assert error_cells(batch) == {
        (2, "department_code"),
        (3, "kind"),
        (4, "staff_email"),
        (5, "department_code"),
        (6, "number"),
        (7, "number"),
    }
    loops = "code,name,parent_code\nAAA,A,BBB\nBBB,B,AAA\nCCC,C,ZZZ\nFIN,Finance,FIN\n"
    batch = import_preview(kind="departments", uploaded_file=csv_file(loops), user=directory_admin)
    assert error_cells(batch) == {
        (2, "parent_code"),
        (3, "parent_code"),
        (4, "parent_code"),
        (5, "parent_code"),
    }


def test_cancel_saves_nothing_and_cannot_be_confirmed_afterwards(admin_web, confirm):
    response = upload(admin_web, "departments", csv_file(DEPARTMENTS_CSV))
    batch = ImportBatch.objects.get()
    cancel = admin_web.post(reverse("directory:import-cancel", args=[batch.pk]))
    assert cancel.url == reverse("directory:import")
    batch.refresh_from_db()
    assert batch.status == ImportStatus.CANCELLED
    confirm(admin_web, batch)
    assert not Department.objects.exists()
    assert "Confirm import" not in admin_web.get(response.url).content.decode()


def test_confirming_twice_applies_once(admin_web, directory_admin, confirm):
    upload(admin_web, "departments", csv_file(DEPARTMENTS_CSV))
    batch = ImportBatch.objects.get()
    confirm(admin_web, batch)
    second = confirm(admin_web, batch, follow=True)
    assert "already applied" in second.content.decode()
    assert Department.objects.count() == 3
    assert Department.history.count() == 4  # 3 created, then FIN got its new main line
    with pytest.raises(ImportBatchClosed):
        import_apply(batch=batch, user=directory_admin)


def _reads_of_stored_rows(queries) -> int:
    """SELECTs of a batch's stored rows (up to MAX_ROWS rows of JSON)."""
    column = connection.ops.quote_name("rows")
    return sum(
        1
        for q in queries.captured_queries
        if q["sql"].startswith("SELECT")
        and "directory_importbatch" in q["sql"]
        and f".{column}" in q["sql"]
    )


def test_confirm_reads_the_stored_rows_once_and_cancel_never(admin_web, confirm):
    upload(admin_web, "departments", csv_file(DEPARTMENTS_CSV))
    batch = ImportBatch.objects.get()
    with CaptureQueriesContext(connection) as confirming:
        response = confirm(admin_web, batch)
    assert response.status_code == 302
    assert Department.objects.count() == 3
    assert _reads_of_stored_rows(confirming) == 1  # to apply them

    upload(admin_web, "departments", csv_file(DEPARTMENTS_CSV))
    second = ImportBatch.objects.latest("pk")
    with CaptureQueriesContext(connection) as cancelling:
        response = admin_web.post(reverse("directory:import-cancel", args=[second.pk]))
    assert response.url == reverse("directory:import")
    assert ImportBatch.objects.get(pk=second.pk).status == ImportStatus.CANCELLED
    assert _reads_of_stored_rows(cancelling) == 0


def test_confirm_and_cancel_report_the_fresh_state_and_read_rows_only_when_asked(
    directory_admin,
):
    first, second = (
        import_preview(
            kind="departments", uploaded_file=csv_file(DEPARTMENTS_CSV), user=directory_admin
        )
        for _ in range(2)
    )
    ImportBatch.objects.filter(pk=first.pk).update(rows=[])  # changed behind its back

    assert import_confirm(batch=first, user=directory_admin).status == ImportStatus.QUEUED
    assert import_cancel(batch=second, user=directory_admin).status == ImportStatus.CANCELLED
    assert first.get_deferred_fields() == {"rows", "errors", "moves"}
    assert first.rows == []  # read again when asked for, not the stale copy
    assert len(second.rows) == 3


def test_confirm_refuses_rows_the_directory_no_longer_fits(directory_admin):
    DepartmentFactory(code="FIN")
    text = "full_name,department_code\nBudi,FIN\n"
    batch = import_preview(kind="staff", uploaded_file=csv_file(text), user=directory_admin)
    Department.objects.filter(code="FIN").delete()
    with pytest.raises(ImportStale):
        import_apply(batch=batch, user=directory_admin)
    batch.refresh_from_db()
    assert batch.status == ImportStatus.PREVIEWED and batch.error_count == 1
    assert not Staff.objects.exists()


def _directory_with_awkward_values():
    corp = DepartmentFactory(code="CORP", name="Head office", email="")
    fin = DepartmentFactory(code="FIN", name="Finance", email="fin@example.co.id")
    fin.parent = corp
    fin.save()
    line = ExtensionFactory(number="2100", kind=ExtensionKind.DEPARTMENT, department=fin)
    fin.main_extension = line
    fin.save()
    DepartmentFactory(code="OLD", name="Closed", active=False, parent=fin)
    budi = StaffFactory(
        full_name="Budi Santoso",
        department=fin,
        job_title="=SUM(A1:A2)",
        mobile="+6281234567890",
        topics="faktur pajak, PPN",
        aliases="@budi",
        operator_notes='Line one\nline "two", with comma',
    )
    StaffFactory(full_name="Abroad", department=fin, mobile="+6591234567", job_title="-lead")
    no_mail = StaffFactory(full_name="No Mail", department=corp, email="", active=False)
    ExtensionFactory(number="0101", staff=budi, location="Lt. 3")
    ExtensionFactory(number="2102", staff=budi)
    ExtensionFactory(number="2103", staff=no_mail, label="+ reception")
    ExtensionFactory(number="2500", kind=ExtensionKind.MEETING_ROOM, label="Ruang Melati")


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_then_import_changes_nothing(admin_web, directory_admin, fmt):
    _directory_with_awkward_values()
    for kind in ("departments", "staff", "extensions"):
        response = admin_web.get(reverse("directory:export", args=[kind, fmt]))
        assert response.status_code == 200
        body = b"".join(response.streaming_content) if response.streaming else response.content
        exported = SimpleUploadedFile(f"{kind}.{fmt}", body)
        batch = import_preview(kind=kind, uploaded_file=exported, user=directory_admin)
        assert batch.errors == [], kind
        changed = [e for e in batch.rows if e["action"] != "unchanged"]
        assert changed == [], kind
        assert batch.unchanged_count == batch.row_count > 0


def test_export_escapes_formula_cells(admin_web):
    fin = DepartmentFactory(code="FIN")
    StaffFactory(
        full_name="=HYPERLINK(1)", job_title="+1", aliases="@x", topics="-y", department=fin
    )
    StaffFactory(full_name="Tab", job_title="\tTabbed", department=fin)
    response = admin_web.get(reverse("directory:export", args=["staff", "csv"]))
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows[0]["full_name"] == "'=HYPERLINK(1)"
    assert (rows[0]["job_title"], rows[0]["aliases"], rows[0]["topics"]) == ("'+1", "'@x", "'-y")
    assert rows[1]["job_title"] == "'\tTabbed"

    response = admin_web.get(reverse("directory:export", args=["staff", "xlsx"]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    cell = sheet["A2"]
    # XLSX has types: the text is stored as a text cell, with no visible quote.
    assert cell.value == "=HYPERLINK(1)" and cell.data_type == "s"


def test_template_has_the_header_row(admin_web):
    response = admin_web.get(reverse("directory:import-template", args=["extensions"]))
    assert response.content.decode("utf-8-sig").strip() == (
        "number,kind,location,label,staff_email,department_code"
    )


@pytest.mark.parametrize(
    ("name", "body", "message"),
    [
        ("staff.csv", b"\xff\xfe\x00g\x00a\x00r\x00b\x00", "not UTF-8"),
        ("staff.csv", b"full_name;department_code\n", "no data rows"),
        ("staff.csv", b"\x89PNG\r\n\x1a\n\x00\x00", "not UTF-8"),
        ("staff.xlsx", b"PK\x03\x04 broken zip", "damaged"),
        ("staff.xls", b"\xd0\xcf\x11\xe0 old excel", "not an XLSX"),
        ("staff.csv", b"name,dept\nBudi,FIN\n", "Unknown column: name, dept"),
        ("staff.csv", b"full_name,email\nBudi,b@example.co.id\n", "missing: department_code"),
        ("staff.csv", b"full_name,full_name,department_code\n", "more than once"),
    ],
)
def test_a_bad_file_gives_a_form_error_not_a_batch(admin_web, name, body, message):
    response = upload(admin_web, "staff", SimpleUploadedFile(name, body))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_an_oversized_file_is_refused_before_reading(admin_web):
    body = b"full_name,department_code\n" + b"x" * importing.MAX_UPLOAD_BYTES
    response = upload(admin_web, "staff", SimpleUploadedFile("big.csv", body))
    assert response.status_code == 400
    assert "larger than 5 MB" in response.content.decode()
    assert response.context["form"].errors["file"] == [
        "The file is larger than 5 MB. Split it into smaller files."
    ]
    assert not ImportBatch.objects.exists()


def test_too_many_rows_is_refused(directory_admin, monkeypatch):
    monkeypatch.setattr("directory.importing.tabular.MAX_ROWS", 2)
    text = "full_name,department_code\nA,FIN\nB,FIN\nC,FIN\n"
    with pytest.raises(ImportFileError, match="more than 2 rows"):
        import_preview(kind="staff", uploaded_file=csv_file(text), user=directory_admin)


def test_bom_semicolons_and_crlf_are_accepted(directory_admin):
    DepartmentFactory(code="FIN")
    text = "\ufefffull_name;department_code;topics\r\nBudi;FIN;pajak, PPN\r\n\r\n"
    batch = import_preview(kind="staff", uploaded_file=csv_file(text), user=directory_admin)
    assert batch.errors == []
    assert batch.rows[0]["data"]["topics"] == "pajak, PPN"


def test_staff_import_runs_the_same_queries_for_5_or_40_rows(directory_admin):
    # 40 rows stay within one SQLite insert batch (999 parameters), so any
    # difference would be a query per row.
    DepartmentFactory(code="FIN")
    assert directory_admin.has_perm("directory.import_directory")  # permissions cached

    def queries_for(count, prefix):
        lines = ["full_name,department_code,email,extensions"]
        lines += [
            f"P{prefix}{i},FIN,{prefix}{i}@example.co.id,{prefix}{i:03d}" for i in range(count)
        ]
        uploaded = csv_file("\n".join(lines))
        with CaptureQueriesContext(connection) as preview:
            batch = import_preview(kind="staff", uploaded_file=uploaded, user=directory_admin)
        with CaptureQueriesContext(connection) as apply:
            import_apply(batch=batch, user=directory_admin)
        return len(preview), len(apply)

    assert queries_for(5, "5") == queries_for(40, "4")
    assert Staff.objects.count() == 45


def test_operator_gets_403_on_import_and_export(operator_web, directory_admin):
    batch = ImportBatch.objects.create(kind="staff", created_by=directory_admin)
    urls = [
        reverse("directory:import"),
        reverse("directory:import-preview", args=[batch.pk]),
        reverse("directory:export", args=["staff", "csv"]),
        reverse("directory:import-template", args=["staff"]),
    ]
    for url in urls:
        assert operator_web.get(url).status_code == 403, url
    for name in ("directory:import-confirm", "directory:import-cancel"):
        assert operator_web.post(reverse(name, args=[batch.pk])).status_code == 403
    batch.refresh_from_db()
    assert batch.status == ImportStatus.PREVIEWED


def test_another_admin_cannot_see_or_confirm_my_batch(client, directory_admin):
    batch = import_preview(
        kind="departments", uploaded_file=csv_file(DEPARTMENTS_CSV), user=directory_admin
    )
    client.force_login(_user("otheradmin", DIRECTORY_ADMIN))
    assert client.get(reverse("directory:import-preview", args=[batch.pk])).status_code == 404
    assert client.post(reverse("directory:import-confirm", args=[batch.pk])).status_code == 404
    assert not Department.objects.exists()


def test_confirm_and_cancel_are_post_only(admin_web, directory_admin):
    batch = import_preview(
        kind="departments", uploaded_file=csv_file(DEPARTMENTS_CSV), user=directory_admin
    )
    assert admin_web.get(reverse("directory:import-confirm", args=[batch.pk])).status_code == 405
    assert admin_web.get(reverse("directory:import-cancel", args=[batch.pk])).status_code == 405
    import_cancel(batch=batch, user=directory_admin)
    with pytest.raises(ImportBatchClosed):
        import_cancel(batch=batch, user=directory_admin)


def test_import_page_documents_columns_and_links_exports(admin_web):
    page = admin_web.get(reverse("directory:import")).content.decode()
    for column in ("parent_code", "main_extension", "operator_notes", "staff_email"):
        assert f"<code>{column}</code>" in page
    assert reverse("directory:export", args=["staff", "xlsx"]) in page
    assert reverse("directory:import-template", args=["departments"]) in page


STAFF_CSV = "full_name,department_code,extensions\nBudi Santoso,FIN,2101\nSiti Aminah,FIN,2102\n"


def test_with_the_broker_down_a_confirmed_import_waits_and_is_applied_later(
    admin_web, directory_admin, confirm, monkeypatch
):
    DepartmentFactory(code="FIN")
    upload(admin_web, "staff", csv_file(STAFF_CSV))
    batch = ImportBatch.objects.get()

    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    with monkeypatch.context() as patched:  # a broker is configured, but it is down
        patched.setitem(apply_import_task.app.conf, "task_always_eager", False)
        patched.setattr(apply_import_task, "delay", broker_down)
        response = confirm(admin_web, batch)

    # The admin sees it queued; the page refreshes itself while it waits.
    assert response.url == reverse("directory:import-preview", args=[batch.pk])
    page = admin_web.get(response.url).content.decode()
    assert "being applied in the background" in page
    assert '<meta http-equiv="refresh"' in page
    assert "Confirm import" not in page
    batch.refresh_from_db()
    assert batch.status == ImportStatus.QUEUED and batch.confirmed_by == directory_admin
    assert not Staff.objects.exists()

    assert batch.sent_at is None  # it never reached the broker

    # The sweep leaves a fresh batch alone, then sends one that never was.
    assert requeue_imports_task.delay().get() == 0
    ImportBatch.objects.filter(pk=batch.pk).update(
        confirmed_at=timezone.now() - timedelta(minutes=6)
    )
    assert requeue_imports_task.delay().get() == 1

    batch.refresh_from_db()
    assert batch.status == ImportStatus.APPLIED
    assert batch.sent_at is not None
    assert sorted(Staff.objects.values_list("full_name", flat=True)) == [
        "Budi Santoso",
        "Siti Aminah",
    ]
    assert Staff.history.filter(history_user=directory_admin).count() == 2
    page = admin_web.get(response.url).content.decode()
    assert "Imported: 2 created, 0 updated, 0 unchanged." in page
    assert '<meta http-equiv="refresh"' not in page


def test_the_import_task_is_idempotent(directory_admin):
    DepartmentFactory(code="FIN")
    batch = import_preview(kind="staff", uploaded_file=csv_file(STAFF_CSV), user=directory_admin)
    ImportBatch.objects.filter(pk=batch.pk).update(
        status=ImportStatus.QUEUED, confirmed_by=directory_admin, confirmed_at=timezone.now()
    )

    apply_import_task.delay(batch.pk)
    apply_import_task.delay(batch.pk)  # delivered twice, or re-sent by the sweep

    assert Staff.objects.count() == 2
    assert Extension.objects.count() == 2
    assert Staff.history.count() == 2
    batch.refresh_from_db()
    assert batch.status == ImportStatus.APPLIED and batch.create_count == 2


def test_a_queued_import_the_directory_no_longer_fits_goes_back_with_errors(
    admin_web, directory_admin
):
    DepartmentFactory(code="FIN")
    upload(admin_web, "staff", csv_file(STAFF_CSV))
    batch = ImportBatch.objects.get()
    import_confirm(batch=batch, user=directory_admin)  # queued; the task is not sent yet
    Department.objects.filter(code="FIN").delete()

    apply_import_task.delay(batch.pk)

    batch.refresh_from_db()
    assert batch.status == ImportStatus.PREVIEWED and batch.error_count == 2
    assert not Staff.objects.exists()
    page = admin_web.get(reverse("directory:import-preview", args=[batch.pk])).content.decode()
    assert "The directory changed since this preview" in page
    assert "Confirm import" not in page
    with pytest.raises(ImportBatchClosed):
        import_confirm(batch=batch, user=directory_admin)


def test_a_queued_import_cannot_be_cancelled_or_confirmed_again(directory_admin):
    batch = import_preview(
        kind="departments", uploaded_file=csv_file(DEPARTMENTS_CSV), user=directory_admin
    )
    import_confirm(batch=batch, user=directory_admin)

    with pytest.raises(ImportBatchClosed, match="already being applied"):
        import_confirm(batch=batch, user=directory_admin)
    with pytest.raises(ImportBatchClosed):
        import_cancel(batch=batch, user=directory_admin)


def test_old_import_files_are_purged_but_queued_ones_kept(directory_admin, settings):
    settings.IMPORT_RETENTION_DAYS = 30
    old = timezone.now() - timedelta(days=31)
    kept = {
        ImportBatch.objects.create(kind="staff", status=status, created_at=when).pk
        for status, when in [
            (ImportStatus.QUEUED, old),
            (ImportStatus.PREVIEWED, timezone.now() - timedelta(days=29)),
            (ImportStatus.APPLIED, timezone.now()),
        ]
    }
    for status in (ImportStatus.PREVIEWED, ImportStatus.CANCELLED, ImportStatus.APPLIED):
        ImportBatch.objects.create(kind="staff", status=status, created_at=old)

    assert purge_imports_task.delay().get() == 3

    assert set(ImportBatch.objects.values_list("pk", flat=True)) == kept


def test_the_beat_schedule_names_real_tasks(settings):
    from switchboard.celery import app

    app.loader.import_default_modules()
    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        assert entry["task"] in app.tasks, name


# The re-send sweep: only what never reached the broker, and what it lost --------


@pytest.fixture
def broker(monkeypatch):
    """A broker that is up and takes every task, and a worker that has not run
    them yet: what was sent, in order. `broker.down = True` refuses sends."""

    class Broker:
        sent: list = []
        down = False

    def delay(batch_pk):
        if Broker.down:
            raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
        Broker.sent.append(batch_pk)

    Broker.sent = []
    monkeypatch.setitem(apply_import_task.app.conf, "task_always_eager", False)
    monkeypatch.setattr(apply_import_task, "delay", delay)
    return Broker


def _queued_batch(directory_admin, confirm_at, django_capture_on_commit_callbacks):
    DepartmentFactory(code="FIN")
    batch = import_preview(kind="staff", uploaded_file=csv_file(STAFF_CSV), user=directory_admin)
    with django_capture_on_commit_callbacks(execute=True):
        import_confirm(batch=batch, user=directory_admin, now=confirm_at)
    return ImportBatch.objects.get(pk=batch.pk)


def test_a_sent_import_still_running_is_not_sent_again(
    directory_admin, broker, django_capture_on_commit_callbacks, settings
):
    settings.CELERY_TASK_TIME_LIMIT = 900
    confirmed = timezone.now()
    batch = _queued_batch(directory_admin, confirmed, django_capture_on_commit_callbacks)
    assert broker.sent == [batch.pk] and batch.sent_at == confirmed

    # A long import runs for up to the time limit; the sweep runs every minute.
    for minutes in (1, 6, 15, 16, 29):
        assert importing.requeue_stuck(now=confirmed + timedelta(minutes=minutes)) == 0

    assert broker.sent == [batch.pk]
    assert ImportBatch.objects.get(pk=batch.pk).status == ImportStatus.QUEUED


def test_an_import_sent_long_ago_and_never_applied_is_sent_again_once(
    directory_admin, broker, django_capture_on_commit_callbacks, settings
):
    settings.CELERY_TASK_TIME_LIMIT = 900
    confirmed = timezone.now()
    batch = _queued_batch(directory_admin, confirmed, django_capture_on_commit_callbacks)
    lost = confirmed + timedelta(seconds=2 * 900 + 1)  # the broker lost the message

    assert importing.requeue_stuck(now=lost) == 1
    assert importing.requeue_stuck(now=lost) == 0
    assert importing.requeue_stuck(now=lost + timedelta(minutes=5)) == 0

    assert broker.sent == [batch.pk, batch.pk]
    assert ImportBatch.objects.get(pk=batch.pk).sent_at == lost


def test_the_lost_message_net_follows_the_task_time_limit(
    directory_admin, broker, django_capture_on_commit_callbacks, settings
):
    settings.CELERY_TASK_TIME_LIMIT = 3600  # imports of a very large company
    confirmed = timezone.now()
    _queued_batch(directory_admin, confirmed, django_capture_on_commit_callbacks)

    assert importing.requeue_stuck(now=confirmed + timedelta(hours=1, minutes=59)) == 0
    assert importing.requeue_stuck(now=confirmed + timedelta(hours=2, minutes=1)) == 1


def test_a_sweep_while_the_broker_is_still_down_keeps_the_batch_unsent(
    directory_admin, broker, django_capture_on_commit_callbacks
):
    broker.down = True
    confirmed = timezone.now()
    batch = _queued_batch(directory_admin, confirmed, django_capture_on_commit_callbacks)
    assert batch.sent_at is None

    assert importing.requeue_stuck(now=confirmed + timedelta(minutes=6)) == 0
    assert ImportBatch.objects.get(pk=batch.pk).sent_at is None  # the claim was taken back

    broker.down = False
    assert importing.requeue_stuck(now=confirmed + timedelta(minutes=7)) == 1
    assert broker.sent == [batch.pk]


def test_a_send_is_claimed_so_two_sweeps_send_a_batch_once(
    directory_admin, broker, django_capture_on_commit_callbacks
):
    broker.down = True
    confirmed = timezone.now()
    batch = _queued_batch(directory_admin, confirmed, django_capture_on_commit_callbacks)
    broker.down = False
    later = confirmed + timedelta(minutes=6)

    # Two sweeps both saw the batch unsent; the second claim finds it taken.
    assert importing._send(batch.pk, now=later, last_sent=None) is True
    assert importing._send(batch.pk, now=later, last_sent=None) is False
    assert broker.sent == [batch.pk]


def test_applied_and_previewed_batches_are_never_sent(
    directory_admin, broker, django_capture_on_commit_callbacks
):
    old = timezone.now() - timedelta(days=1)
    DepartmentFactory(code="FIN")
    ImportBatch.objects.create(kind="staff", status=ImportStatus.APPLIED, confirmed_at=old)
    ImportBatch.objects.create(kind="staff", status=ImportStatus.PREVIEWED, confirmed_at=old)

    assert importing.requeue_stuck() == 0
    assert broker.sent == []


# Extension moves need the admin's explicit acceptance -----------------------------

MOVE_CSV = "full_name,department_code,email,extensions\nRina Baru,FIN,rina@example.co.id,2200\n"


@pytest.fixture
def head_of_finance(db):
    fin = DepartmentFactory(code="FIN")
    head = StaffFactory(full_name="Hendra Kepala", department=fin)
    ExtensionFactory(number="2200", staff=head)
    return head


def test_the_preview_lists_each_move_with_from_whom_to_whom(admin_web, head_of_finance):
    response = upload(admin_web, "staff", csv_file(MOVE_CSV))
    batch = ImportBatch.objects.get()
    assert batch.move_count == 1
    assert batch.moves == [
        {
            "row": 2,
            "column": "extensions",
            "number": "2200",
            "from": "Hendra Kepala (FIN)",
            "to": "Rina Baru (FIN)",
        }
    ]

    page = admin_web.get(response.url).content.decode()

    assert "1 extension moves to someone else" in page
    assert (
        "<td><strong>2200</strong></td><td>Hendra Kepala (FIN)</td><td>Rina Baru (FIN)</td>" in page
    )
    assert 'name="accept_moves"' in page
    assert "I accept that 1 extension moves to someone else, as listed." in page


def test_confirming_without_accepting_the_moves_changes_nothing(
    admin_web, head_of_finance, confirm
):
    upload(admin_web, "staff", csv_file(MOVE_CSV))
    batch = ImportBatch.objects.get()

    response = confirm(admin_web, batch)

    assert response.status_code == 400
    assert "Tick that you accept the move to confirm." in response.content.decode()
    assert response.context["confirm_form"].errors["accept_moves"]
    batch.refresh_from_db()
    assert batch.status == ImportStatus.PREVIEWED and batch.confirmed_at is None
    assert Extension.objects.get(number="2200").staff == head_of_finance
    assert not Staff.objects.filter(full_name="Rina Baru").exists()


def test_confirming_with_the_moves_accepted_applies_them(admin_web, head_of_finance, confirm):
    upload(admin_web, "staff", csv_file(MOVE_CSV))
    batch = ImportBatch.objects.get()

    response = confirm(admin_web, batch, data={"accept_moves": "on", "moves": "1"})

    assert response.status_code == 302
    assert ImportBatch.objects.get(pk=batch.pk).status == ImportStatus.APPLIED
    assert Extension.objects.get(number="2200").staff.full_name == "Rina Baru"


def test_accepting_a_different_number_of_moves_is_refused(admin_web, head_of_finance, confirm):
    upload(admin_web, "staff", csv_file(MOVE_CSV))
    batch = ImportBatch.objects.get()

    response = confirm(admin_web, batch, data={"accept_moves": "on", "moves": "0"})

    assert response.status_code == 400
    assert ImportBatch.objects.get(pk=batch.pk).status == ImportStatus.PREVIEWED


def test_the_service_refuses_moves_nobody_accepted(directory_admin, head_of_finance):
    batch = import_preview(kind="staff", uploaded_file=csv_file(MOVE_CSV), user=directory_admin)

    with pytest.raises(importing.ImportMovesNotAccepted) as refused:
        import_confirm(batch=batch, user=directory_admin)
    assert refused.value.count == 1
    with pytest.raises(importing.ImportMovesNotAccepted):
        import_confirm(batch=batch, user=directory_admin, accepted_moves=2)
    with pytest.raises(importing.ImportMovesNotAccepted):
        import_apply(batch=batch, user=directory_admin)
    assert ImportBatch.objects.get(pk=batch.pk).status == ImportStatus.PREVIEWED

    import_confirm(batch=batch, user=directory_admin, accepted_moves=1)

    assert ImportBatch.objects.get(pk=batch.pk).status != ImportStatus.PREVIEWED


def test_an_extensions_file_moving_a_department_line_to_a_person_is_a_move(directory_admin):
    fin = DepartmentFactory(code="FIN")
    StaffFactory(full_name="Rina Baru", email="rina@example.co.id", department=fin)
    ExtensionFactory(number="2100", department=fin)
    ExtensionFactory(number="2101")  # nobody's: giving it away moves nothing
    text = "number,staff_email\n2100,rina@example.co.id\n2101,rina@example.co.id\n"

    batch = import_preview(kind="extensions", uploaded_file=csv_file(text), user=directory_admin)

    assert [(m["number"], m["from"], m["to"]) for m in batch.moves] == [
        ("2100", "FIN", "Rina Baru <rina@example.co.id>")
    ]
    with pytest.raises(importing.ImportMovesNotAccepted):
        import_apply(batch=batch, user=directory_admin)
    import_apply(batch=batch, user=directory_admin, accepted_moves=1)
    assert Extension.objects.get(number="2100").staff.full_name == "Rina Baru"


def test_a_move_that_appears_after_the_preview_sends_the_batch_back(directory_admin):
    fin = DepartmentFactory(code="FIN")
    text = "full_name,department_code,extensions\nRina Baru,FIN,2300\n"
    batch = import_preview(kind="staff", uploaded_file=csv_file(text), user=directory_admin)
    assert batch.move_count == 0  # 2300 does not exist yet: it would be created
    ExtensionFactory(number="2300", staff=StaffFactory(full_name="Hendra Kepala", department=fin))

    with pytest.raises(ImportStale):
        import_apply(batch=batch, user=directory_admin)

    batch.refresh_from_db()
    assert batch.status == ImportStatus.PREVIEWED and batch.error_count == 1
    assert batch.errors[0]["params"] == {
        "number": "2300",
        "from": "Hendra Kepala (FIN)",
        "to": "Rina Baru (FIN)",
    }
    assert Extension.objects.get(number="2300").staff.full_name == "Hendra Kepala"


# Row errors and notes are stored in no language and shown in the viewer's ------------


def test_row_errors_are_stored_in_no_language_and_shown_in_the_viewers(admin_web, settings):
    from django.utils import translation

    DepartmentFactory(code="FIN")
    text = "full_name,department_code,extensions\nBudi,XXX,\nSiti,FIN,2300\n"
    with translation.override("en"):  # the uploader reads English
        response = upload(admin_web, "staff", csv_file(text))
    batch = ImportBatch.objects.get()
    assert batch.errors == [
        {
            "row": 2,
            "column": "department_code",
            "message": "Unknown department code %(code)s.",
            "params": {"code": "XXX"},
        }
    ]
    assert batch.rows[0]["notes"] == [
        {"message": "creates extension %(number)s", "params": {"number": "2300"}}
    ]

    settings.LANGUAGE_CODE = "id"  # a colleague whose pages are in Indonesian
    page = admin_web.get(response.url, headers={"accept-language": "id"}).content.decode()

    # Both already in locale/id/LC_MESSAGES/django.po, so rendered at display time.
    assert "Kode departemen XXX tidak dikenal." in page
    assert "membuat ekstensi 2300" in page
    assert "Unknown department code" not in page


def test_errors_stored_as_text_before_are_still_shown(admin_web, directory_admin):
    batch = ImportBatch.objects.create(
        kind="staff",
        created_by=directory_admin,
        error_count=1,
        errors=[{"row": 3, "column": "email", "message": "“x” bukan alamat e-mail yang valid."}],
        rows=[
            {
                "row": 4,
                "action": "create",
                "label": "Budi (FIN)",
                "diff": [],
                "notes": ["membuat ekstensi 2301"],
                "data": {},
            }
        ],
    )
    page = admin_web.get(reverse("directory:import-preview", args=[batch.pk])).content.decode()
    assert "“x” bukan alamat e-mail yang valid." in page
    assert "membuat ekstensi 2301" in page


def test_a_broken_translation_never_breaks_the_preview():
    from directory.importing.formats import message, message_text

    assert message_text(message("Only %(this)s", that="x")) == "Only %(this)s"
    assert message_text(message("Row %(row)d", row=5)) == "Row 5"
    assert message_text("plain old text 100%") == "plain old text 100%"


# The import page's examples are valid in both languages ----------------------------


@pytest.mark.parametrize("language", ["en", "id"])
@pytest.mark.parametrize("kind", ["departments", "staff", "extensions"])
def test_the_documented_examples_import_cleanly(directory_admin, kind, language):
    from django.utils import translation

    DepartmentFactory(code="CORP")
    DepartmentFactory(code="FIN")
    StaffFactory(email="budi.santoso@example.co.id")
    with translation.override(language):
        columns = importing.kind_columns(kind)
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow([c.name for c in columns])
        writer.writerow([str(c.example) for c in columns])
        batch = import_preview(
            kind=kind, uploaded_file=csv_file(buffer.getvalue()), user=directory_admin
        )
    assert batch.errors == []


def test_the_import_page_shows_examples_in_the_viewers_language(admin_web, settings):
    settings.LANGUAGE_CODE = "id"
    page = admin_web.get(reverse("directory:import"), headers={"accept-language": "id"})
    text = page.content.decode()
    # "yes" is already translated; the example follows the page's language.
    assert '<td class="text-nowrap">ya</td>' in text
    assert "meeting_room (Ruang rapat)" in text


def test_the_admin_shows_a_batch_without_its_stored_rows_and_moves(
    client, directory_admin, head_of_finance
):
    batch = import_preview(kind="staff", uploaded_file=csv_file(MOVE_CSV), user=directory_admin)
    client.force_login(User.objects.create_superuser("root", password="pw-not-used"))

    response = client.get(reverse("admin:directory_importbatch_change", args=[batch.pk]))

    assert response.status_code == 200
    assert "Hendra Kepala" not in response.content.decode()  # the move's text is not loaded
