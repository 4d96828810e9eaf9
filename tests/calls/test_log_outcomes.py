"""The call log's outcome filter takes several values at once
(?outcome=no_answer&outcome=call_back, as the recap's missed calls link it);
one outcome, as every earlier link has it, reads as before, in the log and in
its export alike."""

import csv
import io

import pytest
from django.urls import reverse

from calls import exports
from calls.models import Outcome
from tests.calls.factories_log import LogCallFactory

pytestmark = pytest.mark.django_db

LIST = reverse("calls:call-list")


def listed_ids(response) -> set[int]:
    return {row.record.pk for row in response.context["table"].paginated_rows}


@pytest.fixture
def calls(operator):
    return {
        outcome: LogCallFactory(operator=operator, outcome=outcome)
        for outcome in (Outcome.NO_ANSWER, Outcome.CALL_BACK, Outcome.ANSWERED, Outcome.MESSAGE)
    }


def test_several_outcomes_list_the_calls_of_any_of_them(supervisor_client, calls):
    response = supervisor_client.get(LIST, {"outcome": [Outcome.NO_ANSWER, Outcome.CALL_BACK]})
    assert response.status_code == 200
    assert listed_ids(response) == {calls[Outcome.NO_ANSWER].pk, calls[Outcome.CALL_BACK].pk}
    body = response.content.decode()
    assert '<select name="outcome"' in body and "multiple" in body
    assert f'<option value="{Outcome.NO_ANSWER}" selected>' in body
    assert f'<option value="{Outcome.CALL_BACK}" selected>' in body


def test_one_outcome_reads_as_before(supervisor_client, calls):
    response = supervisor_client.get(LIST, {"outcome": Outcome.MESSAGE})
    assert listed_ids(response) == {calls[Outcome.MESSAGE].pk}


def test_no_outcome_lists_every_outcome(supervisor_client, calls):
    assert listed_ids(supervisor_client.get(LIST)) == {c.pk for c in calls.values()}


def test_an_unknown_outcome_is_a_field_error_not_a_500(supervisor_client, calls):
    response = supervisor_client.get(LIST, {"outcome": [Outcome.NO_ANSWER, "bogus"]})
    assert response.status_code == 200
    assert response.context["filter"].form.errors["outcome"]
    assert listed_ids(response) == set()


def test_the_export_takes_several_outcomes_too(supervisor_client, calls):
    response = supervisor_client.get(
        reverse("calls:call-export", args=["csv"]),
        {"outcome": [Outcome.NO_ANSWER, Outcome.CALL_BACK]},
    )
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))[1:]
    ids = {int(dict(zip(exports.KEYS, row, strict=True))["id"]) for row in rows}
    assert ids == {calls[Outcome.NO_ANSWER].pk, calls[Outcome.CALL_BACK].pk}
