"""`manage.py seed_demo`: a demo company for a first run (`make run`).

PT Nusantara Sejahtera: 17 departments in divisions, 200 people with Indonesian
names, desk extensions numbered by floor, department lines, fax, meeting rooms and
the lobby, 40 approved answers at all three disclosure levels, and four demo
log-ins (password ``switchboard-demo``): operator, supervisor, admin and staff.

The data is generated from fixed lists with a fixed random seed, so every run on
every machine gives the same company (only back-at times follow the clock). It
needs no Faker, which is a dev dependency only. The command loads the data once:
if any department exists it says so and changes nothing.
"""

import random
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from directory.models import (
    Department,
    Disclosure,
    Extension,
    ExtensionKind,
    InfoEntry,
    Presence,
    Staff,
)
from switchboard.roles import DIRECTORY_ADMIN, OPERATOR, ROLES, SUPERVISOR, ensure_roles

SEED = 17081945
DEMO_PASSWORD = "switchboard-demo"  # noqa: S105 - published demo password
DOMAIN = "nusantara-sejahtera.co.id"

# --------------------------------------------------------------------------- names
# Given names and family names by background. Many Javanese people have a single
# name; Balinese names carry a birth-order prefix; Batak names end in a marga.

# fmt: off
JAVANESE = {
    "m": [
        "Agus", "Budi", "Bambang", "Joko", "Slamet", "Heru", "Eko", "Teguh", "Wahyu", "Bayu",
        "Yudi", "Hari", "Gatot", "Rudi", "Arif", "Dimas", "Fajar", "Anton", "Sigit", "Bagus",
        "Darmaji", "Wawan", "Puji",
    ],
    "f": [
        "Sri", "Dewi", "Endang", "Ratna", "Wulan", "Rini", "Yuni", "Siti", "Retno", "Kartika",
        "Ayu", "Sekar", "Puspita", "Indah", "Tutik", "Dyah", "Anggraini", "Nanik", "Lestari",
    ],
    "family_m": [
        "Santoso", "Wibowo", "Setiawan", "Susanto", "Prasetyo", "Nugroho", "Hidayat", "Kurniawan",
        "Wahyudi", "Purnomo", "Saputra", "Riyadi", "Sulistyo", "Hartanto",
    ],
    "family_f": [
        "Rahayu", "Lestari", "Wulandari", "Handayani", "Susilowati", "Utami", "Wijayanti",
        "Suryani", "Astuti", "Kusumawati", "Pratiwi", "Rahmawati", "Puspitasari", "Wahyuni",
    ],
    "single": [
        "Suharti", "Sutrisno", "Sumarni", "Mulyono", "Sukirman", "Suparmi", "Sugiarto",
        "Supriyadi", "Suwarni", "Paiman", "Sarinah",
    ],
}
SUNDANESE = {
    "m": [
        "Asep", "Ujang", "Cecep", "Dadang", "Dede", "Ade", "Yayan", "Iwan", "Usep", "Deden", "Aep",
        "Engkus", "Ridwan",
    ],
    "f": ["Euis", "Neneng", "Imas", "Iis", "Enok", "Cucu", "Yeni", "Lilis", "Tati", "Rina"],
    "family_m": [
        "Saepudin", "Sunarya", "Suryana", "Hermawan", "Permana", "Suherman", "Sumarna", "Setiadi",
        "Ruhiyat", "Mulyana", "Sopandi", "Kusnadi",
    ],
    "family_f": [
        "Kurniasih", "Komalasari", "Rosmiati", "Nurhayati", "Marlina", "Sumiati", "Rahmawati",
        "Juwita",
    ],
}
BATAK = {
    "m": [
        "Togar", "Hotman", "Parulian", "Binsar", "Martua", "Saut", "Maruli", "Bonar", "Poltak",
        "Tigor", "Hasiholan", "Daniel", "Samuel", "Yosua", "Jonner",
    ],
    "f": [
        "Rotua", "Tiurma", "Romauli", "Lasma", "Nurmala", "Hotmaida", "Duma", "Sarma", "Ruth",
        "Maria", "Debora", "Rumondang",
    ],
    "family": [
        "Simanjuntak", "Siregar", "Sitompul", "Nainggolan", "Hutapea", "Pardede", "Sinaga",
        "Situmorang", "Panjaitan", "Manurung", "Tampubolon", "Hutagalung", "Simatupang",
        "Silalahi", "Sihombing", "Napitupulu", "Harahap", "Nasution", "Lubis", "Siahaan",
        "Marpaung", "Purba", "Ginting", "Sembiring", "Tarigan",
    ],
}
CHINESE_INDONESIAN = {
    "m": [
        "Hendra", "Stefanus", "Yohanes", "Michael", "Kevin", "Andreas", "Felix", "Handoko",
        "Sugianto", "Rudy", "Willy", "Steven", "Edward", "Tommy",
    ],
    "f": [
        "Yohana", "Lenny", "Melinda", "Cynthia", "Fransiska", "Lidya", "Angela", "Grace",
        "Jessica", "Vivian", "Natalia", "Meilani", "Susanti", "Olivia",
    ],
    "family": [
        "Wijaya", "Gunawan", "Halim", "Tanoto", "Salim", "Tanuwidjaja", "Hartono", "Kusuma", "Lim",
        "Tan", "Liem", "Sutanto", "Wibisono", "Hadinata", "Tjahjadi", "Lukito", "Widjaja",
        "Sanjaya", "Oei",
    ],
}
BALINESE = {
    "m_prefix": ["I Made", "I Wayan", "I Ketut", "I Nyoman", "I Gede", "I Putu", "I Komang"],
    "f_prefix": ["Ni Made", "Ni Luh", "Ni Wayan", "Ni Ketut", "Ni Putu", "Ni Komang"],
    "m": ["Suardana", "Sudarsana", "Artawan", "Widiasa", "Wirawan", "Adnyana", "Budiarta"],
    "f": ["Ayu Lestari", "Sri Darmayanti", "Suastini", "Kartini", "Sukmawati", "Purnami"],
}
MINANG = {
    "m": ["Rahmat", "Fadli", "Rizal", "Hendri", "Zulkifli", "Afrizal", "Yusril", "Irwan"],
    "f": ["Rahmi", "Yulia", "Fitri", "Desi", "Rosmaini", "Yusnidar"],
    "family": ["Chaniago", "Piliang", "Koto", "Tanjung", "Sikumbang", "Caniago", "Jambak"],
}
EASTERN = {  # Minahasa, Maluku and Bugis family names
    "m": ["Jefri", "Rolly", "Ferry", "Andi", "Baso", "Frans", "Yopi", "Ronald"],
    "f": ["Meiske", "Novita", "Stella", "Tenri", "Marlen", "Vonny", "Irene"],
    "family": [
        "Wenas", "Lumowa", "Mandagi", "Rondonuwu", "Sondakh", "Pangemanan", "Kaunang",
        "Latuconsina", "Pattiasina", "Tuhumury", "Leiwakabessy", "Mappaenre", "Daeng Ngalle",
    ],
}
MUSLIM = {  # heard all over Indonesia, often two given names
    "m": [
        "Muhammad Rizki", "Ahmad Fauzi", "Rizky Ramadhan", "Ilham", "Fajar Nugraha",
        "Muhammad Iqbal", "Abdul Rahman", "Nur Hidayat", "Taufik", "Hasan Basri", "Ahmad Syahrul",
        "Faisal",
    ],
    "f": [
        "Nur Aini", "Siti Aisyah", "Annisa", "Nabila", "Putri Rahayu", "Fitriani", "Nurul Hidayah",
        "Dian Permata", "Aulia", "Zahra", "Intan Permatasari",
    ],
    "family": ["Hakim", "Hamzah", "Syahputra", "Ramadhani", "Maulana", "Firmansyah", "Alatas"],
}
# fmt: on

BACKGROUNDS = [
    ("javanese", 30),
    ("sundanese", 14),
    ("batak", 12),
    ("chinese", 12),
    ("muslim", 12),
    ("balinese", 6),
    ("minang", 7),
    ("eastern", 7),
]

# How people are addressed, which operators type as often as the name itself.
HONORIFICS = {
    "javanese": ("Mas", "Mbak"),
    "sundanese": ("Kang", "Teh"),
    "batak": ("Bang", "Kak"),
    "chinese": ("Koh", "Cik"),
    "balinese": ("Bli", "Mbok"),
    "minang": ("Uda", "Uni"),
    "eastern": ("Pak", "Bu"),
    "muslim": ("Pak", "Bu"),
}

# Other spellings callers use: pre-1972 ("Soetrisno", "Widjaja") and the reverse.
OTHER_SPELLINGS = {
    "Wijaya": "Widjaja",
    "Widjaja": "Wijaya",
    "Tanuwidjaja": "Tanuwijaya",
    "Tjahjadi": "Cahyadi",
    "Fajar": "Fadjar",
    "Hidayat": "Hidajat",
    "Yohanes": "Johanes",
    "Yuni": "Juni",
    "Yusril": "Jusril",
    "Cecep": "Tjetjep",
    "Cucu": "Tjutju",
}


def other_spelling(full_name: str) -> str | None:
    words = full_name.split()
    for i, word in enumerate(words):
        if word in OTHER_SPELLINGS:
            return " ".join([*words[:i], OTHER_SPELLINGS[word], *words[i + 1 :]])
        if word.startswith("Su") and len(word) > 4:
            return " ".join([*words[:i], "Soe" + word[2:], *words[i + 1 :]])
    return None


@dataclass(frozen=True)
class Person:
    full_name: str
    gender: str  # "m" or "f"
    background: str
    called: str  # the name people use, e.g. "Made" for "I Made Suardana"


def make_person(rng: random.Random) -> Person:
    """A plausible Indonesian name, with gender and background."""
    background = rng.choices([b for b, _ in BACKGROUNDS], [w for _, w in BACKGROUNDS])[0]
    gender = rng.choice("mf")
    if background == "javanese":
        if rng.random() < 0.25:
            name = rng.choice(JAVANESE["single"])
            gender = "f" if name in {"Suharti", "Sumarni", "Suparmi", "Suwarni", "Sarinah"} else "m"
            return Person(name, gender, background, name)
        given = rng.choice(JAVANESE[gender])
        family = rng.choice(JAVANESE[f"family_{gender}"])
        if rng.random() < 0.2:
            given = f"{rng.choice(['Dwi', 'Tri', 'Eka'])} {given}"
        return Person(f"{given} {family}", gender, background, given.split()[-1])
    if background == "sundanese":
        given = rng.choice(SUNDANESE[gender])
        return Person(
            f"{given} {rng.choice(SUNDANESE[f'family_{gender}'])}", gender, background, given
        )
    if background == "balinese":
        prefix = rng.choice(BALINESE[f"{gender}_prefix"])
        given = rng.choice(BALINESE[gender])
        return Person(f"{prefix} {given}", gender, background, prefix.split()[-1])
    table = {
        "batak": BATAK,
        "chinese": CHINESE_INDONESIAN,
        "minang": MINANG,
        "eastern": EASTERN,
        "muslim": MUSLIM,
    }[background]
    given = rng.choice(table[gender])
    return Person(f"{given} {rng.choice(table['family'])}", gender, background, given.split()[-1])


def make_aliases(rng: random.Random, person: Person) -> list[str]:
    """What callers say instead of the full name: "Kang Asep", "Soetrisno"."""
    aliases = []
    if rng.random() < 0.45:
        honorific = HONORIFICS[person.background][person.gender == "f"]
        if rng.random() < 0.4:
            honorific = "Bu" if person.gender == "f" else "Pak"
        aliases.append(f"{honorific} {person.called}")
    if rng.random() < 0.4 and (spelling := other_spelling(person.full_name)):
        aliases.append(spelling)
    return aliases


def make_mobile(rng: random.Random) -> str:
    prefix = rng.choice(["811", "812", "813", "821", "822", "852", "853", "857", "877", "878"])
    return f"+62{prefix}{rng.randrange(10_000_000, 99_999_999)}"


def email_local(full_name: str) -> str:
    words = [w for w in full_name.lower().split() if w not in {"i", "ni"}]
    return ".".join(dict.fromkeys([words[0], words[-1]])).replace("'", "")


# --------------------------------------------------------------------- departments


@dataclass(frozen=True)
class Dept:
    code: str
    name: str
    parent: str | None
    zone: str  # first two digits of its extensions: 11-22 = tower floors 1-12, 4x = plant
    location: str
    mailbox: str
    size: int
    head_title: str
    roles: tuple[tuple[str, str], ...]  # (job title, topics) of everyone else


TOWER = "Menara Nusantara"
PLANT = "Pabrik Cikarang"

# fmt: off
DEPARTMENTS = [
    Dept("DIR", "Direksi", None, "22", f"{TOWER} Lt. 12", "direksi", 6, "Presiden Direktur", ()),
    Dept(
        "DIR-SEK", "Sekretariat Perusahaan", "DIR", "21", f"{TOWER} Lt. 11", "corsec", 6,
        "Sekretaris Perusahaan",
        (
            ("Staf Humas", "media, wartawan, siaran pers, wawancara"),
            ("Staf CSR", "proposal CSR, sponsorship, donasi, bantuan sosial"),
            ("Staf Hubungan Investor", "investor, saham, RUPS, laporan tahunan"),
        ),
    ),
    Dept(
        "DIR-LEG", "Legal & Kepatuhan", "DIR", "20", f"{TOWER} Lt. 10", "legal", 6,
        "Kepala Legal & Kepatuhan",
        (
            ("Legal Officer", "kontrak, perjanjian kerja sama, NDA"),
            ("Staf Kepatuhan", "kepatuhan, whistleblowing, anti-suap"),
            ("Staf Perizinan", "izin usaha, NIB, perizinan, sertifikat halal"),
        ),
    ),
    Dept(
        "FIN", "Keuangan & Akuntansi", None, "19", f"{TOWER} Lt. 9", "finance", 18,
        "Kepala Divisi Keuangan & Akuntansi",
        (
            ("Manajer Akuntansi", "laporan keuangan, tutup buku, audit"),
            ("Staf Akuntansi", "jurnal, rekonsiliasi bank, laporan keuangan"),
            ("Staf Hutang Usaha", "tagihan, invoice vendor, pembayaran supplier"),
            ("Staf Piutang Usaha", "piutang, konfirmasi pembayaran, bukti transfer"),
            ("Kasir", "kas kecil, reimbursement, uang muka"),
            ("Staf Penagihan", "penagihan, tagihan pelanggan, jatuh tempo"),
            ("Analis Keuangan", "anggaran, budget, cash flow"),
        ),
    ),
    Dept(
        "FIN-TAX", "Pajak", "FIN", "19", f"{TOWER} Lt. 9", "tax", 8, "Manajer Pajak",
        (
            ("Staf Pajak", "faktur pajak, e-Faktur, PPN, NPWP"),
            ("Staf Pajak PPh", "PPh 21, PPh 23, bukti potong, SPT"),
        ),
    ),
    Dept(
        "HRD", "SDM / HRD", None, "18", f"{TOWER} Lt. 8", "hrd", 12, "Kepala Divisi SDM",
        (
            ("Staf Personalia", "cuti, absensi, surat keterangan kerja, verifikasi karyawan"),
            ("Staf Pelatihan", "pelatihan, training, sertifikasi"),
            ("HR Business Partner", "hubungan industrial, PHK, pensiun, serikat pekerja"),
            ("Staf Administrasi SDM", "kontrak kerja, ID card, seragam"),
            ("Staf Kesejahteraan", "BPJS Kesehatan, asuransi kesehatan, klinik"),
        ),
    ),
    Dept(
        "HRD-REC", "Rekrutmen", "HRD", "18", f"{TOWER} Lt. 8", "rekrutmen", 6, "Manajer Rekrutmen",
        (
            ("Staf Rekrutmen", "lowongan kerja, lamaran kerja, psikotes, wawancara"),
            ("Koordinator Magang", "magang, PKL, kerja praktik, mahasiswa"),
        ),
    ),
    Dept(
        "IT", "Teknologi Informasi", None, "17", f"{TOWER} Lt. 7", "it", 16,
        "Kepala Teknologi Informasi",
        (
            ("Staf IT Helpdesk", "reset password, email, printer, laptop, helpdesk"),
            ("Programmer", "aplikasi internal, website, integrasi"),
            ("Network Engineer", "jaringan, internet, Wi-Fi, PABX, telepon kantor"),
            ("Analis Sistem ERP", "SAP, ERP, user ID SAP"),
            ("Database Administrator", "database, backup, server"),
        ),
    ),
    Dept(
        "COM", "Divisi Komersial", None, "16", f"{TOWER} Lt. 6", "komersial", 3,
        "Kepala Divisi Komersial",
        (
            ("Sekretaris Divisi Komersial", "jadwal rapat, surat menyurat"),
            ("Analis Bisnis", "riset pasar, laporan penjualan"),
        ),
    ),
    Dept(
        "COM-MKT", "Pemasaran", "COM", "15", f"{TOWER} Lt. 5", "marketing", 14,
        "Manajer Pemasaran",
        (
            ("Staf Pemasaran Digital", "media sosial, website, Instagram, iklan online"),
            ("Brand Executive", "brand, logo, merchandise"),
            ("Staf Event", "pameran, event, sponsorship acara"),
            ("Desainer Grafis", "desain, brosur, katalog"),
            ("Staf Riset Pasar", "survei, riset pasar"),
        ),
    ),
    Dept(
        "COM-SLS", "Penjualan", "COM", "16", f"{TOWER} Lt. 6", "sales", 26, "Manajer Penjualan",
        (
            ("Sales Executive", "penawaran harga, order, pesanan"),
            ("Key Account Manager", "pelanggan korporat, kontrak penjualan, tender"),
            ("Staf Admin Penjualan", "pesanan, PO pelanggan, faktur penjualan"),
            ("Area Sales Supervisor", "distributor, toko, wilayah"),
        ),
    ),
    Dept(
        "COM-CS", "Layanan Pelanggan", "COM", "11", f"{TOWER} Lt. 1", "cs", 20,
        "Supervisor Layanan Pelanggan",
        (
            ("Customer Service Officer", "komplain, keluhan, klaim garansi, retur barang"),
            ("Staf Garansi & Servis", "klaim garansi, service center, suku cadang"),
            ("Agen Call Center", "hotline, status pesanan, keluhan"),
        ),
    ),
    Dept(
        "OPS", "Divisi Operasional", None, "42", f"{PLANT}, Gedung Kantor", "operasional", 3,
        "Kepala Divisi Operasional",
        (
            ("Staf PPIC", "PPIC, jadwal produksi, perencanaan"),
            ("Staf K3", "K3, keselamatan kerja, kecelakaan kerja, APAR"),
        ),
    ),
    Dept(
        "OPS-PRC", "Pengadaan", "OPS", "13", f"{TOWER} Lt. 3", "procurement", 10,
        "Manajer Pengadaan",
        (
            ("Staf Pengadaan", "purchase order, PO, penawaran vendor"),
            ("Staf Registrasi Vendor", "registrasi vendor, dokumen vendor, e-procurement"),
            ("Buyer", "pembelian, bahan baku, sparepart"),
        ),
    ),
    Dept(
        "OPS-GA", "Umum & GA", "OPS", "12", f"{TOWER} Lt. 2", "ga", 14, "Kepala Umum & GA",
        (
            ("Staf Umum", "ATK, kebersihan, perbaikan gedung, pantry"),
            ("Pengemudi", "kendaraan operasional, antar jemput, supir"),
            ("Koordinator Keamanan", "satpam, keamanan, kartu akses, CCTV"),
            ("Staf Arsip & Surat", "surat masuk, kurir, ekspedisi dokumen, arsip"),
        ),
    ),
    Dept(
        "OPS-WH", "Gudang & Logistik", "OPS", "40", f"{PLANT}, Gudang", "logistik", 14,
        "Kepala Gudang",
        (
            ("Staf Gudang", "stok, penerimaan barang, bongkar muat"),
            ("Koordinator Pengiriman", "pengiriman, ekspedisi, jadwal kirim, resi"),
            ("Admin Logistik", "surat jalan, delivery order, DO"),
        ),
    ),
    Dept(
        "OPS-PRD", "Produksi", "OPS", "41", f"{PLANT}, Gedung Produksi", "produksi", 18,
        "Kepala Produksi",
        (
            ("Supervisor Produksi", "shift produksi, lini produksi"),
            ("Staf Quality Control", "QC, mutu produk, keluhan mutu, SNI"),
            ("Teknisi Mesin", "perawatan mesin, maintenance"),
            ("Operator Produksi", ""),
        ),
    ),
]

# People a demo should show: the director who is never put through directly,
# the tax manager, payroll, recruitment, the sales manager everyone is sent to…
# (department, name, title, topics, aliases, operator notes, head?, demo user)
KEY_PEOPLE = [
    ("DIR", "Hartono Wijaya", "Presiden Direktur", "", "Pak Hartono, Pak Presdir",
     "Jangan sambungkan langsung: semua telepon untuk Presdir lewat Sekretaris Direksi "
     "(Rina Marlina).", True, ""),
    ("DIR", "Ratna Kusumawati", "Direktur Keuangan", "anggaran, laporan keuangan",
     "Bu Ratna", "", False, ""),
    ("DIR", "Bambang Sutrisno", "Direktur Operasional", "pabrik, produksi",
     "Pak Bambang, Bambang Soetrisno", "", False, ""),
    ("DIR", "Parulian Simatupang", "Direktur Komersial", "", "Pak Parulian",
     "Sales calls go to Budi Santoso (Penjualan), never to the director.", False, ""),
    ("DIR", "Euis Komalasari", "Direktur SDM", "", "Bu Euis", "", False, ""),
    ("DIR", "Rina Marlina", "Sekretaris Direksi",
     "jadwal direksi, janji temu direksi, undangan", "Mbak Rina", "", False, ""),
    ("DIR-SEK", "Lenny Tanuwidjaja", "Sekretaris Perusahaan",
     "corporate secretary, RUPS, media, wartawan", "Cik Lenny, Lenny Tanuwijaya",
     "Semua pertanyaan wartawan ke Bu Lenny; staf lain tidak memberi keterangan.", True, ""),
    ("DIR-LEG", "Andi Rahmat Mappaenre", "Kepala Legal & Kepatuhan",
     "somasi, gugatan, kontrak, perjanjian", "Pak Andi",
     "Somasi and letters from lawyers: only to Legal, never to the person named.", True, ""),
    ("FIN", "Stefanus Tanoto", "Supervisor Hutang Usaha",
     "tagihan, invoice vendor, pembayaran supplier, status pembayaran", "Koh Stef",
     "Vendors asking when they will be paid come here, not to the finance director.",
     False, ""),
    ("FIN-TAX", "Sri Wahyuni", "Manajer Pajak",
     "faktur pajak, e-Faktur, PPh 21, PPh 23, PPN, SPT, pemeriksaan pajak", "Bu Sri",
     "Telepon dari kantor pajak (KPP) langsung ke Bu Sri; kalau tidak ada, ke Direktur "
     "Keuangan.", True, ""),
    ("HRD", "Dewi Lestari", "Staf Payroll",
     "payroll, slip gaji, BPJS Ketenagakerjaan, THR, PPh 21 karyawan", "Mbak Dewi",
     "Pay questions only from employees. Banks or leasing firms asking about a salary: "
     "ask them to write to hrd@.", False, ""),
    ("HRD-REC", "Asep Saepudin", "Staf Rekrutmen",
     "lowongan kerja, lamaran kerja, walk-in interview, psikotes", "Kang Asep",
     "Pelamar yang menanyakan status: berikan alamat portal karier; sambungkan hanya jika "
     "sudah ada undangan wawancara.", False, ""),
    ("IT", "Hendra Gunawan", "Staf IT Helpdesk",
     "reset password, email, printer, VPN, laptop", "Koh Hendra",
     "Password resets only for employees: ask for the NIK first.", False, ""),
    ("IT", "I Made Suardana", "Administrator Sistem",
     "server, akun pengguna, Switchboard, hak akses", "Bli Made", "", False, "admin"),
    ("COM-MKT", "Ni Luh Putu Ayu Lestari", "Manajer Pemasaran",
     "promosi, iklan, kerja sama media, brand", "Bu Ayu, Mbok Luh", "", True, ""),
    ("COM-SLS", "Budi Santoso", "Manajer Penjualan",
     "penawaran harga, distributor, penjualan korporat, kerja sama distribusi",
     "Pak Budi, Mas Budi", "All sales calls go to Budi, including new distributors and "
     "price quotes.", True, "staff"),
    ("COM-CS", "Togar Simanjuntak", "Supervisor Layanan Pelanggan",
     "komplain, klaim garansi, retur barang, eskalasi keluhan", "Bang Togar",
     "Angry customers: log the complaint first, then transfer.", True, ""),
    ("OPS-PRC", "Yohana Halim", "Manajer Pengadaan",
     "penawaran vendor, tender, purchase order, registrasi vendor", "Bu Yohana, Johana Halim",
     "Vendors offering products: take a message unless they quote a PO number.", True, ""),
    ("OPS-GA", "Siti Rahmawati", "Operator Telepon / Resepsionis",
     "operator, resepsionis, tamu", "Mbak Siti", "", False, "operator"),
    ("OPS-GA", "Lilis Kurniasih", "Supervisor Front Office",
     "operator telepon, resepsionis, kartu tamu", "Teh Lilis", "", False, "supervisor"),
    ("OPS-GA", "Ujang Suherman", "Staf Umum",
     "parkir, kendaraan operasional, ATK, kebersihan", "Mang Ujang",
     "Biasanya di lobi atau basement; kalau tidak menjawab, hubungi HP-nya.", False, ""),
    ("OPS-WH", "Rotua Siregar", "Kepala Gudang",
     "pengiriman, surat jalan, stok, penerimaan barang", "Bu Rotua", "", True, ""),
]
# fmt: on

GENERAL_NOTES = [
    "Prefers WhatsApp to calls on the mobile.",
    "Di pabrik Cikarang setiap Selasa dan Kamis.",
    "Speaks Mandarin: Chinese-speaking suppliers may be put through.",
    "Part-time: in the office Monday to Wednesday only.",
    "Jangan berikan nomor HP-nya kepada penelepon.",
    "Often on the production floor: let it ring long.",
    "Bisa berbahasa Jepang untuk tamu dari Jepang.",
]
AWAY = {
    Presence.MEETING: [
        "Rapat mingguan",
        "Rapat dengan vendor",
        "Meeting klien",
        "Rapat anggaran",
        "Rapat direksi",
    ],
    Presence.OUT: [
        "Kunjungan klien",
        "Ke kantor pajak (KPP)",
        "Ke bank",
        "Kunjungan ke pabrik Cikarang",
        "Makan siang di luar",
        "Survey lokasi",
    ],
    Presence.LEAVE: [
        "Cuti tahunan",
        "Sakit",
        "Cuti menikah",
        "Dinas luar kota ke Surabaya",
        "Pelatihan di Bandung",
    ],
    Presence.REMOTE: ["WFH", "Bekerja dari rumah hari ini"],
}

# (zone, kind, label, department code or None)
SPECIAL_EXTENSIONS = [
    ("11", ExtensionKind.LOBBY, "Resepsionis Lobi Utama", None),
    ("11", ExtensionKind.OTHER, "Pos Satpam Lobi", "OPS-GA"),
    ("12", ExtensionKind.FAX, "Fax Umum", None),
    ("19", ExtensionKind.FAX, "Fax Keuangan", "FIN"),
    ("13", ExtensionKind.FAX, "Fax Pengadaan", "OPS-PRC"),
    ("40", ExtensionKind.FAX, "Fax Gudang Cikarang", "OPS-WH"),
    ("13", ExtensionKind.MEETING_ROOM, "Ruang Rapat Melati", None),
    ("15", ExtensionKind.MEETING_ROOM, "Ruang Rapat Kenanga", None),
    ("18", ExtensionKind.MEETING_ROOM, "Ruang Rapat Anggrek", None),
    ("22", ExtensionKind.MEETING_ROOM, "Ruang Rapat Direksi", None),
    ("12", ExtensionKind.MEETING_ROOM, "Aula Serbaguna", None),
    ("42", ExtensionKind.MEETING_ROOM, "Ruang Rapat Pabrik", None),
    ("12", ExtensionKind.OTHER, "Klinik Perusahaan", "HRD"),
    ("12", ExtensionKind.OTHER, "Ruang Server (darurat)", "IT"),
]

# -------------------------------------------------------------------- info entries
PUBLIC, ON_REQUEST, INTERNAL = Disclosure.PUBLIC, Disclosure.ON_REQUEST, Disclosure.INTERNAL
ADDRESS = (
    "Menara Nusantara Lt. 1-12, Jl. Jenderal Sudirman Kav. 52-53, Senayan, Kebayoran Baru, "
    "Jakarta Selatan 12190"
)
PLANT_ADDRESS = (
    "Kawasan Industri Jababeka II, Jl. Industri Selatan 5 Blok PP No. 7, Cikarang, Bekasi 17530"
)

# (title, keywords, answer, disclosure, owner department code)
# fmt: off
INFO_ENTRIES = [
    ("Alamat kantor pusat", "alamat, lokasi, kantor pusat, peta",
     f"Kantor pusat PT Nusantara Sejahtera: {ADDRESS}. Dekat Stasiun MRT Istora Mandiri.",
     PUBLIC, "OPS-GA"),
    ("Head office address", "address, location, head office, directions",
     f"PT Nusantara Sejahtera head office: {ADDRESS}, Indonesia. Nearest MRT station: "
     "Istora Mandiri.", PUBLIC, "OPS-GA"),
    ("Jam operasional kantor", "jam kerja, jam buka, hari kerja",
     "Senin-Jumat 08.00-17.00 WIB, istirahat 12.00-13.00 (Jumat 11.30-13.00). Sabtu, Minggu "
     "dan hari libur nasional tutup.", PUBLIC, "OPS-GA"),
    ("Office hours", "opening hours, working days, business hours",
     "Monday to Friday 08:00-17:00 Jakarta time (WIB); lunch 12:00-13:00, Fridays "
     "11:30-13:00. Closed on weekends and public holidays.", PUBLIC, "OPS-GA"),
    ("Alamat pabrik dan gudang Cikarang", "pabrik, gudang, Cikarang, Jababeka, alamat",
     f"Pabrik dan gudang: {PLANT_ADDRESS}. Tamu wajib melapor ke pos satpam.",
     PUBLIC, "OPS"),
    ("Jam penerimaan barang di gudang", "gudang, kirim barang, bongkar muat, penerimaan",
     "Senin-Jumat 08.00-15.00, Sabtu 08.00-12.00. Pengirim wajib membawa nomor PO dan surat "
     "jalan.", PUBLIC, "OPS-WH"),
    ("Lamaran kerja dan lowongan", "lowongan kerja, lamaran, karier, loker, rekrutmen",
     "Kami tidak menerima lamaran lewat telepon. Lowongan diumumkan di "
     "karier.nusantara-sejahtera.co.id dan LinkedIn; lamaran hanya lewat portal tersebut.",
     PUBLIC, "HRD-REC"),
    ("Job applications", "jobs, vacancies, careers, apply, recruitment",
     "We do not take applications by phone. Vacancies are listed at "
     "karier.nusantara-sejahtera.co.id and on LinkedIn; apply through the portal only.",
     PUBLIC, "HRD-REC"),
    ("Waspada penipuan rekrutmen", "penipuan, lowongan palsu, biaya rekrutmen",
     "PT Nusantara Sejahtera tidak pernah memungut biaya apa pun dalam proses rekrutmen dan "
     "tidak memakai alamat e-mail gratisan. Laporkan ke rekrutmen@nusantara-sejahtera.co.id.",
     PUBLIC, "HRD-REC"),
    ("Pengiriman tagihan (invoice)", "tagihan, invoice, faktur, vendor, pembayaran",
     "Tagihan dikirim ke ap@nusantara-sejahtera.co.id dengan lampiran faktur pajak, PO dan "
     "berita acara serah terima. Pembayaran 30 hari setelah dokumen lengkap diterima.",
     PUBLIC, "FIN"),
    ("Invoice submission", "invoice, billing, supplier, payment terms",
     "Send invoices to ap@nusantara-sejahtera.co.id with the tax invoice (faktur pajak), PO "
     "number and signed delivery note. Payment terms: 30 days from complete documents.",
     PUBLIC, "FIN"),
    ("Status pembayaran vendor", "status pembayaran, kapan dibayar, tagihan",
     "Operator tidak memberi informasi status pembayaran. Sambungkan ke bagian Hutang Usaha "
     "(Keuangan) atau minta vendor menulis ke ap@nusantara-sejahtera.co.id.",
     PUBLIC, "FIN"),
    ("Prosedur pengaduan pelanggan", "komplain, keluhan, pengaduan, kecewa",
     "Catat nama, nomor telepon dan nomor pesanan/faktur, buat komplain di Switchboard dan "
     "bacakan nomor referensinya. Layanan Pelanggan menghubungi kembali dalam 2 hari kerja.",
     PUBLIC, "COM-CS"),
    ("Complaints procedure", "complaint, problem, unhappy customer",
     "Take the caller's name, number and order or invoice number, log a complaint in "
     "Switchboard and read out its reference. Customer Service calls back within 2 working "
     "days.", PUBLIC, "COM-CS"),
    ("Klaim garansi", "garansi, klaim garansi, rusak, servis, kartu garansi",
     "Garansi 12 bulan sejak tanggal faktur. Bawa kartu garansi dan bukti pembelian ke "
     "service center atau ajukan lewat Layanan Pelanggan.", PUBLIC, "COM-CS"),
    ("Warranty claims", "warranty, repair, broken, service centre",
     "12-month warranty from the invoice date. Bring the warranty card and proof of purchase "
     "to a service centre or file the claim with Customer Service.", PUBLIC, "COM-CS"),
    ("Hotline layanan pelanggan", "hotline, call center, WhatsApp, cs",
     "Hotline 1500-678, Senin-Sabtu 08.00-20.00; WhatsApp 0811-1500-678; e-mail "
     "cs@nusantara-sejahtera.co.id.", PUBLIC, "COM-CS"),
    ("Customer hotline", "hotline, customer service, WhatsApp",
     "Hotline 1500-678, Monday to Saturday 08:00-20:00; WhatsApp +62 811-1500-678; e-mail "
     "cs@nusantara-sejahtera.co.id.", PUBLIC, "COM-CS"),
    ("Penawaran produk dari vendor", "penawaran, vendor baru, supplier, kerja sama",
     "Penawaran dikirim tertulis ke procurement@nusantara-sejahtera.co.id. Jangan "
     "menyambungkan vendor ke direksi.", PUBLIC, "OPS-PRC"),
    ("Proposal sponsorship dan CSR", "sponsor, CSR, donasi, proposal, bantuan",
     "Proposal dikirim ke corsec@nusantara-sejahtera.co.id paling lambat 2 bulan sebelum "
     "acara. Keputusan dikabarkan lewat e-mail.", PUBLIC, "DIR-SEK"),
    ("Pertanyaan media dan wartawan", "wartawan, media, pers, wawancara",
     "Semua pertanyaan media ke Sekretariat Perusahaan. Karyawan lain tidak memberi "
     "keterangan kepada media.", PUBLIC, "DIR-SEK"),
    ("Press enquiries", "press, journalist, media, interview",
     "All media questions go to the Corporate Secretary's office "
     "(corsec@nusantara-sejahtera.co.id). Other staff do not comment.", PUBLIC, "DIR-SEK"),
    ("Parkir tamu", "parkir, tamu, basement, valet",
     "Parkir tamu di basement B1. Tunjukkan kartu tamu di resepsionis untuk validasi "
     "parkir.", PUBLIC, "OPS-GA"),
    ("Kunjungan tamu", "tamu, kartu tamu, resepsionis, janji temu",
     "Tamu melapor ke resepsionis lobi dengan KTP dan nama karyawan yang dituju; resepsionis "
     "menelepon karyawan tersebut sebelum tamu naik.", PUBLIC, "OPS-GA"),
    ("Nomor fax", "fax, faksimili",
     "Fax umum (021) 5795 1299; fax Keuangan (021) 5795 1298.", PUBLIC, "OPS-GA"),
    ("Situs web dan media sosial", "website, instagram, media sosial, katalog",
     "www.nusantara-sejahtera.co.id, Instagram @nusantarasejahtera. Katalog produk dapat "
     "diunduh di situs web.", PUBLIC, "COM-MKT"),
    ("Libur nasional dan cuti bersama", "libur, cuti bersama, lebaran, tutup",
     "Kantor tutup pada hari libur nasional dan cuti bersama sesuai SKB 3 Menteri. Hotline "
     "Layanan Pelanggan tetap buka kecuali hari raya.", PUBLIC, "HRD"),
    ("NPWP perusahaan", "NPWP, nomor pajak, faktur pajak",
     "NPWP 0012 3456 7801 2000 a.n. PT Nusantara Sejahtera. Berikan hanya kepada vendor atau "
     "pelanggan yang memerlukannya untuk faktur pajak.", ON_REQUEST, "FIN-TAX"),
    ("Company tax number (NPWP)", "tax ID, NPWP, VAT number",
     "NPWP 0012 3456 7801 2000 (PT Nusantara Sejahtera). Give it only to suppliers or "
     "customers who need it for a tax invoice.", ON_REQUEST, "FIN-TAX"),
    ("Rekening bank perusahaan", "rekening, transfer, pembayaran, bank",
     "Bank Mandiri KCP Sudirman, rek. 123-00-0456789-0 a.n. PT Nusantara Sejahtera. Hanya "
     "untuk pelanggan yang akan membayar. Kami tidak pernah mengganti nomor rekening lewat "
     "telepon.", ON_REQUEST, "FIN"),
    ("Nomor Induk Berusaha (NIB)", "NIB, izin usaha, legalitas",
     "NIB 9120001234567. Diberikan kepada calon mitra yang melakukan verifikasi vendor.",
     ON_REQUEST, "DIR-LEG"),
    ("E-mail kepala divisi", "email langsung, kepala divisi, kontak manajer",
     "Boleh diberikan kepada relasi bisnis setelah menanyakan nama dan keperluan; format "
     "nama.belakang@nusantara-sejahtera.co.id.", ON_REQUEST, "OPS-GA"),
    ("Verifikasi status karyawan", "verifikasi karyawan, referensi kerja, bank, leasing",
     "Verifikasi hanya tertulis ke hrd@nusantara-sejahtera.co.id. Operator tidak "
     "membenarkan atau menyangkal bahwa seseorang bekerja di sini.", ON_REQUEST, "HRD"),
    ("Password Wi-Fi tamu", "wifi, internet tamu, password",
     "Jaringan NUSANTARA-GUEST, kata sandi berganti setiap Senin (lihat papan resepsionis). "
     "Hanya untuk tamu yang sedang berada di gedung.", ON_REQUEST, "IT"),
    ("Nomor HP Presiden Direktur", "HP direktur, nomor pribadi, presdir",
     "0811-100-2024. JANGAN diberikan kepada penelepon; hanya untuk keadaan darurat, lewat "
     "Sekretaris Direksi.", INTERNAL, "DIR"),
    ("Director's mobile number", "director mobile, CEO phone, private number",
     "+62 811-100-2024. Never give it to callers; emergencies only, through the Board "
     "Secretary.", INTERNAL, "DIR"),
    ("Keberadaan direksi", "direksi di luar kota, jadwal direktur",
     "Jangan memberi tahu penelepon bahwa direksi sedang di luar kota atau di luar negeri. "
     "Katakan sedang tidak di tempat dan tawarkan untuk mencatat pesan.", INTERNAL, "DIR"),
    ("Building management 24 jam", "gedung, lift, listrik, AC, darurat",
     "Building management Menara Nusantara: (021) 5795 1234 (24 jam). Untuk lift macet, "
     "listrik padam dan AC.", INTERNAL, "OPS-GA"),
    ("Ancaman bom atau telepon mencurigakan", "ancaman, bom, teror, darurat, security",
     "Tetap tenang, jangan menutup telepon, catat kata-kata penelepon dan suara latar. "
     "Hubungi Pos Satpam Lobi dan supervisor segera.", INTERNAL, "OPS-GA"),
    ("Telepon dari pemeriksa pajak", "pemeriksaan pajak, KPP, DJP, petugas pajak",
     "Sambungkan langsung ke Manajer Pajak; jika tidak ada, ke Direktur Keuangan. Jangan "
     "memberi informasi apa pun kepada penelepon.", INTERNAL, "FIN-TAX"),
]
# fmt: on


# --------------------------------------------------------------------------- build


def random_presence(rng: random.Random) -> str:
    """A desk-like mix: most people in, some in meetings, out, on leave, remote."""
    roll = rng.random()
    for limit, presence in (
        (0.72, Presence.IN),
        (0.81, Presence.MEETING),
        (0.88, Presence.OUT),
        (0.94, Presence.LEAVE),
    ):
        if roll < limit:
            return presence
    return Presence.REMOTE


class Command(BaseCommand):
    help = "Load the PT Nusantara Sejahtera demo company and demo log-ins (once)."

    def handle(self, *args, **options):
        with transaction.atomic():
            if Department.objects.exists():
                self.stdout.write("Demo data already loaded; nothing changed.")
                return
            summary = DemoBuilder(now=timezone.now()).build()
        self.stdout.write(self.style.SUCCESS(summary))


class DemoBuilder:
    """Writes the whole demo company; call build() inside a transaction."""

    def __init__(self, *, now):
        self.now = now
        self.rng = random.Random(SEED)
        self.departments: dict[str, Department] = {}
        self.staff_by_dept: dict[str, list[Staff]] = {}
        self.zone_next: dict[str, int] = {}
        self.used_names: set[str] = {p[1] for p in KEY_PEOPLE}
        self.used_emails: set[str] = set()
        self.extension_count = 0

    def build(self) -> str:
        self._departments()
        self._department_lines()
        self._special_extensions()
        users = self._users()
        self._staff(users)
        self._heads()
        self._info_entries()
        n_staff = sum(len(v) for v in self.staff_by_dept.values())
        return (
            f"Loaded PT Nusantara Sejahtera: {len(self.departments)} departments, {n_staff} staff, "
            f"{self.extension_count} extensions, {len(INFO_ENTRIES)} info entries.\n"
            f"Demo log-ins (password {DEMO_PASSWORD}): operator, supervisor, admin, staff."
        )

    def _next_number(self, zone: str) -> str:
        seq = self.zone_next.get(zone, 0)
        self.zone_next[zone] = seq + 1
        if seq > 99:
            raise RuntimeError(f"Extension zone {zone} is full.")
        self.extension_count += 1
        return f"{zone}{seq:02d}"

    def _departments(self):
        for spec in DEPARTMENTS:
            dept = Department(
                name=spec.name,
                code=spec.code,
                parent=self.departments.get(spec.parent) if spec.parent else None,
                email=f"{spec.mailbox}@{DOMAIN}",
            )
            dept.save()
            self.departments[spec.code] = dept
            self.staff_by_dept[spec.code] = []

    def _department_lines(self):
        for spec in DEPARTMENTS:
            dept = self.departments[spec.code]
            line = Extension.objects.create(
                number=self._next_number(spec.zone),
                kind=ExtensionKind.DEPARTMENT,
                location=spec.location,
                label=f"Sentral {spec.name}",
                department=dept,
            )
            dept.main_extension = line

    def _special_extensions(self):
        locations = {spec.zone: spec.location for spec in reversed(DEPARTMENTS)}
        for zone, kind, label, dept_code in SPECIAL_EXTENSIONS:
            Extension.objects.create(
                number=self._next_number(zone),
                kind=kind,
                label=label,
                location=locations[zone],
                department=self.departments[dept_code] if dept_code else None,
            )

    def _users(self) -> dict[str, object]:
        if Group.objects.filter(name__in=ROLES).count() != len(ROLES):
            ensure_roles()
        groups = {g.name: g for g in Group.objects.filter(name__in=ROLES)}
        # One hash for all four demo accounts: hashing is deliberately slow.
        password = make_password(DEMO_PASSWORD)
        User = get_user_model()
        users = {}
        for username, group_name, is_admin in [
            ("operator", OPERATOR, False),
            ("supervisor", SUPERVISOR, False),
            ("admin", DIRECTORY_ADMIN, True),
            ("staff", None, False),
        ]:
            user = User.objects.create(
                username=username,
                password=password,
                is_staff=is_admin,
                is_superuser=is_admin,
            )
            if group_name:
                user.groups.add(groups[group_name])
            users[username] = user
        return users

    def _person_fields(self, full_name: str) -> dict:
        rng = self.rng
        local = email_local(full_name)
        email, n = f"{local}@{DOMAIN}", 2
        while email in self.used_emails:
            email, n = f"{local}{n}@{DOMAIN}", n + 1
        self.used_emails.add(email)
        return {"email": email, "mobile": make_mobile(rng) if rng.random() < 0.85 else ""}

    def _staff(self, users):
        rng = self.rng
        planned = []  # (dept spec, Staff, wants a desk phone)
        key_by_dept: dict[str, list[tuple]] = {}
        for row in KEY_PEOPLE:
            key_by_dept.setdefault(row[0], []).append(row)
        for spec in DEPARTMENTS:
            keys = key_by_dept.get(spec.code, [])
            for _code, name, title, topics, aliases, notes, _head, username in keys:
                staff = Staff(
                    full_name=name,
                    job_title=title,
                    department=self.departments[spec.code],
                    topics=topics,
                    aliases=aliases,
                    operator_notes=notes,
                    user=users.get(username),
                    **self._person_fields(name),
                )
                planned.append((spec, staff, True))
            has_head = any(row[6] for row in keys)
            for i in range(spec.size - len(keys)):
                person = make_person(rng)
                while person.full_name in self.used_names:
                    person = make_person(rng)
                self.used_names.add(person.full_name)
                if i == 0 and not has_head:
                    title, topics = spec.head_title, ""
                else:
                    title, topics = rng.choice(spec.roles)
                    if title == "Area Sales Supervisor":
                        region = rng.choice(["Jabodetabek", "Jawa Barat", "Jawa Timur", "Sumatera"])
                        topics = f"{topics} {region}"
                staff = Staff(
                    full_name=person.full_name,
                    job_title=title,
                    department=self.departments[spec.code],
                    topics=topics,
                    aliases=", ".join(make_aliases(rng, person)),
                    operator_notes=rng.choice(GENERAL_NOTES) if rng.random() < 0.08 else "",
                    **self._person_fields(person.full_name),
                )
                # Production operators are reached through the department line.
                wants_desk = title != "Operator Produksi" or rng.random() < 0.3
                planned.append((spec, staff, wants_desk))

        self._plan_presence([staff for _, staff, _ in planned])
        # People who are in are saved first, so covers exist before the absent.
        planned.sort(key=lambda item: item[1].presence != Presence.IN)
        for spec, staff, wants_desk in planned:
            staff.presence_changed_at = self.now - timedelta(minutes=rng.randrange(5, 600))
            staff.save()
            self.staff_by_dept[spec.code].append(staff)
            if wants_desk:
                Extension.objects.create(
                    number=self._next_number(spec.zone),
                    kind=ExtensionKind.DESK,
                    location=spec.location,
                    staff=staff,
                )
        for user in users.values():
            person = user.staff_profile
            user.first_name, _, user.last_name = person.full_name.rpartition(" ")
            if not user.first_name:
                user.first_name, user.last_name = user.last_name, ""
            user.email = person.email
            user.save(update_fields=["first_name", "last_name", "email"])

    def _plan_presence(self, people: list[Staff]):
        """Mostly in; some in meetings, out, on leave or remote, with back-at times in
        the future and, for most who are away, a colleague covering."""
        rng = self.rng
        local_now = timezone.localtime(self.now)
        explicit = {
            "Hartono Wijaya": (Presence.MEETING, timedelta(minutes=90), "Rapat direksi"),
            "Bambang Sutrisno": (Presence.OUT, timedelta(hours=3), "Kunjungan ke pabrik"),
            "Togar Simanjuntak": (Presence.LEAVE, timedelta(days=3), "Cuti tahunan"),
            "Sri Wahyuni": (Presence.IN, None, ""),
            "Budi Santoso": (Presence.IN, None, ""),
            "Siti Rahmawati": (Presence.IN, None, ""),
            "Rina Marlina": (Presence.IN, None, ""),
        }
        for staff in people:
            if staff.full_name in explicit:
                presence, delta, note = explicit[staff.full_name]
            else:
                presence = random_presence(rng)
                note = rng.choice(AWAY[presence]) if presence != Presence.IN else ""
                delta = {
                    Presence.IN: None,
                    Presence.MEETING: timedelta(minutes=rng.choice([30, 45, 60, 90, 120])),
                    Presence.OUT: timedelta(minutes=rng.randrange(60, 300, 15)),
                    Presence.LEAVE: timedelta(days=rng.randrange(1, 10)),
                    Presence.REMOTE: timedelta(days=1),
                }[presence]
            staff.presence, staff.presence_note = presence, note
            if delta is None:
                staff.back_at = None
            elif delta >= timedelta(days=1):  # back at 08:00 on a weekday
                back = (local_now + delta).replace(hour=8, minute=0, second=0, microsecond=0)
                while back.weekday() >= 5:
                    back += timedelta(days=1)
                staff.back_at = back
            else:
                staff.back_at = self.now + delta

        by_dept: dict[int, list[Staff]] = {}
        for staff in people:
            by_dept.setdefault(id(staff.department), []).append(staff)
        rina = next(s for s in people if s.full_name == "Rina Marlina")
        for staff in people:
            if staff.is_available:
                continue
            if staff.full_name == "Hartono Wijaya":
                staff.cover = rina
                continue
            colleagues = [
                s
                for s in by_dept[id(staff.department)]
                if s is not staff and s.presence == Presence.IN
            ]
            if colleagues and rng.random() < 0.85:
                staff.cover = rng.choice(colleagues)

    def _heads(self):
        key_heads = {row[0]: row[1] for row in KEY_PEOPLE if row[6]}
        for spec in DEPARTMENTS:
            members = self.staff_by_dept[spec.code]
            wanted = key_heads.get(spec.code)
            head = next(
                (
                    s
                    for s in members
                    if (s.full_name == wanted if wanted else s.job_title == spec.head_title)
                ),
                None,
            )
            dept = self.departments[spec.code]
            dept.head = head
            dept.save()

    def _info_entries(self):
        today = timezone.localdate(self.now)
        for title, keywords, answer, disclosure, owner in INFO_ENTRIES:
            InfoEntry(
                title=title,
                keywords=keywords,
                answer=answer,
                disclosure=disclosure,
                owner=self.departments[owner],
                last_reviewed=today - timedelta(days=self.rng.randrange(7, 200)),
            ).save()
