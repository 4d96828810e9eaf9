"""The demo company's call quality (seed_demo_reviews): its scorecard, three
months of reviews of the demo operators' calls, the monthly samples, the
operators' acknowledgements and disputes, and one calibration round.

Reviews need calls in the months before: seed_demo_calls loads only the last
few working days; seed_demo_history (run before) adds eight weeks. Without it
(fewer than ENOUGH_CALLS calls in the two months before), a few working days
of each of the two months before are loaded here the same way
(calls.management.commands.seed_demo_calls.DemoDay, seeded by the date),
without message and complaint calls (those would need their slips and
complaints, which seed_demo_messages writes for the recent days only). A day
that already holds a call is left alone.

Every review is written through reports.services.quality with its own time,
as the supervisors would have: submitted a day or two after the call,
acknowledged or disputed by the operator a day later, and nothing after the
moment the command runs. The answers come from a generator seeded with SEED
and the call's id, so the same calls give the same reviews on every machine.
"""

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from calls.management.commands.seed_demo_calls import DemoDay
from calls.models import Call, Outcome
from directory.management.commands import seed_demo as demo
from reports.models import (
    CalibrationRound,
    DisputeDecision,
    Review,
    ReviewKind,
    Scorecard,
    ScorecardItem,
    ScorecardSection,
)
from reports.services.quality import (
    calibration_score,
    calibration_start,
    month_bounds,
    month_start,
    review_acknowledge,
    review_create,
    review_decide,
    review_dispute,
    sample_propose,
    scorecard_items,
)
from switchboard.roles import OPERATOR, SUPERVISOR

SEED = 20261101
SCORECARD = "Standar Layanan Telepon Front Desk"
REVIEWS_PER_MONTH = 15
MONTHS = 3  # this month and the two before
HISTORY_DAYS_PER_MONTH = 6
# With this many calls in the two months before, the history is there
# (seed_demo_history) and no patch days are added.
ENOUGH_CALLS = 1000

# (section, weight, [(key, question, weight, fails the review, may be N/A, guidance)])
SECTIONS = [
    (
        "Pembukaan",
        2,
        [
            (
                "greeting",
                "Salam dengan nama perusahaan (“Selamat pagi, PT Nusantara Sejahtera…”)",
                2,
                False,
                False,
                "Salam sesuai waktu, nama perusahaan, dengan suara ramah.",
            ),
            (
                "own_name",
                "Menyebutkan nama sendiri (“…dengan Siti, ada yang bisa dibantu?”)",
                1,
                False,
                False,
                "",
            ),
            (
                "rings",
                "Diangkat dalam tiga dering",
                1,
                False,
                True,
                "Tidak berlaku untuk panggilan keluar.",
            ),
        ],
    ),
    (
        "Penanganan",
        4,
        [
            ("need", "Memahami keperluan penelepon", 2, False, False, ""),
            (
                "correct",
                "Disambungkan dengan tepat, atau diberi jawaban resmi",
                3,
                False,
                True,
                "Orang atau bagian yang tepat, atau jawaban resmi untuk pertanyaannya.",
            ),
            (
                "dead_air",
                "Tidak ada jeda hening: penelepon diberi tahu saat menunggu",
                1,
                False,
                True,
                "",
            ),
            (
                "message_details",
                "Menanyakan nama dan nomor penelepon untuk pesan atau telepon balik",
                2,
                False,
                True,
                "Hanya bila pesan atau permintaan telepon balik dicatat.",
            ),
        ],
    ),
    (
        "Pernyataan wajib",
        3,
        [
            (
                "read_back",
                "Membacakan ulang pesan atau nomor keluhan kepada penelepon",
                2,
                False,
                True,
                "Hanya untuk pesan dan keluhan.",
            ),
            (
                "disclosure",
                "Hanya memberi informasi yang diizinkan jawaban resmi untuk penelepon ini",
                1,
                False,
                False,
                "",
            ),
        ],
    ),
    (
        "Penutup",
        1,
        [
            ("thanked", "Mengucapkan terima kasih", 1, False, False, ""),
            (
                "further_help",
                "Menawarkan bantuan lain (“Ada lagi yang bisa kami bantu?”)",
                1,
                False,
                True,
                "",
            ),
        ],
    ),
    (
        "Gagal otomatis",
        0,
        [
            (
                "courteous",
                "Sopan sepanjang panggilan: tidak pernah kasar kepada penelepon",
                1,
                True,
                False,
                "Jawaban Tidak di sini membuat skor penilaian 0.",
            ),
            (
                "confidential",
                "Menjaga informasi internal dan rahasia perusahaan",
                1,
                True,
                False,
                "Jawaban internal, nomor pribadi atau keberadaan rekan diberitahukan: skor 0.",
            ),
        ],
    ),
]
# Small misses that cost a good call about 5 points each; now and then a
# transfer to the wrong place costs 20.
SMALL_MISSES = ["own_name", "dead_air", "further_help", "rings", "thanked"]
COMMENTS_GOOD = [
    "Salam pembuka jelas dan ramah. Pertahankan!",
    "Transfer cepat dan tepat ke orang yang dicari.",
    "Penelepon dilayani dengan sabar, informasi sesuai jawaban resmi.",
    "Panggilan baik: salam jelas, transfer cepat.",
]
COMMENTS_MISS = {
    "own_name": ("Lupa menyebutkan nama sendiri.", "Sebutkan nama Anda setelah nama perusahaan."),
    "dead_air": (
        "Penelepon menunggu tanpa kabar saat mencari ekstensi.",
        "Beri tahu penelepon: “Mohon ditunggu, saya sambungkan.”",
    ),
    "further_help": (
        "Tidak menawarkan bantuan lain.",
        "Tutup dengan “Ada lagi yang bisa kami bantu?”",
    ),
    "rings": ("Telepon diangkat setelah lima dering.", "Angkat dalam tiga dering."),
    "correct": (
        "Disambungkan ke bagian yang kurang tepat.",
        "Cek direktori dengan kata kunci topik sebelum menyambungkan.",
    ),
    "thanked": ("Tidak mengucapkan terima kasih.", "Selalu tutup dengan terima kasih."),
    "read_back": (
        "Pesan tidak dibacakan ulang ke penelepon.",
        "Bacakan ulang nama, nomor dan isi pesan sebelum menutup.",
    ),
}


@dataclass
class Summary:
    scorecard_created: bool = False
    reviewers_created: int = 0
    history_calls: int = 0
    sampled: int = 0
    reviews: int = 0
    rounds: int = 0


class HistoryDay(DemoDay):
    """A demo day of calls from the months before, without messages and
    complaints (their slips and complaints are seed_demo_messages' work)."""

    def _plan(self) -> dict:
        for _attempt in range(50):
            plan = super()._plan()
            if plan.get("outcome") not in (Outcome.MESSAGE, Outcome.COMPLAINT):
                return plan
        return plan  # pragma: no cover - 50 message calls in a row


def ensure_scorecard() -> tuple[Scorecard, bool]:
    """The demo scorecard, created when no scorecard of that name exists;
    one an admin changed is left as it is."""
    scorecard = Scorecard.objects.filter(name=SCORECARD).first()
    if scorecard is not None:
        return scorecard, False
    scorecard = Scorecard.objects.create(
        name=SCORECARD,
        description="Front desk telephone standard: opening, handling, mandatory "
        "statements, closing; two items fail the whole review.",
    )
    for order, (name, weight, items) in enumerate(SECTIONS, start=1):
        section = ScorecardSection.objects.create(
            scorecard=scorecard, name=name, weight=weight, order=order
        )
        for item_order, (_key, text, item_weight, fails, allows_na, guidance) in enumerate(
            items, start=1
        ):
            ScorecardItem.objects.create(
                section=section,
                text=text,
                weight=item_weight,
                fails_review=fails,
                allows_na=allows_na,
                guidance=guidance,
                order=item_order,
            )
    return scorecard, True


def item_keys(scorecard) -> dict[str, ScorecardItem]:
    """The demo's keys for the scorecard's items (by their question)."""
    by_text = {item.text: item for item in scorecard_items(scorecard)}
    keys = {}
    for _name, _weight, items in SECTIONS:
        for key, text, *_rest in items:
            if text in by_text:
                keys[key] = by_text[text]
    return keys


# Reviewers --------------------------------------------------------------------------

EXTRA_SUPERVISORS = [("dewi.lestari", "Dewi", "Lestari"), ("agus.pratama", "Agus", "Pratama")]


def ensure_reviewers() -> tuple[list, int]:
    """The demo supervisor and two more (no password: they exist so that a
    calibration round has three reviewers who are named)."""
    User = get_user_model()
    group = Group.objects.get(name=SUPERVISOR)
    created = 0
    for username, first, last in EXTRA_SUPERVISORS:
        user, new = User.objects.get_or_create(
            username=username,
            defaults={"first_name": first, "last_name": last, "email": f"{username}@{demo.DOMAIN}"},
        )
        if new:
            user.set_unusable_password()
            user.save()
            created += 1
        user.groups.add(group)
    reviewers = list(
        User.objects.filter(groups=group, is_active=True).distinct().order_by("username")
    )
    # The demo log-in first: most reviews are theirs.
    reviewers.sort(key=lambda u: (u.username != "supervisor", u.username))
    return reviewers, created


# Calls ------------------------------------------------------------------------------


def history_days(today: date) -> list[date]:
    """A few working days spread over each of the two months before this one."""
    days = []
    month = month_start(today)
    for _n in range(MONTHS - 1):
        month = month_start(month - timedelta(days=1))
        working = []
        day = month
        while day.month == month.month:
            if day.weekday() < 5:
                working.append(day)
            day += timedelta(days=1)
        step = max(1, len(working) // HISTORY_DAYS_PER_MONTH)
        days.extend(working[step // 2 :: step][:HISTORY_DAYS_PER_MONTH])
    return sorted(days)


def load_history(*, now, operators) -> int:
    """The patch days' calls, unless the months already hold enough calls to
    review (seed_demo_history's eight weeks)."""
    days = history_days(timezone.localdate(now))
    start, _end = month_bounds(month_start(days[0]))
    _start, end = month_bounds(month_start(days[-1]))
    if Call.objects.live().filter(started_at__gte=start, started_at__lt=end).count() >= (
        ENOUGH_CALLS
    ):
        return 0
    count = 0
    for day in days:
        with transaction.atomic():
            count += HistoryDay(day=day, now=now, operators=operators).load()
    return count


# Reviews ----------------------------------------------------------------------------


def answers_for(call: Call, keys: dict, rng: random.Random, profile: str) -> tuple[dict, list]:
    """The answers of a review of `call` for a profile (excellent, good,
    weak, autofail) and the keys of the items missed."""
    message = call.outcome in (Outcome.MESSAGE, Outcome.CALL_BACK)
    outgoing = call.direction == "out"
    answers = {}
    for key, item in keys.items():
        if key == "rings" and outgoing:
            answers[item.pk] = "na"
        elif key == "message_details" and not message:
            answers[item.pk] = "na"
        elif key == "read_back" and call.outcome not in (Outcome.MESSAGE, Outcome.COMPLAINT):
            answers[item.pk] = "na"
        else:
            answers[item.pk] = "pass"
    missed = []
    pool = [k for k in SMALL_MISSES if k in keys and answers[keys[k].pk] != "na"]
    if profile == "good":
        missed = rng.sample(pool, k=min(len(pool), rng.choice([1, 1, 2])))
        if rng.random() < 0.1 and answers[keys["correct"].pk] != "na":
            missed.append("correct")
    elif profile == "weak":
        # A mandatory statement forgotten sinks the call below 70.
        missed = ["disclosure", *rng.sample(pool, k=min(len(pool), 1))]
    elif profile == "autofail":
        missed = ["courteous", "dead_air"]
    for key in missed:
        if key in keys:
            answers[keys[key].pk] = "fail"
    return answers, list(dict.fromkeys(missed))


def texts_for(missed: list, rng: random.Random) -> tuple[str, str]:
    if not missed:
        return rng.choice(COMMENTS_GOOD), ""
    if "courteous" in missed:
        return (
            "Nada bicara ketus kepada penelepon yang menanyakan tagihan.",
            "Sesi coaching: tetap sopan walau penelepon marah; tawarkan untuk menyambungkan ke "
            "Layanan Pelanggan.",
        )
    if "disclosure" in missed:
        return (
            "Memberi nomor HP pribadi staf tanpa izin dan salah menyambungkan.",
            "Nomor pribadi hanya atas izin; cek tingkat keterbukaan jawaban di direktori.",
        )
    comment = " ".join(COMMENTS_MISS[k][0] for k in missed if k in COMMENTS_MISS)
    coaching = " ".join(COMMENTS_MISS[k][1] for k in missed if k in COMMENTS_MISS)
    return comment, coaching


def _profile(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.27:
        return "excellent"
    if roll < 0.92:
        return "good"
    return "weak"


class ReviewPlan:
    """Writes one operator's reviews for one month, through the services."""

    def __init__(self, *, operator, month, now, reviewers, keys, scorecard, story):
        self.operator, self.month, self.now = operator, month, now
        self.reviewers, self.keys, self.scorecard = reviewers, keys, scorecard
        self.story = story  # which special cases are still to place

    def calls(self) -> list[Call]:
        start, end = month_bounds(self.month)
        sampled = list(
            Call.objects.live()
            .filter(review_samples__month=self.month, review_samples__operator=self.operator)
            .order_by("started_at")
        )
        others = list(
            Call.objects.live()
            .filter(operator=self.operator, started_at__gte=start, started_at__lt=end)
            .exclude(pk__in=[c.pk for c in sampled])
            .exclude(reviews__isnull=False)
            .exclude(calibrations__isnull=False)
            .order_by("started_at")
        )
        rng = random.Random(f"{SEED}-{self.operator.pk}-{self.month}")  # noqa: S311 - demo data
        extra = rng.sample(others, k=min(len(others), max(0, REVIEWS_PER_MONTH - len(sampled))))
        chosen = sampled if self.month != month_start(timezone.localdate(self.now)) else sampled[:3]
        return sorted([*chosen, *extra], key=lambda c: c.started_at)

    def write(self) -> int:
        count = 0
        for index, call in enumerate(self.calls()):
            if Review.objects.filter(call=call, kind=ReviewKind.REGULAR).exists():
                continue
            if call.operator_id in {r.pk for r in self.reviewers}:
                continue
            if self._write_one(call, index):
                count += 1
        return count

    def _write_one(self, call: Call, index: int) -> bool:
        rng = random.Random(f"{SEED}-{call.pk}")  # noqa: S311 - demo data
        reviewer = (
            self.reviewers[0] if index % 4 else self.reviewers[index // 4 % len(self.reviewers)]
        )
        submitted_at = call.started_at + timedelta(days=1, hours=rng.randint(1, 30))
        if submitted_at >= self.now:
            submitted_at = self.now - timedelta(minutes=30 - min(index, 29))
        if submitted_at <= call.started_at:
            return False
        profile = _profile(rng)
        special = self._special(index)
        if special == "autofail":
            profile = "autofail"
        elif special in ("disputed", "decided"):
            profile = "weak"
        answers, missed = answers_for(call, self.keys, rng, profile)
        comment, coaching = texts_for(missed, rng)
        if special == "draft":
            review_create(
                call=call,
                reviewer=reviewer,
                answers=dict(list(answers.items())[:5]),
                comment="Belum selesai: dengarkan rekaman sekali lagi.",
                now=submitted_at,
            )
            return True
        review = review_create(
            call=call,
            reviewer=reviewer,
            answers=answers,
            comment=comment,
            coaching_notes=coaching,
            submit=True,
            now=submitted_at,
        )
        answered_at = submitted_at + timedelta(hours=rng.randint(3, 26))
        if answered_at >= self.now:
            return True  # still waiting for the operator
        if special in ("disputed", "decided"):
            review_dispute(
                review=review,
                by=self.operator,
                reason="Saya sudah menyebutkan informasi sesuai jawaban resmi; penelepon "
                "mengaku sebagai keluarga staf. Mohon didengarkan ulang.",
                now=answered_at,
            )
            decided_at = answered_at + timedelta(hours=20)
            if special == "decided" and decided_at < self.now:
                amended = dict(answers)
                amended[self.keys["disclosure"].pk] = "pass"
                review_decide(
                    review=review,
                    by=reviewer if reviewer.pk != self.operator.pk else self.reviewers[0],
                    decision=DisputeDecision.AMENDED,
                    note="Setelah mendengarkan rekaman: informasi yang diberikan memang boleh "
                    "untuk keluarga. Nilai diubah; salah sambung tetap dicatat.",
                    answers=amended,
                    now=decided_at,
                )
        elif rng.random() < 0.85 and answered_at < self.now - timedelta(days=2):
            review_acknowledge(review=review, by=self.operator, now=answered_at)
        return True

    def _special(self, index: int) -> str | None:
        """Place each special case once: the auto-fail and the decided dispute
        two months back, the waiting dispute last month, the draft this month."""
        wanted = {
            2: ("autofail", "decided"),
            1: ("disputed",),
            0: ("draft",),
        }
        age = (month_start(timezone.localdate(self.now)).year - self.month.year) * 12 + (
            month_start(timezone.localdate(self.now)).month - self.month.month
        )
        for case in wanted.get(age, ()):
            if (
                case in self.story
                and index == {"autofail": 4, "decided": 7, "disputed": 5, "draft": 1}[case]
            ):
                self.story.discard(case)
                return case
        return None


def months_back(today: date) -> list[date]:
    month = month_start(today)
    months = [month]
    for _n in range(MONTHS - 1):
        month = month_start(month - timedelta(days=1))
        months.append(month)
    return sorted(months)


def calibration_round(*, now, reviewers, keys, scorecard) -> int:
    """One round on a call of last month, scored by three reviewers who
    mostly agree (one misses the dead air, another the further help)."""
    if CalibrationRound.objects.exists() or len(reviewers) < 3:
        return 0
    last_month = months_back(timezone.localdate(now))[-2]
    start, end = month_bounds(last_month)
    call = (
        Call.objects.live()
        .filter(
            operator__groups__name=OPERATOR,
            started_at__gte=start,
            started_at__lt=end,
            outcome=Outcome.TRANSFERRED,
        )
        .exclude(reviews__isnull=False)
        .exclude(review_samples__isnull=False)
        .order_by("started_at")
        .first()
    )
    if call is None:
        return 0
    three = reviewers[:3]
    created_at = min(call.started_at + timedelta(days=3), now - timedelta(hours=2))
    round_ = calibration_start(
        call=call,
        reviewers=three,
        created_by=three[0],
        note="Kalibrasi bulanan: transfer ke bagian Keuangan",
        now=created_at,
    )
    rng = random.Random(f"{SEED}-calibration")  # noqa: S311 - demo data
    for n, (reviewer, misses) in enumerate(
        zip(three, [[], ["dead_air"], ["dead_air", "further_help"]], strict=True)
    ):
        answers, _missed = answers_for(call, keys, rng, "excellent")
        for key in misses:
            answers[keys[key].pk] = "fail"
        calibration_score(
            round_=round_,
            reviewer=reviewer,
            answers=answers,
            comment=texts_for(misses, rng)[0],
            submit=True,
            now=created_at + timedelta(hours=n + 1),
        )
    return 1


def _proposal_time(month: date) -> datetime:
    """When the beat would have proposed the month's sample: the 1st, 04:00."""
    return datetime.combine(month, time(4), tzinfo=timezone.get_current_timezone())


def load_demo_reviews(*, now: datetime) -> Summary:
    """Everything above, each part only where it is missing."""
    summary = Summary()
    with transaction.atomic():
        scorecard, summary.scorecard_created = ensure_scorecard()
        reviewers, summary.reviewers_created = ensure_reviewers()
    operators = list(
        get_user_model()
        .objects.filter(groups__name=OPERATOR, is_active=True)
        .distinct()
        .order_by("username")
    )
    if not operators:
        return summary
    summary.history_calls = load_history(now=now, operators=operators)
    keys = item_keys(scorecard)
    story = {"autofail", "decided", "disputed", "draft"}
    for month in months_back(timezone.localdate(now)):
        added = sample_propose(
            month=month,
            per_operator=settings.QA_SAMPLE_PER_OPERATOR,
            rng_seed=f"{SEED}-{month}",
            now=min(now, _proposal_time(month)),
        )
        summary.sampled += sum(added.values())
        for operator in operators:
            start, end = month_bounds(month)
            if Review.objects.filter(
                operator=operator,
                kind=ReviewKind.REGULAR,
                call_date__gte=month,
                call_date__lt=end.date(),
            ).exists():
                story -= {"autofail", "decided", "disputed", "draft"}
                continue
            with transaction.atomic():
                summary.reviews += ReviewPlan(
                    operator=operator,
                    month=month,
                    now=now,
                    reviewers=[r for r in reviewers if r.pk != operator.pk],
                    keys=keys,
                    scorecard=scorecard,
                    story=story,
                ).write()
    with transaction.atomic():
        summary.rounds = calibration_round(
            now=now, reviewers=reviewers, keys=keys, scorecard=scorecard
        )
    return summary
