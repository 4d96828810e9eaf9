"""The one CSV streamer and XLSX writer behind the directory and call exports."""

import csv
import datetime
import io

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from switchboard import spreadsheets
from switchboard.spreadsheets import csv_stream, escape_formula, xlsx_bytes
from tests.factories import DepartmentFactory, StaffFactory


def _read_csv(chunks) -> list[list[str]]:
    text = "".join(chunks)
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_csv_starts_with_a_byte_order_mark_and_the_header_alone():
    chunks = list(csv_stream(["a", "b"], [["1", "2"]]))
    assert chunks[0] == "\ufeffa,b\r\n"
    assert _read_csv(chunks) == [["a", "b"], ["1", "2"]]


def test_csv_goes_out_in_chunks_the_first_one_small():
    rows = [[str(i)] for i in range(7)]
    chunks = list(csv_stream(["n"], rows, chunk_rows=3, first_rows=1))
    assert [chunk.count("\n") for chunk in chunks] == [1, 1, 3, 3]
    assert [r[0] for r in _read_csv(chunks)[1:]] == [str(i) for i in range(7)]


def test_csv_escapes_formula_like_text_and_writes_numbers_and_blanks():
    rows = [["=1+1", "+62", "-x", "@a", "\tt", "plain", 42, None, ""]]
    (row,) = _read_csv(csv_stream(list("abcdefghi"), rows))[1:]
    assert row == ["'=1+1", "'+62", "'-x", "'@a", "'\tt", "plain", "42", "", ""]


def test_rows_that_come_escaped_are_written_as_they_are():
    (row,) = _read_csv(csv_stream(["a"], [[escape_formula("=x")]], escaped=True))[1:]
    assert row == ["'=x"]


def test_xlsx_keeps_types_and_formula_like_text_as_text():
    when = datetime.datetime(2026, 3, 2, 9, 30)
    content = xlsx_bytes(
        ["id", "when", "name", "error", "lead"],
        [[7, when, '=HYPERLINK("x")', "#REF!", "-lead"], [8, None, "\x07bell", None, "0812"]],
        title="T" * 40,
        widths=[6, 20, 30, 10, 10],
    )
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet.title == "T" * 31
    first, second = list(sheet.iter_rows(min_row=2))
    assert (first[0].value, first[0].data_type) == (7, "n")
    assert first[1].value == when and first[1].is_date
    assert (first[2].value, first[2].data_type) == ('=HYPERLINK("x")', "s")
    assert (first[3].value, first[3].data_type) == ("#REF!", "s")
    assert first[4].value == "-lead"
    assert second[2].value == "bell"  # characters XML cannot hold are dropped
    assert second[4].value == "0812"  # text stays text: the leading zero is kept
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == "A1:E3"
    assert sheet.column_dimensions["C"].width == 30
    assert all(cell.font.b for cell in sheet[1])


@pytest.mark.django_db
def test_the_directory_csv_export_streams_through_the_same_writer(directory_admin, monkeypatch):
    monkeypatch.setattr(spreadsheets, "CSV_FIRST_CHUNK_ROWS", 1)
    monkeypatch.setattr(spreadsheets, "CSV_CHUNK_ROWS", 2)
    fin = DepartmentFactory(code="FIN")
    for name in ("Ani", "Budi", "Citra"):
        StaffFactory(full_name=name, department=fin)
    client = Client()
    client.force_login(directory_admin)
    response = client.get(reverse("directory:export", args=["staff", "csv"]))
    chunks = [chunk.decode("utf-8") for chunk in response.streaming_content]
    assert len(chunks) == 3  # header, 1 row, 2 rows
    rows = _read_csv(chunks)
    assert rows[0][0] == "full_name"  # the import's own column names, not translated
    assert sorted(r[0] for r in rows[1:]) == ["Ani", "Budi", "Citra"]


@pytest.mark.django_db
def test_the_directory_xlsx_export_has_text_cells_without_quotes(directory_admin):
    fin = DepartmentFactory(code="FIN")
    StaffFactory(full_name="=cmd", job_title="+1", department=fin)
    client = Client()
    client.force_login(directory_admin)
    response = client.get(reverse("directory:export", args=["staff", "xlsx"]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    header = [cell.value for cell in sheet[1]]
    row = dict(zip(header, sheet[2], strict=True))
    assert (row["full_name"].value, row["full_name"].data_type) == ("=cmd", "s")
    assert row["job_title"].value == "+1"
    assert row["department_code"].value == "FIN"
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref.startswith("A1:")
