"""`manage.py seed_demo_recaps`: the demo supervisor's work on the demo's
daily recaps (run after `build_recap --last 56` in `make seed`), so the
recap list shows every state a real desk has: the recaps older than a week
signed off, each with a short comment; the one of the day before yesterday
reviewed; yesterday's, and anything newer, waiting to be signed off.

Through the same services as the recap page, so each step is in the history.
Only recaps still as built are touched: a second run changes nothing, and a
recap someone has worked on is left as it is.
"""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from reports.models import DailyRecap, RecapStatus
from reports.services.recap import (
    local_today,
    recap_comment,
    recap_mark_reviewed,
    recap_sign_off,
)

SUPERVISOR = "supervisor"
SIGNED_AFTER_DAYS = 7
COMMENTS = (
    "Sudah dicek, sesuai buku catatan.",
    "Panggilan tak terjawab sudah ditelepon balik.",
    "Ramai di pagi hari; jadwal shift Pagi cukup.",
    "Keluhan sudah diteruskan ke divisi terkait.",
)


class Command(BaseCommand):
    help = "Sign off and review the demo's daily recaps as the demo supervisor."

    def handle(self, *args, **options):
        supervisor = get_user_model().objects.filter(username=SUPERVISOR).first()
        if supervisor is None:
            raise CommandError("The demo is not loaded: run `manage.py seed_demo` first.")
        today = local_today()
        signed = reviewed = 0
        built = DailyRecap.objects.filter(status=RecapStatus.BUILT, comment="")
        with transaction.atomic():
            old = built.filter(date__lt=today - timedelta(days=SIGNED_AFTER_DAYS))
            for i, recap in enumerate(old.order_by("date")):
                recap = recap_comment(
                    recap=recap, by=supervisor, comment=COMMENTS[i % len(COMMENTS)]
                )
                recap_sign_off(recap=recap, by=supervisor)
                signed += 1
            recap = built.filter(date=today - timedelta(days=2)).first()
            if recap is not None:
                recap = recap_comment(
                    recap=recap, by=supervisor, comment="Cek lagi angka keluhan besok pagi."
                )
                recap_mark_reviewed(recap=recap, by=supervisor)
                reviewed += 1
        self.stdout.write(f"Demo recaps: {signed} signed off, {reviewed} reviewed.")
