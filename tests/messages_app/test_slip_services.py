"""Message slips through their services: taking one, who gets it, when it is
due, every step of its life (allowed and refused), two people at once, who may
act, re-sending, re-routing, and "delivered" when the outbox has sent it."""

import threading
from datetime import timedelta
from itertools import product

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from messages_app import notifications
from messages_app.models import (
    SLIP_TRANSITIONS,
    MessageSlip,
    Notification,
    RecipientRole,
    SlipEvent,
    SlipRecipient,
    SlipStatus,
    Urgency,
    UrgencyLimit,
)
from messages_app.services.slips import (
    SendTo,
    SlipConflict,
    slip_acknowledge,
    slip_create,
    slip_done,
    slip_due_at,
    slip_mark_delivered,
    slip_mark_read,
    slip_reroute,
    slip_resend,
    slip_set_status,
)
from switchboard.roles import SUPERVISOR
from tests.factories import CallerFactory, StaffFactory, UserFactory
from tests.messages_app.slip_helpers import TUESDAY_10, jakarta, make_desk

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(db):
    return make_desk()


def take(desk, **kwargs):
    fields = {
        "taken_by": desk.operator,
        "message": "Tolong telepon balik soal faktur",
        "for_staff": desk.budi,
        "caller_name": "Pak Joko",
        "caller_company": "PT Maju",
        "caller_number": "0812-3456-7890",
        "now": TUESDAY_10,
    }
    return slip_create(**{**fields, **kwargs})


def kinds(slip):
    return list(slip.events.order_by("at", "pk").values_list("kind", flat=True))


# Taking a message --------------------------------------------------------------


def test_a_slip_for_a_person_is_saved_with_recipient_timeline_and_notification(desk):
    slip = take(desk, urgency=Urgency.HIGH, mood="upset", callback_time="after 3 pm")

    slip.refresh_from_db()
    assert (slip.for_staff, slip.for_department, slip.status) == (desk.budi, None, "new")
    assert slip.caller_number.as_e164 == "+6281234567890"
    assert slip.callback_number.as_e164 == "+6281234567890"  # blank: the caller's
    assert (slip.urgency, slip.mood, slip.callback_time) == ("high", "upset", "after 3 pm")
    assert slip.created_at == TUESDAY_10
    assert list(slip.slip_recipients.values_list("staff", "role")) == [
        (desk.budi.pk, RecipientRole.ADDRESSEE)
    ]
    assert kinds(slip) == ["created"]
    assert "Budi Santoso" in slip.events.get().note
    notification = Notification.objects.get(slip=slip)
    assert (notification.kind, notification.address, notification.recipient) == (
        "slip",
        "budi@example.co.id",
        desk.budi,
    )
    assert slip.history.count() == 1


@pytest.mark.parametrize(
    ("send_to", "expected"),
    [
        (SendTo.PERSON, [("Budi Santoso", RecipientRole.ADDRESSEE)]),
        (SendTo.COVER, [("Sari Wulandari", RecipientRole.COVER)]),
        (
            SendTo.BOTH,
            [("Budi Santoso", RecipientRole.ADDRESSEE), ("Sari Wulandari", RecipientRole.COVER)],
        ),
    ],
)
def test_the_operator_chooses_who_gets_it_for_a_person_away(desk, send_to, expected):
    slip = take(desk, send_to=send_to)

    rows = slip.slip_recipients.order_by("pk").values_list("staff__full_name", "role")
    assert list(rows) == expected
    addresses = Notification.objects.filter(slip=slip).values_list("address", flat=True)
    assert len(addresses) == len(expected)
    assert slip.recipient_names == [name for name, _role in expected]
    # For the person either way: it is theirs, and on their page.
    assert slip.for_staff == desk.budi


def test_cover_refused_when_the_person_has_none(desk):
    with pytest.raises(ValidationError) as refused:
        take(desk, for_staff=desk.sari, send_to=SendTo.COVER)

    assert "has no cover" in refused.value.message_dict["send_to"][0]
    assert not MessageSlip.objects.exists() and not Notification.objects.exists()


def test_a_department_slip_goes_to_its_head_and_its_group_mailbox(desk):
    slip = take(desk, for_staff=None, for_department=desk.finance)

    assert list(slip.slip_recipients.values_list("staff", "role")) == [
        (desk.head.pk, RecipientRole.HEAD)
    ]
    addresses = set(Notification.objects.filter(slip=slip).values_list("address", "recipient"))
    assert addresses == {(desk.head.email, desk.head.pk), ("keuangan@example.co.id", None)}


def test_a_department_with_neither_head_nor_mailbox_cannot_take_it(desk):
    with pytest.raises(ValidationError) as refused:
        take(desk, for_staff=None, for_department=desk.marketing)

    assert "Pemasaran" in refused.value.message_dict["for_department"][0]
    assert not MessageSlip.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"for_staff": None}, "for_staff"),
        ({"message": "   "}, "message"),
        ({"message": "x" * 4001}, "message"),
        ({"caller_number": "12"}, "caller_number"),
        ({"callback_number": "not a number"}, "callback_number"),
        ({"urgency": "someday"}, "urgency"),
        ({"mood": "furious"}, "mood"),
        ({"send_to": "everyone"}, "send_to"),
        ({"callback_time": "x" * 101}, "callback_time"),
    ],
)
def test_a_bad_slip_names_the_field_and_writes_nothing(desk, changes, field):
    with pytest.raises(ValidationError) as refused:
        take(desk, **changes)

    assert field in refused.value.message_dict
    assert not MessageSlip.objects.exists()
    assert not SlipRecipient.objects.exists() and not SlipEvent.objects.exists()
    assert not Notification.objects.exists()


def test_a_person_and_a_department_together_are_refused(desk):
    with pytest.raises(ValidationError) as refused:
        take(desk, for_department=desk.finance)

    assert "not both" in refused.value.message_dict["for_staff"][0]


def test_someone_who_left_cannot_get_messages(desk):
    gone = StaffFactory(full_name="Mantan Pegawai", department=desk.finance, active=False)

    with pytest.raises(ValidationError) as refused:
        take(desk, for_staff=gone)

    assert "no longer works here" in refused.value.message_dict["for_staff"][0]


def test_numbers_are_read_as_typed_and_an_extension_goes_with_the_time(desk):
    slip = take(desk, caller_number="62215551234", callback_number="(021) 555-1234 ext 12")

    assert slip.caller_number.as_e164 == "+62215551234"
    assert slip.callback_number.as_e164 == "+62215551234"
    assert slip.callback_time == "ext. 12"


def test_a_known_caller_is_linked_by_number_and_fills_in_the_name(desk):
    caller = CallerFactory(number="+6281234567890", name="Pak Joko", company="PT Maju")

    slip = take(desk, caller_name="", caller_company="")

    assert slip.caller == caller
    assert (slip.caller_name, slip.caller_company) == ("Pak Joko", "PT Maju")


# When it is due ------------------------------------------------------------------


def test_due_time_counts_working_minutes_over_the_lunch_break(desk):
    UrgencyLimit.objects.update_or_create(
        urgency=Urgency.NORMAL, defaults=dict(minutes=240, business_time=True)
    )

    # Tuesday 10:00 + 4 working hours: 10-12, lunch, 13-15.
    assert take(desk).due_at == jakarta(2026, 3, 10, 15, 0)


def test_due_time_on_the_clock_for_the_most_urgent(desk):
    UrgencyLimit.objects.update_or_create(
        urgency=Urgency.URGENT, defaults=dict(minutes=10, business_time=False)
    )
    saturday_night = jakarta(2026, 2, 7, 22, 0)

    assert slip_due_at(urgency=Urgency.URGENT, start=saturday_night) == saturday_night + timedelta(
        minutes=10
    )


def test_low_urgency_is_due_by_the_end_of_the_next_working_day(desk):
    UrgencyLimit.objects.update_or_create(
        urgency=Urgency.LOW, defaults=dict(minutes=None, next_working_day=True)
    )
    friday_afternoon = jakarta(2026, 2, 6, 16, 0)

    assert slip_due_at(urgency=Urgency.LOW, start=friday_afternoon) == jakarta(2026, 2, 9, 17, 0)


def test_without_an_urgency_limit_the_desk_defaults_apply(desk):
    UrgencyLimit.objects.all().delete()
    friday_late = jakarta(2026, 2, 6, 16, 50)

    # High: 30 working minutes, 10 on Friday, 20 on Monday morning.
    assert slip_due_at(urgency=Urgency.HIGH, start=friday_late) == jakarta(2026, 2, 9, 8, 20)
    assert slip_due_at(urgency=Urgency.URGENT, start=friday_late) == jakarta(2026, 2, 6, 17, 0)


def test_a_new_slip_escalates_from_its_due_time(desk):
    slip = take(desk)

    assert slip.next_escalation_at == slip.due_at is not None
    assert slip.escalation_level == 0


# Lifecycle -----------------------------------------------------------------------


def _slip_in(desk, status):
    """A slip brought to `status` the way the desk would."""
    slip = take(desk)
    path = {
        SlipStatus.NEW: [],
        SlipStatus.DELIVERED: [SlipStatus.DELIVERED],
        SlipStatus.ACKNOWLEDGED: [SlipStatus.ACKNOWLEDGED],
        SlipStatus.DONE: [SlipStatus.DONE],
    }[status]
    for step in path:
        slip = slip_set_status(slip=slip, by=desk.operator, to_status=step, now=TUESDAY_10)
    return slip


ALLOWED = [(a, b) for a, targets in SLIP_TRANSITIONS.items() for b in targets]
REFUSED = [(a, b) for a, b in product(SlipStatus.values, repeat=2) if (a, b) not in ALLOWED]


@pytest.mark.parametrize(("start", "goal"), ALLOWED)
def test_every_allowed_step_is_taken_and_written_down(desk, start, goal):
    slip = _slip_in(desk, start)
    version = slip.version
    later = TUESDAY_10 + timedelta(minutes=5)

    slip = slip_set_status(
        slip=slip, by=desk.operator, to_status=goal, note="by phone", version=version, now=later
    )

    slip.refresh_from_db()
    assert slip.status == goal and slip.version == version + 1
    event = slip.events.order_by("-at", "-pk").first()
    assert (event.kind, event.from_status, event.to_status, event.by, event.note) == (
        goal,
        start,
        goal,
        desk.operator,
        "by phone",
    )
    stamp = {"delivered": "delivered_at", "acknowledged": "acknowledged_at", "done": "done_at"}
    assert getattr(slip, stamp[goal]) == later
    if goal in ("acknowledged", "done"):
        assert slip.next_escalation_at is None  # nothing left to escalate


@pytest.mark.parametrize(("start", "goal"), REFUSED)
def test_every_other_step_is_refused_and_changes_nothing(desk, start, goal):
    slip = _slip_in(desk, start)
    before = (slip.version, slip.events.count())

    with pytest.raises(ValidationError) as refused:
        slip_set_status(slip=slip, by=desk.operator, to_status=goal)

    assert refused.value.code == "transition"
    slip.refresh_from_db()
    assert slip.status == start and (slip.version, slip.events.count()) == before


def test_an_unknown_state_is_refused(desk):
    slip = take(desk)

    with pytest.raises(ValidationError):
        slip_set_status(slip=slip, by=desk.operator, to_status="lost")


def test_a_stale_version_is_a_conflict_showing_the_current_state(desk):
    slip = take(desk)
    seen = slip.version
    colleague_copy = MessageSlip.objects.get(pk=slip.pk)
    slip_acknowledge(slip=colleague_copy, by=desk.budi.user, version=seen)

    with pytest.raises(SlipConflict) as conflict:
        slip_done(slip=slip, by=desk.operator, version=seen)

    assert conflict.value.slip.status == SlipStatus.ACKNOWLEDGED
    assert "acknowledged" in str(conflict.value)
    slip.refresh_from_db()
    assert slip.status == SlipStatus.ACKNOWLEDGED and kinds(slip) == ["created", "acknowledged"]


def test_a_copy_read_before_someone_else_changed_it_cannot_overwrite_it(desk):
    slip = take(desk)
    stale = MessageSlip.objects.get(pk=slip.pk)  # version 1, in memory
    slip_acknowledge(slip=slip, by=desk.operator)

    with pytest.raises(SlipConflict):
        slip_done(slip=stale, by=desk.operator)  # no version given: the copy's own


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="two connections at once need PostgreSQL"
)
@pytest.mark.django_db(transaction=True)
def test_two_people_acknowledging_at_once_one_wins_the_other_sees_it(db):
    desk = make_desk()
    slip = take(desk)  # committed: its e-mail went out, it is "delivered"
    before = MessageSlip.objects.get(pk=slip.pk).version
    barrier = threading.Barrier(2)
    results = []

    def act(user):
        from django.db import connection as thread_connection

        try:
            copy = MessageSlip.objects.get(pk=slip.pk)
            barrier.wait()
            slip_set_status(slip=copy, by=user, to_status=SlipStatus.ACKNOWLEDGED)
            results.append("ok")
        except SlipConflict as exc:
            results.append(exc.slip.status)
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=act, args=(u,)) for u in (desk.operator, desk.budi.user)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(results) == ["acknowledged", "ok"]
    slip.refresh_from_db()
    assert slip.version == before + 1
    assert kinds(slip).count("acknowledged") == 1


# Who may act ---------------------------------------------------------------------


def test_staff_act_on_their_own_copied_and_departments_slips(desk):
    own = take(desk)
    copied = take(desk, for_staff=StaffFactory(department=desk.marketing), send_to=SendTo.PERSON)
    SlipRecipient.objects.create(slip=copied, staff=desk.budi, role=RecipientRole.ESCALATION)
    department = take(desk, for_staff=None, for_department=desk.finance)

    for slip in (own, copied, department):
        assert slip_acknowledge(slip=slip, by=desk.budi.user).status == "acknowledged"


def test_staff_of_another_department_and_outsiders_may_not_act(desk):
    slip = take(desk)

    for user in (desk.rina.user, UserFactory(username="nobody")):
        with pytest.raises(PermissionDenied):
            slip_acknowledge(slip=slip, by=user)
    slip.refresh_from_db()
    assert slip.status == "new" and kinds(slip) == ["created"]


def test_the_desk_acts_for_anyone_and_the_timeline_says_so(desk):
    slip = take(desk)
    supervisor = UserFactory(username="sup", roles=[SUPERVISOR])

    slip = slip_acknowledge(slip=slip, by=supervisor)

    assert slip.acknowledged_by == supervisor
    assert slip.acknowledged_note == "Acknowledged by phone, via the operator"
    assert slip.events.get(kind="acknowledged").note == slip.acknowledged_note


def test_acknowledging_your_own_marks_your_copy_read(desk):
    slip = take(desk)

    slip_acknowledge(slip=slip, by=desk.budi.user, note="Will call after lunch")

    recipient = slip.slip_recipients.get(staff=desk.budi)
    assert recipient.read_at is not None
    assert slip.acknowledged_note == "Will call after lunch"


def test_opening_it_marks_it_read_once(desk):
    slip = take(desk)

    assert slip_mark_read(slip=slip, staff=desk.budi, now=TUESDAY_10) is True
    assert slip_mark_read(slip=slip, staff=desk.budi) is False
    assert slip_mark_read(slip=slip, staff=desk.rina) is False  # not a recipient

    assert slip.slip_recipients.get().read_at == TUESDAY_10
    assert kinds(slip) == ["created", "read"]


# Re-sending and re-routing ---------------------------------------------------------


def test_resend_notifies_the_current_recipients_again(desk):
    slip = take(desk, send_to=SendTo.BOTH)

    slip = slip_resend(slip=slip, by=desk.operator, version=slip.version)

    addresses = list(
        Notification.objects.filter(slip=slip).order_by("pk").values_list("address", flat=True)
    )
    assert addresses == ["budi@example.co.id", "sari@example.co.id"] * 2
    event = slip.events.get(kind="resent")
    assert "Budi Santoso" in event.note and "Sari Wulandari" in event.note
    assert slip.version == 2


def test_a_done_slip_is_not_sent_again(desk):
    slip = slip_done(slip=take(desk), by=desk.operator)

    with pytest.raises(ValidationError):
        slip_resend(slip=slip, by=desk.operator)
    assert Notification.objects.filter(slip=slip).count() == 1


def test_reroute_passes_it_on_with_a_fresh_deadline(desk):
    slip = take(desk, send_to=SendTo.BOTH)
    later = TUESDAY_10 + timedelta(hours=2)
    MessageSlip.objects.filter(pk=slip.pk).update(escalation_level=1)
    slip.refresh_from_db()

    slip = slip_reroute(
        slip=slip,
        by=desk.operator,
        for_staff=desk.rina,
        reason="Budi says Rina handles this client",
        now=later,
    )

    assert (slip.for_staff, slip.escalation_level) == (desk.rina, 0)
    assert slip.due_at == slip_due_at(urgency=slip.urgency, start=later)
    assert list(slip.slip_recipients.values_list("staff", flat=True)) == [desk.rina.pk]
    assert Notification.objects.filter(slip=slip, recipient=desk.rina).count() == 1
    event = slip.events.get(kind="rerouted")
    assert event.note == "Budi Santoso → Rina Pemasaran: Budi says Rina handles this client"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"reason": ""}, "reason"),
        ({"for_staff": None}, "for_staff"),
        ({"for_staff": "budi"}, "for_staff"),
    ],
)
def test_reroute_needs_someone_else_and_a_reason(desk, changes, field):
    slip = take(desk)
    fields = {"for_staff": desk.rina, "reason": "not his", **changes}
    if fields["for_staff"] == "budi":
        fields["for_staff"] = desk.budi

    with pytest.raises(ValidationError) as refused:
        slip_reroute(slip=slip, by=desk.operator, **fields)

    assert field in refused.value.message_dict
    slip.refresh_from_db()
    assert slip.for_staff == desk.budi and slip.version == 1


def test_reroute_to_a_department(desk):
    slip = take(desk)

    slip = slip_reroute(
        slip=slip, by=desk.operator, for_department=desk.finance, reason="whoever is in"
    )

    assert (slip.for_staff, slip.for_department) == (None, desk.finance)
    assert list(slip.slip_recipients.values_list("staff", flat=True)) == [desk.head.pk]


# Delivered -------------------------------------------------------------------------


def test_the_first_notification_sent_makes_the_slip_delivered_once(desk, mailoutbox):
    slip = take(desk, send_to=SendTo.BOTH)
    first, second = Notification.objects.filter(slip=slip).order_by("pk")

    assert notifications.deliver(first.pk) is True
    assert notifications.deliver(second.pk) is True

    slip.refresh_from_db()
    assert slip.status == SlipStatus.DELIVERED and slip.delivered_at is not None
    assert kinds(slip) == ["created", "delivered"]
    assert len(mailoutbox) == 2


def test_a_slip_acknowledged_by_phone_stays_acknowledged_when_the_mail_goes_out(desk, mailoutbox):
    slip = take(desk)
    slip_acknowledge(slip=slip, by=desk.operator)

    notifications.deliver(Notification.objects.get(slip=slip).pk)

    slip.refresh_from_db()
    assert slip.status == SlipStatus.ACKNOWLEDGED and slip.delivered_at is None
    assert "delivered" not in kinds(slip)


def test_the_delivered_hook_is_registered_and_ignores_complaints():
    assert slip_mark_delivered in notifications.AFTER_SENT
    assert slip_mark_delivered([Notification(slip=None)]) == 0


def test_saving_queues_the_e_mails_after_commit(
    desk, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        slip = take(desk, send_to=SendTo.BOTH)
        assert not mailoutbox  # nothing leaves before the slip is committed

    assert len(callbacks) == 1
    assert sorted(m.to[0] for m in mailoutbox) == ["budi@example.co.id", "sari@example.co.id"]
    slip.refresh_from_db()
    assert slip.status == SlipStatus.DELIVERED
