from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from calls.models import Call, Caller, CallerKind, Outcome
from calls.services import call_delete, call_log, call_update
from tests.factories import ExtensionFactory, StaffFactory

pytestmark = pytest.mark.django_db


def test_a_call_without_times_starts_and_ends_now(operator):
    call = call_log(operator=operator, outcome=Outcome.WRONG_NUMBER)

    assert call.started_at == call.ended_at
    assert call.duration_seconds == 0
    assert call.number_withheld


def test_logging_remembers_the_caller_and_counts_calls(operator):
    now = timezone.now()
    call_log(
        operator=operator,
        number="+6281234567890",
        caller_name="Pak Hendra",
        caller_company="PT Maju",
        outcome=Outcome.CALL_BACK,
        started_at=now - timedelta(minutes=3),
        now=now,
    )
    call = call_log(operator=operator, number="+6281234567890", outcome=Outcome.NUISANCE, now=now)

    caller = Caller.objects.get()
    assert (caller.name, caller.company, caller.call_count) == ("Pak Hendra", "PT Maju", 2)
    assert call.caller == caller


def test_a_new_caller_is_stored_whole_and_a_known_one_keeps_what_was_heard(operator):
    now = timezone.now()
    first = call_log(
        operator=operator,
        number="+6281234567890",
        caller_name="Bu Sari",
        caller_kind=CallerKind.VENDOR,
        outcome=Outcome.ANSWERED,
        purpose="Jam buka kantor",  # an answered call records what was answered
        started_at=now - timedelta(minutes=5),
        now=now,
    )
    caller = Caller.objects.get()
    assert (caller.name, caller.kind, caller.call_count) == ("Bu Sari", CallerKind.VENDOR, 1)
    assert caller.first_call_at == caller.last_call_at == first.started_at

    # Logged late: an earlier call moves the first call back, not the last one.
    earlier = now - timedelta(hours=1)
    call_log(
        operator=operator,
        number="+6281234567890",
        caller_kind=CallerKind.UNKNOWN,
        outcome=Outcome.ANSWERED,
        purpose="Jam buka kantor",  # an answered call records what was answered
        started_at=earlier,
        now=now,
    )
    caller.refresh_from_db()
    assert (caller.name, caller.kind, caller.call_count) == ("Bu Sari", CallerKind.VENDOR, 2)
    assert (caller.first_call_at, caller.last_call_at) == (earlier, first.started_at)


def test_invalid_call_saves_nothing_not_even_the_caller(operator):
    with pytest.raises(ValidationError) as error:
        call_log(
            operator=operator,
            number="+6281234567890",
            outcome=Outcome.TRANSFERRED,  # but no extension
        )

    assert "transferred_to" in error.value.message_dict
    assert not Call.objects.exists()
    assert not Caller.objects.exists()


def test_operator_cannot_correct_yesterdays_call(operator):
    yesterday = timezone.now() - timedelta(days=1, hours=1)
    call = call_log(
        operator=operator,
        outcome=Outcome.ANSWERED,
        purpose="Jam buka kantor",  # an answered call records what was answered
        started_at=yesterday,
        ended_at=yesterday + timedelta(minutes=1),
    )

    with pytest.raises(PermissionDenied):
        call_update(call=call, by=operator, notes="late fix")


def test_supervisor_deletes_with_a_reason_and_the_row_stays(operator, supervisor):
    call = call_log(
        operator=operator, outcome=Outcome.TRANSFERRED, transferred_to=ExtensionFactory()
    )

    with pytest.raises(ValidationError):
        call_delete(call=call, by=supervisor, reason=" ")
    call_delete(call=call, by=supervisor, reason="Test call")

    call.refresh_from_db()
    assert call.deleted_by == supervisor
    assert not Call.objects.live().exists()
    with pytest.raises(ValidationError):
        call_delete(call=call, by=supervisor, reason="again")


def test_an_unknown_id_is_still_refused(operator):
    with pytest.raises(ValidationError) as error:
        call_log(operator=operator, outcome=Outcome.TRANSFERRED, transferred_to_id=999_999)

    assert "transferred_to" in error.value.message_dict
    assert not Call.objects.exists()


@pytest.mark.parametrize(
    ("direction", "withheld"), [("in", True), ("internal", False), ("out", False)]
)
def test_only_an_incoming_call_without_a_number_is_withheld(operator, direction, withheld):
    extra = {"requested_by": StaffFactory()} if direction == "out" else {}

    call = call_log(operator=operator, direction=direction, outcome="no_answer", **extra)

    assert call.number_withheld is withheld


def test_a_call_corrected_to_internal_is_no_longer_withheld(operator):
    call = call_log(operator=operator, outcome="no_answer")
    assert call.number_withheld

    call = call_update(call=call, by=operator, direction="internal")

    assert not Call.objects.get(pk=call.pk).number_withheld
