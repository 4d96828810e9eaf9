"""`manage.py seed_demo_messages`: message slips and complaints for the demo
company (`make seed` runs it after seed_demo_calls, the history before them),
so a first `make run` shows a desk at work.

It makes sure the rules exist: complaint categories and products of PT
Nusantara Sejahtera (household appliances made in Cikarang), the default
response targets and the urgency limits (migration 0002's), each created only
when missing by its name or natural key, so whatever an admin changed stays as
it is; and, when the company has no routing rule yet, a set of them (category
/ product / keywords -> department, a fallback last) with their own targets.

Then the demo calls whose outcome is "message" become slips and those whose
outcome is "complaint" become complaints, linked to their call, through the
services the console uses (slip_create and complaint_create with the call and
its time), with a few taken on their own (a walk-in visitor, a message relayed
by a colleague, a letter). What happened to each afterwards is replayed in
time order, each step through its service with its own time: the e-mails go
out a few seconds after a save (notifications.deliver, as the worker would),
recipients acknowledge through the e-mailed link or ring the desk ("got it",
marked by the operator), calls are returned and slips closed; departments
acknowledge, assign, work on, comment on (internally and to the customer),
resolve, close and reopen complaints. Between the steps the escalation sweeps
run at the moments the beat would have run them, so a slip nobody took up is
sent again, then to the cover or the head, then shown to the supervisors, and
an overdue complaint goes to its head and then to the supervisors. Nothing
happens after the moment the command runs, so the newest slips and complaints
are still waiting.

The people who work complaints act with their own log-ins: the demo "staff"
log-in (Budi Santoso, head of Penjualan) for his department, and for the other
departments that get complaints a log-in is made for their head and one
worker (no password: nobody signs in with them; they exist so that the
timeline names who did what).

The rules are messages_app/demo/rules.py, the replay messages_app/demo/desk.py
(who works complaints: demo/teams.py), and what everyone says demo/stories.py.

Deterministic: each slip's and complaint's choices come from a generator
seeded with SEED and its call's time (or its text), so the same calls give the
same desk on every machine. Idempotent: a call that has its slip or complaint
is left alone, and so is a slip or complaint taken on its own whose text is
already there; a second run writes nothing (no slip, complaint, event or
notification). Everything is written in one transaction: a failure leaves
nothing half-seeded. Every notification it writes is sent before it ends, so
nothing is left for the sweep to send again. With the console e-mail backend
(the embedded default) the e-mails go to a file in EMAIL_FILE_PATH instead of
flooding the terminal (`-v 2` shows them).
"""

import logging
from contextlib import contextmanager, redirect_stdout
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone, translation

from directory.management.commands import seed_demo as demo
from directory.models import Department
from messages_app import notifications
from messages_app.demo.desk import DemoDesk
from messages_app.demo.rules import ensure_catalogue, ensure_urgency_limits
from messages_app.models import (
    OPEN_COMPLAINT_STATUSES,
    OPEN_SLIP_STATUSES,
    Channel,
    Complaint,
    MessageSlip,
    Notification,
)
from switchboard.roles import OPERATOR

CONSOLE_BACKEND = "django.core.mail.backends.console.EmailBackend"
MAIL_FILE = "seed_demo_messages.log"
# "Task ... succeeded" for every eager task; kombu's "no hostname" without a broker.
QUIET_LOGGERS = ("celery.app.trace", "kombu.connection")


class Command(BaseCommand):
    help = (
        "Turn the demo calls into message slips and complaints at every stage, with the "
        "categories, products, routing rules and urgency limits they need (after "
        "seed_demo_calls; running it again changes nothing)."
    )

    def handle(self, *args, **options):
        quiet = options.get("verbosity", 1) < 2
        with quiet_output(quiet=quiet) as mail_file:
            result = load_demo_messages(now=timezone.now())
        self.stdout.write(self.style.SUCCESS(result.summary(mail_file)))


@contextmanager
def quiet_output(*, quiet: bool):
    """Keep the terminal to the one-line summary: the eager tasks' log lines
    (one per notification) are held back and, with the console e-mail backend,
    the e-mails go to a file in EMAIL_FILE_PATH (the backend writes to
    sys.stdout; the command's own output is not affected). Yields that file, or
    None when the e-mails go where the backend sends them."""
    if not quiet:
        yield None
        return
    loggers = [logging.getLogger(name) for name in QUIET_LOGGERS]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.ERROR)
    try:
        if settings.EMAIL_BACKEND != CONSOLE_BACKEND:
            yield None
            return
        path = Path(settings.EMAIL_FILE_PATH) / MAIL_FILE
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as stream, redirect_stdout(stream):
            yield path
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


@dataclass
class Result:
    categories: int = 0
    products: int = 0
    rules: int = 0
    limits: int = 0
    log_ins: int = 0
    slips: int = 0
    slips_open: int = 0
    complaints: int = 0
    complaints_open: int = 0
    skipped: int = 0
    emails: int = 0

    def summary(self, mail_file: Path | None) -> str:
        made = [
            f"{count} {what}"
            for count, what in (
                (self.categories, "complaint categories"),
                (self.products, "products"),
                (self.rules, "routing rules"),
                (self.limits, "urgency limits"),
                (self.log_ins, "colleagues' log-ins (no password)"),
            )
            if count
        ]
        rules = f"{', '.join(made)} created" if made else "rules and limits present"
        if not (self.slips or self.complaints):
            return (
                f"Demo messages: {rules}; every demo call already has its slip or complaint, "
                "none added."
            )
        where = f" (console backend: written to {mail_file})" if mail_file else ""
        skipped = f"; {self.skipped} calls left without (refused)" if self.skipped else ""
        return (
            f"Demo messages: {rules}; {self.slips} message slips ({self.slips_open} open) and "
            f"{self.complaints} complaints ({self.complaints_open} open) added{skipped}; "
            f"{self.emails} e-mails sent{where}."
        )


def load_demo_messages(*, now) -> Result:
    """Write what is missing (see the module's docstring) as of `now`; returns
    what was added. CommandError when the demo company or an operator is missing."""
    if not Department.objects.filter(email__endswith=f"@{demo.DOMAIN}").exists():
        raise CommandError("The demo company is not loaded: run `manage.py seed_demo` first.")
    User = get_user_model()
    # The desk's work is the operator's clocked in at the time (the demo
    # roster's); when nobody is, the demo log-in's, else the first operator's.
    operators = User.objects.filter(groups__name=OPERATOR, is_active=True).distinct()
    operator = (
        operators.filter(username="operator").first() or operators.order_by("username").first()
    )
    if operator is None:
        raise CommandError("There is no active user with the Operator role to take messages.")
    last_notification = Notification.objects.aggregate(last=Max("pk"))["last"] or 0
    result = Result()
    # What the services write down (timeline notes, e-mails to the company's
    # mailboxes) is in the company's language, whoever runs the command.
    with translation.override(settings.LANGUAGE_CODE), transaction.atomic():
        for what, count in ensure_catalogue().items():
            setattr(result, what, count)
        result.limits = ensure_urgency_limits()
        desk = DemoDesk(now=now, operator=operator)
        desk.plan()
        desk.run()
        result.log_ins = desk.teams.log_ins
        result.skipped = desk.skipped
        result.slips, result.complaints = len(desk.slip_ids), len(desk.complaint_ids)
    if desk.slip_ids or desk.complaint_ids:
        # Anything not sent in the replay (a failed attempt) goes now, as the
        # beat's sweep would send it, rather than being left for later.
        notifications.sweep()
    ours = Notification.objects.filter(pk__gt=last_notification)
    result.emails = ours.filter(channel=Channel.EMAIL, sent_at__isnull=False).count()
    result.slips_open = MessageSlip.objects.filter(
        pk__in=desk.slip_ids, status__in=OPEN_SLIP_STATUSES
    ).count()
    result.complaints_open = Complaint.objects.filter(
        pk__in=desk.complaint_ids, status__in=OPEN_COMPLAINT_STATUSES
    ).count()
    return result
