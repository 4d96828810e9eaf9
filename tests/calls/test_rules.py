"""The call rules live in one place (Call.clean, run by calls.services): every
direction x outcome through call_log and call_update, what is tidied on the way,
the time bounds, and the console, the correction page and the admin giving the
same answer."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from calls.models import CALL_TIME_FLOOR, Call, Caller, Direction, Outcome
from calls.services import call_log, call_update
from switchboard.roles import SUPERVISOR
from tests.calls.factories_log import recent_today
from tests.factories import (
    CallCategoryFactory,
    DepartmentFactory,
    ExtensionFactory,
    InfoEntryFactory,
    StaffFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

IN, OUT, INTERNAL = Direction.INCOMING, Direction.OUTGOING, Direction.INTERNAL
JAKARTA = ZoneInfo("Asia/Jakarta")

OUTGOING_ONLY = "An outgoing call is either connected or not answered."
ONLY_OUTGOING_CONNECTS = "Only an outgoing call is connected."
NEEDS_EXTENSION = "Choose the extension the call went to."
NEEDS_TEXT = "Write down the message or complaint."
NEEDS_ANSWER = "Write down what the caller was told, or choose the answer given."
NEEDS_REQUESTER = "Choose who asked for the call."
FLOOR = "A call cannot be before 2000-01-01."
FUTURE_START = "A call cannot start in the future."
FUTURE_END = "A call cannot end in the future."
TOO_LONG = "A call cannot last more than a day."

# A call with nothing but its direction and outcome: what is missing, per field.
_INCOMING_BARE = {
    Outcome.TRANSFERRED: {"transferred_to": [NEEDS_EXTENSION]},
    Outcome.ANSWERED: {"purpose": [NEEDS_ANSWER]},
    Outcome.MESSAGE: {"purpose": [NEEDS_TEXT]},
    Outcome.COMPLAINT: {"purpose": [NEEDS_TEXT]},
    Outcome.NO_ANSWER: {},
    Outcome.WRONG_NUMBER: {},
    Outcome.NUISANCE: {},
    Outcome.CALL_BACK: {},
    Outcome.CONNECTED: {"outcome": [ONLY_OUTGOING_CONNECTS]},
}
WHO = {"requested_by": [NEEDS_REQUESTER]}
BARE = {
    **{(IN, outcome): errors for outcome, errors in _INCOMING_BARE.items()},
    **{(INTERNAL, outcome): errors for outcome, errors in _INCOMING_BARE.items()},
    (OUT, Outcome.TRANSFERRED): {
        "outcome": [OUTGOING_ONLY],
        "transferred_to": [NEEDS_EXTENSION],
        **WHO,
    },
    (OUT, Outcome.ANSWERED): {"outcome": [OUTGOING_ONLY], "purpose": [NEEDS_ANSWER], **WHO},
    (OUT, Outcome.MESSAGE): {"outcome": [OUTGOING_ONLY], "purpose": [NEEDS_TEXT], **WHO},
    (OUT, Outcome.COMPLAINT): {"outcome": [OUTGOING_ONLY], "purpose": [NEEDS_TEXT], **WHO},
    (OUT, Outcome.NO_ANSWER): WHO,
    (OUT, Outcome.WRONG_NUMBER): {"outcome": [OUTGOING_ONLY], **WHO},
    (OUT, Outcome.NUISANCE): {"outcome": [OUTGOING_ONLY], **WHO},
    (OUT, Outcome.CALL_BACK): {"outcome": [OUTGOING_ONLY], **WHO},
    (OUT, Outcome.CONNECTED): WHO,
}
# A call with everything its outcome needs: only the direction can still be wrong.
COMPLETE = {
    (direction, outcome): (
        {"outcome": [ONLY_OUTGOING_CONNECTS]}
        if direction != OUT and outcome == Outcome.CONNECTED
        else {"outcome": [OUTGOING_ONLY]}
        if direction == OUT and outcome not in (Outcome.CONNECTED, Outcome.NO_ANSWER)
        else {}
    )
    for direction, outcome in BARE
}
COMBINATIONS = sorted(BARE)


def test_the_tables_cover_every_direction_and_outcome():
    assert set(BARE) == {(d, o) for d in Direction for o in Outcome}
    assert len(COMBINATIONS) == 27


@pytest.fixture
def budi(db):
    person = StaffFactory(full_name="Budi Santoso", department=DepartmentFactory(name="Pajak"))
    ExtensionFactory(number="2104", staff=person)
    return person


def complete_fields(direction, outcome, budi) -> dict:
    fields = {"direction": direction, "outcome": outcome}
    if outcome == Outcome.TRANSFERRED:
        fields["transferred_to"] = budi.extensions.get()
    if outcome in (Outcome.MESSAGE, Outcome.COMPLAINT, Outcome.ANSWERED):
        fields["purpose"] = "Mohon telepon balik soal faktur"
    if direction == OUT:
        fields["requested_by"] = budi
    return fields


def _refused(exc_info) -> dict:
    return exc_info.value.message_dict


# call_log: every combination ----------------------------------------------------


@pytest.mark.parametrize(("direction", "outcome"), COMBINATIONS)
@pytest.mark.parametrize("data", ["bare", "complete"])
def test_call_log_accepts_or_names_the_field(operator, budi, direction, outcome, data):
    if data == "bare":
        fields, expected = {"direction": direction, "outcome": outcome}, BARE
    else:
        fields, expected = complete_fields(direction, outcome, budi), COMPLETE
    errors = expected[(direction, outcome)]

    if errors:
        with pytest.raises(ValidationError) as refused:
            call_log(operator=operator, number="+6281234567890", **fields)
        assert _refused(refused) == errors
        assert not Call.objects.exists()
        assert not Caller.objects.exists()
    else:
        call = call_log(operator=operator, number="+6281234567890", **fields)
        call.refresh_from_db()
        assert (call.direction, call.outcome) == (direction, outcome)
        assert Caller.objects.get().call_count == 1


# call_update: every combination -------------------------------------------------


@pytest.fixture
def logged(operator):
    """An operator's incoming wrong number, logged a few minutes ago."""
    start = recent_today()
    return call_log(
        operator=operator,
        number="+6281234567890",
        outcome=Outcome.WRONG_NUMBER,
        started_at=start,
        ended_at=start + timedelta(seconds=30),
    )


def _unchanged(call):
    fresh = Call.objects.get(pk=call.pk)
    assert (fresh.direction, fresh.outcome, fresh.purpose) == (IN, Outcome.WRONG_NUMBER, "")
    assert (fresh.transferred_to_id, fresh.requested_by_id) == (None, None)
    assert fresh.history.count() == 1  # only the "logged" row


@pytest.mark.parametrize(("direction", "outcome"), COMBINATIONS)
@pytest.mark.parametrize("data", ["bare", "complete"])
def test_call_update_gives_the_same_answers(operator, logged, budi, direction, outcome, data):
    if data == "bare":
        fields, expected = {"direction": direction, "outcome": outcome}, BARE
    else:
        fields, expected = complete_fields(direction, outcome, budi), COMPLETE
    errors = expected[(direction, outcome)]

    if errors:
        with pytest.raises(ValidationError) as refused:
            call_update(call=Call.objects.get(pk=logged.pk), by=operator, **fields)
        assert _refused(refused) == errors
        _unchanged(logged)
    else:
        call_update(call=Call.objects.get(pk=logged.pk), by=operator, **fields)
        fresh = Call.objects.get(pk=logged.pk)
        assert (fresh.direction, fresh.outcome) == (direction, outcome)
        assert fresh.history.count() == 2


def test_an_empty_answered_call_is_refused_but_an_answer_or_a_purpose_is_enough(operator):
    # Alt+2 on an empty console used to log a call that recorded nothing.
    with pytest.raises(ValidationError) as refused:
        call_log(operator=operator, outcome=Outcome.ANSWERED)
    assert _refused(refused) == {"purpose": [NEEDS_ANSWER]}
    with pytest.raises(ValidationError):
        call_log(operator=operator, outcome=Outcome.ANSWERED, purpose="   ")
    assert not Call.objects.exists()

    entry = InfoEntryFactory(title="Jam kerja")
    assert call_log(operator=operator, outcome=Outcome.ANSWERED, info_entry=entry).pk
    assert call_log(operator=operator, outcome=Outcome.ANSWERED, purpose="Alamat kantor").pk


# What is tidied, the same way for log and correction --------------------------------


def test_logging_drops_what_does_not_fit_the_call(operator, budi):
    call = call_log(
        operator=operator,
        outcome=Outcome.MESSAGE,
        purpose="Titip pesan",
        asked_for_staff=budi,
        transferred_to=budi.extensions.get(),  # searched, then a message was taken
        requested_by=budi,
        is_personal=True,
    )
    call.refresh_from_db()
    assert call.transferred_to is None
    assert (call.requested_by, call.is_personal) == (None, False)
    assert call.asked_for_department == budi.department  # follows the person


def test_logging_fills_an_empty_department_from_the_category(operator):
    finance = DepartmentFactory(name="Keuangan")
    category = CallCategoryFactory(name="Tagihan", default_department=finance)
    call = call_log(operator=operator, outcome=Outcome.CALL_BACK, category=category)
    assert Call.objects.get(pk=call.pk).asked_for_department == finance


def test_a_correction_drops_what_no_longer_fits(operator, budi):
    start = recent_today()
    call = call_log(
        operator=operator,
        direction=OUT,
        outcome=Outcome.CONNECTED,
        requested_by=budi,
        is_personal=True,
        started_at=start,
        ended_at=start,
    )
    call_update(call=call, by=operator, direction=IN, outcome=Outcome.CALL_BACK)
    call.refresh_from_db()
    assert (call.requested_by, call.is_personal) == (None, False)

    call_update(
        call=call,
        by=operator,
        outcome=Outcome.TRANSFERRED,
        transferred_to=budi.extensions.get(),
    )
    call_update(call=call, by=operator, outcome=Outcome.MESSAGE, purpose="Titip pesan")
    call.refresh_from_db()
    assert call.transferred_to is None


def test_in_a_correction_the_department_follows_a_new_person_unless_changed_too(
    operator, logged, budi
):
    sari = StaffFactory(full_name="Sari", department=DepartmentFactory(name="Gudang"))
    call_update(call=logged, by=operator, asked_for_staff=budi)
    assert Call.objects.get(pk=logged.pk).asked_for_department == budi.department

    call_update(call=Call.objects.get(pk=logged.pk), by=operator, asked_for_staff=sari)
    assert Call.objects.get(pk=logged.pk).asked_for_department == sari.department

    chosen = DepartmentFactory(name="Direksi")
    call_update(
        call=Call.objects.get(pk=logged.pk),
        by=operator,
        asked_for_staff=budi,
        asked_for_department=chosen,
    )
    assert Call.objects.get(pk=logged.pk).asked_for_department == chosen
    # Another correction leaves the department as it stands.
    call_update(call=Call.objects.get(pk=logged.pk), by=operator, notes="diperbaiki")
    assert Call.objects.get(pk=logged.pk).asked_for_department == chosen


def test_a_withheld_number_keeps_no_extension(operator):
    call = call_log(operator=operator, outcome=Outcome.NUISANCE, caller_extension="12")
    assert Call.objects.get(pk=call.pk).caller_extension == ""


# Times are bounded ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("started", "errors"),
    [
        (datetime(1, 1, 1, tzinfo=JAKARTA), {"started_at": [FLOOR], "ended_at": [FLOOR]}),
        # The end, a minute later, is already in 2000.
        (datetime(1999, 12, 31, 23, 59, 59, tzinfo=JAKARTA), {"started_at": [FLOOR]}),
    ],
)
def test_a_call_before_the_floor_is_refused(operator, started, errors):
    with pytest.raises(ValidationError) as refused:
        call_log(
            operator=operator,
            outcome=Outcome.NUISANCE,
            started_at=started,
            ended_at=started + timedelta(minutes=1),
        )
    assert _refused(refused) == errors
    assert not Call.objects.exists()


def test_the_floor_itself_is_allowed(operator):
    assert CALL_TIME_FLOOR == datetime(2000, 1, 1, tzinfo=JAKARTA)
    call = call_log(
        operator=operator,
        outcome=Outcome.NUISANCE,
        started_at=CALL_TIME_FLOOR,
        ended_at=CALL_TIME_FLOOR + timedelta(minutes=1),
    )
    assert Call.objects.get(pk=call.pk).started_at == CALL_TIME_FLOOR


def test_the_future_is_refused_beyond_a_small_clock_skew(operator):
    now = timezone.now()
    with pytest.raises(ValidationError) as refused:
        call_log(operator=operator, outcome=Outcome.NUISANCE, started_at=now + timedelta(minutes=2))
    assert "started_at" in _refused(refused)
    assert FUTURE_START in _refused(refused)["started_at"]
    with pytest.raises(ValidationError) as refused:
        call_log(
            operator=operator,
            outcome=Outcome.NUISANCE,
            started_at=now - timedelta(minutes=1),
            ended_at=now + timedelta(minutes=2),
            now=now,
        )
    assert _refused(refused) == {"ended_at": [FUTURE_END]}
    assert not Call.objects.exists()

    call = call_log(
        operator=operator,
        outcome=Outcome.NUISANCE,
        started_at=now + timedelta(seconds=30),  # a desk PC's clock a little ahead
        ended_at=now + timedelta(seconds=40),
        now=now,
    )
    assert call.duration_seconds == 10


def test_the_future_is_judged_against_the_services_now(operator):
    """Services take now=; the rule uses it, so the test needs no clock library."""
    earlier = timezone.now() - timedelta(days=3)
    with pytest.raises(ValidationError) as refused:
        call_log(
            operator=operator,
            outcome=Outcome.NUISANCE,
            started_at=earlier + timedelta(hours=1),
            ended_at=earlier + timedelta(hours=1),
            now=earlier,
        )
    assert _refused(refused) == {"started_at": [FUTURE_START], "ended_at": [FUTURE_END]}


def test_a_call_longer_than_a_day_is_refused_and_a_day_is_not(operator):
    start = timezone.now() - timedelta(days=2)
    with pytest.raises(ValidationError) as refused:
        call_log(
            operator=operator,
            outcome=Outcome.NUISANCE,
            started_at=start,
            ended_at=start + timedelta(days=1, seconds=1),
        )
    assert _refused(refused) == {"ended_at": [TOO_LONG]}
    assert not Call.objects.exists()
    call = call_log(
        operator=operator,
        outcome=Outcome.NUISANCE,
        started_at=start,
        ended_at=start + timedelta(days=1),
    )
    assert call.duration_seconds == 86400


def _local_midnight():
    return timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)


def test_an_operator_moves_a_call_only_within_its_day(operator, logged):
    midnight = _local_midnight()
    with pytest.raises(ValidationError) as refused:
        call_update(call=logged, by=operator, started_at=midnight - timedelta(seconds=1))
    day = timezone.localdate().isoformat()
    message = f"A call stays on its own day ({day}); a supervisor can move it to another."
    assert _refused(refused) == {"started_at": [message]}
    with pytest.raises(ValidationError):
        call_update(
            call=Call.objects.get(pk=logged.pk),
            by=operator,
            started_at=datetime(2001, 5, 1, 9, tzinfo=JAKARTA),
            ended_at=datetime(2001, 5, 1, 9, 5, tzinfo=JAKARTA),
        )
    assert Call.objects.get(pk=logged.pk).history.count() == 1

    call_update(call=Call.objects.get(pk=logged.pk), by=operator, started_at=midnight)
    assert Call.objects.get(pk=logged.pk).started_at == midnight


def test_an_operator_cannot_correct_a_call_to_year_one(operator, logged):
    year_one = datetime(1, 1, 1, tzinfo=JAKARTA)
    with pytest.raises(ValidationError) as refused:
        call_update(call=Call.objects.get(pk=logged.pk), by=operator, started_at=year_one)
    assert _refused(refused) == {"started_at": [FLOOR]}
    _unchanged(logged)
    assert Call.objects.get(pk=logged.pk).started_at == logged.started_at


def test_a_supervisor_moves_a_call_between_days_but_not_out_of_bounds(supervisor, logged):
    earlier = logged.started_at - timedelta(days=2)
    call_update(
        call=Call.objects.get(pk=logged.pk),
        by=supervisor,
        started_at=earlier,
        ended_at=earlier + timedelta(minutes=3),
    )
    moved = Call.objects.get(pk=logged.pk)
    assert (moved.started_at, moved.duration_seconds) == (earlier, 180)

    for start, field in (
        (datetime(1999, 6, 1, tzinfo=JAKARTA), "started_at"),
        (timezone.now() + timedelta(days=1), "started_at"),
    ):
        with pytest.raises(ValidationError) as refused:
            call_update(call=Call.objects.get(pk=logged.pk), by=supervisor, started_at=start)
        assert field in _refused(refused)
    with pytest.raises(ValidationError) as refused:
        call_update(
            call=Call.objects.get(pk=logged.pk),
            by=supervisor,
            ended_at=earlier + timedelta(days=1, minutes=1),
        )
    assert _refused(refused) == {"ended_at": [TOO_LONG]}
    assert Call.objects.get(pk=logged.pk).started_at == earlier


@pytest.mark.parametrize(
    "values",
    [
        {"started_at": datetime(1999, 12, 31, 23, tzinfo=JAKARTA)},
        {"duration_seconds": 86401},
    ],
)
def test_the_database_keeps_the_bounds_too(logged, values):
    with pytest.raises(IntegrityError), transaction.atomic():
        Call.objects.filter(pk=logged.pk).update(**values)


# One answer everywhere ------------------------------------------------------------


def _console_post(client, **data):
    data.setdefault("caller_kind", "unknown")
    data.setdefault("started_at", (timezone.now() - timedelta(seconds=60)).isoformat())
    return client.post(reverse("calls:console"), data, HTTP_HX_REQUEST="true")


def _correction_post(client, call, **changes):
    fmt = "%Y-%m-%dT%H:%M:%S"
    data = {
        "direction": call.direction,
        "started_at": timezone.localtime(call.started_at).strftime(fmt),
        "ended_at": timezone.localtime(call.ended_at).strftime(fmt),
        "caller_name": call.caller_name,
        "caller_company": call.caller_company,
        "caller_kind": call.caller_kind,
        "caller_extension": call.caller_extension,
        "purpose": call.purpose,
        "outcome": call.outcome,
        "notes": call.notes,
        **changes,
    }
    return client.post(reverse("calls:call-edit", args=[call.pk]), data)


def test_console_and_correction_page_refuse_an_incoming_connected_call_alike(
    operator_client, logged
):
    console = _console_post(
        operator_client, direction=IN, number="0812-3456-7890", outcome=Outcome.CONNECTED
    )
    correction = _correction_post(operator_client, logged, outcome=Outcome.CONNECTED)

    assert console.status_code == 422
    assert correction.status_code == 400
    assert console.context["form"].errors["outcome"] == [ONLY_OUTGOING_CONNECTS]
    assert correction.context["form"].errors["outcome"] == [ONLY_OUTGOING_CONNECTS]
    assert ONLY_OUTGOING_CONNECTS in correction.content.decode()
    assert Call.objects.count() == 1
    _unchanged(logged)


def test_console_and_correction_page_refuse_an_outgoing_message_without_text_alike(
    operator_client, logged, budi
):
    console = _console_post(
        operator_client,
        direction=OUT,
        number="0812-3456-7890",
        requested_by=budi.pk,
        outcome=Outcome.MESSAGE,
    )
    correction = _correction_post(
        operator_client, logged, direction=OUT, requested_by=budi.pk, outcome=Outcome.MESSAGE
    )
    for response in (console, correction):
        errors = response.context["form"].errors
        assert errors["outcome"] == [OUTGOING_ONLY]
        assert errors["purpose"] == [NEEDS_TEXT]
    _unchanged(logged)


def test_an_empty_console_saved_with_alt_2_is_refused(operator_client):
    response = _console_post(operator_client, direction=IN, outcome=Outcome.ANSWERED)
    assert response.status_code == 422
    assert response.context["form"].errors["purpose"] == [NEEDS_ANSWER]
    assert not Call.objects.exists()


def test_the_console_timer_start_is_still_the_calls_start(operator_client):
    began = timezone.now() - timedelta(minutes=4)
    response = _console_post(
        operator_client,
        direction=IN,
        number="0812-3456-7890",
        outcome=Outcome.CALL_BACK,
        started_at=began.isoformat(),
    )
    assert response.status_code == 200
    call = Call.objects.get()
    assert call.started_at == began
    assert 239 <= call.duration_seconds <= 300


@pytest.mark.parametrize(
    ("started", "field"),
    [
        (lambda now: now + timedelta(minutes=5), "started_at"),
        (lambda now: now - timedelta(hours=13), "started_at"),  # a timer left running
    ],
)
def test_the_console_refuses_a_timer_out_of_bounds(operator_client, started, field):
    response = _console_post(
        operator_client,
        direction=IN,
        outcome=Outcome.CALL_BACK,
        started_at=started(timezone.now()).isoformat(),
    )
    assert response.status_code == 422
    assert response.context["form"].errors[field]
    assert not Call.objects.exists()


# The admin -------------------------------------------------------------------------


@pytest.fixture
def admin_supervisor_client(client):
    user = UserFactory(username="sup-admin", roles=[SUPERVISOR], is_staff=True)
    client.force_login(user)
    client.user = user
    return client


def _admin_data(call, **changes):
    local = timezone.localtime
    data = {
        "direction": call.direction,
        "started_at_0": local(call.started_at).strftime("%Y-%m-%d"),
        "started_at_1": local(call.started_at).strftime("%H:%M:%S"),
        "ended_at_0": local(call.ended_at).strftime("%Y-%m-%d"),
        "ended_at_1": local(call.ended_at).strftime("%H:%M:%S"),
        "caller_name": call.caller_name,
        "caller_company": call.caller_company,
        "caller_kind": call.caller_kind,
        "caller_extension": call.caller_extension,
        "asked_for_staff": call.asked_for_staff_id or "",
        "asked_for_department": call.asked_for_department_id or "",
        "transferred_to": call.transferred_to_id or "",
        "category": call.category_id or "",
        "purpose": call.purpose,
        "outcome": call.outcome,
        "info_entry": call.info_entry_id or "",
        "requested_by": call.requested_by_id or "",
        "notes": call.notes,
    }
    data.update(changes)
    return data


def test_the_admin_change_form_gives_the_services_error(admin_supervisor_client, logged):
    url = reverse("admin:calls_call_change", args=[logged.pk])
    with pytest.raises(ValidationError) as service:
        call_update(
            call=Call.objects.get(pk=logged.pk),
            by=admin_supervisor_client.user,
            outcome=Outcome.CONNECTED,
        )

    response = admin_supervisor_client.post(url, _admin_data(logged, outcome=Outcome.CONNECTED))

    assert response.status_code == 200  # the form again, with the error
    form = response.context["adminform"].form
    assert form.errors["outcome"] == _refused(service)["outcome"] == [ONLY_OUTGOING_CONNECTS]
    _unchanged(logged)


def test_the_admin_refuses_a_time_out_of_bounds(admin_supervisor_client, logged):
    url = reverse("admin:calls_call_change", args=[logged.pk])
    response = admin_supervisor_client.post(
        url, _admin_data(logged, started_at_0="1999-01-01", started_at_1="10:00:00")
    )
    assert response.context["adminform"].form.errors["started_at"] == [FLOOR]
    _unchanged(logged)


def test_the_admin_corrects_through_the_service(admin_supervisor_client, logged, budi):
    url = reverse("admin:calls_call_change", args=[logged.pk])
    response = admin_supervisor_client.post(
        url,
        _admin_data(
            logged,
            outcome=Outcome.TRANSFERRED,
            transferred_to=budi.extensions.get().pk,
            asked_for_staff=budi.pk,
        ),
    )
    assert response.status_code == 302
    call = Call.objects.get(pk=logged.pk)
    assert (call.outcome, call.transferred_to.number) == (Outcome.TRANSFERRED, "2104")
    assert call.asked_for_department == budi.department  # tidied by the service
    latest = call.history.first()
    assert latest.history_change_reason == "corrected"
    assert latest.history_user == admin_supervisor_client.user


# Migration 0002: calls already out of bounds ------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_migration_restores_out_of_bounds_times_from_the_history(operator):
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    before = [("calls", "0001_initial")]
    executor = MigrationExecutor(connection)
    # Every app's last migration: going back to calls 0001 unapplies the apps that
    # depend on calls (messages_app), so the way back must bring them back too.
    latest = executor.loader.graph.leaf_nodes()
    executor.migrate(before)
    apps = executor.loader.project_state(before).apps
    OldCall = apps.get_model("calls", "Call")
    History = apps.get_model("calls", "HistoricalCall")
    logged = datetime(2026, 8, 20, 9, 0, tzinfo=JAKARTA)
    shared = {"operator_id": operator.pk, "outcome": "nuisance", "direction": "in"}
    year_one = datetime(1, 1, 2, tzinfo=JAKARTA)
    broken = OldCall.objects.create(
        started_at=year_one, ended_at=logged, duration_seconds=None, **shared
    )
    for when, start, end, kind in (
        (logged, logged, logged + timedelta(seconds=40), "+"),
        (logged + timedelta(hours=1), year_one, logged, "~"),  # the bad correction
    ):
        History.objects.create(
            id=broken.pk,
            started_at=start,
            ended_at=end,
            duration_seconds=40 if kind == "+" else None,
            history_date=when,
            history_type=kind,
            **shared,
        )
    if connection.vendor == "postgresql":
        # What the correction page once stored: a BC date, which Python cannot
        # even read. The migration must mend it without loading it.
        with connection.cursor() as cursor:
            for table in ("calls_call", "calls_historicalcall"):
                cursor.execute(
                    f"UPDATE {table} SET started_at = '0001-01-01 00:00:00+00 BC' "  # noqa: S608
                    "WHERE id = %s AND started_at < '1000-01-01'",
                    [broken.pk],
                )
                assert cursor.rowcount == 1
    fine = OldCall.objects.create(started_at=logged, ended_at=logged, duration_seconds=0, **shared)

    executor = MigrationExecutor(connection)
    executor.migrate(latest)

    restored = Call.objects.get(pk=broken.pk)
    assert (restored.started_at, restored.duration_seconds) == (logged, 40)
    assert restored.history.first().history_change_reason == "restored"
    assert Call.objects.get(pk=fine.pk).history.count() == 0  # untouched


@pytest.mark.django_db(transaction=True)
def test_migration_stops_and_names_a_call_it_cannot_restore(operator):
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    before = [("calls", "0001_initial")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    OldCall = executor.loader.project_state(before).apps.get_model("calls", "Call")
    start = datetime(2026, 8, 20, 9, 0, tzinfo=JAKARTA)
    stuck = OldCall.objects.create(
        operator_id=operator.pk,
        outcome="nuisance",
        started_at=start,
        ended_at=start + timedelta(days=3),
        duration_seconds=3 * 86400,
    )
    try:
        with pytest.raises(RuntimeError, match=rf"ids \[{stuck.pk}\]"):
            MigrationExecutor(connection).migrate(
                [("calls", "0002_call_restore_out_of_bounds_times")]
            )
    finally:
        OldCall.objects.filter(pk=stuck.pk).delete()
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())  # every app, as it was
    assert not Call.objects.exists()
