"""The complaint services: recording (routing, override, deadlines in working
time, search text, timeline, notifications), every status step allowed or
refused by COMPLAINT_TRANSITIONS, stamps, conflicts on `version`, who may work
on a complaint, assignment, re-routing and comments."""

import threading
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from directory.models import Holiday
from messages_app.models import (
    COMPLAINT_TRANSITIONS,
    Complaint,
    ComplaintEvent,
    ComplaintStatus,
    Notification,
    NotificationKind,
    Visibility,
)
from messages_app.services.complaints import (
    STATUS_EVENTS,
    ComplaintConflict,
    complaint_assign,
    complaint_comment,
    complaint_reroute,
    complaint_set_status,
)
from tests.factories import StaffFactory, UserFactory
from tests.messages_app.complaint_world import *  # noqa: F403  (the fixtures)
from tests.messages_app.complaint_world import TUESDAY, at
from tests.messages_app.factories import ComplaintFactory

pytestmark = pytest.mark.django_db

FRIDAY = at(2026, 12, 4, 16, 0)  # an hour before the weekend
LATER = TUESDAY + timedelta(hours=1)


def kinds(complaint) -> list[str]:
    return list(complaint.events.values_list("kind", flat=True))


# Recording ----------------------------------------------------------------------------


def test_a_complaint_is_recorded_routed_with_its_deadlines_and_timeline(
    record, rules, billing, finance, operator
):
    complaint = record(category=billing, severity="high")

    complaint.refresh_from_db()
    assert complaint.reference == "KEL-2026-000001"
    assert complaint.status == ComplaintStatus.ROUTED
    assert (complaint.department, complaint.rule) == (finance, rules["tagihan"])
    # The rule's own high target: 30 and 240 working minutes from Tuesday 09:00.
    assert complaint.acknowledge_due_at == at(2026, 12, 1, 9, 30)
    assert complaint.resolve_due_at == at(2026, 12, 1, 14, 0)  # 3 h before lunch, 1 h after
    assert complaint.created_by == operator and complaint.created_at == TUESDAY
    events = list(complaint.events.all())
    assert [(e.kind, e.from_status, e.to_status) for e in events] == [
        ("created", "", "new"),
        ("routed", "new", "routed"),
    ]
    assert events[1].data["rule"] == rules["tagihan"].pk and not events[1].data["override"]


def test_a_complaint_no_rule_catches_stays_new_and_unrouted(record, rules):
    complaint = record(description="Satpam kurang ramah")

    assert complaint.status == ComplaintStatus.NEW
    assert complaint.department is None and complaint.rule is None
    assert kinds(complaint) == ["created"]
    # Unrouted still works to the default targets (medium: 4 h and 40 h).
    assert complaint.acknowledge_due_at == at(2026, 12, 1, 14, 0)
    assert not Notification.objects.filter(kind=NotificationKind.COMPLAINT_ROUTED).exists()


def test_without_any_target_a_complaint_has_no_deadline(record, finance):
    complaint = record()

    assert complaint.acknowledge_due_at is None and complaint.resolve_due_at is None


def test_deadlines_skip_the_weekend(record, defaults):
    complaint = record(now=FRIDAY)

    # 240 working minutes from Friday 16:00: one hour on Friday, three on Monday.
    assert complaint.acknowledge_due_at == at(2026, 12, 7, 11, 0)
    # 2400: Friday 1 h, Monday-Thursday 32 h, then next Friday 3.5 h before prayer and 3.5 after.
    assert complaint.resolve_due_at == at(2026, 12, 11, 16, 30)


def test_deadlines_skip_friday_prayer(record, defaults):
    complaint = record(now=at(2026, 12, 4, 11, 0), severity="high")

    # 60 working minutes from Friday 11:00: 11:00-11:30, then 13:00-13:30.
    assert complaint.acknowledge_due_at == at(2026, 12, 4, 13, 30)


def test_deadlines_skip_a_holiday(record, defaults):
    Holiday.objects.create(date=at(2026, 12, 7).date(), name="Cuti bersama")

    complaint = record(now=FRIDAY)

    assert complaint.acknowledge_due_at == at(2026, 12, 8, 11, 0)


def test_the_operator_may_send_it_elsewhere_with_a_reason(record, rules, billing, service):
    with pytest.raises(ValidationError) as refused:
        record(category=billing, department=service)
    assert "override_reason" in refused.value.message_dict
    assert not Complaint.objects.exists()

    complaint = record(category=billing, department=service, override_reason="Minta Layanan")

    assert complaint.department == service
    assert complaint.rule == rules["tagihan"]  # what the rule said is kept
    assert complaint.route_override_reason == "Minta Layanan"
    routed = complaint.events.get(kind="routed")
    assert routed.data["override"] and routed.text == "Minta Layanan"


def test_choosing_the_rules_own_department_is_no_override(record, rules, billing, finance):
    complaint = record(category=billing, department=finance, override_reason="sama saja")

    assert complaint.department == finance and complaint.route_override_reason == ""


def test_an_override_to_a_closed_department_is_refused(record, rules, service):
    service.active = False
    service.save()

    with pytest.raises(ValidationError) as refused:
        record(department=service, override_reason="x")
    assert "department" in refused.value.message_dict


def test_a_complaint_needs_a_way_back_to_the_customer(record):
    with pytest.raises(ValidationError) as refused:
        record(customer_number="", customer_email="")

    assert "customer_number" in refused.value.message_dict
    assert record(customer_number="", customer_email="ani@example.com").customer_email


def test_a_complaint_needs_a_name_and_a_description(record):
    with pytest.raises(ValidationError) as refused:
        record(customer_name=" ", description="")

    assert {"customer_name", "description"} <= set(refused.value.message_dict)
    assert not Complaint.objects.exists()


def test_the_search_text_is_folded_with_both_forms_of_the_number(record):
    complaint = record(customer_name="Bu Ánï", description="Tagihan DOBEL")

    text = complaint.search_text
    assert "kel-2026-000001" in text and "bu ani" in text and "tagihan dobel" in text
    assert "+6281234567890" in text and "081234567890" in text


def test_a_number_given_without_a_call_is_remembered_as_a_caller(record):
    complaint = record()

    assert complaint.caller is not None
    assert complaint.caller.number.as_e164 == "+6281234567890"
    assert complaint.caller.name == "Bu Ani"


def test_only_the_desk_records_complaints(record, staff_member, outsider):
    for user in (staff_member, outsider):
        with pytest.raises(PermissionDenied):
            record(by=user)
    assert not Complaint.objects.exists()


def test_the_department_head_and_the_group_mailbox_are_told(record, rules, billing, finance):
    complaint = record(category=billing)

    rows = Notification.objects.filter(complaint=complaint, kind=NotificationKind.COMPLAINT_ROUTED)
    assert {(r.recipient_id, r.address) for r in rows} == {
        (finance.head_id, "kepala@example.co.id"),
        (None, "keuangan@example.co.id"),
    }


def test_the_customer_is_told_only_when_they_gave_an_e_mail(record, rules, billing):
    without = record(category=billing)
    assert not without.notifications.filter(kind=NotificationKind.COMPLAINT_RECEIVED).exists()

    with_email = record(category=billing, customer_email="ani@example.com", language="id")

    received = with_email.notifications.get(kind=NotificationKind.COMPLAINT_RECEIVED)
    assert (received.address, received.language) == ("ani@example.com", "id")


def test_the_language_defaults_to_the_desks(record, settings):
    assert record().language == "en"  # the tests' language
    with pytest.raises(ValidationError):
        record(language="fr")


def test_the_e_mails_carry_the_reference_and_a_link(
    record, rules, billing, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://desk.example.co.id"
    with django_capture_on_commit_callbacks(execute=True):
        complaint = record(category=billing, customer_email="ani@example.com", now=None)

    by_address = {message.to[0]: message for message in mailoutbox}
    head = by_address["kepala@example.co.id"]
    assert head.subject == f"Complaint {complaint.reference} for Keuangan (Medium)"
    assert f"https://desk.example.co.id/messages/complaints/{complaint.pk}/" in head.body
    assert "Tagihan saya dobel bulan ini" in head.body
    customer = by_address["ani@example.com"]
    assert customer.subject == f"We received your complaint: {complaint.reference}"
    assert complaint.reference in customer.body and "Keuangan team" in customer.body
    assert "/messages/complaints/" not in customer.body  # no link to the staff's page


# Status steps -------------------------------------------------------------------------

PAIRS = [(start, step) for start in ComplaintStatus.values for step in STATUS_EVENTS]


@pytest.mark.parametrize(("start", "to"), PAIRS)
def test_every_step_is_allowed_or_refused_by_the_map(start, to, finance, supervisor):
    complaint = ComplaintFactory(department=finance, status=start, created_at=TUESDAY)

    allowed = to in COMPLAINT_TRANSITIONS[start]
    if allowed:
        complaint_set_status(complaint=complaint, by=supervisor, to_status=to, text="ok", now=LATER)
        complaint.refresh_from_db()
        assert complaint.status == to and complaint.version == 2
        assert kinds(complaint) == [STATUS_EVENTS[to]]
    else:
        with pytest.raises(ValidationError) as refused:
            complaint_set_status(
                complaint=complaint, by=supervisor, to_status=to, text="ok", now=LATER
            )
        assert refused.value.code == "transition"
        complaint.refresh_from_db()
        assert complaint.status == start and complaint.version == 1 and not kinds(complaint)


def test_routed_is_not_a_status_step(routed, supervisor):
    with pytest.raises(ValidationError):
        complaint_set_status(complaint=routed, by=supervisor, to_status="routed", now=LATER)


def test_each_step_stamps_its_time(routed, supervisor):
    steps = [
        ("acknowledged", LATER),
        ("in_progress", LATER + timedelta(hours=1)),
        ("resolved", LATER + timedelta(hours=2)),
        ("closed", LATER + timedelta(hours=3)),
    ]
    for to, when in steps:
        complaint_set_status(complaint=routed, by=supervisor, to_status=to, text="x", now=when)

    routed.refresh_from_db()
    assert routed.acknowledged_at == LATER
    assert routed.resolved_at == LATER + timedelta(hours=2)
    assert routed.closed_at == LATER + timedelta(hours=3)
    assert routed.version == 5
    assert kinds(routed) == ["acknowledged", "in_progress", "resolved", "closed"]
    # Each change is kept in the history too.
    assert routed.history.filter(history_type="~").count() == 4


def test_reopening_clears_the_stamps_and_restarts_the_resolve_deadline(
    finance, supervisor, defaults
):
    complaint = ComplaintFactory(
        department=finance,
        status=ComplaintStatus.CLOSED,
        created_at=TUESDAY,
        resolved_at=LATER,
        closed_at=LATER,
        resolve_due_at=TUESDAY,
        escalation_level=2,
    )
    reopened_at = at(2026, 12, 3, 9, 0)

    complaint_set_status(
        complaint=complaint,
        by=supervisor,
        to_status="reopened",
        text="Masih dobel",
        now=reopened_at,
    )

    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.REOPENED
    assert complaint.resolved_at is None and complaint.closed_at is None
    # 40 working hours later: Thursday and Friday 14.5 h, Monday-Wednesday 24 h, 1.5 h.
    assert complaint.resolve_due_at == at(2026, 12, 10, 9, 30)
    assert complaint.escalation_level == 0
    assert complaint.events.get().text == "Masih dobel"


def test_resolving_says_what_the_customer_was_told_and_reopening_why(routed, supervisor):
    complaint_set_status(complaint=routed, by=supervisor, to_status="acknowledged", now=LATER)
    with pytest.raises(ValidationError) as refused:
        complaint_set_status(complaint=routed, by=supervisor, to_status="resolved", now=LATER)
    assert "text" in refused.value.message_dict

    complaint_set_status(
        complaint=routed,
        by=supervisor,
        to_status="resolved",
        text="Tagihan sudah dikoreksi",
        visibility=Visibility.CUSTOMER,
        now=LATER,
    )
    with pytest.raises(ValidationError) as refused:
        complaint_set_status(complaint=routed, by=supervisor, to_status="reopened", now=LATER)
    assert "text" in refused.value.message_dict
    event = routed.events.get(kind="resolved")
    assert (event.visibility, event.text) == (Visibility.CUSTOMER, "Tagihan sudah dikoreksi")


def test_what_the_customer_is_told_is_e_mailed_when_they_gave_an_address(routed, supervisor):
    complaint_set_status(complaint=routed, by=supervisor, to_status="acknowledged", now=LATER)
    complaint_set_status(
        complaint=routed,
        by=supervisor,
        to_status="resolved",
        text="Sudah dikoreksi",
        visibility=Visibility.CUSTOMER,
        now=LATER,
    )

    update = routed.notifications.get(kind=NotificationKind.COMPLAINT_UPDATE)
    assert (update.address, update.language) == ("ani@example.com", "en")


def test_an_internal_note_is_never_e_mailed(routed, supervisor):
    complaint_set_status(
        complaint=routed, by=supervisor, to_status="acknowledged", text="Cek dulu", now=LATER
    )

    assert not routed.notifications.exists()


def test_a_stale_version_is_a_conflict_and_changes_nothing(routed, supervisor):
    with pytest.raises(ComplaintConflict) as conflict:
        complaint_set_status(
            complaint=routed, by=supervisor, to_status="acknowledged", version=0, now=LATER
        )

    assert "Someone else changed" in conflict.value.messages[0]
    routed.refresh_from_db()
    assert routed.status == ComplaintStatus.ROUTED and routed.version == 1
    assert not routed.events.exists()


def test_two_people_acting_on_copies_never_lose_an_update(routed, supervisor, staff_member):
    mine = Complaint.objects.get(pk=routed.pk)
    theirs = Complaint.objects.get(pk=routed.pk)

    complaint_set_status(complaint=mine, by=supervisor, to_status="acknowledged", now=LATER)
    with pytest.raises(ComplaintConflict):
        # Read before the first change: the conditional update finds version 2.
        complaint_set_status(complaint=theirs, by=staff_member, to_status="acknowledged", now=LATER)

    assert list(ComplaintEvent.objects.values_list("kind", flat=True)) == ["acknowledged"]
    assert theirs.status == ComplaintStatus.ACKNOWLEDGED  # re-read: the current state


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_acknowledgements_claim_once(finance, supervisor):
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent connections (PostgreSQL)")
    complaint = ComplaintFactory(department=finance, status=ComplaintStatus.ROUTED)
    barrier = threading.Barrier(2)
    outcomes = []

    def act():
        try:
            copy = Complaint.objects.get(pk=complaint.pk)
            barrier.wait(timeout=10)
            complaint_set_status(complaint=copy, by=supervisor, to_status="acknowledged")
            outcomes.append("done")
        except ComplaintConflict:
            outcomes.append("conflict")
        except Exception as exc:  # reported below
            outcomes.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=act) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == ["conflict", "done"]
    assert ComplaintEvent.objects.filter(complaint=complaint).count() == 1
    assert Complaint.objects.get(pk=complaint.pk).version == 2


# Who may work on a complaint ----------------------------------------------------------


def test_the_departments_staff_and_supervisors_work_on_it(routed, staff_member, supervisor):
    complaint_set_status(complaint=routed, by=staff_member, to_status="acknowledged", now=LATER)
    complaint_set_status(complaint=routed, by=supervisor, to_status="in_progress", now=LATER)

    assert kinds(routed) == ["acknowledged", "in_progress"]


def test_the_desk_another_department_and_outsiders_may_not(
    routed, operator, service_worker, outsider
):
    for user in (operator, service_worker, outsider):
        with pytest.raises(PermissionDenied):
            complaint_set_status(complaint=routed, by=user, to_status="acknowledged", now=LATER)
        with pytest.raises(PermissionDenied):
            complaint_comment(complaint=routed, by=user, text="x", now=LATER)
    assert not routed.events.exists()


def test_a_staff_member_who_left_may_not(routed, staff_member, worker):
    worker.active = False
    worker.save()

    with pytest.raises(PermissionDenied):
        complaint_set_status(complaint=routed, by=staff_member, to_status="acknowledged")


# Assignment -----------------------------------------------------------------------------


def test_a_complaint_is_assigned_to_a_person_of_its_department(routed, staff_member, worker):
    complaint_assign(complaint=routed, by=staff_member, staff=worker, now=LATER)

    routed.refresh_from_db()
    assert routed.assigned_to == worker and routed.version == 2
    event = routed.events.get()
    assert (event.kind, event.text, event.data) == (
        "assigned",
        worker.full_name,
        {"from": None, "to": worker.pk},
    )
    # The same person again changes nothing.
    complaint_assign(complaint=routed, by=staff_member, staff=worker, now=LATER)
    assert routed.events.count() == 1


def test_someone_of_another_department_or_who_left_is_refused(routed, supervisor, service):
    elsewhere = StaffFactory(department=service)
    gone = StaffFactory(department=routed.department, active=False)

    for person in (elsewhere, gone):
        with pytest.raises(ValidationError) as refused:
            complaint_assign(complaint=routed, by=supervisor, staff=person, now=LATER)
        assert "staff" in refused.value.message_dict
    routed.refresh_from_db()
    assert routed.assigned_to is None


def test_a_closed_complaint_is_not_assigned(finance, supervisor, worker):
    closed = ComplaintFactory(department=finance, status=ComplaintStatus.CLOSED)

    with pytest.raises(ValidationError):
        complaint_assign(complaint=closed, by=supervisor, staff=worker)


# Re-routing -------------------------------------------------------------------------------


def test_rerouting_passes_it_on_with_a_new_acknowledge_deadline(
    finance, service, supervisor, worker, defaults
):
    complaint = ComplaintFactory(
        department=finance,
        status=ComplaintStatus.ACKNOWLEDGED,
        created_at=TUESDAY,
        acknowledged_at=TUESDAY,
        assigned_to=worker,
        resolve_due_at=at(2026, 12, 8, 9, 0),
        escalation_level=1,
    )
    when = at(2026, 12, 2, 10, 0)

    complaint_reroute(
        complaint=complaint, by=supervisor, department=service, reason="Soal mesin", now=when
    )

    complaint.refresh_from_db()
    assert complaint.department == service and complaint.status == ComplaintStatus.ROUTED
    assert complaint.assigned_to is None and complaint.acknowledged_at is None
    assert complaint.acknowledge_due_at == at(2026, 12, 2, 15, 0)  # 4 working hours, lunch off
    assert complaint.resolve_due_at == at(2026, 12, 8, 9, 0)  # the customer's clock runs on
    assert complaint.escalation_level == 0
    assert complaint.route_override_reason == "Soal mesin"
    event = complaint.events.get()
    assert (event.kind, event.text, event.data) == (
        "rerouted",
        "Soal mesin",
        {"from": finance.pk, "to": service.pk},
    )
    told = complaint.notifications.get(kind=NotificationKind.COMPLAINT_ROUTED)
    assert told.address == "layanan@example.co.id"


def test_an_unrouted_complaint_is_routed_by_a_supervisor(supervisor, service, staff_member):
    unrouted = ComplaintFactory(department=None, status=ComplaintStatus.NEW)

    with pytest.raises(PermissionDenied):  # nobody's department yet
        complaint_reroute(complaint=unrouted, by=staff_member, department=service, reason="x")
    complaint_reroute(complaint=unrouted, by=supervisor, department=service, reason="Soal layanan")

    unrouted.refresh_from_db()
    assert unrouted.status == ComplaintStatus.ROUTED
    assert kinds(unrouted) == ["routed"]


def test_rerouting_needs_a_reason_and_another_active_department(routed, supervisor, service):
    for department, reason, field in (
        (service, " ", "reason"),
        (routed.department, "x", "department"),
        (None, "x", "department"),
    ):
        with pytest.raises(ValidationError) as refused:
            complaint_reroute(complaint=routed, by=supervisor, department=department, reason=reason)
        assert field in refused.value.message_dict
    routed.refresh_from_db()
    assert routed.version == 1


def test_a_resolved_complaint_is_not_rerouted(finance, service, supervisor):
    resolved = ComplaintFactory(department=finance, status=ComplaintStatus.RESOLVED)

    with pytest.raises(ValidationError):
        complaint_reroute(complaint=resolved, by=supervisor, department=service, reason="x")


def test_the_department_may_pass_it_on(routed, staff_member, service):
    complaint_reroute(complaint=routed, by=staff_member, department=service, reason="Bukan kami")

    routed.refresh_from_db()
    assert routed.department == service
    with pytest.raises(PermissionDenied):  # theirs no longer
        complaint_set_status(complaint=routed, by=staff_member, to_status="acknowledged")


# Comments -----------------------------------------------------------------------------------


def test_internal_notes_and_customer_updates_are_kept_apart(routed, staff_member):
    complaint_comment(complaint=routed, by=staff_member, text="Cek sistem dulu", now=LATER)
    complaint_comment(
        complaint=routed,
        by=staff_member,
        text="Kami sedang memeriksa",
        visibility=Visibility.CUSTOMER,
        now=LATER,
    )

    assert list(routed.events.values_list("kind", "visibility")) == [
        ("comment", "internal"),
        ("customer_update", "customer"),
    ]
    # Only the customer update is e-mailed, and once.
    assert routed.notifications.filter(kind=NotificationKind.COMPLAINT_UPDATE).count() == 1
    routed.refresh_from_db()
    assert routed.version == 1  # a comment never conflicts with a status step


def test_a_customer_update_without_an_address_sends_nothing(finance, staff_member):
    complaint = ComplaintFactory(department=finance, status=ComplaintStatus.ROUTED)

    complaint_comment(complaint=complaint, by=staff_member, text="Info", visibility="customer")

    assert not complaint.notifications.exists()


def test_an_empty_comment_is_refused(routed, staff_member):
    with pytest.raises(ValidationError):
        complaint_comment(complaint=routed, by=staff_member, text="  ")
    with pytest.raises(ValidationError):
        complaint_comment(complaint=routed, by=staff_member, text="x", visibility="public")
    assert not routed.events.exists()


def test_the_update_e_mail_tells_the_customer_what_they_were_told(
    routed, staff_member, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        complaint_comment(
            complaint=routed, by=staff_member, text="Teknisi datang besok", visibility="customer"
        )

    (message,) = mailoutbox
    assert message.to == ["ani@example.com"]
    assert message.subject == f"News about your complaint {routed.reference}"
    assert "Teknisi datang besok" in message.body


def test_a_user_without_a_record_acting_for_nobody(routed):
    nobody = UserFactory(username="nobody")

    with pytest.raises(PermissionDenied):
        complaint_assign(complaint=routed, by=nobody, staff=None)
