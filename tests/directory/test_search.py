from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from directory.models import Disclosure, ExtensionKind, Presence
from directory.selectors import directory_search
from tests.factories import DepartmentFactory, ExtensionFactory, InfoEntryFactory, StaffFactory

pytestmark = pytest.mark.django_db


def names(results):
    return [r.name for r in results]


def test_exact_extension_ranks_before_name_matches():
    target = StaffFactory(full_name="Ahmad Zulkifli")
    ExtensionFactory(number="2104", staff=target)
    other = StaffFactory(full_name="Bambang Irawan")
    ExtensionFactory(number="21040", staff=other)

    results = directory_search("2104")

    assert names(results)[:2] == ["Ahmad Zulkifli", "Bambang Irawan"]
    assert results[0].extension == "2104"


def test_name_prefix_ranks_before_word_prefix_before_the_rest():
    StaffFactory(full_name="Rina Budiman")  # word "budiman" starts with "bud"
    StaffFactory(full_name="Budi Santoso")  # name starts with "bud"
    StaffFactory(full_name="Sri Wahyuni", topics="anggaran budget")  # topic contains "bud"
    StaffFactory(full_name="Abud Hasan")  # contains "bud" mid-word

    results = directory_search("bud")

    # Within a rank, alphabetical: both "the rest" matches come last, by name.
    assert names(results) == ["Budi Santoso", "Rina Budiman", "Abud Hasan", "Sri Wahyuni"]
    assert [r.rank for r in results] == [1, 2, 3, 3]


def test_search_is_case_and_accent_insensitive():
    StaffFactory(full_name="José Ândrade")

    for query in ("jose", "JOSÉ", "andrade", "ÂNDR"):
        assert names(directory_search(query)) == ["José Ândrade"], query


def test_alias_topic_and_title_find_the_person():
    StaffFactory(
        full_name="Dewi Lestari",
        aliases="Bu Dewi",
        topics="faktur pajak, PPh 21",
        job_title="Supervisor Perpajakan",
    )

    for query in ("faktur", "pph 21", "bu dewi", "perpajakan"):
        assert names(directory_search(query)) == ["Dewi Lestari"], query


def test_one_or_two_letters_match_the_start_of_a_name_word():
    StaffFactory(full_name="Agus Salim")
    StaffFactory(full_name="Hasan Basri")

    assert names(directory_search("sa")) == ["Agus Salim"]
    assert names(directory_search("h")) == ["Hasan Basri"]


def test_departments_and_info_entries_are_found_with_their_kind():
    department = DepartmentFactory(name="Sumber Daya Manusia", code="HRD")
    ExtensionFactory(number="1500", department=department, kind=ExtensionKind.DEPARTMENT)
    InfoEntryFactory(title="Lowongan kerja", keywords="karir rekrutmen", answer="Kirim CV.")

    hrd = directory_search("hrd")
    assert [(r.kind, r.name, r.extension) for r in hrd] == [
        ("department", "Sumber Daya Manusia", "1500")
    ]
    info = directory_search("karir")
    assert [(r.kind, r.name, r.disclosure) for r in info] == [
        ("info", "Lowongan kerja", Disclosure.PUBLIC)
    ]


def test_unassigned_extensions_are_found_by_number():
    ExtensionFactory(number="1000", kind=ExtensionKind.LOBBY, label="Lobi Utama")

    results = directory_search("1000")

    assert [(r.kind, r.name, r.extension) for r in results] == [("extension", "Lobi Utama", "1000")]


def test_inactive_staff_are_not_found():
    StaffFactory(full_name="Yusuf Mantan", active=False)

    assert directory_search("yusuf") == []


def test_absent_person_shows_presence_and_cover_with_extension():
    cover = StaffFactory(full_name="Teguh Wibowo")
    ExtensionFactory(number="2201", staff=cover)
    back = timezone.now() + timedelta(hours=2)
    StaffFactory(full_name="Lina Marlina", presence=Presence.MEETING, back_at=back, cover=cover)

    [lina] = directory_search("lina")

    assert lina.presence == "meeting"
    assert lina.back_at == back
    assert lina.cover == {"id": cover.pk, "name": "Teguh Wibowo", "extension": "2201"}


@pytest.mark.parametrize("query", ["b", "budi", "ops", "30"])
def test_search_runs_two_queries_whatever_the_data(query, django_assert_max_num_queries, settings):
    department = DepartmentFactory(name="Operasional Bud", code="OPS")
    cover = StaffFactory(department=department)
    StaffFactory(full_name="Budi Satu", department=department)
    ExtensionFactory(number="3000", staff=cover)
    with django_assert_max_num_queries(2):
        few = directory_search(query)
    for i in range(60):
        person = StaffFactory(
            full_name=f"Budi {i}", department=department, presence=Presence.OUT, cover=cover
        )
        ExtensionFactory(staff=person)
    with django_assert_max_num_queries(2):
        many = directory_search(query)
    assert len(many) >= len(few)
    if query in ("b", "budi"):  # the name searches fill up with the 60 absent people
        absent = [r for r in many if r.presence == Presence.OUT]
        assert len(many) == settings.DIRECTORY_SEARCH_LIMIT
        assert len(absent) >= len(many) - 1  # the cover's own name may start with a B
        covered = {"id": cover.pk, "name": cover.full_name, "extension": "3000"}
        assert all(r.cover == covered and r.extension for r in absent)


def test_like_wildcards_in_the_query_are_plain_characters():
    StaffFactory(full_name="Ani 100% Hadir")
    StaffFactory(full_name="Anita Sari")
    StaffFactory(full_name="Budi_Santoso")
    StaffFactory(full_name="Budi Santoso")

    assert names(directory_search("100%")) == ["Ani 100% Hadir"]
    assert names(directory_search("an%")) == []
    assert names(directory_search("budi_")) == ["Budi_Santoso"]


@pytest.mark.parametrize("query", ["\x00", "bu\x00di", "\ud7ff", "\U0010ffff", "a\\"])
def test_odd_characters_are_searched_not_an_error(query):
    StaffFactory(full_name="Budi Santoso")

    found = names(directory_search(query))

    assert found == (["Budi Santoso"] if query == "bu\x00di" else [])


def test_an_extension_number_stands_for_its_person_or_department():
    person = StaffFactory(full_name="Rudi Hartono", presence=Presence.LEAVE)
    ExtensionFactory(number="3101", staff=person)
    ExtensionFactory(number="3102", staff=person, kind=ExtensionKind.FAX)
    department = DepartmentFactory(name="Gudang", code="WH")
    ExtensionFactory(number="3150", department=department, kind=ExtensionKind.DEPARTMENT)
    gone = StaffFactory(full_name="Sudah Keluar", active=False)
    ExtensionFactory(number="3160", staff=gone)

    results = directory_search("31")

    # One card per owner, at its best number; an inactive person's number is not shown.
    assert [(r.kind, r.name, r.extension, r.extensions) for r in results] == [
        ("staff", "Rudi Hartono", "3101", ["3101", "3102"]),
        ("department", "Gudang", "3150", ["3150"]),
    ]
    assert [r.rank for r in directory_search("3102")] == [0]


def test_search_page_shows_results_for_an_operator(operator_client):
    StaffFactory(full_name="Budi Santoso")

    response = operator_client.get(reverse("directory:search"), {"q": "bud"})

    assert response.status_code == 200
    assert "Budi Santoso" in response.content.decode()
    assert b"<html" in response.content


def test_htmx_search_returns_only_the_results_partial(operator_client):
    StaffFactory(full_name="Budi Santoso")

    response = operator_client.get(
        reverse("directory:search"), {"q": "bud"}, headers={"HX-Request": "true"}
    )

    body = response.content.decode()
    assert "Budi Santoso" in body
    assert "<html" not in body
    assert 'data-results-for="bud"' in body


def test_result_cards_escape_what_staff_typed(operator_client):
    cover = StaffFactory(full_name="Teguh <b>Wibowo</b>")
    StaffFactory(
        full_name="Budi <script>x</script>",
        job_title="Kepala & Wakil",
        presence=Presence.OUT,
        presence_note='"rapat" <i>',
        cover=cover,
    )

    body = operator_client.get(
        reverse("directory:search"), {"q": "budi"}, headers={"HX-Request": "true"}
    ).content.decode()

    assert "<script>" not in body and "<b>" not in body and "<i>" not in body
    assert "Budi &lt;script&gt;x&lt;/script&gt;" in body
    assert "Kepala &amp; Wakil" in body
    assert "&quot;rapat&quot; &lt;i&gt;" in body
    assert "<strong>Teguh &lt;b&gt;Wibowo&lt;/b&gt;</strong>" in body


def test_result_cards_speak_the_users_language(operator_client):
    StaffFactory(full_name="Budi Santoso", presence=Presence.MEETING)
    operator_client.post(reverse("set_language"), {"language": "id"})

    body = operator_client.get(
        reverse("directory:search"), {"q": "budi"}, headers={"HX-Request": "true"}
    ).content.decode()

    assert 'aria-label="Hasil"' in body
    assert ">staf</span>" in body
    assert "Sedang rapat" in body


def test_nothing_found_says_so(operator_client):
    response = operator_client.get(reverse("directory:search"), {"q": "zzzz"})

    assert "Nothing found for “zzzz”" in response.content.decode()


def test_api_returns_json_results_with_the_documented_fields(operator_client):
    person = StaffFactory(full_name="Budi Santoso", presence=Presence.LEAVE)
    ExtensionFactory(number="2104", staff=person)

    response = operator_client.get("/api/directory/search", {"q": "2104"})

    assert response.status_code == 200
    data = response.json()
    assert data["count"] == 1
    [result] = data["results"]
    assert result["kind"] == "staff"
    assert result["name"] == "Budi Santoso"
    assert result["extension"] == "2104"
    assert result["department"] == person.department.name
    assert result["presence"] == "leave"


def test_api_requires_log_in_and_a_directory_role(client, outsider_client):
    assert client.get("/api/directory/search", {"q": "x"}).status_code == 401
    assert outsider_client.get("/api/directory/search", {"q": "x"}).status_code == 403


def test_overlong_query_is_cut_not_an_error(operator_client):
    person = StaffFactory(full_name="A" * 120 + " Panjang")

    response = operator_client.get("/api/directory/search", {"q": "a" * 5000})

    assert response.status_code == 200
    data = response.json()
    # Searched as its first 100 characters, so the long name still matches.
    assert (data["query"], data["count"]) == ("a" * 5000, 1)
    [result] = data["results"]
    assert (result["kind"], result["id"], result["name"]) == ("staff", person.pk, person.full_name)


def test_department_page_shows_the_cover_only_of_members_who_are_away(operator_client):
    department = DepartmentFactory(name="Keuangan", code="FIN")
    cover = StaffFactory(full_name="Citra Pengganti", department=department)
    StaffFactory(full_name="Dodi Keluar", department=department, presence=Presence.OUT, cover=cover)
    StaffFactory(
        full_name="Rudi Jarak Jauh", department=department, presence=Presence.REMOTE, cover=cover
    )

    body = operator_client.get(
        reverse("directory:department-detail", args=[department.pk])
    ).content.decode()

    # One arrow: Dodi's. Working remotely is reachable at their own extension.
    assert body.count("→ Citra Pengganti") == 1
    dodi_row = body[body.index("Dodi Keluar") : body.index("</tr>", body.index("Dodi Keluar"))]
    assert "→ Citra Pengganti" in dodi_row


@pytest.mark.parametrize("query", ["", "   ", "\t\n", "\u00a0\u3000"])
def test_a_blank_query_finds_nothing_without_asking_the_database(
    query, operator_client, django_assert_num_queries
):
    StaffFactory(full_name="Budi Santoso")

    with django_assert_num_queries(0):
        assert directory_search(query) == []
    data = operator_client.get("/api/directory/search", {"q": query}).json()
    assert (data["count"], data["results"]) == (0, [])


# Session, user, permissions; the department; its sub-departments; its lines; the
# members with their covers; the members' extensions; the navigation's
# unread-messages badge and the operator's clock.
DEPARTMENT_PAGE_QUERIES = 10


def _department_with_members(count):
    department = DepartmentFactory(name="Keuangan", code="FIN")
    line = ExtensionFactory(number="2100", department=department, kind=ExtensionKind.DEPARTMENT)
    department.main_extension = line
    department.head = cover = StaffFactory(full_name="Citra Kepala", department=department)
    department.save()
    DepartmentFactory(name="Pajak", code="TAX", parent=department)
    for i in range(count - 1):
        person = StaffFactory(
            full_name=f"Staf {i:02d}", department=department, presence=Presence.OUT, cover=cover
        )
        ExtensionFactory(staff=person, kind=ExtensionKind.FAX)
        ExtensionFactory(staff=person)
    return department


@pytest.mark.parametrize("members", [1, 30])
def test_department_page_query_count_does_not_grow_with_members(
    members, operator_client, django_assert_num_queries
):
    department = _department_with_members(members)
    url = reverse("directory:department-detail", args=[department.pk])

    with django_assert_num_queries(DEPARTMENT_PAGE_QUERIES):
        response = operator_client.get(url)

    shown = list(response.context["members"])  # already read by the template
    assert len(shown) == members
    assert response.content.decode().count("→ Citra Kepala") == members - 1
    # Desk phones first, as on the staff page and the phone list.
    kinds = [[e.kind for e in p.extensions.all()] for p in shown if p.full_name.startswith("Staf")]
    assert kinds == [[ExtensionKind.DESK, ExtensionKind.FAX]] * (members - 1)


# Extension kinds are shown by their label, never their code -------------------------


def test_an_unassigned_extension_says_what_it_is_in_its_language(operator_client):
    ExtensionFactory(
        number="1202",
        kind=ExtensionKind.MEETING_ROOM,
        label="Aula Serbaguna",
        location="Lantai 2",
    )
    ExtensionFactory(number="1203", kind=ExtensionKind.FAX, label="")

    results = {r.extension: r for r in directory_search("120")}
    assert (results["1202"].extension_kind, results["1202"].extension_kind_label) == (
        "meeting_room",
        "Meeting room",
    )
    assert results["1203"].name == "Fax"  # no label: the kind names it

    html = operator_client.get(
        reverse("directory:search"), {"q": "120"}, headers={"HX-Request": "true"}
    ).content.decode()
    console = operator_client.get(
        reverse("calls:console"), {"q": "120"}, headers={"HX-Request": "true"}
    ).content.decode()
    for body in (html, console):
        assert "Meeting room · Lantai 2" in body
        assert "meeting_room" not in body
        assert "Fax · Fax" not in body  # the label is not said twice

    data = operator_client.get("/api/directory/search", {"q": "1202"}).json()
    [room] = data["results"]
    assert (room["extension_kind"], room["extension_kind_label"]) == (
        "meeting_room",
        "Meeting room",
    )

    operator_client.post(reverse("set_language"), {"language": "id"})
    html = operator_client.get(
        reverse("directory:search"), {"q": "1202"}, headers={"HX-Request": "true"}
    ).content.decode()
    assert "Ruang rapat · Lantai 2" in html
    data = operator_client.get("/api/directory/search", {"q": "1202"}).json()
    assert data["results"][0]["extension_kind_label"] == "Ruang rapat"


def test_person_and_department_pages_name_extension_kinds(operator_client):
    department = DepartmentFactory(name="Umum", code="GA")
    ExtensionFactory(number="1500", department=department, kind=ExtensionKind.MEETING_ROOM)
    person = StaffFactory(full_name="Budi Santoso", department=department)
    ExtensionFactory(number="1501", staff=person, kind=ExtensionKind.FAX)

    pages = [
        operator_client.get(reverse("directory:department-detail", args=[department.pk])),
        operator_client.get(reverse("directory:staff-detail", args=[person.pk])),
    ]

    department_page, staff_page = (p.content.decode() for p in pages)
    assert "Meeting room" in department_page and "meeting_room" not in department_page
    assert "Fax" in staff_page and ">fax<" not in staff_page


def test_internal_answer_card_warns_on_both_pages_alike(operator_client):
    InfoEntryFactory(title="Gaji direksi", answer="Rahasia", disclosure=Disclosure.INTERNAL)

    directory = operator_client.get(
        reverse("directory:search"), {"q": "gaji"}, headers={"HX-Request": "true"}
    ).content.decode()

    assert '<strong class="text-danger">Internal — do not disclose to callers.</strong>' in (
        directory
    )
    assert "Rahasia" not in directory  # an internal answer is not previewed
