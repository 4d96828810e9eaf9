"""`manage.py seed_demo_handovers`: the demo desk's shift handovers of the
last week (run after the roster and the calls in `make seed`). Each shift
worked ends with a handover and a short note, acknowledged by the operator of
the next shift as it starts; the last shift that ended before now is handed
over and still waits for its acknowledgement, so the incoming operator sees
one on the handover page.

Through the same services as the handover page (figures, history). A shift
handed over already is left as it is: a second run changes nothing.
"""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from reports.models import AttendanceDay, AttendanceStatus, ShiftHandover
from reports.services.handover import handover_acknowledge, handover_create

DAYS = 7
NOTES = (
    "Pak Hendra (PT Mandiri Sinar) minta ditelepon balik sebelum jam 10.",
    "Tamu dari Bank Nusantara datang jam 13.00, sudah dikabari ke Keuangan.",
    "Saluran Telkom sempat putus 5 menit, sudah normal lagi.",
    "Paket untuk Bu Rina dititip di resepsionis.",
    "",
    "Tidak ada yang tertunda.",
)


class Command(BaseCommand):
    help = "Add the demo's shift handovers of the last week."

    def handle(self, *args, **options):
        now = timezone.now()
        worked = list(
            AttendanceDay.objects.filter(
                date__gte=timezone.localdate(now) - timedelta(days=DAYS),
                status=AttendanceStatus.PRESENT,
                scheduled_end__lt=now,
            )
            .select_related("operator")
            .order_by("scheduled_end")
        )
        done = set(ShiftHandover.objects.values_list("operator_id", "period_start"))
        made = acknowledged = 0
        for i, day in enumerate(worked):
            if (day.operator_id, day.scheduled_start) in done:
                continue
            following = next(
                (w for w in worked[i + 1 :] if w.scheduled_start >= day.scheduled_end), None
            )
            try:
                with transaction.atomic():
                    handover = handover_create(
                        operator=day.operator,
                        note=NOTES[i % len(NOTES)],
                        now=day.scheduled_end - timedelta(minutes=5),
                    )
                    made += 1
                    if following is not None and following.scheduled_start < now:
                        handover_acknowledge(
                            handover=handover,
                            by=following.operator,
                            now=max(following.scheduled_start, day.scheduled_end)
                            + timedelta(minutes=5),
                        )
                        acknowledged += 1
            except ValidationError:
                continue  # the shift's window is not the roster's (a swap, a correction)
        self.stdout.write(f"Demo handovers: {made} handed over, {acknowledged} acknowledged.")
