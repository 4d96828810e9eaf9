"""Writes of the daily recap: the build (and rebuild), the supervisor's
comment, "reviewed", the sign-off, and the e-mail to the supervisors.

The build reads every figure with aggregate queries (reports.recap_figures)
and writes the one row of the date (`DailyRecap.date` is unique) under a row
lock, so two workers or beats building the same day at once leave one recap
and the second simply rebuilds it. A signed-off recap is rebuilt only with
`force` and a reason: it keeps `signed_figures`, its status becomes
"rebuilt", and the history keeps every version.

Review steps follow RECAP_TRANSITIONS and are conditional updates on the
row's version whose row count is checked: of two supervisors acting on the
same page, the second gets RecapConflict and nothing of theirs is written.
A build also moves the version on, so a page read before a rebuild is stale.
"""

import logging
import time
from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from reports.models import DailyRecap, RecapStatus
from reports.models.recap import TEXT_MAX
from reports.recap_figures import company_zone, recap_figures
from switchboard.roles import SUPERVISOR

logger = logging.getLogger(__name__)

REASON_MAX = 300
TEXT_ENGINE = "text"  # settings.TEMPLATES: the same templates, no HTML escaping

# The steps a recap's review may take (a forced rebuild takes a signed-off
# recap to "rebuilt"; that is recap_build's, not a review step).
RECAP_TRANSITIONS: dict[str, set[str]] = {
    RecapStatus.BUILT: {RecapStatus.REVIEWED, RecapStatus.SIGNED_OFF},
    RecapStatus.REVIEWED: {RecapStatus.SIGNED_OFF},
    RecapStatus.SIGNED_OFF: set(),
    RecapStatus.REBUILT: {RecapStatus.REVIEWED, RecapStatus.SIGNED_OFF},
}


class RecapConflict(ValidationError):
    """Someone else changed the recap since the page was read: nothing written."""


class RecapSignedOff(ValidationError):
    """A plain rebuild of a signed-off recap: refused (rebuild with force and a reason)."""


def _conflict() -> RecapConflict:
    return RecapConflict(
        _(
            "Someone else changed this recap a moment ago (or it was rebuilt). Nothing "
            "was changed: check it as it is now and try again."
        ),
        code="conflict",
    )


def local_today(now: datetime | None = None) -> date:
    return timezone.localdate(now or timezone.now())


# The build ----------------------------------------------------------------------


def recap_build(
    *, day: date, by=None, reason: str = "", force: bool = False, now: datetime | None = None
) -> DailyRecap:
    """Build or rebuild the recap of the local date `day` and return it.

    Writes the DailyRecap row (created, or updated under a row lock) and one
    history row; when the figures come out the same as stored, nothing is
    written (`recap.changed` says which), so a second backfill changes nothing.
    A signed-off recap: RecapSignedOff unless `force`, and then
    a reason is required (ValidationError on "reason"); its signed figures
    stay and its status becomes "rebuilt". A day in the future:
    ValidationError on "day"."""
    now = now or timezone.now()
    reason = (reason or "").strip()
    if day > local_today(now):
        raise ValidationError({"day": _("This day has not come yet: there is nothing to build.")})
    if len(reason) > REASON_MAX:
        raise ValidationError(
            {"reason": _("At most %(max)d characters, please.") % {"max": REASON_MAX}}
        )
    started = time.monotonic()
    figures = recap_figures(day=day, now=now)
    build_ms = round((time.monotonic() - started) * 1000)
    with transaction.atomic():
        recap = DailyRecap.objects.select_for_update().filter(date=day).first()
        if recap is None:
            try:
                with transaction.atomic():
                    recap = DailyRecap(date=day, figures=figures, built_at=now, build_ms=build_ms)
                    recap._history_user = by
                    recap.save()
                    recap.changed = True
                    return recap
            except IntegrityError:
                # Another worker created it meanwhile: rebuild theirs.
                recap = DailyRecap.objects.select_for_update().get(date=day)
        if recap.status == RecapStatus.SIGNED_OFF:
            if not force:
                raise RecapSignedOff(
                    _(
                        "The recap of %(day)s is signed off: it is rebuilt only on purpose, "
                        "with a reason (force)."
                    )
                    % {"day": day.isoformat()},
                    code="signed_off",
                )
            if not reason:
                raise ValidationError(
                    {"reason": _("Give the reason for rebuilding a signed-off recap.")}
                )
            recap.status = RecapStatus.REBUILT
            recap.rebuild_reason = reason
        elif recap.figures == figures:
            recap.changed = False  # the same data: nothing to write
            return recap
        elif reason:
            recap.rebuild_reason = reason
        recap.figures = figures
        recap.built_at = now
        recap.build_ms = build_ms
        recap.builds += 1
        recap.version += 1
        recap._history_user = by
        recap.save()
        recap.changed = True
    return recap


def nightly_day(now: datetime) -> date:
    """The day the nightly job builds: the local date it runs on, or the day
    before when it runs before noon (a build time such as 00:30 builds the
    day that has just ended)."""
    local = now.astimezone(company_zone())
    return local.date() if local.hour >= 12 else local.date() - timedelta(days=1)


def recap_nightly(*, now: datetime | None = None) -> dict:
    """The nightly build: the day's recap, then the supervisors' e-mail
    (once per recap, however often the job runs). A signed-off day is left
    as it is."""
    now = now or timezone.now()
    day = nightly_day(now)
    try:
        recap = recap_build(day=day, now=now)
    except RecapSignedOff:
        return {"day": day.isoformat(), "built": False, "emailed": 0}
    return {"day": day.isoformat(), "built": True, "emailed": recap_notify(recap=recap, now=now)}


def recap_morning(*, now: datetime | None = None) -> dict:
    """The early-morning rebuild of yesterday (late corrections), unless it
    is signed off; no e-mail."""
    now = now or timezone.now()
    day = local_today(now) - timedelta(days=1)
    try:
        recap_build(day=day, now=now)
    except RecapSignedOff:
        return {"day": day.isoformat(), "built": False}
    return {"day": day.isoformat(), "built": True}


# Review steps ------------------------------------------------------------------------


def _expected(recap: DailyRecap, version) -> int:
    if version in (None, ""):
        return recap.version
    try:
        expected = int(version)
    except (TypeError, ValueError):
        expected = -1
    if expected != recap.version:
        raise _conflict()
    return expected


def _claim(recap: DailyRecap, changes: dict, *, version, by, now) -> DailyRecap:
    expected = _expected(recap, version)
    with transaction.atomic():
        updated = DailyRecap.objects.filter(pk=recap.pk, version=expected).update(
            **changes, version=F("version") + 1
        )
        if updated != 1:
            raise _conflict()
        for name, value in changes.items():
            setattr(recap, name, value)
        recap.version = expected + 1
        DailyRecap.history.bulk_history_create(
            [recap], update=True, default_user=by, default_date=now
        )
    return recap


def _check(recap: DailyRecap, to_status: str) -> None:
    if to_status not in RECAP_TRANSITIONS.get(recap.status, set()):
        if recap.status == RecapStatus.SIGNED_OFF:
            raise ValidationError(_("This recap is signed off already."), code="signed_off")
        raise ValidationError(_("This recap is reviewed already."), code="reviewed")


def recap_comment(*, recap: DailyRecap, by, comment: str, version=None, now=None) -> DailyRecap:
    """Save the supervisor's comment (blank clears it); history kept."""
    now = now or timezone.now()
    comment = (comment or "").strip()
    if len(comment) > TEXT_MAX:
        raise ValidationError(
            {"comment": _("At most %(max)d characters, please.") % {"max": TEXT_MAX}}
        )
    return _claim(recap, {"comment": comment}, version=version, by=by, now=now)


def recap_mark_reviewed(*, recap: DailyRecap, by, version=None, now=None) -> DailyRecap:
    now = now or timezone.now()
    _check(recap, RecapStatus.REVIEWED)
    changes = {"status": RecapStatus.REVIEWED, "reviewed_by": by, "reviewed_at": now}
    return _claim(recap, changes, version=version, by=by, now=now)


def recap_sign_off(*, recap: DailyRecap, by, version=None, now=None) -> DailyRecap:
    """Sign the recap off with its figures as they are (kept in
    `signed_figures`). Only a day that is over may be signed off."""
    now = now or timezone.now()
    if recap.date >= local_today(now):
        raise ValidationError(_("The day is not over yet: sign its recap off tomorrow."))
    _check(recap, RecapStatus.SIGNED_OFF)
    changes = {
        "status": RecapStatus.SIGNED_OFF,
        "signed_by": by,
        "signed_at": now,
        "signed_figures": recap.figures,
    }
    if recap.reviewed_by_id is None:
        changes.update(reviewed_by=by, reviewed_at=now)
    return _claim(recap, changes, version=version, by=by, now=now)


# The e-mail to the supervisors ----------------------------------------------------------


def recap_recipients():
    """Active users with the Supervisor role and an e-mail address, with the
    language saved on their account ("" for the company default)."""
    return (
        get_user_model()
        .objects.filter(groups__name=SUPERVISOR, is_active=True)
        .exclude(email="")
        .values_list("pk", "email", "first_name", "last_name", "username", "preference__language")
        .order_by("pk")
        .distinct()
    )


def headline(figures: dict) -> dict:
    """The figures the e-mail (and the page's summary) lead with."""
    calls = figures.get("calls", {})
    usual = figures.get("usual", {})
    return {
        "calls": calls.get("total", 0),
        "usual_calls": usual.get("calls"),
        "busiest_hour": calls.get("busiest_hour"),
        "missed": figures.get("missed", {}).get("total", 0),
        "not_called_back": figures.get("missed", {}).get("not_called_back", 0),
        "messages": figures.get("messages", {}).get("taken", 0),
        "messages_overdue": figures.get("messages", {}).get("overdue", 0),
        "complaints": figures.get("complaints", {}).get("opened", 0),
        "complaints_overdue": figures.get("complaints", {}).get("overdue", 0),
        "present": figures.get("attendance", {}).get("present", 0),
        "late": figures.get("attendance", {}).get("late", 0),
        "absent": figures.get("attendance", {}).get("absent", 0),
        "qa_average": figures.get("quality", {}).get("average"),
        "incidents": figures.get("incidents", {}).get("count", 0),
        "fcr_rate": figures.get("fcr", {}).get("rate"),
    }


def recap_email(recap: DailyRecap, *, address: str, name: str, language: str):
    """The e-mail about `recap` to one supervisor, in `language`, not sent."""
    language = language or settings.LANGUAGE_CODE
    with translation.override(language):
        context = {
            "recap": recap,
            "day": recap.date,
            "name": name,
            "language": language,
            "company_name": settings.COMPANY_NAME,
            "site_url": settings.SITE_URL,
            "link": settings.SITE_URL.rstrip("/")
            + reverse("reports:recap-detail", args=[recap.date.isoformat()]),
            "h": headline(recap.figures),
        }
        subject = render_to_string("emails/recap_built_subject.txt", context, using=TEXT_ENGINE)
        context["subject"] = " ".join(subject.split())
        text = render_to_string("emails/recap_built_body.txt", context, using=TEXT_ENGINE)
        html = render_to_string("emails/recap_built_body.html", context)
    message = EmailMultiAlternatives(
        context["subject"],
        text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[address],
        headers={
            "Auto-Submitted": "auto-generated",
            "X-Auto-Response-Suppress": "OOF, AutoReply",
            "Content-Language": language,
            "X-Switchboard-Kind": "recap_built",
        },
    )
    message.attach_alternative(html, "text/html")
    return message


def recap_notify(*, recap: DailyRecap, now: datetime | None = None) -> int:
    """E-mail the supervisors that `recap` is built, once: the recap's
    `notified_at` is claimed first with a conditional update, so a retried
    or repeated job sends nothing more. If sending fails, the claim is given
    back (and the error raised) for the task's retry. Returns the e-mails sent."""
    now = now or timezone.now()
    claimed = DailyRecap.objects.filter(pk=recap.pk, notified_at__isnull=True).update(
        notified_at=now
    )
    if not claimed:
        return 0
    recap.notified_at = now
    messages = [
        recap_email(
            recap,
            address=email,
            name=" ".join(part for part in (first, last) if part) or username,
            language=language or "",
        )
        for _pk, email, first, last, username, language in recap_recipients()
    ]
    if not messages:
        return 0
    try:
        with get_connection() as connection:
            sent = connection.send_messages(messages) or 0
    except Exception:
        DailyRecap.objects.filter(pk=recap.pk, notified_at=now).update(notified_at=None)
        recap.notified_at = None
        logger.exception("the recap e-mail of %s failed; it will be sent again", recap.date)
        raise
    return sent
