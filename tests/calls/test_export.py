"""Export of the filtered call log: CSV streamed, XLSX capped, formulas escaped."""

import csv
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from calls import exports
from calls.models import Outcome
from tests.calls.factories_log import LogCallerFactory, LogCallFactory, recent_today

pytestmark = pytest.mark.django_db

FORMULA = '=HYPERLINK("http://evil.example","klik")'


def _csv_rows(response) -> list[list[str]]:
    assert response.streaming
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


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
    rows = _csv_rows(response)
    assert rows[0] == exports.HEADER
    assert len(rows) == 2
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["id"] == str(wanted.pk)
    assert row["caller_name"] == "Pak Joko"
    assert row["operator"] == operator.username
    assert row["outcome"] == "Message taken"
    assert row["caller_number"] == "0812-3456-7890"  # national format, as on screen


def test_csv_escapes_a_caller_typed_formula(supervisor_client, operator):
    LogCallFactory(operator=operator, caller_name=FORMULA)
    rows = _csv_rows(supervisor_client.get(reverse("calls:call-export", args=["csv"])))
    name = rows[1][exports.HEADER.index("caller_name")]
    assert name.startswith("'")
    assert name == "'" + FORMULA


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
    assert rows[0] == exports.HEADER
    assert len(rows) == 5
    ids = {r[0] for r in rows[1:]}
    assert {str(c.pk) for c in calls} <= ids
    names = [r[exports.HEADER.index("caller_name")] for r in rows[1:]]
    assert "'" + FORMULA in names


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
    row = dict(
        zip(
            *_csv_rows(supervisor_client.get(reverse("calls:call-export", args=["csv"]))),
            strict=True,
        )
    )
    assert row["started_at"] == timezone.localtime(call.started_at).strftime("%Y-%m-%d %H:%M:%S")
    assert row["caller_name"] == "'-1+1" and row["caller_company"] == "'@firma"
    assert row["duration_seconds"] == "75"
    assert row["direction"] == "Incoming" and row["personal"] == "no"
    assert row["caller_number"] == ""
