"""The call log's XLSX export read back with openpyxl: typed cells, local times
with the zone in the header, a frozen header row with filters, column widths,
headers in the user's language, and formula-like text kept as plain text."""

import datetime
import io

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from calls import exports
from calls.models import Direction, Outcome
from switchboard.roles import OPERATOR, SUPERVISOR
from tests.calls.factories_log import LogCallerFactory, LogCallFactory, recent_today
from tests.factories import ExtensionFactory, InfoEntryFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

FORMULA = '=HYPERLINK("http://evil.example","klik")'


def _sheet(client, params=None):
    response = client.get(reverse("calls:call-export", args=["xlsx"]), params or {})
    assert response.status_code == 200
    assert "spreadsheetml" in response["Content-Type"]
    return load_workbook(io.BytesIO(response.content)).active


def _col(name: str) -> int:
    return exports.KEYS.index(name)


def _by_key(sheet) -> list[dict]:
    rows = list(sheet.iter_rows(min_row=2))
    return [{key: cell for key, cell in zip(exports.KEYS, row, strict=True)} for row in rows]


@pytest.fixture
def clerk(db):
    return UserFactory(username="siti", first_name="Siti", last_name="Rahmawati", roles=[OPERATOR])


def test_ids_durations_and_times_are_numbers_and_local_dates(supervisor_client, clerk):
    started = recent_today().replace(microsecond=0)
    call = LogCallFactory(
        operator=clerk,
        started_at=started,
        ended_at=started + timezone.timedelta(seconds=75),
        duration_seconds=75,
    )
    (row,) = _by_key(_sheet(supervisor_client))

    assert row["id"].value == call.pk and row["id"].data_type == "n"
    assert row["duration_seconds"].value == 75 and row["duration_seconds"].data_type == "n"
    local = timezone.localtime(started).replace(tzinfo=None)
    assert row["started_at"].value == local  # naive, in Asia/Jakarta time
    assert row["started_at"].is_date and "yy" in row["started_at"].number_format
    assert row["ended_at"].value == local + datetime.timedelta(seconds=75)


def test_a_call_with_no_end_leaves_the_cells_empty(supervisor_client, clerk):
    LogCallFactory(operator=clerk, ended_at=None, duration_seconds=None, caller_name="")
    (row,) = _by_key(_sheet(supervisor_client))
    assert row["ended_at"].value is None and row["duration_seconds"].value is None
    assert row["caller_name"].value is None


def test_header_row_is_frozen_bold_filtered_and_names_the_zone(supervisor_client, clerk):
    LogCallFactory.create_batch(3, operator=clerk)
    sheet = _sheet(supervisor_client)

    header = [cell.value for cell in sheet[1]]
    assert header == exports.header()
    assert header[_col("started_at")] == "Started (Asia/Jakarta)"
    assert header[_col("operator")] == "Operator"
    assert header[_col("answer_given")] == "Answer given"
    assert all(cell.font.b for cell in sheet[1])
    assert sheet.freeze_panes == "A2"
    last = sheet.cell(row=1, column=len(exports.KEYS)).column_letter
    assert sheet.auto_filter.ref == f"A1:{last}4"
    widths = {key: sheet.column_dimensions[sheet.cell(row=1, column=i + 1).column_letter].width
              for i, key in enumerate(exports.KEYS)}  # fmt: skip
    assert widths["id"] < widths["caller_name"] < widths["notes"]
    assert widths["started_at"] >= len("2026-01-31 10:00:00")


def test_header_is_in_the_users_indonesian_on_an_english_browser(supervisor, clerk):
    """The export speaks the account's language, not the browser's."""
    LogCallFactory(operator=clerk, direction=Direction.INCOMING, outcome=Outcome.ANSWERED)
    client = Client(headers={"accept-language": "en"})
    client.force_login(supervisor)
    client.post(reverse("set_language"), {"language": "id", "next": "/calls/"})

    sheet = _sheet(client)
    header = [cell.value for cell in sheet[1]]
    # Labels the Indonesian catalogue already has (the model's field names).
    assert header[_col("started_at")] == "Mulai (Asia/Jakarta)"
    assert header[_col("direction")] == "Arah"
    assert header[_col("answer_given")] == "Jawaban yang diberikan"
    assert header[_col("requested_by")] == "Diminta oleh"
    assert sheet.title == "Panggilan"
    (row,) = _by_key(sheet)
    assert row["direction"].value == "Panggilan masuk"
    assert row["outcome"].value == "Dijawab operator"


def test_formula_like_text_is_a_text_cell_without_a_quote(supervisor_client, clerk):
    LogCallFactory(
        operator=clerk,
        caller_name=FORMULA,
        caller_company="#N/A",
        purpose="+62 812",
        notes="@SUM(A1)",
    )
    (row,) = _by_key(_sheet(supervisor_client))
    name = row["caller_name"]
    assert name.value == FORMULA and name.data_type == "s"  # not "f": never a formula
    assert row["caller_company"].value == "#N/A" and row["caller_company"].data_type == "s"
    assert row["purpose"].value == "+62 812" and row["notes"].value == "@SUM(A1)"


def test_withheld_requested_by_answer_and_operator_full_name(supervisor_client, clerk):
    boss = StaffFactory(full_name="Budi Santoso")
    desk = ExtensionFactory(number="2104", staff=boss)
    answer = InfoEntryFactory(title="Alamat kantor")
    now = recent_today()
    LogCallFactory(
        operator=clerk,
        started_at=now,
        outcome=Outcome.TRANSFERRED,
        asked_for_staff=boss,
        transferred_to=desk,
        caller=LogCallerFactory(number="+6281234567890"),
    )
    LogCallFactory(
        operator=clerk,
        started_at=now - timezone.timedelta(minutes=1),
        direction=Direction.OUTGOING,
        outcome=Outcome.CONNECTED,
        requested_by=boss,
        is_personal=True,
        caller=LogCallerFactory(number="+62215551234"),
    )
    LogCallFactory(
        operator=clerk,
        started_at=now - timezone.timedelta(minutes=2),
        outcome=Outcome.ANSWERED,
        info_entry=answer,
        number_withheld=True,
    )
    transferred, outgoing, answered = _by_key(_sheet(supervisor_client))

    assert transferred["asked_for_staff"].value == "Budi Santoso"
    assert transferred["transferred_to"].value == "2104"  # an extension stays text
    assert transferred["transferred_to"].data_type == "s"
    assert transferred["caller_number"].value == "0812-3456-7890"
    assert outgoing["requested_by"].value == "Budi Santoso"
    assert outgoing["personal"].value == "yes" and outgoing["number_withheld"].value == "no"
    assert answered["answer_given"].value == "Alamat kantor"
    assert answered["number_withheld"].value == "yes" and answered["caller_number"].value is None
    operators = {r["operator"].value for r in (transferred, outgoing, answered)}
    assert operators == {"Siti Rahmawati"}  # the full name, not the log-in "siti"


def test_xlsx_and_csv_have_the_same_columns(supervisor_client, clerk):
    LogCallFactory(operator=clerk)
    sheet = _sheet(supervisor_client)
    response = supervisor_client.get(reverse("calls:call-export", args=["csv"]))
    first_line = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()[0]
    assert first_line.split(",") == [cell.value for cell in sheet[1]]


def test_times_follow_the_configured_time_zone(settings, clerk):
    settings.TIME_ZONE = "Asia/Makassar"
    supervisor = UserFactory(username="sup2", roles=[SUPERVISOR])
    client = Client()
    client.force_login(supervisor)
    started = recent_today().replace(microsecond=0)
    LogCallFactory(operator=clerk, started_at=started)
    sheet = _sheet(client, {"date_from": "2000-01-01"})
    assert sheet.cell(row=1, column=2).value == "Started (Asia/Makassar)"
    expected = started.astimezone(datetime.timezone(datetime.timedelta(hours=8)))
    assert sheet.cell(row=2, column=2).value == expected.replace(tzinfo=None)
