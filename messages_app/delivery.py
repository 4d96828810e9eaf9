"""The channels notifications travel by (registered with messages_app.notifications).

E-mail
------
One send function for every kind: it renders emails/<kind>_subject.txt,
_body.txt and _body.html in the notification's language and sends them as one
message, text with an HTML alternative. The wording belongs to the slips and
complaints (their templates); this module owns the mechanics. A kind's templates
extend the base layout (company name at the top, link and footer at the end):

    {% extends "emails/base_body.html" %}{% load i18n %}
    {% block content %}<p>{{ slip.message|linebreaksbr }}</p>{% endblock %}

and the same with emails/base_body.txt. The subject and the text body are
rendered without HTML escaping (the "text" template engine in settings), the
HTML body with it. Every template gets:

    notification, kind, slip, complaint, recipient, language,
    company_name (COMPANY_NAME), site_url (SITE_URL), link (the absolute URL of
    the slip or complaint, "" when it has no page yet), subject (in the bodies)

plus whatever the functions registered with register_email_context() return
(the slips' signed acknowledge link, say).

Headers: From is DEFAULT_FROM_EMAIL. The Message-ID is stable,
<notification-<id>@<SITE_URL host>>, so the one duplicate the outbox can cause
(see messages_app.notifications) is the same message to the mail program.
In-Reply-To and References name the slip or complaint
(<slip-<id>@host>, <complaint-<id>@host>), so the new message, its reminders
and escalations thread together. Auto-Submitted: auto-generated (RFC 3834) and
X-Auto-Response-Suppress: OOF, AutoReply (Exchange) keep out-of-office replies
from coming back (a person a slip is for is often away); bounces still do. The
X-Switchboard-* headers let a mail program file them. A mailbox the server
refuses for good (5xx) gives up at once; any other SMTP error is retried.

Webhook
-------
With NOTIFY_WEBHOOK_URL set, every notification to a person also goes there as
a JSON POST (webhook_payload() lists the fields), with these headers:

    X-Switchboard-Event: <kind>
    X-Switchboard-Delivery: <notification id>  (the same on every retry: drop repeats)
    X-Switchboard-Timestamp: <Unix time of this attempt, seconds>
    X-Switchboard-Signature: sha256=<hex HMAC-SHA256 under NOTIFY_WEBHOOK_SECRET
                             of "<timestamp>." followed by the raw body bytes>

A receiver verifies it like this (and answers 2xx once it has the message):

    signed = timestamp.encode() + b"." + raw_body
    expected = "sha256=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    ok = hmac.compare_digest(expected, signature_header) and abs(time.time() - int(timestamp)) < 300

Because the timestamp is signed, an old request replayed later fails the age
check. 2xx is success; a 4xx other than 408/429 (and a redirect) is a refusal
no retry changes and gives up at once; 408, 429, 5xx, time-outs
(NOTIFY_WEBHOOK_TIMEOUT) and connection errors are retried with back-off.
"""

import hashlib
import hmac
import http.client
import json
import logging
import smtplib
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from contextlib import contextmanager
from contextvars import ContextVar
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import BadHeaderError, EmailMultiAlternatives, get_connection
from django.template.loader import render_to_string
from django.urls import NoReverseMatch
from django.utils import translation

from messages_app.models import Channel, Notification
from messages_app.notifications import PermanentFailure, TemporaryFailure, register_sender

logger = logging.getLogger(__name__)

TEXT_ENGINE = "text"  # settings.TEMPLATES: the same templates, no HTML escaping
WEBHOOK_TEXT_MAX = 1000
RESPONSE_SNIPPET = 200

# Functions notification -> dict, merged into every e-mail's context.
EMAIL_CONTEXT: list[Callable[[Notification], dict]] = []


def register_email_context(function: Callable[[Notification], dict]) -> None:
    if function not in EMAIL_CONTEXT:
        EMAIL_CONTEXT.append(function)


def absolute_url(path: str) -> str:
    return f"{settings.SITE_URL.rstrip('/')}{path}"


def subject_url(notification: Notification) -> str:
    """The absolute URL of the slip's or complaint's page ("" if it has none)."""
    about = notification.slip or notification.complaint
    try:
        return absolute_url(about.get_absolute_url())
    except NoReverseMatch:
        return ""


def mail_domain() -> str:
    return urlsplit(settings.SITE_URL).hostname or "localhost"


def message_id(notification: Notification) -> str:
    return f"<notification-{notification.pk}@{mail_domain()}>"


def thread_id(notification: Notification) -> str:
    if notification.slip_id:
        return f"<slip-{notification.slip_id}@{mail_domain()}>"
    return f"<complaint-{notification.complaint_id}@{mail_domain()}>"


def email_context(notification: Notification) -> dict:
    context = {
        "notification": notification,
        "kind": notification.kind,
        "slip": notification.slip,
        "complaint": notification.complaint,
        "recipient": notification.recipient,
        "language": notification.language or settings.LANGUAGE_CODE,
        "company_name": settings.COMPANY_NAME,
        "site_url": settings.SITE_URL,
        "link": subject_url(notification),
    }
    for function in EMAIL_CONTEXT:
        context.update(function(notification))
    return context


def _subject(notification: Notification, context: dict) -> str:
    text = render_to_string(f"emails/{notification.kind}_subject.txt", context, using=TEXT_ENGINE)
    return " ".join(text.split())  # one line, whatever the template's layout


def build_email(notification: Notification) -> EmailMultiAlternatives:
    """The e-mail of one notification, rendered in its language, not sent."""
    language = notification.language or settings.LANGUAGE_CODE
    with translation.override(language):
        context = email_context(notification)
        context["subject"] = _subject(notification, context)
        base = f"emails/{notification.kind}"
        text = render_to_string(f"{base}_body.txt", context, using=TEXT_ENGINE)
        html = render_to_string(f"{base}_body.html", context)
    thread = thread_id(notification)
    headers = {
        "Message-ID": message_id(notification),
        "In-Reply-To": thread,
        "References": thread,
        "Auto-Submitted": "auto-generated",
        "X-Auto-Response-Suppress": "OOF, AutoReply",  # bounces still come back
        "Content-Language": language,
        "X-Switchboard-Kind": notification.kind,
        "X-Switchboard-Notification": str(notification.pk),
    }
    if notification.complaint_id:
        headers["X-Switchboard-Reference"] = notification.complaint.reference
    else:
        headers["X-Switchboard-Slip"] = str(notification.slip_id)
    message = EmailMultiAlternatives(
        context["subject"],
        text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[notification.address],
        headers=headers,
        connection=_connection.get(),
    )
    message.attach_alternative(html, "text/html")
    return message


# The sweep's batch shares one mail server connection (email_session).
_connection: ContextVar = ContextVar("outbox_email_connection", default=None)


@contextmanager
def email_session():
    """One connection to the mail server for a batch of e-mails, opened at the
    first send and reopened after an error."""
    backend = get_connection()
    token = _connection.set(backend)
    try:
        yield backend
    finally:
        _connection.reset(token)
        _close(backend)


def _close(backend) -> None:
    try:
        backend.close()
    except Exception:  # a connection that broke: nothing left to close
        logger.debug("closing the mail server connection failed", exc_info=True)


def _permanent_smtp_error(exc: Exception) -> bool:
    """The mail server refused for good: every recipient with a 5xx, or the
    message itself (5xx after DATA); a bad header never improves either."""
    if isinstance(exc, BadHeaderError):
        return True
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _message in exc.recipients.values()]
        return bool(codes) and all(500 <= code < 600 for code in codes)
    return isinstance(exc, smtplib.SMTPDataError) and 500 <= exc.smtp_code < 600


def send_email(notification: Notification) -> str:
    """Send one e-mail notification; the detail line for its attempt."""
    message = build_email(notification)
    backend = message.connection
    try:
        if backend is not None:
            backend.open()  # kept open for the batch (a no-op when it is)
        sent = message.send()
    except Exception as exc:
        if backend is not None:
            _close(backend)  # the next message of the batch starts afresh
        if _permanent_smtp_error(exc):
            raise PermanentFailure(f"{exc.__class__.__name__}: {exc}") from exc
        raise
    if not sent:
        raise PermanentFailure(f"the mail server took no message for {notification.address}")
    return f"accepted for {notification.address}"


# Webhook ------------------------------------------------------------------------


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect turns a POST into a GET elsewhere: refuse it (it surfaces as
    an HTTPError with the 3xx code) rather than report a GET as the delivery."""

    def redirect_request(self, *args, **kwargs):
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def _e164(number) -> str | None:
    if not number:
        return None
    try:
        return number.as_e164 if number.is_valid() else str(number.raw_input or "") or None
    except AttributeError:  # a plain string
        return str(number) or None


def _shorten(text: str, limit: int = WEBHOOK_TEXT_MAX) -> str:
    text = text or ""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def webhook_payload(notification: Notification) -> dict:
    """What the webhook receives: the kind, the ids (and the complaint's
    reference), who it is for (name, e-mail, mobile in E.164), the caller, the
    message text (or the complaint's description, shortened), its urgency or
    severity, the language, the subject line in that language and the absolute
    URL of the slip's or complaint's page."""
    slip, complaint, person = notification.slip, notification.complaint, notification.recipient
    language = notification.language or settings.LANGUAGE_CODE
    with translation.override(language):
        context = email_context(notification)
        subject = _subject(notification, context)
    if slip is not None:
        caller = {
            "name": slip.caller_name or None,
            "company": slip.caller_company or None,
            "number": _e164(slip.caller_number),
            "callback_number": _e164(slip.callback_number),
            "callback_time": slip.callback_time or None,
        }
        text = slip.message
    else:
        caller = {
            "name": complaint.customer_name or None,
            "number": _e164(complaint.customer_number),
        }
        text = _shorten(complaint.description)
    return {
        "id": notification.pk,
        "kind": notification.kind,
        "slip_id": notification.slip_id,
        "complaint_id": notification.complaint_id,
        "reference": complaint.reference if complaint is not None else None,
        "recipient": {
            "name": person.full_name if person else None,
            "email": (person.email or None) if person else None,
            "mobile": _e164(person.mobile) if person else None,
        },
        "caller": caller,
        "subject": subject,
        "text": text,
        "urgency": slip.urgency if slip is not None else None,
        "severity": complaint.severity if complaint is not None else None,
        "language": language,
        "url": context["link"] or None,
        "created_at": notification.created_at.isoformat(),
    }


def webhook_signature(secret: str, timestamp: str, body: bytes) -> str:
    """The X-Switchboard-Signature value: HMAC-SHA256 of "<timestamp>." + body."""
    signed = timestamp.encode() + b"." + body
    return "sha256=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def send_webhook(notification: Notification) -> str:
    """POST one notification to NOTIFY_WEBHOOK_URL (the current one: a fixed URL
    applies to retries too); the detail line for its attempt."""
    url = getattr(settings, "NOTIFY_WEBHOOK_URL", "")
    secret = getattr(settings, "NOTIFY_WEBHOOK_SECRET", "")
    if not url or not secret:
        raise PermanentFailure("the webhook is no longer configured (NOTIFY_WEBHOOK_URL)")
    timeout = getattr(settings, "NOTIFY_WEBHOOK_TIMEOUT", 10)
    host = urlsplit(url).hostname
    body = json.dumps(
        webhook_payload(notification), ensure_ascii=False, separators=(",", ":")
    ).encode()
    timestamp = str(int(time.time()))
    request = urllib.request.Request(  # noqa: S310 (http(s) only: settings checks the URL)
        url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "Switchboard-Webhook/1",
            "X-Switchboard-Event": notification.kind,
            "X-Switchboard-Delivery": str(notification.pk),
            "X-Switchboard-Timestamp": timestamp,
            "X-Switchboard-Signature": webhook_signature(secret, timestamp, body),
        },
    )
    try:
        with _opener.open(request, timeout=timeout) as response:
            status = response.status
            response.read(RESPONSE_SNIPPET)
    except urllib.error.HTTPError as exc:
        try:
            said = exc.read(RESPONSE_SNIPPET).decode("utf-8", "replace").strip()
        except Exception:
            said = ""
        finally:
            exc.close()
        detail = f"HTTP {exc.code} from {host}" + (f": {said}" if said else "")
        if exc.code in (408, 429) or exc.code >= 500:
            raise TemporaryFailure(detail) from exc
        raise PermanentFailure(detail) from exc  # a refusal (4xx) or a redirect (3xx)
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, TimeoutError):
            raise TemporaryFailure(f"no answer from {host} within {timeout} s") from exc
        raise TemporaryFailure(f"cannot reach {host}: {exc.reason}") from exc
    except TimeoutError as exc:
        raise TemporaryFailure(f"no answer from {host} within {timeout} s") from exc
    except (http.client.HTTPException, OSError) as exc:
        raise TemporaryFailure(f"{host}: {exc.__class__.__name__}: {exc}") from exc
    return f"HTTP {status} from {host}"


def register() -> None:
    register_sender(Channel.EMAIL, send_email, session=email_session)
    register_sender(Channel.WEBHOOK, send_webhook)
