"""The acknowledge link in a slip's e-mail: it works without logging in, a GET
(what mail scanners fetch) changes nothing, the POST acknowledges once, and a
link that expired, was altered, or is replayed changes nothing. And the e-mail
itself, in its recipient's language."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from messages_app.models import MessageSlip, Notification, SlipStatus
from messages_app.services.slip_links import slip_ack_token
from messages_app.services.slips import SendTo, slip_create, slip_done, slip_reroute
from switchboard.security import CONTENT_SECURITY_POLICY
from tests.messages_app.slip_helpers import make_desk, speaks

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://[^\s\"<]+/messages/ack/[^\s\"<]+/")


@pytest.fixture
def desk(db):
    return make_desk()


@pytest.fixture
def slip(desk):
    return slip_create(
        taken_by=desk.operator,
        message="Mohon telepon balik",
        for_staff=desk.budi,
        send_to=SendTo.BOTH,
        caller_name="Pak Joko",
        caller_number="0812-3456-7890",
    )


def ack_url(slip, staff=None, **kwargs):
    token = slip_ack_token(slip_id=slip.pk, staff_id=staff.pk if staff else None, **kwargs)
    return reverse("messages_app:slip-ack", args=[token])


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = "https://switchboard.example.co.id"


@pytest.fixture
def anonymous():
    return Client()


def test_a_get_shows_the_message_and_changes_nothing(slip, desk, anonymous):
    response = anonymous.get(ack_url(slip, desk.budi))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Mohon telepon balik" in html and "Pak Joko" in html
    assert 'type="submit"' in html  # the button that acknowledges
    slip.refresh_from_db()
    assert slip.status == SlipStatus.NEW and slip.events.count() == 1
    assert slip.slip_recipients.get(staff=desk.budi).read_at is None


def test_a_scanner_fetching_the_link_many_times_acknowledges_nothing(slip, desk, anonymous):
    for _ in range(3):
        anonymous.get(ack_url(slip, desk.budi))
        anonymous.head(ack_url(slip, desk.budi))

    slip.refresh_from_db()
    assert slip.status == SlipStatus.NEW


def test_the_post_acknowledges_for_the_recipient_without_a_log_in(slip, desk, anonymous):
    response = anonymous.post(ack_url(slip, desk.budi))

    assert response.status_code == 200
    assert "the message is acknowledged" in response.content.decode()
    slip.refresh_from_db()
    assert slip.status == SlipStatus.ACKNOWLEDGED
    assert slip.acknowledged_by == desk.budi.user
    assert "e-mailed link" in slip.acknowledged_note and "Budi Santoso" in slip.acknowledged_note
    assert slip.slip_recipients.get(staff=desk.budi).read_at is not None
    assert slip.events.filter(kind="acknowledged").count() == 1


def test_the_cover_acknowledges_with_their_own_link(slip, desk, anonymous):
    anonymous.post(ack_url(slip, desk.sari))

    slip.refresh_from_db()
    assert slip.acknowledged_by == desk.sari.user
    assert slip.slip_recipients.get(staff=desk.sari).read_at is not None
    assert slip.slip_recipients.get(staff=desk.budi).read_at is None


def test_replaying_a_used_link_changes_nothing(slip, desk, anonymous):
    url = ack_url(slip, desk.budi)
    anonymous.post(url)
    slip.refresh_from_db()
    first = (slip.acknowledged_at, slip.version, slip.events.count())

    again = anonymous.post(url)

    assert again.status_code == 200
    assert "was acknowledged on" in again.content.decode()
    slip.refresh_from_db()
    assert (slip.acknowledged_at, slip.version, slip.events.count()) == first


def test_a_link_can_never_bring_a_done_slip_back(slip, desk, anonymous):
    slip_done(slip=slip, by=desk.operator, note="Called back")

    response = anonymous.post(ack_url(slip, desk.budi))

    assert response.status_code == 200
    assert "was dealt with" in response.content.decode()
    slip.refresh_from_db()
    assert slip.status == SlipStatus.DONE and slip.acknowledged_at is None


def test_an_expired_link_says_so_and_changes_nothing(slip, desk, anonymous, settings):
    settings.SLIP_ACK_LINK_DAYS = 7
    old = ack_url(slip, desk.budi, now=timezone.now() - timedelta(days=8))
    fresh_enough = ack_url(slip, desk.budi, now=timezone.now() - timedelta(days=6))

    for method in (anonymous.get, anonymous.post):
        response = method(old)
        assert response.status_code == 410
        assert "This link has expired" in response.content.decode()
    slip.refresh_from_db()
    assert slip.status == SlipStatus.NEW
    assert anonymous.get(fresh_enough).status_code == 200


def test_the_validity_follows_the_setting(slip, desk, anonymous, settings):
    settings.SLIP_ACK_LINK_DAYS = 1

    response = anonymous.get(ack_url(slip, desk.budi, now=timezone.now() - timedelta(days=2)))

    assert response.status_code == 410
    assert "work for 1 day" in response.content.decode()


def _tamper(url: str) -> str:
    token = url.rstrip("/").rsplit("/", 1)[1]
    flipped = token[:-1] + ("A" if token[-1] != "A" else "B")
    return url.replace(token, flipped)


@pytest.mark.parametrize("how", ["signature", "other_slip", "garbage", "empty_parts"])
def test_an_altered_link_is_not_valid(slip, desk, anonymous, how):
    good = ack_url(slip, desk.budi)
    token = good.rstrip("/").rsplit("/", 1)[1]
    if how == "signature":
        url = _tamper(good)
    elif how == "other_slip":  # the slip id changed, the signature kept
        url = good.replace(token, token.replace(f"{slip.pk}.", f"{slip.pk + 1}.", 1))
    elif how == "garbage":
        url = reverse("messages_app:slip-ack", args=["x" * 500])
    else:
        url = reverse("messages_app:slip-ack", args=[":::"])

    for method in (anonymous.get, anonymous.post):
        response = method(url)
        assert response.status_code == 400
        assert "This link is not valid" in response.content.decode()
    slip.refresh_from_db()
    assert slip.status == SlipStatus.NEW


def test_a_link_to_someone_the_message_no_longer_goes_to(slip, desk, anonymous):
    url = ack_url(slip, desk.budi)
    slip_reroute(slip=slip, by=desk.operator, for_staff=desk.rina, reason="her client")

    response = anonymous.post(url)

    assert response.status_code == 404
    assert "no longer with you" in response.content.decode()
    slip.refresh_from_db()
    assert slip.status == SlipStatus.NEW


def test_a_link_to_a_deleted_slip_says_it_is_gone(slip, desk, anonymous):
    url = ack_url(slip, desk.budi)
    MessageSlip.objects.filter(pk=slip.pk).delete()

    assert anonymous.get(url).status_code == 404


def test_the_department_mailbox_link_acknowledges_a_department_slip(desk, anonymous):
    slip = slip_create(
        taken_by=desk.operator, message="Untuk bagian keuangan", for_department=desk.finance
    )

    anonymous.post(ack_url(slip, None))

    slip.refresh_from_db()
    assert slip.status == SlipStatus.ACKNOWLEDGED and slip.acknowledged_by is None
    assert "keuangan@example.co.id" in slip.acknowledged_note


def test_the_page_is_clean_for_the_content_security_policy(slip, desk, anonymous):
    response = anonymous.get(ack_url(slip, desk.budi))

    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert CONTENT_SECURITY_POLICY["script-src"] == "'self'"
    html = response.content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)
    assert " style=" not in html and " onclick=" not in html


def test_the_page_speaks_the_recipients_language(slip, desk, anonymous):
    speaks(desk.budi, "id")

    html = anonymous.get(ack_url(slip, desk.budi)).content.decode()

    assert '<html lang="id">' in html and "Penelepon" in html  # "Caller"


# The e-mail ---------------------------------------------------------------------


def _mail_for(mailoutbox, address):
    return next(m for m in mailoutbox if m.to == [address])


def _deliver(desk, django_capture_on_commit_callbacks, **kwargs):
    fields = {
        "taken_by": desk.operator,
        "message": "Tolong telepon balik soal faktur",
        "for_staff": desk.budi,
        "send_to": SendTo.BOTH,
        "caller_name": "Pak Joko",
        "caller_company": "PT Maju",
        "caller_number": "0812-3456-7890",
        "callback_time": "after 3 pm",
        "urgency": "urgent",
        "mood": "upset",
        **kwargs,
    }
    with django_capture_on_commit_callbacks(execute=True):
        return slip_create(**fields)


def test_the_e_mail_says_who_called_how_to_call_back_and_links_to_acknowledge(
    desk, django_capture_on_commit_callbacks, mailoutbox, anonymous, settings
):
    _deliver(desk, django_capture_on_commit_callbacks)

    mail = _mail_for(mailoutbox, "budi@example.co.id")
    assert mail.subject == "[Urgent] Message from Pak Joko for Budi Santoso"
    html = mail.alternatives[0][0]
    for part in (mail.body, html):
        for text in ("Pak Joko", "PT Maju", "0812-3456-7890", "after 3 pm", "Urgent", "Upset"):
            assert text in part, text
        assert "Tolong telepon balik soal faktur" in part
    assert 'href="tel:+6281234567890"' in html
    link = LINK.search(mail.body).group(0)
    assert link.startswith("https://switchboard.example.co.id/messages/ack/")
    assert f'href="{link}"' in html
    # The link is Budi's own; the one in Sari's e-mail is hers.
    sari_link = LINK.search(_mail_for(mailoutbox, "sari@example.co.id").body).group(0)
    assert sari_link != link
    assert anonymous.post(link.removeprefix(settings.SITE_URL)).status_code == 200
    assert MessageSlip.objects.get().acknowledged_by == desk.budi.user


def test_the_e_mail_is_in_each_recipients_language(
    desk, django_capture_on_commit_callbacks, mailoutbox
):
    speaks(desk.budi, "id")
    speaks(desk.sari, "en")

    _deliver(desk, django_capture_on_commit_callbacks)

    budi, sari = (_mail_for(mailoutbox, a) for a in ("budi@example.co.id", "sari@example.co.id"))
    assert "Penelepon" in budi.body and "Nomor" in budi.body  # Caller, Number
    assert '<html lang="id">' in budi.alternatives[0][0]
    assert "Caller" in sari.body and "Penelepon" not in sari.body
    assert Notification.objects.get(address="budi@example.co.id").language == "id"


def test_the_department_mailbox_gets_a_link_too(
    desk, django_capture_on_commit_callbacks, mailoutbox
):
    _deliver(desk, django_capture_on_commit_callbacks, for_staff=None, for_department=desk.finance)

    mailbox = _mail_for(mailoutbox, "keuangan@example.co.id")
    assert "Hello Keuangan" in mailbox.body
    assert mailbox.subject.endswith("for Keuangan")
    assert LINK.search(mailbox.body)


@pytest.mark.parametrize("kind", ["slip_reminder", "slip_escalated"])
def test_reminder_and_escalation_wording(desk, slip, kind):
    from messages_app.delivery import send_email

    notification = Notification.objects.create(
        kind=kind,
        channel="email",
        slip=slip,
        recipient=desk.head,
        address="hadi@example.co.id",
        language="en",
    )
    from django.core import mail

    send_email(notification)

    sent = mail.outbox[-1]
    if kind == "slip_reminder":
        assert sent.subject == "Reminder: message from Pak Joko not acknowledged yet"
        assert "not acknowledged yet" in sent.body
    else:
        assert sent.subject == "Not acknowledged: message from Pak Joko for Budi Santoso"
        assert "comes to you as well" in sent.body
    assert "Mohon telepon balik" in sent.body and LINK.search(sent.body)
