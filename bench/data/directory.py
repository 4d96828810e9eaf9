"""A large company directory: at scale 1, 20,000 staff in 60 departments (head
office divisions and regional branches), a desk extension each plus some second
lines, department lines, fax and meeting rooms, and 5,000 info entries.

Names, titles and topics come from the demo company's lists (seed_demo), so
searches behave as they would on real Indonesian data: common given names and
family names repeat, topics overlap. Written with bulk_create in batches; the
search columns are computed on each object first (bulk_create skips save()).
"""

import random
from datetime import timedelta

from django.utils import timezone

from bench.core import Context, dataset
from directory.management.commands import seed_demo as demo
from directory.models import (
    Department,
    Disclosure,
    Extension,
    ExtensionKind,
    InfoEntry,
    Presence,
    Staff,
)

FULL_STAFF = 20_000
FULL_DEPARTMENTS = 60
FULL_INFO = 5_000
BATCH = 2_000

CITIES = [
    "Surabaya", "Medan", "Bandung", "Semarang", "Makassar", "Denpasar", "Balikpapan",
    "Palembang", "Pekanbaru", "Yogyakarta", "Manado", "Pontianak", "Banjarmasin", "Malang",
    "Batam", "Padang", "Jambi", "Kupang", "Ambon", "Jayapura",
]  # fmt: skip
BRANCH_UNITS = [
    ("SLS", "Penjualan", "Sales Executive"),
    ("CS", "Layanan Pelanggan", "Customer Service Officer"),
    ("WH", "Gudang", "Staf Gudang"),
]
INFO_SUBJECTS = [
    "Jam operasional", "Alamat kantor", "Prosedur klaim garansi", "Pengiriman tagihan",
    "Lowongan kerja", "Parkir tamu", "Nomor fax", "Penerimaan barang", "Hotline layanan",
    "Rekening pembayaran", "Kontak darurat", "Jadwal pengiriman", "Service center",
    "Office hours", "Office address", "Warranty claims", "Invoice submission",
    "Complaints procedure", "Delivery schedule", "Visitor registration",
]  # fmt: skip
PRODUCTS = ["NS-100", "NS-220", "NS-350", "Sejahtera Pro", "Nusa Lite", "Nusa Max", "NS-900"]


def _tables() -> list[str]:
    models = [Extension, InfoEntry, Staff, Department]
    return [m._meta.db_table for m in models] + [m.history.model._meta.db_table for m in models]


def _vocabulary() -> list[str]:
    topics = {t.strip() for d in demo.DEPARTMENTS for _, ts in d.roles for t in ts.split(",")}
    topics |= {t.strip() for row in demo.KEY_PEOPLE for t in row[3].split(",")}
    return sorted(t for t in topics if t)


def _department_plan(n: int) -> list[tuple[str, str, int | None, tuple]]:
    """(code, name, parent index, roles) for n departments: head office first,
    then branches with their units."""
    plan = []
    index_of = {}
    for spec in demo.DEPARTMENTS:
        index_of[spec.code] = len(plan)
        roles = spec.roles or ((spec.head_title, ""),)
        plan.append((spec.code, spec.name, index_of.get(spec.parent), roles))
    round_no = 0
    while len(plan) < n:
        for city in CITIES:
            suffix = f"-{round_no + 1}" if round_no else ""
            code = f"BR-{city.upper()}{suffix}"
            branch = len(plan)
            plan.append((code, f"Cabang {city}{suffix}", None, (("Kepala Cabang", ""),)))
            for unit, name, title in BRANCH_UNITS:
                plan.append((f"{code}-{unit}", f"{name} {city}{suffix}", branch, ((title, ""),)))
        round_no += 1
    return plan[:n]


@dataset("directory", version=1, tables=_tables)
def build_directory(ctx: Context) -> dict:
    rng = random.Random(ctx.seed)
    now = timezone.now()
    vocabulary = _vocabulary()
    n_staff = ctx.scaled(FULL_STAFF, minimum=10)
    n_departments = min(ctx.scaled(FULL_DEPARTMENTS, minimum=4), n_staff)
    n_info = ctx.scaled(FULL_INFO, minimum=5)

    # Departments: roots first, then each level below (bulk_create needs saved parents).
    plan = _department_plan(n_departments)
    departments: list[Department | None] = [None] * len(plan)
    while None in departments:
        level = []
        for i, (code, name, parent, _roles) in enumerate(plan):
            if departments[i] is None and (parent is None or departments[parent] is not None):
                dept = Department(
                    code=code,
                    name=name,
                    parent=departments[parent] if parent is not None else None,
                    email=f"{code.lower()}@{demo.DOMAIN}",
                )
                dept.refresh_search_fields()
                level.append((i, dept))
        Department.objects.bulk_create([dept for _, dept in level])
        for i, dept in level:
            departments[i] = dept

    extensions = []
    for i, dept in enumerate(departments):
        line = Extension(
            number=str(1000 + i),
            kind=ExtensionKind.DEPARTMENT,
            label=f"Sentral {dept.name}",
            department=dept,
        )
        extensions.append(line)
        dept.main_extension = line
        kind = ExtensionKind.FAX if i % 2 else ExtensionKind.MEETING_ROOM
        extensions.append(Extension(number=str(5000 + i), kind=kind, label=f"{kind.label} {i}"))
    extensions.append(Extension(number="9000", kind=ExtensionKind.LOBBY, label="Lobi Utama"))
    Extension.objects.bulk_create(extensions, batch_size=BATCH)
    Department.objects.bulk_update(departments, ["main_extension"], batch_size=BATCH)

    # Staff: people who are in first, so the absent can name a saved cover.
    people = []
    for _ in range(n_staff):
        person = demo.make_person(rng)
        d = rng.randrange(len(departments))
        title, topics = rng.choice(plan[d][3])
        extra = rng.sample(vocabulary, rng.choice([0, 1, 1, 2, 3]))
        presence = demo.random_presence(rng)
        staff = Staff(
            full_name=person.full_name,
            job_title=title,
            department=departments[d],
            topics=", ".join(t for t in [topics, *extra] if t),
            aliases=", ".join(demo.make_aliases(rng, person)),
            operator_notes=rng.choice(demo.GENERAL_NOTES) if rng.random() < 0.05 else "",
            email=f"{demo.email_local(person.full_name)}{len(people)}@{demo.DOMAIN}",
            mobile=demo.make_mobile(rng) if rng.random() < 0.5 else "",
            presence=presence,
            back_at=None if presence == Presence.IN else now + timedelta(hours=rng.randint(1, 72)),
            presence_note=rng.choice(demo.AWAY[presence]) if presence != Presence.IN else "",
        )
        staff.refresh_search_fields()
        people.append(staff)
    present = [s for s in people if s.presence == Presence.IN]
    away = [s for s in people if s.presence != Presence.IN]
    Staff.objects.bulk_create(present, batch_size=BATCH)
    present_by_dept: dict[int, list[Staff]] = {}
    for staff in present:
        present_by_dept.setdefault(staff.department_id, []).append(staff)
    for staff in away:
        colleagues = present_by_dept.get(staff.department_id)
        if colleagues and rng.random() < 0.8:
            staff.cover = rng.choice(colleagues)
    Staff.objects.bulk_create(away, batch_size=BATCH)

    desks = []
    for i, staff in enumerate([*present, *away]):
        desks.append(Extension(number=str(20000 + i), kind=ExtensionKind.DESK, staff=staff))
        if rng.random() < 0.1:  # a second line: DECT handset, lab, reception desk
            desks.append(Extension(number=str(900000 + i), kind=ExtensionKind.OTHER, staff=staff))
    Extension.objects.bulk_create(desks, batch_size=BATCH)

    heads = []
    for dept in departments:
        members = present_by_dept.get(dept.pk)
        if members:
            dept.head = members[0]
            heads.append(dept)
    Department.objects.bulk_update(heads, ["head"], batch_size=BATCH)

    entries = []
    disclosures = [Disclosure.PUBLIC] * 7 + [Disclosure.ON_REQUEST] * 2 + [Disclosure.INTERNAL]
    for _ in range(n_info):
        subject = rng.choice(INFO_SUBJECTS)
        place = rng.choice([*CITIES, *PRODUCTS, "kantor pusat", "pabrik Cikarang"])
        keywords = rng.sample(vocabulary, 3)
        entry = InfoEntry(
            title=f"{subject} {place}: {rng.choice(vocabulary)}",
            keywords=", ".join(keywords),
            answer=(
                f"{subject} untuk {place}: hubungi ext. {1000 + rng.randrange(len(departments))} "
                f"atau tulis ke {rng.choice(departments).email}. Berlaku sejak "
                f"{rng.randint(1, 28)}/{rng.randint(1, 12)}/2025; lihat juga {keywords[0]}."
            ),
            disclosure=rng.choice(disclosures),
            owner=rng.choice(departments),
        )
        entry.refresh_search_fields()
        entries.append(entry)
    InfoEntry.objects.bulk_create(entries, batch_size=BATCH)

    return {
        "n_staff": n_staff,
        "n_departments": len(departments),
        "n_info": n_info,
        "n_extensions": len(extensions) + len(desks),
    }
