"""`manage.py seed_demo_messages`: after seed_demo, seed_holidays,
seed_demo_roster and seed_demo_calls, the demo calls (taken by the operators
clocked in) become slips and complaints at every stage,
with the rules they need; the desk's and the staff member's pages show them;
running it again changes nothing.

Loading the demo company and its calls takes seconds, so the module loads it
once, in a transaction rolled back after the last test (each test runs in a
savepoint of its own inside it)."""

from io import StringIO

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from calls.models import Call, Outcome
from directory.models import Department, Staff
from messages_app.demo import stories
from messages_app.management.commands.seed_demo_messages import load_demo_messages
from messages_app.models import (
    Complaint,
    ComplaintCategory,
    ComplaintEvent,
    ComplaintStatus,
    MessageSlip,
    Notification,
    Product,
    RecipientRole,
    ReferenceCounter,
    ResponseTarget,
    RoutingRule,
    SlipEvent,
    SlipRecipient,
    SlipStatus,
    UrgencyLimit,
    Visibility,
)
from messages_app.routing import route
from messages_app.selectors_slips import slip_unread_count
from messages_app.services.escalation import SLIP_SUPERVISORS

User = get_user_model()


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo desk as of one moment, in the company's language: (that
    moment, the command's summary, the language)."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            # make seed's order, without the weeks of history before these days.
            for command in ("seed_demo", "seed_holidays", "seed_demo_roster", "seed_demo_calls"):
                call_command(command, stdout=StringIO())
            now = timezone.now()
            result = load_demo_messages(now=now)
            yield now, result.summary(None), django_settings.LANGUAGE_CODE
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def seeded(demo, db):
    return demo


def client_for(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def test_the_first_run_says_what_it_added(seeded):
    _now, summary, _language = seeded
    assert summary.startswith("Demo messages: ")
    assert f"{len(stories.RULES)} routing rules" in summary
    assert "message slips" in summary and "complaints" in summary and "e-mails sent" in summary


def test_slips_and_complaints_are_at_every_stage(seeded):
    now, _summary, _language = seeded
    slips = MessageSlip.objects.all()
    # "new" lasts until the first e-mail is out, which in the embedded default
    # is the moment the slip is saved: every demo recipient has an address.
    assert set(slips.values_list("status", flat=True)) == {
        SlipStatus.DELIVERED,
        SlipStatus.ACKNOWLEDGED,
        SlipStatus.DONE,
    }
    # A complaint is "new" only while no rule routes it; the demo has a fallback.
    assert set(Complaint.objects.values_list("status", flat=True)) == set(
        ComplaintStatus.values
    ) - {ComplaintStatus.NEW}
    # Escalated all the way and still waiting; overdue and not.
    waiting = slips.filter(status=SlipStatus.DELIVERED)
    assert waiting.filter(escalation_level=SLIP_SUPERVISORS).exists()
    assert waiting.filter(due_at__lt=now).exists()
    kinds = set(SlipEvent.objects.values_list("kind", flat=True))
    assert {"escalated_resent", "escalated_to_supervisors", "delivered", "done"} <= kinds
    # Acknowledged by the recipient (the e-mailed link, My messages) and by the desk.
    acknowledged = SlipEvent.objects.filter(kind="acknowledged")
    assert acknowledged.filter(by__isnull=True).exists()  # the link needs no log-in
    assert acknowledged.filter(by__username="operator").exists()
    assert acknowledged.filter(by__username="staff").exists()
    # Someone away, and the slip went to their cover.
    assert SlipRecipient.objects.filter(role=RecipientRole.COVER).exists()
    # Complaints: overdue ones escalated, assigned ones, both kinds of comment.
    events = ComplaintEvent.objects.all()
    assert {"overdue", "escalated_to_head", "assigned", "reopened"} <= set(
        events.values_list("kind", flat=True)
    )
    assert events.filter(kind="comment", visibility=Visibility.INTERNAL).exists()
    assert events.filter(kind="customer_update", visibility=Visibility.CUSTOMER).exists()
    assert Complaint.objects.filter(
        status=ComplaintStatus.IN_PROGRESS, assigned_to__isnull=False
    ).exists()
    # Nothing happened after the moment it ran.
    assert not SlipEvent.objects.filter(at__gt=now).exists()
    assert not ComplaintEvent.objects.filter(at__gt=now).exists()


def test_slips_and_complaints_come_from_their_calls(seeded):
    messages = Call.objects.filter(outcome=Outcome.MESSAGE)
    complaints = Call.objects.filter(outcome=Outcome.COMPLAINT)
    assert messages.exists() and complaints.exists()
    for call in messages.select_related("slip"):
        slip = call.slip  # every demo message call has its slip
        assert slip.message == call.purpose
        assert slip.created_at == call.ended_at and slip.taken_by_id == call.operator_id
        assert slip.for_staff_id == call.asked_for_staff_id and slip.caller_id == call.caller_id
    for call in complaints.select_related("complaint"):
        complaint = call.complaint
        assert complaint.created_at == call.ended_at and complaint.caller_id == call.caller_id
        assert complaint.reference.startswith(f"KEL-{complaint.year}-")
    # And some on their own: a walk-in visitor, a message passed on, a letter.
    assert MessageSlip.objects.filter(call__isnull=True).count() == len(stories.LOOSE_SLIPS)
    assert Complaint.objects.filter(call__isnull=True).count() == len(stories.LOOSE_COMPLAINTS)


def test_the_rules_are_there_and_route_a_sample_text(seeded):
    assert ComplaintCategory.objects.count() == len(stories.CATEGORIES)
    assert Product.objects.count() == len(stories.PRODUCTS)
    assert RoutingRule.objects.count() == len(stories.RULES)
    assert set(UrgencyLimit.objects.values_list("urgency", flat=True)) == set(
        stories.URGENCY_LIMITS
    )
    assert ResponseTarget.objects.filter(rule__isnull=True).count() == 4
    billing = ComplaintCategory.objects.get(name="Tagihan & pembayaran")

    def department(**complaint) -> str:
        return route(**complaint).department.code

    assert department(description="Kipas angin korsleting dan berasap") == "OPS-PRD"
    assert department(category=billing, description="Tagihan dobel bulan ini") == "FIN"
    assert department(category=billing, description="Diskon dari sales tidak ada") == "COM-SLS"
    assert department(description="Satpam di lobi tidak ramah") == "OPS-GA"
    fallback = route(description="Something nobody thought of")
    assert fallback.department.code == "COM-CS" and fallback.rule.position == 1000
    # Every complaint the demo recorded was routed by a rule.
    assert not Complaint.objects.filter(department__isnull=True).exists()


def test_the_staff_log_in_has_unread_messages_and_a_queue(seeded):
    budi = Staff.objects.get(user__username="staff")
    assert slip_unread_count(budi.user, staff=budi) >= 2
    client = client_for("staff")
    mine = client.get(reverse("messages_app:slip-mine"))
    assert mine.status_code == 200
    page = mine.content.decode()
    assert "Rudy Hartono" in page and "proyeksi penjualan Desember" in page
    queue = client.get(reverse("messages_app:complaint-queue"))
    assert queue.status_code == 200
    open_ones = Complaint.objects.filter(
        department=budi.department, status__in=("routed", "acknowledged", "in_progress")
    )
    assert open_ones.exists()
    for complaint in open_ones:
        assert complaint.reference in queue.content.decode()


def test_the_supervisors_pages_show_the_desk_at_work(seeded):
    now, _summary, _language = seeded
    client = client_for("supervisor")
    board = client.get(reverse("messages_app:slip-board"))
    assert board.status_code == 200
    overdue = MessageSlip.objects.filter(status=SlipStatus.DELIVERED, due_at__lt=now).first()
    assert escape(overdue.message[:40]) in board.content.decode()

    escalations = client.get(reverse("messages_app:escalations")).content.decode()
    escalated = MessageSlip.objects.filter(
        status__in=(SlipStatus.NEW, SlipStatus.DELIVERED), escalation_level__gt=0
    )
    assert escalated.exists()
    for slip in escalated:
        assert f'data-slip="{slip.pk}"' in escalations
    late = Complaint.objects.filter(status=ComplaintStatus.ROUTED, acknowledge_due_at__lt=now)
    assert late.exists() and all(c.reference in escalations for c in late)

    # The supervisor's own department (Umum & GA, the front office) has one too.
    queue = client.get(reverse("messages_app:complaint-queue")).content.decode()
    front_office = Complaint.objects.get(department__code="OPS-GA")
    assert front_office.reference in queue
    everyone = client.get(reverse("messages_app:complaint-queue"), {"department": "all"})
    for complaint in Complaint.objects.filter(status=ComplaintStatus.IN_PROGRESS):
        assert complaint.reference in everyone.content.decode()

    reopened = Complaint.objects.get(status=ComplaintStatus.REOPENED)
    detail = client.get(reopened.get_absolute_url())
    assert detail.status_code == 200
    page = detail.content.decode()
    told = reopened.events.filter(visibility=Visibility.CUSTOMER).first()
    assert escape(told.text[:30]) in page
    assert escape(reopened.events.get(kind="reopened").text[:30]) in page

    slip = MessageSlip.objects.filter(slip_recipients__role=RecipientRole.COVER).first()
    detail = client.get(slip.get_absolute_url())
    assert detail.status_code == 200
    assert escape(slip.message[:40]) in detail.content.decode()


def test_every_seeded_slip_and_complaint_has_a_page(seeded):
    client = client_for("supervisor")
    for thing in [*MessageSlip.objects.all(), *Complaint.objects.all()]:
        response = client.get(thing.get_absolute_url())
        assert response.status_code == 200, thing


def test_every_notification_went_out(seeded):
    notifications = Notification.objects.all()
    assert notifications.count() > 50
    assert not notifications.filter(sent_at__isnull=True).exists()
    assert not MessageSlip.objects.filter(delivered_at__isnull=True).exists()
    # Customers who gave an address heard from the company (example.com only).
    to_customers = notifications.filter(kind__in=("complaint_received", "complaint_update"))
    assert to_customers.exists()
    assert all(
        address.endswith("@example.com")
        for address in to_customers.values_list("address", flat=True)
    )


def test_the_people_who_work_complaints_act_with_their_own_log_ins(seeded):
    acted = ComplaintEvent.objects.filter(kind__in=("acknowledged", "resolved"))
    for event in acted.select_related("by__staff_profile", "complaint"):
        staff = event.by.staff_profile
        supervisor = event.by.groups.filter(name="Supervisor").exists()
        assert staff.department_id == event.complaint.department_id or supervisor
    colleagues = User.objects.filter(groups=None).exclude(username="staff")
    assert colleagues.exists()
    assert not any(user.has_usable_password() for user in colleagues)


def snapshot() -> dict:
    return {
        "slips": list(
            MessageSlip.objects.order_by("created_at", "message").values_list(
                "created_at", "message", "status", "urgency", "mood", "escalation_level",
                "for_staff__full_name", "for_department__code", "acknowledged_at", "done_at",
            )
        ),
        "slip_events": list(
            SlipEvent.objects.order_by("at", "slip__created_at", "kind").values_list(
                "at", "kind", "note", "slip__message"
            )
        ),
        "complaints": list(
            Complaint.objects.order_by("reference").values_list(
                "reference", "created_at", "status", "severity", "department__code",
                "assigned_to__full_name", "description", "customer_email", "escalation_level",
            )
        ),
        "complaint_events": list(
            ComplaintEvent.objects.order_by("at", "complaint__reference", "kind").values_list(
                "at", "kind", "text", "visibility", "complaint__reference"
            )
        ),
        "notifications": sorted(Notification.objects.values_list("kind", "address")),
    }  # fmt: skip


def test_running_again_changes_nothing(seeded):
    before = snapshot()
    counts = [
        model.objects.count()
        for model in (User, RoutingRule, ResponseTarget, UrgencyLimit, ComplaintCategory, Product)
    ]
    history = (MessageSlip.history.count(), Complaint.history.count())
    out = StringIO()
    call_command("seed_demo_messages", stdout=out)
    assert "none added" in out.getvalue()
    assert snapshot() == before
    assert [
        model.objects.count()
        for model in (User, RoutingRule, ResponseTarget, UrgencyLimit, ComplaintCategory, Product)
    ] == counts
    assert (MessageSlip.history.count(), Complaint.history.count()) == history


def test_an_admins_changes_are_kept(seeded):
    rule = RoutingRule.objects.get(position=1000)
    rule.department = Department.objects.get(code="OPS-GA")
    rule.save()
    RoutingRule.objects.filter(position=10).delete()
    UrgencyLimit.objects.filter(urgency="urgent").update(minutes=5)
    ComplaintCategory.objects.filter(name="Lainnya").update(active=False)
    UrgencyLimit.objects.filter(urgency="low").delete()
    call_command("seed_demo_messages", stdout=StringIO())
    assert RoutingRule.objects.get(position=1000).department.code == "OPS-GA"
    # Once the company has rules, they are the admins': none is added back.
    assert not RoutingRule.objects.filter(position=10).exists()
    assert UrgencyLimit.objects.get(urgency="urgent").minutes == 5
    assert not ComplaintCategory.objects.get(name="Lainnya").active
    assert UrgencyLimit.objects.get(urgency="low").next_working_day  # a missing one is made


def test_the_same_calls_give_the_same_desk(seeded, settings):
    now, _summary, language = seeded
    settings.LANGUAGE_CODE = language  # the tests' own default is English
    before = snapshot()
    for model in (Notification, SlipEvent, ComplaintEvent, SlipRecipient, ReferenceCounter):
        model.objects.all().delete()
    MessageSlip.objects.all().delete()
    Complaint.objects.all().delete()
    # The colleagues' log-ins go too, so the second load starts where the first did.
    User.objects.filter(groups=None).exclude(username="staff").delete()
    load_demo_messages(now=now)
    after = snapshot()
    assert after["slips"] == before["slips"] and after["complaints"] == before["complaints"]
    assert after["slip_events"] == before["slip_events"]
    assert after["complaint_events"] == before["complaint_events"]
