"""Admin for the outbox: notifications and attempts listed read-only, filtered
by state, channel and kind, searched by address; "send again now" makes
unsent notifications due at once (notifications.notification_retry)."""

from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from messages_app.models import Channel, DeliveryAttempt, Notification, NotificationKind, SlipEvent
from tests.factories import UserFactory
from tests.messages_app.factories import ComplaintFactory, NotificationFactory

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
CHANGELIST = "admin:messages_app_notification_changelist"
ATTEMPTS = "admin:messages_app_deliveryattempt_changelist"


@pytest.fixture
def superuser_client():
    client = Client()
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def viewer_client():
    """A staff account that may only look at the outbox."""
    user = UserFactory(username="viewer", is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="messages_app",
            codename__in=["view_notification", "view_deliveryattempt"],
        )
    )
    client = Client()
    client.force_login(user)
    return client


def gave_up(**kwargs):
    row = NotificationFactory(next_attempt_at=T0, **kwargs)
    DeliveryAttempt.objects.create(notification=row, at=T0, detail="SMTPRecipientsRefused: 550")
    Notification.objects.filter(pk=row.pk).update(
        attempts=8, failed_at=T0, last_error="SMTPRecipientsRefused: 550"
    )
    return row


def sent(**kwargs):
    row = NotificationFactory(next_attempt_at=T0, **kwargs)
    DeliveryAttempt.objects.create(notification=row, at=T0, ok=True, detail="accepted")
    Notification.objects.filter(pk=row.pk).update(attempts=1, sent_at=T0)
    return row


def listed(response) -> set[int]:
    return {row.pk for row in response.context["cl"].result_list}


def test_the_list_filters_by_state_channel_and_kind(superuser_client):
    waiting = NotificationFactory(address="waiting@example.co.id")
    failed = gave_up(address="failed@example.co.id")
    done = sent(kind=NotificationKind.SLIP_REMINDER, address="done@example.co.id")
    hook = NotificationFactory(channel=Channel.WEBHOOK, address="https://gw.example.com/in")
    Notification.objects.filter(pk=hook.pk).update(attempts=1, last_error="HTTP 500")
    url = reverse(CHANGELIST)

    page = superuser_client.get(url)
    assert page.status_code == 200
    assert listed(page) == {waiting.pk, failed.pk, done.pk, hook.pk}
    assert listed(superuser_client.get(url, {"state": "waiting"})) == {waiting.pk}
    assert listed(superuser_client.get(url, {"state": "retrying"})) == {hook.pk}
    assert listed(superuser_client.get(url, {"state": "gave_up"})) == {failed.pk}
    assert listed(superuser_client.get(url, {"state": "sent"})) == {done.pk}
    assert listed(superuser_client.get(url, {"channel": "webhook"})) == {hook.pk}
    assert listed(superuser_client.get(url, {"kind": "slip_reminder"})) == {done.pk}
    assert listed(superuser_client.get(url, {"q": "failed@example"})) == {failed.pk}
    text = page.content.decode()
    assert "Gave up" in text and "Retrying" in text and "Waiting" in text


def test_the_list_takes_the_same_queries_for_one_row_and_fifty(superuser_client):
    complaint = ComplaintFactory()
    gave_up(complaint=complaint, slip=None)
    url = reverse(CHANGELIST)
    superuser_client.get(url)  # warm caches (content types, permissions)
    with CaptureQueriesContext(connection) as one:
        assert superuser_client.get(url).status_code == 200
    for _ in range(25):
        gave_up(complaint=complaint, slip=None)
        sent()
    with CaptureQueriesContext(connection) as fifty:
        response = superuser_client.get(url)

    assert len(response.context["cl"].result_list) == 51
    assert len(fifty) == len(one)
    assert complaint.reference in response.content.decode()


def test_notifications_and_attempts_cannot_be_added_changed_or_deleted(superuser_client):
    row = gave_up()
    attempt = row.delivery_attempts.get()
    change = reverse("admin:messages_app_notification_change", args=[row.pk])

    assert superuser_client.get(reverse("admin:messages_app_notification_add")).status_code == 403
    page = superuser_client.get(change)
    assert page.status_code == 200 and "SMTPRecipientsRefused: 550" in page.content.decode()
    assert 'name="_save"' not in page.content.decode()
    assert superuser_client.post(change, {"address": "x@example.co.id"}).status_code == 403
    delete = reverse("admin:messages_app_notification_delete", args=[row.pk])
    assert superuser_client.post(delete, {"post": "yes"}).status_code == 403
    attempt_change = reverse("admin:messages_app_deliveryattempt_change", args=[attempt.pk])
    assert superuser_client.post(attempt_change, {"detail": "forged"}).status_code == 403
    assert Notification.objects.get(pk=row.pk).address == row.address
    assert DeliveryAttempt.objects.get(pk=attempt.pk).detail == "SMTPRecipientsRefused: 550"


def test_send_again_now_sends_a_given_up_notification_and_refuses_a_sent_one(
    superuser_client, mailoutbox, django_capture_on_commit_callbacks
):
    failed, done = gave_up(), sent()

    with django_capture_on_commit_callbacks(execute=True):
        response = superuser_client.post(
            reverse(CHANGELIST),
            {"action": "send_again_now", "_selected_action": [failed.pk, done.pk]},
            follow=True,
        )

    assert response.status_code == 200
    text = response.content.decode()
    assert "1 notification will be sent again now." in text
    assert f"Notification #{done.pk} was already sent; it is not sent twice." in text
    assert [m.to for m in mailoutbox] == [[failed.address]]  # the failed one, now sent
    failed.refresh_from_db()
    assert failed.sent_at is not None and failed.failed_at is None and failed.attempts == 1
    event = SlipEvent.objects.get(kind="resent")
    assert event.slip == failed.slip and event.by.username == "root"
    assert Notification.objects.get(pk=done.pk).attempts == 1  # untouched


def test_a_viewer_sees_the_outbox_but_cannot_send_again(viewer_client):
    failed = gave_up()
    url = reverse(CHANGELIST)

    page = viewer_client.get(url)
    assert page.status_code == 200 and listed(page) == {failed.pk}
    assert "send_again_now" not in page.content.decode()
    viewer_client.post(url, {"action": "send_again_now", "_selected_action": [failed.pk]})
    assert Notification.objects.get(pk=failed.pk).failed_at == T0


def test_attempts_are_listed_filtered_and_searched_by_address(superuser_client):
    failed = gave_up(address="failed@example.co.id")
    done = sent(address="done@example.co.id")
    hook = NotificationFactory(channel=Channel.WEBHOOK, address="https://gw.example.com/in")
    hook_attempt = DeliveryAttempt.objects.create(
        notification=hook, at=T0 + timedelta(minutes=1), detail="HTTP 503 from gw.example.com"
    )
    url = reverse(ATTEMPTS)

    page = superuser_client.get(url)
    assert page.status_code == 200 and len(page.context["cl"].result_list) == 3
    assert listed(superuser_client.get(url, {"ok__exact": "1"})) == {
        done.delivery_attempts.get().pk
    }
    assert listed(superuser_client.get(url, {"notification__channel": "webhook"})) == {
        hook_attempt.pk
    }
    assert listed(superuser_client.get(url, {"q": "failed@example"})) == {
        failed.delivery_attempts.get().pk
    }
    assert (
        superuser_client.get(reverse("admin:messages_app_deliveryattempt_add")).status_code == 403
    )


def test_outsiders_of_the_admin_get_nothing(client, operator):
    client.force_login(operator)
    response = client.get(reverse(CHANGELIST))
    assert response.status_code == 302 and "/login/" in response.url
