"""What the demo's slips and complaints say (seed_demo_messages): the company's
complaint categories, products and routing rules, and the stories of the
complaints and messages, in the words a desk in Jakarta would use.

Every text here is data (what operators, customers and colleagues typed), not
interface, so none is marked for translation. Nothing here touches the database."""

import random
from dataclasses import dataclass, field
from datetime import time

# Complaint categories: (name, position). Names as the company's admins keep them.
CATEGORIES = [
    ("Tagihan & pembayaran", 10),
    ("Pengiriman", 20),
    ("Produk rusak / cacat", 30),
    ("Garansi & servis", 40),
    ("Kualitas layanan", 50),
    ("Perilaku staf", 60),
    ("Lainnya", 90),
]

# What PT Nusantara Sejahtera makes in Cikarang: household appliances (SNI,
# a 12-month warranty, service centres, spare parts, distributors and shops).
APPLIANCES = [
    "Kipas Angin Berdiri NS-16",
    "Rice Cooker Digital NS-RC18",
    "Dispenser Air Galon NS-D2",
    "Blender Kaca NS-BL2",
    "Setrika Uap NS-SU1",
    "Pompa Air Jet NS-P250",
    "Water Heater Listrik NS-WH30",
]
PRODUCTS = [*APPLIANCES, "Suku Cadang & Aksesori", "Layanan Servis & Instalasi"]

# Default response targets (no rule), as migration 0002 writes them:
# severity -> (working minutes to acknowledge, to resolve).
DEFAULT_TARGETS = {
    "critical": (60, 480),
    "high": (120, 960),
    "medium": (240, 2400),
    "low": (480, 4800),
}
# Urgency limits, as migration 0002 writes them: (minutes, business time, next working day).
URGENCY_LIMITS = {
    "urgent": (10, False, False),
    "high": (30, True, False),
    "normal": (240, True, False),
    "low": (None, True, True),
}


@dataclass(frozen=True)
class Rule:
    name: str
    position: int
    department: str  # code
    category: str = ""
    product: str = ""
    keywords: str = ""
    targets: dict = field(default_factory=dict)  # severity -> (acknowledge, resolve)


# Tried in this order; the first that holds wins, the last catches everything.
RULES = [
    Rule(
        "Keselamatan produk → Produksi (QC)",
        10,
        "OPS-PRD",
        keywords="korsleting, konslet, terbakar, berasap, gosong, kesetrum, tersengat, meledak, "
        "short circuit, smoke, burn, electric shock",
        targets={"critical": (30, 960), "high": (60, 1440)},
    ),
    Rule(
        "Faktur pajak → Pajak",
        20,
        "FIN-TAX",
        keywords="faktur pajak, e-faktur, ppn, npwp, bukti potong, tax invoice",
    ),
    Rule(
        "Keluhan tentang tim sales → Penjualan",
        30,
        "COM-SLS",
        keywords="sales, salesman, tenaga penjual, diskon, salesperson, discount",
        targets={"high": (60, 960)},
    ),
    Rule(
        "Resepsionis, satpam & parkir → Umum & GA",
        35,
        "OPS-GA",
        keywords="satpam, security, resepsionis, kartu tamu, parkir, receptionist, guard",
    ),
    Rule("Tagihan & pembayaran → Keuangan", 40, "FIN", category="Tagihan & pembayaran"),
    Rule("Pengiriman → Gudang & Logistik", 50, "OPS-WH", category="Pengiriman"),
    Rule(
        "Instalasi & servis → Layanan Pelanggan",
        60,
        "COM-CS",
        product="Layanan Servis & Instalasi",
        targets={"medium": (120, 1440)},
    ),
    Rule("Perilaku staf → SDM", 70, "HRD", category="Perilaku staf"),
    Rule(
        "Produk rusak → Layanan Pelanggan (garansi)",
        80,
        "COM-CS",
        category="Produk rusak / cacat",
        targets={"high": (60, 960), "medium": (180, 1440)},
    ),
    Rule("Semua keluhan lain → Layanan Pelanggan", 1000, "COM-CS"),
]

# Who works a department's complaints: the job titles to pick the worker from.
WORKER_TITLES = {
    "COM-CS": ("Customer Service Officer", "Staf Garansi & Servis", "Agen Call Center"),
    "OPS-WH": ("Koordinator Pengiriman", "Admin Logistik", "Staf Gudang"),
    "FIN": ("Staf Piutang Usaha", "Staf Penagihan", "Staf Akuntansi"),
    "FIN-TAX": ("Staf Pajak",),
    "OPS-PRD": ("Staf Quality Control", "Supervisor Produksi"),
    "HRD": ("HR Business Partner", "Staf Personalia"),
    "COM-SLS": ("Key Account Manager", "Sales Executive", "Staf Admin Penjualan"),
    "OPS-GA": ("Supervisor Front Office", "Koordinator Keamanan", "Staf Umum"),
}


# Message slips -----------------------------------------------------------------

CALLBACK_TIMES = [
    "",
    "",
    "Setelah jam 14.00",
    "Sebelum jam 15.00",
    "Besok pagi",
    "Kapan saja di jam kerja",
    "Setelah makan siang",
    "Hari ini juga",
]
# Words in a message that say how urgent it is; the rest is drawn.
URGENCY_WORDS = [
    ("sakit", "urgent"),
    ("wawancara", "high"),
    ("wartawan", "high"),
    ("siaran pers", "high"),
    ("ac ruang rapat", "high"),
    ("lowongan", "low"),
    ("lamaran", "low"),
    ("magang", "low"),
    ("promo", "low"),
]
PHONE_ACK_NOTES = [
    "",
    "",
    "Menelepon ke operator: pesannya sudah diterima.",
    "Konfirmasi lewat WhatsApp ke operator: sudah terima.",
    "Sudah terima, akan telepon balik setelah rapat.",
]
DONE_NOTES = [
    "Sudah ditelepon balik.",
    "Sudah dihubungi lewat WhatsApp.",
    "Penelepon sudah dibalas lewat e-mail.",
    "Sudah ditangani; penelepon tidak perlu dihubungi lagi.",
    "Janji temu sudah dijadwalkan.",
]


@dataclass(frozen=True)
class LooseSlip:
    """A slip taken without a call: a walk-in visitor, a colleague passing a
    message on. `back` working days before the latest day whose `at` has passed.
    `fate`: "open" (nobody acknowledged yet), "acked" (by its recipient, in My
    messages), "done" (acknowledged and called back), "desk_done" (the desk
    closed it: the visitor came back, the parcel was collected), "cover_acked"
    (the cover acknowledged it through the e-mailed link)."""

    message: str
    whom: str  # a person's full name, or a department code for a department's slip
    back: int
    at: time
    fate: str
    urgency: str = "normal"
    mood: str = "calm"
    caller_name: str = ""
    caller_company: str = ""
    caller_number: str = ""
    callback_time: str = ""
    send_to: str = "person"
    note: str = ""


LOOSE_SLIPS = [
    LooseSlip(
        "Tamu tanpa janji di lobi: Bapak Rudy Hartono dari PT Sinar Jaya Elektrik menitipkan "
        "katalog dan minta waktu untuk presentasi produk minggu ini.",
        "Budi Santoso",
        0,
        time(14, 20),
        "open",
        caller_name="Rudy Hartono",
        caller_company="PT Sinar Jaya Elektrik",
        caller_number="0812-8833-4410",
        callback_time="Setelah jam 15.00",
    ),
    LooseSlip(
        "Pesan dari Bu Ratna Kusumawati (Direktur Keuangan), disampaikan Mbak Rina: mohon "
        "proyeksi penjualan Desember dikirim sebelum rapat direksi hari Kamis.",
        "Budi Santoso",
        1,
        time(10, 5),
        "open",
        urgency="high",
        mood="hurried",
        caller_name="Rina Marlina",
        caller_company="Sekretaris Direksi",
    ),
    LooseSlip(
        "Diteruskan dari hotline Layanan Pelanggan: distributor CV Makmur Abadi (Surabaya) "
        "menanyakan stok Kipas Angin NS-16 untuk pesanan 300 unit dan minta penawaran hari ini.",
        "COM-SLS",
        1,
        time(14, 10),
        "acked",
        urgency="high",
        mood="hurried",
        caller_name="Hendrik Wijaya",
        caller_company="CV Makmur Abadi",
        caller_number="031-5467-2210",
        callback_time="Hari ini juga",
        note="Saya telepon distributornya sore ini.",
    ),
    LooseSlip(
        "Bu Yohana (Pengadaan) titip pesan: vendor kemasan minta konfirmasi jumlah dus untuk "
        "promo akhir tahun paling lambat besok.",
        "Budi Santoso",
        2,
        time(10, 15),
        "done",
        caller_name="Yohana Halim",
        caller_company="Pengadaan",
        note="Sudah saya konfirmasi ke Bu Yohana: 1.200 dus.",
    ),
    LooseSlip(
        "Kurir menitipkan dokumen kontrak asli dari kantor notaris di meja resepsionis; "
        "mohon diambil hari ini.",
        "Andi Rahmat Mappaenre",
        0,
        time(9, 40),
        "desk_done",
        caller_name="Kurir Kantor Notaris Siregar",
        note="Dokumen sudah diambil oleh staf Legal.",
    ),
    LooseSlip(
        "Pesan dari Bu Rotua (Gudang Cikarang): 20 unit Rice Cooker NS-RC18 retur dari Toko "
        "Elektronik Jaya sudah tiba, menunggu pemeriksaan Layanan Pelanggan.",
        "Togar Simanjuntak",
        1,
        time(9, 30),
        "cover_acked",
        caller_name="Rotua Siregar",
        caller_company="Gudang & Logistik",
        send_to="both",
    ),
]


# Complaints --------------------------------------------------------------------


@dataclass
class Story:
    """One complaint: what the customer said and what the department said back."""

    category: str
    product: str
    severity: str
    description: str
    language: str = "id"
    ack: str = ""  # internal note on acknowledging
    work: str = ""  # internal note while working on it
    update: str = ""  # what the customer was told meanwhile
    resolution: str = ""  # what the customer was told on resolving
    close: str = ""  # internal, on closing
    reopen: str = ""  # why it was opened again


def _order(rng: random.Random, month: str) -> dict:
    return {
        "so": f"SO-{month}-{rng.randrange(100, 999):04d}",
        "inv": f"INV/{month}/{rng.randrange(100, 999):04d}",
        "do": f"SJ-{month}-{rng.randrange(100, 999):04d}",
        "units": rng.choice([12, 24, 30, 50, 80, 120]),
    }


DAMAGE = [
    ("dus penyok dan bodinya retak", "with a dented box and a cracked body"),
    ("tidak mau menyala saat pertama dicoba", "dead on arrival: it will not switch on"),
    ("tutup kacanya pecah", "with its glass lid broken"),
    ("kabelnya terkelupas dan sempat korsleting", "with a frayed cable that gave off smoke"),
]


UNSAFE = 3  # the frayed cable: the safety rule sends it to QC


def damaged(rng: random.Random, month: str, english: bool) -> Story:
    product = rng.choice(APPLIANCES)
    order = _order(rng, month)
    index = rng.randrange(len(DAMAGE))
    unsafe = index == UNSAFE
    if english:
        return Story(
            "Produk rusak / cacat",
            product,
            "critical" if unsafe else "high",
            f"The customer received {product} (order {order['so']}) {DAMAGE[index][1]}. "
            "Asks for a replacement unit or a refund.",
            language="en",
            ack="Photos of the unit requested from the customer by WhatsApp.",
            work="Replacement unit reserved at the Cikarang warehouse.",
            update="We have your photos; a replacement unit is being prepared.",
            resolution="A replacement unit was delivered; the damaged one was collected for QC.",
            close="Customer confirmed by phone that the new unit works.",
            reopen="Customer rang again: the replacement unit does not switch on either.",
        )
    return Story(
        "Produk rusak / cacat",
        product,
        "critical" if unsafe else rng.choice(["high", "medium"]),
        f"Pelanggan menerima {product} (pesanan {order['so']}) dalam keadaan "
        f"{DAMAGE[index][0]}. Minta unit pengganti atau pengembalian dana.",
        ack="Foto unit sudah diminta lewat WhatsApp.",
        work="Unit pengganti disiapkan di gudang Cikarang; unit rusak akan ditarik untuk QC.",
        update="Foto sudah kami terima; unit pengganti sedang disiapkan dan dikirim besok.",
        resolution="Unit pengganti sudah diterima pelanggan; unit rusak ditarik untuk "
        "diperiksa QC.",
        close="Pelanggan mengonfirmasi lewat telepon bahwa unit baru berfungsi baik.",
        reopen="Pelanggan menelepon lagi: unit pengganti juga tidak menyala.",
    )


def late_delivery(rng: random.Random, month: str, english: bool) -> Story:
    product = rng.choice(APPLIANCES)
    order = _order(rng, month)
    return Story(
        "Pengiriman",
        product,
        "high" if order["units"] >= 50 else "medium",
        f"Pesanan {order['units']} unit {product} ({order['so']}) dijanjikan tiba dalam 5 hari "
        "kerja, sudah dua minggu belum sampai. Konsumen toko menanyakan setiap hari.",
        ack="Dicek ke ekspedisi: barang tertahan di gudang transit Karawang.",
        work=f"Dijadwalkan ulang dengan truk sendiri; surat jalan {order['do']}.",
        update="Barang dikirim ulang dengan armada kami sendiri, tiba lusa.",
        resolution=f"Barang sudah diterima toko (surat jalan {order['do']}); "
        "ongkos kirim tidak ditagihkan.",
        close="Toko mengonfirmasi barang lengkap.",
        reopen="Toko menelepon: 6 dus masih kurang dari jumlah di surat jalan.",
    )


def wrong_goods(rng: random.Random, month: str, english: bool) -> Story:
    product, other = rng.sample(APPLIANCES, 2)
    order = _order(rng, month)
    if rng.random() < 0.5:
        return Story(
            "Pengiriman",
            product,
            "medium",
            f"Yang dikirim {other}, padahal pesanannya {product} (surat jalan {order['do']}). "
            "Minta ditukar secepatnya.",
            ack="Salah ambil barang di gudang: dicek dengan surat jalan.",
            work="Penukaran dijadwalkan; barang yang salah dijemput sekalian.",
            update="Penukaran barang dijadwalkan Kamis pagi.",
            resolution="Barang sudah ditukar; barang yang salah sudah kami jemput.",
            close="Penerimaan barang dikonfirmasi toko.",
            reopen="Toko menelepon: yang ditukar hanya sebagian.",
        )
    return Story(
        "Kualitas layanan",
        product,
        "medium",
        f"PO {order['units']} unit {product}, yang datang hanya separuhnya. Kata sales sisanya "
        "menyusul, tapi sudah seminggu belum ada kabar.",
        ack="Dicek ke admin penjualan: sisa pesanan belum diinput.",
        work="Sisa pesanan diinput ulang dan diprioritaskan.",
        update="Sisa pesanan dikirim minggu ini; kami kabari nomor surat jalannya.",
        resolution="Sisa pesanan sudah dikirim dan diterima.",
        close="Pelanggan puas; ditutup.",
        reopen="Pelanggan menelepon lagi: faktur masih untuk jumlah penuh.",
    )


REGIONS = ["Bekasi", "Depok", "Tangerang", "Bogor", "Karawang", "Bandung"]


def sales_service(rng: random.Random, month: str, english: bool) -> Story:
    region = rng.choice(REGIONS)
    if english:
        return Story(
            "Kualitas layanan",
            "",
            "medium",
            f"The salesperson for {region} promised three times to visit the shop and never "
            "came; calls and WhatsApp messages go unanswered.",
            language="en",
            ack="Checked with the area sales supervisor.",
            work="Visit planned with the area sales supervisor.",
            update="Our area supervisor will visit your shop this week.",
            resolution="The area supervisor visited the shop and agreed on a weekly visit.",
            close="Closed after the visit.",
            reopen="Customer rang again: the weekly visit did not happen.",
        )
    return Story(
        "Kualitas layanan",
        "",
        rng.choice(["medium", "high"]),
        f"Sales area {region} sudah tiga kali janji datang ke toko tapi tidak datang; telepon "
        "dan WhatsApp tidak dibalas. Toko mau pesan ulang tapi tidak ada yang melayani.",
        ack="Sudah ditanyakan ke Area Sales Supervisor.",
        work="Kunjungan dijadwalkan bersama Area Sales Supervisor.",
        update="Area Sales Supervisor kami akan berkunjung ke toko minggu ini.",
        resolution="Area Sales Supervisor sudah berkunjung; pesanan ulang sudah diproses.",
        close="Ditutup setelah kunjungan.",
        reopen="Toko menelepon lagi: kunjungan mingguan tidak berjalan.",
    )


def general(purpose: str) -> Story:
    return Story(
        "Lainnya",
        "",
        "medium",
        purpose,
        ack="Diterima; ditangani Layanan Pelanggan.",
        work="Sedang dicek dengan bagian terkait.",
        update="Kami sedang mengecek dan akan menghubungi kembali.",
        resolution="Sudah kami jelaskan kepada pelanggan.",
        close="Ditutup.",
        reopen="Pelanggan menelepon lagi dengan pertanyaan yang sama.",
    )


# What a demo call's purpose (seed_demo_calls) says -> the story it becomes.
BY_PURPOSE = {
    "barang diterima dalam keadaan rusak": damaged,
    "pengiriman terlambat dua minggu": late_delivery,
    "produk tidak sesuai pesanan": wrong_goods,
    "pelayanan sales kurang memuaskan": sales_service,
}


def story_for_call(purpose: str, *, rng: random.Random, month: str, english: bool) -> Story:
    maker = BY_PURPOSE.get(purpose.strip().lower())
    return maker(rng, month, english) if maker else general(purpose)


@dataclass(frozen=True)
class LooseComplaint:
    """A complaint recorded on its own (a walk-in customer, a letter, an
    e-mail), `back` working days before the latest day whose `at` has passed.
    `role` fixes how far it has come; None lets the command decide by age."""

    customer_name: str
    customer_number: str
    customer_email: str
    back: int
    at: time
    story: Story
    role: str | None = None


LOOSE_COMPLAINTS = [
    LooseComplaint(
        "Ibu Susanti (PT Cahaya Abadi Elektronik)",
        "021-4587-3310",
        "susanti.keuangan@example.com",
        2,
        time(9, 10),
        Story(
            "Tagihan & pembayaran",
            "",
            "medium",
            "Faktur pajak untuk pembelian bulan lalu belum terbit, padahal sudah diminta dua "
            "kali; tanpa faktur pajak PPN-nya tidak bisa dikreditkan.",
        ),
        role="routed",  # nobody took it up: overdue, escalated
    ),
    LooseComplaint(
        "Bapak Rahmat Koto (Toko Elektronik Sinar Padang)",
        "0812-6654-0921",
        "",
        3,
        time(13, 45),
        Story(
            "Tagihan & pembayaran",
            "Kipas Angin Berdiri NS-16",
            "medium",
            "Tagihan untuk pesanan 40 unit Kipas Angin NS-16 datang dua kali dengan nomor "
            "berbeda; toko sudah membayar yang pertama dan minta tagihan kedua dibatalkan.",
            ack="Dicek ke Piutang Usaha: tagihan kedua memang dobel.",
            work="Pembatalan tagihan kedua diajukan ke Manajer Akuntansi.",
            update="Tagihan kedua sedang kami batalkan; Bapak tidak perlu membayarnya.",
            resolution="Tagihan kedua sudah dibatalkan; konfirmasi tertulis dikirim lewat "
            "WhatsApp.",
            close="Toko mengonfirmasi pembatalan.",
            reopen="Toko menerima surat penagihan untuk tagihan yang sudah dibatalkan.",
        ),
    ),
    LooseComplaint(
        "Hendrawan Kusuma (CV Sumber Rejeki, Bandung)",
        "022-7312-5590",
        "hendrawan.kusuma@example.com",
        2,
        time(9, 50),
        Story(
            "Tagihan & pembayaran",
            "Dispenser Air Galon NS-D2",
            "high",
            "Surat dari distributor: diskon 7% yang dijanjikan sales untuk pembelian 150 unit "
            "Dispenser NS-D2 tidak ada di faktur. Sudah dua kali menghubungi salesnya, belum "
            "ada jawaban.",
            ack="Dicek dengan Key Account Manager: diskon 7% memang disepakati saat negosiasi.",
            work="Nota kredit diminta ke Keuangan.",
            update="Diskon 7% sudah kami setujui; nota kredit sedang diproses Keuangan.",
        ),
        role="in_progress",
    ),
    LooseComplaint(
        "Ibu Kartika Wibisono",
        "0857-1123-4408",
        "kartika.wibisono@example.com",
        1,
        time(10, 40),
        Story(
            "Perilaku staf",
            "",
            "medium",
            "Tamu (calon distributor) mengeluh satpam di pos lobi bersikap kasar dan memintanya "
            "menunggu di luar saat hujan; antrean kartu tamu juga lama.",
            ack="Rekaman CCTV pos lobi diminta ke Koordinator Keamanan.",
            work="Koordinator Keamanan sudah bicara dengan petugas shift pagi.",
            update="Kami mohon maaf. Petugas yang bersangkutan sudah ditegur; tamu kini menunggu "
            "di dalam lobi.",
        ),
        role="in_progress",
    ),
    LooseComplaint(
        "Ibu Maria Situmorang",
        "0813-1977-2045",
        "",
        3,
        time(11, 15),
        Story(
            "Produk rusak / cacat",
            "Rice Cooker Digital NS-RC18",
            "critical",
            "Pelanggan datang ke lobi membawa Rice Cooker NS-RC18 yang berasap dan berbau gosong "
            "saat dipakai; baru dua minggu dibeli di Toko Elektronik Jaya, Bekasi.",
            ack="Unit diterima di lobi dan dibawa ke lab QC Cikarang.",
            work="QC: elemen pemanas dari batch 2611-B; batch diperiksa.",
            update="Unit Ibu sedang diperiksa QC; unit pengganti kami antar ke rumah.",
            resolution="Unit pengganti diantar ke rumah pelanggan; hasil QC dijelaskan "
            "lewat telepon.",
            close="Pelanggan menerima unit pengganti; batch 2611-B ditarik dari toko.",
            reopen="Pelanggan menelepon: ingin pengembalian dana, bukan unit pengganti.",
        ),
    ),
    LooseComplaint(
        "Bapak Yosef Rondonuwu",
        "0811-9076-5312",
        "yosef.rondonuwu@example.com",
        1,
        time(15, 30),
        Story(
            "Garansi & servis",
            "Layanan Servis & Instalasi",
            "medium",
            "Teknisi instalasi Pompa Air Jet NS-P250 datang terlambat tiga jam dan pulang sebelum "
            "pompa dicoba; sekarang pompa bocor di sambungan pipa.",
            ack="Dijadwalkan kunjungan teknisi ulang.",
            work="Teknisi senior ditugaskan; suku cadang sambungan dibawa.",
            update="Teknisi kami datang besok pukul 09.00 untuk memperbaiki sambungan.",
            resolution="Sambungan sudah diperbaiki dan pompa dicoba bersama pelanggan.",
            close="Pelanggan puas dengan perbaikan.",
            reopen="Pelanggan menelepon: sambungan bocor lagi.",
        ),
    ),
]
