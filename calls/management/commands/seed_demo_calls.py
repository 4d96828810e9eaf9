"""`manage.py seed_demo_calls`: call categories and a few days of calls for the
demo company (`make seed` runs it after seed_demo_roster and seed_demo_history).

PT Nusantara Sejahtera (directory's seed_demo) gets the call categories an
Indonesian front desk sorts its calls into, each with the department such calls
usually go to, and a realistic call log for today and the previous DAYS_BACK
working days: transfers to the people callers ask for, approved answers,
messages for people who are out, complaints, wrong numbers, outgoing calls
placed for staff, repeat callers.

Who takes them: once the demo roster is there (`make seed`), the operator
clocked in at the time, at the history's volume and shape over the whole day
(reports.demo.history.DeskDays); on its own after seed_demo, a smaller
office-hours desk shared by the operators. Every call is written through
calls.services.call_log, as the console does.
Each day's calls are drawn from a random generator seeded with SEED and the
date, so a day comes out the same on every machine. Running the command again
changes nothing: a category that exists (by name) is left as the admin keeps
it, and a day that already holds any call is left alone. Today's calls stop
before the moment the command runs (a call cannot be in the future), so run
on a later day it adds that day.
"""

import random
from dataclasses import dataclass
from datetime import datetime, time, timedelta

import phonenumbers
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from calls.models import Call, CallCategory, CallerKind, Direction, Outcome
from calls.services import call_log
from directory.management.commands import seed_demo as demo
from directory.models import Department, Disclosure, ExtensionKind, InfoEntry, Staff
from switchboard.roles import OPERATOR

SEED = 17081945
DAYS_BACK = 5  # working days before today
DAY_START, DAY_END = time(7, 45), time(17, 15)  # the desk's office day, local time
CALLS_PER_DAY = (45, 70)
CALLER_POOL = 80

# (name, default department code or None, what callers say)
# fmt: off
CATEGORIES = [
    ("Tagihan & pembayaran", "FIN", [
        "Menanyakan status pembayaran invoice", "Konfirmasi transfer pembayaran",
        "Tagihan bulan lalu belum diterima", "Minta salinan invoice", "Invoice query",
    ]),
    ("Pajak", "FIN-TAX", [
        "Minta faktur pajak", "Bukti potong PPh 23 belum diterima", "Koreksi faktur pajak",
    ]),
    ("Penawaran & pesanan", "COM-SLS", [
        "Minta penawaran harga", "Menanyakan status PO", "Ingin menjadi distributor",
        "Order status", "Price quotation for 500 units",
    ]),
    ("Keluhan pelanggan", "COM-CS", [
        "Barang diterima dalam keadaan rusak", "Pengiriman terlambat dua minggu",
        "Pelayanan sales kurang memuaskan", "Produk tidak sesuai pesanan",
    ]),
    ("Garansi & servis", "COM-CS", [
        "Klaim garansi", "Menanyakan lokasi service center", "Suku cadang belum tersedia",
    ]),
    ("Penawaran vendor", "OPS-PRC", [
        "Menawarkan produk ATK", "Registrasi vendor baru", "Follow up penawaran minggu lalu",
    ]),
    ("Pengiriman & gudang", "OPS-WH", [
        "Jadwal pengiriman barang", "Surat jalan belum diterima",
        "Konfirmasi penerimaan barang di gudang Cikarang",
    ]),
    ("Lowongan kerja", "HRD-REC", [
        "Menanyakan lowongan kerja", "Status lamaran kerja", "Jadwal psikotes",
    ]),
    ("Magang / PKL", "HRD-REC", ["Pengajuan magang mahasiswa", "Surat balasan PKL"]),
    ("Kepegawaian", "HRD", [
        "Verifikasi status karyawan dari bank", "Menanyakan slip gaji",
        "Keluarga karyawan mengabarkan sakit",
    ]),
    ("IT & sistem", "IT", ["Reset password email", "VPN tidak bisa tersambung"]),
    ("Media & humas", "DIR-SEK", ["Permintaan wawancara", "Konfirmasi siaran pers"]),
    ("CSR & sponsor", "DIR-SEK", [
        "Proposal sponsorship acara kampus", "Permohonan bantuan sosial",
    ]),
    ("Hukum & perizinan", "DIR-LEG", [
        "Surat dari kuasa hukum", "Draft perjanjian kerja sama", "Verifikasi NIB",
    ]),
    ("Janji temu direksi", "DIR", ["Minta jadwal bertemu direksi", "Undangan acara asosiasi"]),
    ("Pemasaran & promosi", "COM-MKT", [
        "Tawaran kerja sama media", "Menanyakan promo bulan ini", "Undangan pameran",
    ]),
    ("Produksi & mutu", "OPS-PRD", [
        "Keluhan mutu produk", "Sertifikat SNI produk", "Kunjungan ke pabrik",
    ]),
    ("Gedung & umum", "OPS-GA", [
        "Parkir tamu", "Paket kiriman untuk karyawan", "AC ruang rapat mati",
    ]),
    ("Informasi umum", None, ["Alamat kantor", "Jam operasional", "Nomor fax"]),
    ("Pribadi", None, ["Keluarga karyawan"]),
    ("Lain-lain", None, []),
]
OUTGOING_PURPOSES = [
    "Konfirmasi jadwal rapat", "Menghubungi vendor soal PO", "Follow up penawaran harga",
    "Konfirmasi kedatangan tamu", "Reservasi restoran untuk makan siang klien",
    "Menanyakan status pengiriman", "Call the client back about the quotation",
]
CALL_BACK_PURPOSES = [
    "Akan menelepon lagi setelah jam makan siang", "Will call again tomorrow morning",
    "Menunggu dokumen, akan telepon lagi",
]
NOTES = [
    "Nada bicara kesal.", "Sudah telepon dua kali hari ini.",
    "Minta ditelepon balik sebelum jam 3.", "Caller speaks English.",
    "Akan mengirim email susulan.",
]
COMPANY_WORDS = [
    "Maju", "Jaya", "Sentosa", "Abadi", "Makmur", "Sukses", "Mandiri", "Karya", "Prima",
    "Utama", "Bintang", "Cahaya", "Mitra", "Agung", "Sinar", "Berkah", "Mulia", "Teknik",
]
# (what the desk does, weight on a working day)
INCOMING = [
    ("transfer", 52), ("answer", 14), ("message", 12), ("no_answer", 4), ("call_back", 4),
    ("complaint", 3), ("wrong_number", 3), ("nuisance", 2),
]
DIRECTIONS = [(Direction.INCOMING, 84), (Direction.OUTGOING, 11), (Direction.INTERNAL, 5)]
MEAN_SECONDS = {
    "transfer": 35, "answer": 110, "message": 150, "no_answer": 45, "call_back": 50,
    "complaint": 300, "wrong_number": 12, "nuisance": 20, "outgoing": 150, "internal": 40,
}
# fmt: on


@dataclass(frozen=True)
class DemoCaller:
    number: str
    name: str
    company: str
    kind: str


class Command(BaseCommand):
    help = (
        "Load call categories and calls for today and the previous working days "
        "into the demo company (after seed_demo; running it again changes nothing)."
    )

    def handle(self, *args, **options):
        created, loaded = load_demo_calls(now=timezone.now())
        categories = f"{created} call categories created" if created else "call categories present"
        if loaded:
            days = ", ".join(f"{day:%a %d %b}: {count}" for day, count in loaded.items())
            self.stdout.write(self.style.SUCCESS(f"Demo calls: {categories}; calls {days}."))
        else:
            self.stdout.write(f"Demo calls: {categories}; every day already has calls, none added.")


def load_demo_calls(*, now) -> tuple[int, dict]:
    """Create the missing categories, then the calls of every demo day (as of
    `now`) that has none. Returns (categories created, {day: calls created}).
    CommandError when the demo company or an operator is missing."""
    if not Department.objects.filter(email__endswith=f"@{demo.DOMAIN}").exists():
        raise CommandError("The demo company is not loaded: run `manage.py seed_demo` first.")
    operators = list(
        get_user_model()
        .objects.filter(groups__name=OPERATOR, is_active=True)
        .order_by("username")
        .distinct()
    )
    if not operators:
        raise CommandError("There is no active user with the Operator role to take the calls.")
    with transaction.atomic():
        created = ensure_categories()
    loaded = {}
    days = demo_days(timezone.localdate(now))
    desk = _rostered_desk(now=now, days=days)
    for day in days:
        with transaction.atomic():  # a day is loaded whole or not at all
            if desk is not None:
                count = desk.load_day(day)
            else:
                count = DemoDay(day=day, now=now, operators=operators).load()
        if count:
            loaded[day] = count
    return created, loaded


def _rostered_desk(*, now, days):
    """Once seed_demo_roster has run (`make seed` runs it first), the days are
    the desk's as the history has it (reports/demo/history.py DeskDays): the
    history's volume and shape, each call logged by the operator clocked in.
    None without a clock session over the days (this command on its own,
    after seed_demo): the office-hours desk below, all by the operators."""
    from reports.demo.history import DeskDays  # the reports app builds on this one
    from reports.models import ClockSession

    start = timezone.make_aware(datetime.combine(days[0], time(0)))
    if not ClockSession.objects.filter(clock_in__gte=start - timedelta(days=1)).exists():
        return None
    return DeskDays(now=now, days=days)


def ensure_categories() -> int:
    """Create the categories that are missing (by name); returns how many."""
    departments = {d.code: d for d in Department.objects.filter(code__isnull=False)}
    created = 0
    for position, (name, code, _purposes) in enumerate(CATEGORIES, start=1):
        _category, new = CallCategory.objects.get_or_create(
            name=name,
            defaults={"default_department": departments.get(code), "position": position * 10},
        )
        created += new
    return created


def demo_days(today) -> list:
    """Today (whatever the weekday) and the DAYS_BACK working days before it, oldest first."""
    days, day = [today], today
    while len(days) <= DAYS_BACK:
        day -= timedelta(days=1)
        if day.weekday() < 5:
            days.append(day)
    return sorted(days)


def _pick(rng: random.Random, pairs):
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights)[0]


def _valid_e164(number: str) -> bool:
    return phonenumbers.is_valid_number(phonenumbers.parse(number, None))


def caller_pool() -> list[DemoCaller]:
    """The same people ring again: a fixed pool of customers, vendors and others."""
    rng = random.Random(SEED)  # noqa: S311 - demo data, not a secret
    pool, numbers = [], set()
    kinds = [CallerKind.CUSTOMER] * 5 + [CallerKind.VENDOR] * 3 + [CallerKind.PROSPECT] * 2
    kinds += [CallerKind.GUEST, CallerKind.UNKNOWN]
    while len(pool) < CALLER_POOL:
        if rng.random() < 0.6:
            number = demo.make_mobile(rng)
        else:  # a Jakarta office line
            number = f"+6221{rng.randrange(20_000_000, 89_999_999)}"
        if number in numbers or not _valid_e164(number):
            continue
        numbers.add(number)
        kind = rng.choice(kinds)
        company = (
            ""
            if kind in (CallerKind.GUEST, CallerKind.UNKNOWN) or rng.random() < 0.15
            else f"PT {rng.choice(COMPANY_WORDS)} {rng.choice(COMPANY_WORDS)}"
        )
        name = demo.make_person(rng).full_name if rng.random() < 0.9 else ""
        pool.append(DemoCaller(number, name, company, kind))
    return pool


class DemoDay:
    """One day's calls: drawn with a generator seeded by the date, written in
    time order through call_log, one after another as a desk takes them."""

    def __init__(self, *, day, now, operators):
        self.day, self.now, self.operators = day, now, operators
        self.rng = random.Random(f"{SEED}-{day.isoformat()}")  # noqa: S311 - demo data
        self.tz = timezone.get_current_timezone()

    def _at(self, clock: time):
        return timezone.make_aware(datetime.combine(self.day, clock), self.tz)

    def window(self) -> tuple:
        """When the day's calls happen: the office day; today only up to now
        (earlier, if it is early, so the log is not empty)."""
        start, end = self._at(DAY_START), self._at(DAY_END)
        if self.day == timezone.localdate(self.now):
            end = min(end, self.now - timedelta(minutes=1))
            midnight = self._at(time(0, 0))
            if end - start < timedelta(hours=3):
                start = max(midnight, end - timedelta(hours=3))
        return start, end

    def load(self) -> int:
        start, end = self.window()
        midnight = self._at(time(0, 0))
        if (
            end <= start
            or Call.objects.filter(
                started_at__gte=midnight, started_at__lt=midnight + timedelta(days=1)
            ).exists()
        ):
            return 0
        rng = self.rng
        low, high = CALLS_PER_DAY
        target = rng.randint(low, high)
        if self.day.weekday() >= 5:
            target //= 4  # a weekend desk hears little
        full_day = self._at(DAY_END) - self._at(DAY_START)
        target = max(6, round(target * min(1, (end - start) / full_day)))
        self._prepare()
        spacing = (end - start) / target
        count = 0
        for i in range(target):
            begin = start + spacing * i + spacing * rng.uniform(0, 0.4)
            plan = self._plan()
            seconds = min(
                max(5, round(rng.expovariate(1 / MEAN_SECONDS[plan.pop("kind")]))),
                int(spacing.total_seconds() * 0.5),
                1800,
            )
            began = begin.replace(microsecond=0)
            ended = began + timedelta(seconds=max(1, seconds))
            if ended >= self.now:
                break
            operator = self.operators[i % len(self.operators)]
            # Logged the moment it ends, as the console does.
            call_log(operator=operator, now=ended, started_at=began, ended_at=ended, **plan)
            count += 1
        return count

    # What happens on each call -------------------------------------------

    def _prepare(self):
        staff = list(
            Staff.objects.filter(active=True)
            .select_related("department")
            .prefetch_related("extensions")
            .order_by("pk")
        )
        self.desks = {}
        for person in staff:
            desk = next((e for e in person.extensions.all() if e.kind == ExtensionKind.DESK), None)
            if desk is not None:
                self.desks[person.pk] = desk
        self.staff = [s for s in staff if s.pk in self.desks and s.user_id is None]
        self.by_department = {}
        for person in self.staff:
            self.by_department.setdefault(person.department.code, []).append(person)
        # Callers ask for the people the directory marks as the ones to ask for.
        self.key_people = [s for s in self.staff if s.topics and s.operator_notes]
        self.departments = {d.code: d for d in Department.objects.filter(code__isnull=False)}
        self.categories = {c.name: c for c in CallCategory.objects.filter(active=True)}
        self.answers = list(
            InfoEntry.objects.filter(active=True)
            .exclude(disclosure=Disclosure.INTERNAL)
            .select_related("owner")
            .order_by("pk")
        )
        self.callers = caller_pool()
        self.caller_weights = [1 / (rank + 1) ** 0.7 for rank in range(len(self.callers))]
        # What callers want, by the department it goes to: (category, purposes).
        self.topics: dict[str, list] = {}
        for name, code, purposes in CATEGORIES:
            if code and purposes and name in self.categories:
                self.topics.setdefault(code, []).append((self.categories[name], purposes))

    def _caller(self) -> dict:
        # Regular callers: the first of the pool ring more often than the rest.
        caller = self.rng.choices(self.callers, self.caller_weights)[0]
        return {
            "number": caller.number,
            "caller_name": caller.name,
            "caller_company": caller.company,
            "caller_kind": caller.kind,
        }

    def _person(self):
        """Someone callers ask for: often the directory's key people (the tax
        manager, the sales manager...), else anyone with a desk phone."""
        rng = self.rng
        if rng.random() < 0.35 and self.key_people:
            return rng.choice(self.key_people)
        return rng.choice(self.staff)

    def _asked_for(self):
        """(person, category, purpose): what the caller wants and from whom."""
        rng = self.rng
        if rng.random() < 0.35 and self.key_people:
            person = rng.choice(self.key_people)
            topics = self.topics.get(person.department.code)
            if topics:
                category, purposes = rng.choice(topics)
                return person, category, rng.choice(purposes)
        code = rng.choice(sorted(c for c in self.topics if c in self.by_department))
        category, purposes = rng.choice(self.topics[code])
        return rng.choice(self.by_department[code]), category, rng.choice(purposes)

    def _plan(self) -> dict:
        rng = self.rng
        direction = _pick(rng, DIRECTIONS)
        if direction == Direction.OUTGOING:
            return self._outgoing()
        if direction == Direction.INTERNAL:
            return self._internal()
        kind = _pick(rng, INCOMING)
        fields = {"kind": kind, "direction": Direction.INCOMING, **self._caller()}
        if rng.random() < 0.08 and kind in ("wrong_number", "nuisance", "call_back", "message"):
            fields.update(number=None)  # number withheld
        person, category, purpose = self._asked_for()
        if kind in ("transfer", "message", "no_answer"):
            fields.update(
                asked_for_staff=person,
                asked_for_department=person.department,
                category=category,
                purpose=purpose if rng.random() < 0.4 else "",
            )
            if kind == "transfer":
                fields.update(outcome=Outcome.TRANSFERRED, transferred_to=self.desks[person.pk])
            elif kind == "message":
                fields.update(
                    outcome=Outcome.MESSAGE, purpose=f"Mohon telepon balik: {purpose.lower()}"
                )
            else:
                fields.update(outcome=Outcome.NO_ANSWER)
        elif kind == "answer":
            answer = rng.choice(self.answers)
            fields.update(
                outcome=Outcome.ANSWERED,
                info_entry=answer,
                category=self._category_for(answer.owner.code if answer.owner else None)
                or self.categories.get("Informasi umum"),
            )
        elif kind == "complaint":
            category = self._category_for("COM-CS")  # Keluhan pelanggan
            fields.update(
                outcome=Outcome.COMPLAINT,
                category=category,
                asked_for_department=self.departments.get("COM-CS"),
                purpose=rng.choice(CATEGORIES[3][2]),
                notes=rng.choice(NOTES) if rng.random() < 0.5 else "",
            )
        elif kind == "call_back":
            fields.update(
                outcome=Outcome.CALL_BACK, category=category, purpose=rng.choice(CALL_BACK_PURPOSES)
            )
        elif kind == "wrong_number":
            fields.update(outcome=Outcome.WRONG_NUMBER, caller_name="", caller_company="")
        else:
            fields.update(outcome=Outcome.NUISANCE, caller_name="", caller_company="")
        return fields

    def _outgoing(self) -> dict:
        rng = self.rng
        requester = self._person()
        return {
            "kind": "outgoing",
            "direction": Direction.OUTGOING,
            **self._caller(),
            "requested_by": requester,
            "asked_for_department": requester.department,
            "outcome": Outcome.CONNECTED if rng.random() < 0.78 else Outcome.NO_ANSWER,
            "purpose": rng.choice(OUTGOING_PURPOSES),
            "is_personal": rng.random() < 0.05,
        }

    def _internal(self) -> dict:
        """A colleague rings the desk to be put through or to ask something."""
        rng = self.rng
        colleague, person = self._person(), self._person()
        fields = {
            "kind": "internal",
            "direction": Direction.INTERNAL,
            "caller_name": colleague.full_name,
            "caller_kind": CallerKind.EMPLOYEE,
        }
        if rng.random() < 0.7 and person.pk != colleague.pk:
            fields.update(
                outcome=Outcome.TRANSFERRED,
                asked_for_staff=person,
                asked_for_department=person.department,
                transferred_to=self.desks[person.pk],
            )
        else:
            fields.update(outcome=Outcome.ANSWERED, info_entry=rng.choice(self.answers))
        return fields

    def _category_for(self, code: str | None):
        topics = self.topics.get(code)
        return topics[0][0] if topics else None
