"""`manage.py seed_demo_reviews`: the demo company's call quality (`make seed`
runs it after seed_demo_messages): the scorecard, the samples of this month
and the two before, about fifteen reviews per operator per month (most
scoring 80–95, a few under 70, one auto-fail), acknowledgements, a dispute
waiting for a decision and one decided, a draft, and a calibration round
with three reviewers. See reports/demo/quality.py.

Idempotent: the scorecard is created only when missing (by name), a day
that has calls gets none, a month in which an operator has reviews gets no
more, the samples are only topped up to QA_SAMPLE_PER_OPERATOR, and the
calibration round is made only when there is none. A second run changes
nothing.
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from calls.models import Call
from reports.demo.quality import load_demo_reviews


class Command(BaseCommand):
    help = (
        "Load the demo scorecard, monthly samples, reviews and a calibration round "
        "(after seed_demo_calls; running it again changes nothing)."
    )

    def handle(self, *args, **options):
        if not Call.objects.exists():
            raise CommandError("There are no calls: run `manage.py seed_demo_calls` first.")
        summary = load_demo_reviews(now=timezone.now())
        parts = [
            "scorecard created" if summary.scorecard_created else "scorecard present",
            f"{summary.reviewers_created} reviewers created",
            f"{summary.history_calls} calls of earlier months",
            f"{summary.sampled} calls sampled",
            f"{summary.reviews} reviews",
            f"{summary.rounds} calibration rounds",
        ]
        self.stdout.write(self.style.SUCCESS("Demo reviews: " + ", ".join(parts) + "."))
