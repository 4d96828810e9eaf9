"""Export of the filtered call log: CSV streamed, XLSX capped, formulas escaped.

The XLSX file's types, header row and columns are checked in test_export_xlsx.py."""

import csv
import io

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import override
from openpyxl import load_workbook

from calls import exports
from calls.models import Outcome
from switchboard.roles import OPERATOR
from tests.calls.factories_log import LogCallerFactory, LogCallFactory, recent_today
from tests.factories import InfoEntryFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

FORMULA = '=HYPERLINK("http://evil.example","klik")'


def _csv_rows(response) -> list[list[str]]:
    assert response.streaming
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def _csv_dicts(response) -> list[dict[str, str]]:
    """The data rows by column key (the header is in the user's language)."""
    rows = _csv_rows(response)
    assert rows[0] == exports.header()
    return [dict(zip(exports.KEYS, row, strict=True)) for row in rows[1:]]


def test_csv_has_header_and_the_filtered_rows(supervisor_client, operator):
    caller = LogCallerFactory(number="+6281234567890")
    wanted = LogCallFactory(
        operator=operator, caller=caller, caller_name="Pak Joko", outcome=Outcome.MESSAGE
    )
    LogCallFactory(operator=operator, outcome=Outcome.ANSWERED)
    LogCallFactory(operator=operator, started_at=timezone.now() - timezone.timedelta(days=3))
    response = supervisor_client.get(
        reverse("calls:call-export", args=["csv"]), {"outcome": Outcome.MESSAGE}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = _csv_dicts(response)
    assert len(rows) == 1
    row = rows[0]
    assert row["id"] == str(wanted.pk)
    assert row["caller_name"] == "Pak Joko"
    assert row["operator"] == operator.get_full_name()
    assert row["outcome"] == "Message taken"
    assert row["caller_number"] == "0812-3456-7890"  # national format, as on screen


def test_csv_writes_a_number_from_abroad_in_e164_as_the_log_shows_it(supervisor_client, operator):
    """At home the national form; abroad the national form alone would lose
    the country, so E.164, as on screen (in a CSV cell, a leading "+" is
    escaped like any formula's first character)."""
    LogCallFactory(operator=operator, caller=LogCallerFactory(number="+442079460958"))
    LogCallFactory(operator=operator, caller=LogCallerFactory(number="+6281234567890"))
    response = supervisor_client.get(reverse("calls:call-export", args=["csv"]))
    numbers = sorted(row["caller_number"] for row in _csv_dicts(response))
    assert numbers == ["'+442079460958", "0812-3456-7890"]


def test_csv_escapes_a_caller_typed_formula(supervisor_client, operator):
    LogCallFactory(operator=operator, caller_name=FORMULA)
    rows = _csv_dicts(supervisor_client.get(reverse("calls:call-export", args=["csv"])))
    assert rows[0]["caller_name"] == "'" + FORMULA  # CSV has no types: the guard stays


def test_csv_leaves_out_deleted_calls(supervisor_client, supervisor, operator):
    kept = LogCallFactory(operator=operator)
    LogCallFactory(operator=operator, deleted_at=timezone.now(), deleted_by=supervisor)
    rows = _csv_rows(supervisor_client.get(reverse("calls:call-export", args=["csv"])))
    assert [r[0] for r in rows[1:]] == [str(kept.pk)]


def test_xlsx_opens_and_has_the_rows(supervisor_client, operator):
    calls = LogCallFactory.create_batch(3, operator=operator)
    LogCallFactory(operator=operator, caller_name=FORMULA)
    response = supervisor_client.get(reverse("calls:call-export", args=["xlsx"]))
    assert response.status_code == 200
    assert "spreadsheetml" in response["Content-Type"]
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0] == exports.header()
    assert len(rows) == 5
    ids = {r[0] for r in rows[1:]}
    assert {c.pk for c in calls} <= ids
    names = [r[exports.KEYS.index("caller_name")] for r in rows[1:]]
    assert FORMULA in names  # a text cell, no visible quote


def test_xlsx_refuses_more_than_the_cap_with_a_message(supervisor_client, operator, monkeypatch):
    monkeypatch.setattr(exports, "XLSX_MAX_ROWS", 2)
    LogCallFactory.create_batch(3, operator=operator)
    response = supervisor_client.get(reverse("calls:call-export", args=["xlsx"]), follow=True)
    assert response.redirect_chain
    assert "too many for one XLSX file" in response.content.decode()


def test_unknown_format_is_404(supervisor_client):
    assert supervisor_client.get(reverse("calls:call-export", args=["pdf"])).status_code == 404


def test_operator_may_not_export(operator_client, operator):
    # Callers' numbers are personal data: export is calls.export_call, a supervisor's.
    LogCallFactory(operator=operator)
    response = operator_client.get(reverse("calls:call-export", args=["csv"]))
    assert response.status_code == 403


def test_csv_streams_every_row_across_chunks_newest_first(supervisor_client, operator, monkeypatch):
    monkeypatch.setattr(exports, "CHUNK_SIZE", 2)
    monkeypatch.setattr(exports, "FIRST_CHUNK_ROWS", 1)
    now = recent_today()
    calls = [
        LogCallFactory(operator=operator, started_at=now - timezone.timedelta(seconds=s))
        for s in range(5)
    ]
    response = supervisor_client.get(reverse("calls:call-export", args=["csv"]))
    chunks = list(response.streaming_content)
    assert len(chunks) == 4  # header, 1 row, 2 rows, 2 rows
    text = b"".join(chunks).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert [r[0] for r in rows[1:]] == [str(c.pk) for c in calls]


def test_csv_cells_as_on_screen(supervisor_client, operator):
    call = LogCallFactory(
        operator=operator, caller_name="-1+1", caller_company="@firma", duration_seconds=75
    )
    (row,) = _csv_dicts(supervisor_client.get(reverse("calls:call-export", args=["csv"])))
    assert row["started_at"] == timezone.localtime(call.started_at).strftime("%Y-%m-%d %H:%M:%S")
    assert row["caller_name"] == "'-1+1" and row["caller_company"] == "'@firma"
    assert row["duration_seconds"] == "75"
    assert row["direction"] == "Incoming" and row["personal"] == "no"
    assert row["caller_number"] == ""
    assert row["number_withheld"] == "no"


def test_csv_header_is_in_english_with_the_time_zone_named(supervisor_client, operator):
    LogCallFactory(operator=operator)
    rows = _csv_rows(supervisor_client.get(reverse("calls:call-export", args=["csv"])))
    assert rows[0][:6] == [
        "ID",
        "Started (Asia/Jakarta)",
        "Ended (Asia/Jakarta)",
        "Duration (s)",
        "Direction",
        "Operator",
    ]
    assert {"Number withheld", "Answer given", "Requested by", "Asked for"} <= set(rows[0])


def test_csv_header_and_labels_follow_the_users_language(supervisor, operator):
    """A user who chose Indonesian gets Indonesian column names and labels, on
    a browser that asks for English (labels already in the catalogue)."""
    LogCallFactory(operator=operator, outcome=Outcome.MESSAGE, purpose="Telepon balik")
    client = Client(headers={"accept-language": "en"})
    client.force_login(supervisor)
    client.post(reverse("set_language"), {"language": "id", "next": "/calls/"})
    rows = _csv_rows(client.get(reverse("calls:call-export", args=["csv"])))
    assert rows[0][4] == "Arah" and rows[0][exports.KEYS.index("number_withheld")] == (
        "Nomor disembunyikan"
    )
    assert rows[0][1] == "Mulai (Asia/Jakarta)"
    row = dict(zip(exports.KEYS, rows[1], strict=True))
    assert row["direction"] == "Panggilan masuk" and row["personal"] == "tidak"


def test_header_is_translated_when_the_export_is_asked_for():
    with override("id"):
        indonesian = exports.header()
    with override("en"):
        english = exports.header()
    assert english[exports.KEYS.index("answer_given")] == "Answer given"
    assert indonesian[exports.KEYS.index("answer_given")] == "Jawaban yang diberikan"
    assert indonesian[exports.KEYS.index("requested_by")] == "Diminta oleh"


def test_csv_has_the_answer_requested_by_withheld_and_operator_columns(supervisor_client):
    clerk = UserFactory(username="siti", first_name="Siti", last_name="Rahmawati", roles=[OPERATOR])
    answer = InfoEntryFactory(title="Jam kerja kantor")
    boss = StaffFactory(full_name="Budi Santoso")
    LogCallFactory(operator=clerk, outcome=Outcome.ANSWERED, info_entry=answer)
    LogCallFactory(
        operator=clerk,
        started_at=recent_today() - timezone.timedelta(seconds=30),
        direction="out",
        outcome=Outcome.CONNECTED,
        requested_by=boss,
        caller=LogCallerFactory(number="+62215551234"),
        caller_extension="12",
    )
    LogCallFactory(
        operator=clerk,
        started_at=recent_today() - timezone.timedelta(seconds=60),
        number_withheld=True,
        outcome=Outcome.NUISANCE,
    )
    answered, outgoing, withheld = _csv_dicts(
        supervisor_client.get(reverse("calls:call-export", args=["csv"]))
    )
    assert answered["answer_given"] == "Jam kerja kantor" and answered["requested_by"] == ""
    assert outgoing["requested_by"] == "Budi Santoso" and outgoing["direction"] == "Outgoing"
    assert outgoing["number_withheld"] == "no" and outgoing["caller_number"] == "(021) 5551234"
    assert outgoing["caller_extension"] == "12" and answered["caller_extension"] == ""
    assert withheld["number_withheld"] == "yes" and withheld["caller_number"] == ""
    assert {r["operator"] for r in (answered, outgoing, withheld)} == {"Siti Rahmawati"}


def test_operator_without_a_name_is_shown_by_log_in(supervisor_client):
    nameless = UserFactory(username="desk2", first_name="", last_name="", roles=[OPERATOR])
    LogCallFactory(operator=nameless)
    (row,) = _csv_dicts(supervisor_client.get(reverse("calls:call-export", args=["csv"])))
    assert row["operator"] == "desk2"


def test_csv_escapes_every_typed_text_column(supervisor_client, operator):
    LogCallFactory(
        operator=operator,
        info_entry=InfoEntryFactory(title="=cmd|' /C calc'!A0"),
        requested_by=StaffFactory(full_name="+Budi"),
        asked_for_staff=StaffFactory(full_name="@Sari"),
        purpose="-2+3",
        notes="\tcatatan",
    )
    (row,) = _csv_dicts(supervisor_client.get(reverse("calls:call-export", args=["csv"])))
    assert row["answer_given"] == "'=cmd|' /C calc'!A0"
    assert row["requested_by"] == "'+Budi" and row["asked_for_staff"] == "'@Sari"
    assert row["purpose"] == "'-2+3" and row["notes"] == "'\tcatatan"
