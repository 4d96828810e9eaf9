"""What reading an uploaded file may cost: bounded, whatever is in it.

The files are built in memory (zipfile, openpyxl). Work is measured by counting
what the reader hands on (its rows and their cells), never by the clock.
"""

import io
import struct
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from directory.importing import ImportFileError, import_preview, tabular
from directory.models import ImportBatch
from tests.factories import DepartmentFactory

pytestmark = pytest.mark.django_db

STAFF_COLUMNS = ["full_name", "department_code"]
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml"
 ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
<Override PartName="/xl/worksheets/sheet1.xml"
 ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
<Override PartName="/xl/sharedStrings.xml"
 ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>
</Types>"""
ROOT_RELS = f"""<?xml version="1.0" encoding="UTF-8"?>
<Relationships xmlns="{PACKAGE_NS}"><Relationship Id="rId1" Target="xl/workbook.xml"
 Type="{REL_NS}/officeDocument"/></Relationships>"""
WORKBOOK = f"""<?xml version="1.0" encoding="UTF-8"?>
<workbook xmlns="{MAIN_NS}" xmlns:r="{REL_NS}"><sheets>
<sheet name="Staff" sheetId="1" r:id="rId1"/></sheets></workbook>"""
WORKBOOK_RELS = f"""<?xml version="1.0" encoding="UTF-8"?>
<Relationships xmlns="{PACKAGE_NS}">
<Relationship Id="rId1" Type="{REL_NS}/worksheet" Target="worksheets/sheet1.xml"/>
<Relationship Id="rId2" Type="{REL_NS}/sharedStrings" Target="sharedStrings.xml"/>
</Relationships>"""
HEADER_ROW = (
    b'<row r="1"><c r="A1" t="inlineStr"><is><t>full_name</t></is></c>'
    b'<c r="B1" t="inlineStr"><is><t>department_code</t></is></c></row>'
)


def person_row(number: int, name: str = "Budi", extra: bytes = b"") -> bytes:
    return (
        b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>%s</t></is></c>'
        b'<c r="B%d" t="inlineStr"><is><t>FIN</t></is></c>%s</row>'
        % (number, number, name.encode(), number, extra)
    )


def workbook(rows: bytes, *, strings: bytes = b"", before: bytes = b"", after: bytes = b""):
    """The bytes of an XLSX: one sheet (`before` and `after` its data) and a
    shared strings part holding `strings` (<si> elements)."""
    sheet = (
        f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN_NS}">'.encode()
        + before
        + b"<sheetData>"
        + rows
        + b"</sheetData>"
        + after
        + b"</worksheet>"
    )
    shared = f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN_NS}">'.encode()
    shared += strings + b"</sst>"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
        archive.writestr("xl/sharedStrings.xml", shared)
    return buffer.getvalue()


def read(raw: bytes, name="staff.xlsx"):
    return tabular.read_table(
        SimpleUploadedFile(name, raw),
        allowed_columns=[*STAFF_COLUMNS, "email"],
        required_columns=STAFF_COLUMNS,
    )


@pytest.fixture
def cells_handed_on(monkeypatch):
    """Counts the rows and cells each reader hands on to the table builder."""
    counted = {"rows": 0, "cells": 0, "widest": 0}

    def counting(reader):
        def wrapper(raw):
            for row in reader(raw):
                counted["rows"] += 1
                counted["cells"] += len(row)
                counted["widest"] = max(counted["widest"], len(row))
                yield row

        return wrapper

    monkeypatch.setattr(tabular, "_xlsx_rows", counting(tabular._xlsx_rows))
    monkeypatch.setattr(tabular, "_csv_rows", counting(tabular._csv_rows))
    return counted


# XLSX: only the header's columns are read -------------------------------------


def test_blank_rows_with_a_cell_in_column_xfd_read_only_the_header_columns(cells_handed_on):
    # The file had 50,000 such rows and cost 76 s; 2,000 show the shape.
    stray = b"".join(
        b'<row r="%d"><c r="XFD%d" t="inlineStr"><is><t>x</t></is></c></row>' % (n, n)
        for n in range(3, 2003)
    )
    raw = workbook(
        HEADER_ROW + person_row(2) + stray,
        before=b'<dimension ref="A1:XFD2002"/>',  # the sheet says it is that wide
    )

    table = read(raw)

    assert table.rows == [(2, {"full_name": "Budi", "department_code": "FIN"})]
    width = len(STAFF_COLUMNS) + tabular.EXTRA_COLUMNS
    assert cells_handed_on["rows"] == 2002
    assert cells_handed_on["cells"] == 2 + 2001 * width  # not 2002 x 16,384


def test_a_value_just_right_of_the_header_is_reported_one_far_right_is_not_read(
    cells_handed_on,
):
    near = b'<c r="D2" t="inlineStr"><is><t>slipped</t></is></c>'
    far = b'<c r="AZ3" t="inlineStr"><is><t>far away</t></is></c>'
    raw = workbook(HEADER_ROW + person_row(2, extra=near) + person_row(3, "Siti", extra=far))

    table = read(raw)

    assert table.rows[0][1]["__extra__"] == "slipped"
    assert table.rows[1][1] == {"full_name": "Siti", "department_code": "FIN"}
    assert cells_handed_on["widest"] == len(STAFF_COLUMNS) + tabular.EXTRA_COLUMNS


def test_a_sheet_that_claims_a_million_rows_reads_its_real_rows(cells_handed_on, monkeypatch):
    monkeypatch.setattr(tabular, "MAX_ROWS", 1000)
    raw = workbook(
        HEADER_ROW
        + person_row(2)
        + b'<row r="1048576"><c r="A1048576" t="inlineStr"><is><t>x</t></is></c></row>',
        before=b'<dimension ref="A1:XFD1048576"/>',
    )

    table = read(raw)

    # A run of more than MAX_ROWS blank rows ends the table, as it always did.
    assert [number for number, _row in table.rows] == [2]
    assert cells_handed_on["rows"] <= 1000 + 3
    width = len(STAFF_COLUMNS) + tabular.EXTRA_COLUMNS
    assert cells_handed_on["cells"] <= cells_handed_on["rows"] * width


def test_rows_far_apart_cost_their_cells_and_are_refused_past_the_bound(monkeypatch):
    monkeypatch.setattr(tabular, "MAX_CELLS", 50_000)
    raw = workbook(HEADER_ROW + b"".join(person_row(n * 9000) for n in range(1, 20)))

    with pytest.raises(ImportFileError, match="more than 50,000 cells"):
        read(raw)


# XLSX: unpacked size, packing ratio, XML elements -------------------------------


def test_shared_strings_that_unpack_far_beyond_the_file_are_refused_unread(monkeypatch):
    # The 338 KB file unpacked to 140 MB of shared strings and cost the
    # server 740 MB; this one unpacks to 40 MB.
    loaded = []
    monkeypatch.setattr("openpyxl.load_workbook", lambda *a, **k: loaded.append(1))
    raw = workbook(
        HEADER_ROW + person_row(2), strings=b"<si><t>" + b"y" * 40_000_000 + b"</t></si>"
    )
    assert len(raw) < 200_000

    with pytest.raises(ImportFileError, match="too large once unpacked"):
        read(raw)
    assert loaded == []


def test_a_part_packed_tighter_than_any_real_sheet_is_refused():
    padding = b"<!--" + b" " * 3_000_000 + b"-->"  # 3 MB that packs to a few KB
    raw = workbook(HEADER_ROW + person_row(2), after=padding)

    with pytest.raises(ImportFileError, match="too large once unpacked"):
        read(raw)


def test_the_whole_workbook_unpacked_is_bounded(monkeypatch):
    monkeypatch.setattr(tabular, "MAX_XLSX_UNPACKED_BYTES", 50_000)
    raw = workbook(HEADER_ROW + b"".join(person_row(n, f"Person {n}") for n in range(2, 1000)))

    with pytest.raises(ImportFileError, match="too large once unpacked"):
        read(raw)


def _declare_size(raw: bytes, name: str, size: int) -> bytes:
    """The archive with `name`'s unpacked size rewritten in its central
    directory entry (what zipfile trusts), as a hostile file would."""
    data = bytearray(raw)
    entry = 0
    while True:
        entry = data.index(b"PK\x01\x02", entry)
        name_length = struct.unpack_from("<H", data, entry + 28)[0]
        if data[entry + 46 : entry + 46 + name_length] == name.encode():
            struct.pack_into("<I", data, entry + 24, size)
            return bytes(data)
        entry += 46


def test_a_part_that_understates_its_size_is_read_no_further_than_it_says():
    rows = HEADER_ROW + b"".join(person_row(n, f"Person {n}") for n in range(2, 2000))
    raw = _declare_size(workbook(rows), "xl/worksheets/sheet1.xml", 1000)

    with pytest.raises(ImportFileError, match="damaged"):
        read(raw)


def test_more_cells_in_the_workbook_than_the_bound_are_refused_before_parsing(monkeypatch):
    monkeypatch.setattr(tabular, "MAX_CELLS", 1000)
    parsed = []
    monkeypatch.setattr("openpyxl.load_workbook", lambda *a, **k: parsed.append(1))
    # 600 rows of two cells, plus 500 empty styled cells far to the right.
    far = b"".join(b'<c r="XF%d" s="1"/>' % n for n in range(500))
    raw = workbook(HEADER_ROW + b"".join(person_row(n) for n in range(2, 600)) + far)

    with pytest.raises(ImportFileError, match="more than 1,000 cells"):
        read(raw)
    assert parsed == []


def test_a_sheet_full_of_merged_ranges_is_refused(monkeypatch):
    monkeypatch.setattr(tabular, "MAX_XLSX_OTHER_ELEMENTS", 100)
    merges = b"".join(b'<mergeCell ref="C%d:D%d"/>' % (n, n) for n in range(2, 200))
    raw = workbook(HEADER_ROW + person_row(2), after=b"<mergeCells>" + merges + b"</mergeCells>")

    with pytest.raises(ImportFileError, match="too much besides its cells"):
        read(raw)


def test_too_many_shared_strings_are_refused(monkeypatch):
    monkeypatch.setattr(tabular, "MAX_XLSX_SHARED_STRINGS", 100)
    strings = b"".join(b"<si><t>s%d</t></si>" % n for n in range(101))
    raw = workbook(HEADER_ROW + person_row(2), strings=strings)

    with pytest.raises(ImportFileError, match="more than 100 different texts"):
        read(raw)


def test_an_honest_workbook_reads_as_before():
    book = Workbook()
    sheet = book.active
    sheet.append(["full_name", "department_code", "email"])
    for n in range(200):
        sheet.append([f"Person {n}", "FIN", f"p{n}@example.co.id"])
    sheet["H5"] = "formatted far away"  # inside EXTRA_COLUMNS of the header: reported
    buffer = io.BytesIO()
    book.save(buffer)

    table = read(buffer.getvalue())

    assert len(table.rows) == 200
    assert table.rows[0] == (
        2,
        {"full_name": "Person 0", "department_code": "FIN", "email": "p0@example.co.id"},
    )
    assert table.rows[3][1]["__extra__"] == "formatted far away"


# CSV: wide rows, huge cells --------------------------------------------------


def csv_upload(text: str):
    return SimpleUploadedFile("staff.csv", text.encode())


def test_a_very_wide_csv_row_hands_on_only_the_header_columns(cells_handed_on):
    text = (
        "full_name,department_code\nBudi,FIN" + "," * 500_000 + "\nSiti,FIN" + "," * 1000 + "late\n"
    )

    table = tabular.read_table(
        csv_upload(text), allowed_columns=STAFF_COLUMNS, required_columns=STAFF_COLUMNS
    )

    assert table.rows[0] == (2, {"full_name": "Budi", "department_code": "FIN"})
    # A value far to the right is still reported (a row shifted by a stray comma).
    assert table.rows[1][1]["__extra__"] == "late"
    assert cells_handed_on["widest"] <= len(STAFF_COLUMNS) + tabular.EXTRA_COLUMNS + 1


def test_a_csv_cell_that_never_ends_is_refused_clearly():
    text = 'full_name,department_code\n"Budi,FIN\n' + "x" * 200_000 + "\n"

    with pytest.raises(ImportFileError, match="quote"):
        tabular.read_table(
            csv_upload(text), allowed_columns=STAFF_COLUMNS, required_columns=STAFF_COLUMNS
        )


def test_a_csv_with_more_cells_than_the_bound_is_refused(monkeypatch):
    monkeypatch.setattr(tabular, "MAX_CELLS", 100)
    text = "full_name,department_code\n" + "Budi,FIN\n" * 60

    with pytest.raises(ImportFileError, match="more than 100 cells"):
        tabular.read_table(
            csv_upload(text), allowed_columns=STAFF_COLUMNS, required_columns=STAFF_COLUMNS
        )


def test_a_long_csv_cell_is_a_row_error_not_a_refusal(admin_web_robust):
    DepartmentFactory(code="FIN")
    text = "full_name,department_code\n" + "x" * 5000 + ",FIN\nSiti,FIN\n"
    response = admin_web_robust.post(
        reverse("directory:import"), {"kind": "staff", "file": csv_upload(text)}
    )
    assert response.status_code == 302
    batch = ImportBatch.objects.get()
    assert [(e["row"], e["column"]) for e in batch.errors] == [(2, "full_name")]


def test_the_upload_page_shows_the_refusal_next_to_the_file(admin_web_robust):
    raw = workbook(
        HEADER_ROW + person_row(2), strings=b"<si><t>" + b"y" * 40_000_000 + b"</t></si>"
    )
    response = admin_web_robust.post(
        reverse("directory:import"),
        {"kind": "staff", "file": SimpleUploadedFile("staff.xlsx", raw)},
    )
    assert response.status_code == 400
    assert "too large once unpacked" in response.context["form"].errors["file"][0]
    assert not ImportBatch.objects.exists()


def test_import_preview_refuses_through_the_service(directory_admin):
    raw = workbook(HEADER_ROW + person_row(2), after=b"<!--" + b" " * 3_000_000 + b"-->")
    with pytest.raises(ImportFileError):
        import_preview(
            kind="staff", uploaded_file=SimpleUploadedFile("s.xlsx", raw), user=directory_admin
        )
    assert not ImportBatch.objects.exists()


@pytest.fixture
def admin_web_robust(client, directory_admin):
    client.force_login(directory_admin)
    return client
