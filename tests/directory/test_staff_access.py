"""Staff members (a log-in linked to an active Staff record, no role) look their
colleagues up: the search (page, HTMX, JSON), the phone list, people's and
departments' pages; never the internal answers. Outsiders stay out."""

import pytest
from django.test import Client
from django.urls import reverse

from directory.models import Disclosure
from directory.selectors import directory_search
from tests.factories import (
    DepartmentFactory,
    ExtensionFactory,
    InfoEntryFactory,
    StaffFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

SEARCH = reverse("directory:search")
API = "/api/directory/search"
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def answers(db):
    """One answer of each disclosure, all found by "gaji"."""
    return {
        disclosure: InfoEntryFactory(
            title=f"Gaji {disclosure}", answer=f"Jawaban {disclosure}", disclosure=disclosure
        )
        for disclosure in Disclosure.values
    }


@pytest.fixture
def colleague(department):
    person = StaffFactory(full_name="Gajah Mada", department=department)
    ExtensionFactory(number="2150", staff=person)
    return person


def titles(results):
    return {r.name for r in results if r.kind == "info"}


@pytest.mark.parametrize("query", ["g", "ga", "gaji", "aji", "jawaban"])
def test_search_without_internal_answers_never_reads_them(query, answers):
    everything = titles(directory_search(query))
    for_staff = titles(directory_search(query, internal=False))

    assert "Gaji internal" not in for_staff
    assert for_staff == everything - {"Gaji internal"}
    if query in ("g", "ga", "gaji"):  # the title matches: the desk sees all three
        assert everything == {"Gaji public", "Gaji on_request", "Gaji internal"}


def test_internal_answers_do_not_crowd_out_the_others(settings):
    """Filtered in the SQL, not after the limit: twenty internal answers that sort
    first still leave room for the public one."""
    settings.DIRECTORY_SEARCH_LIMIT = 5
    for i in range(20):
        InfoEntryFactory(title=f"Anggaran {i:02d}", disclosure=Disclosure.INTERNAL)
    InfoEntryFactory(title="Anggaran umum", disclosure=Disclosure.PUBLIC)

    assert titles(directory_search("anggaran", internal=False)) == {"Anggaran umum"}
    assert titles(directory_search("ang", internal=False)) == {"Anggaran umum"}
    assert len(directory_search("anggaran")) == 5


@pytest.mark.parametrize("query", ["ga", "gaj"])
def test_staff_search_runs_the_same_two_queries(
    query, answers, colleague, django_assert_num_queries
):
    with django_assert_num_queries(2):
        results = directory_search(query, internal=False)
    assert "Gajah Mada" in {r.name for r in results}


def test_staff_member_finds_a_colleague_and_the_open_answers_on_the_page(
    staff_client, colleague, answers
):
    body = staff_client.get(SEARCH, {"q": "gaj"}).content.decode()

    assert "<html" in body
    assert "Gajah Mada" in body and "2150" in body
    assert "Gaji public" in body and "Gaji on_request" in body
    assert "Gaji internal" not in body and "Jawaban internal" not in body


def test_staff_member_gets_the_htmx_results_without_internal_answers(
    staff_client, colleague, answers
):
    body = staff_client.get(SEARCH, {"q": "gaji"}, **HTMX).content.decode()

    assert "<html" not in body
    assert 'data-results-for="gaji"' in body
    assert "Gaji public" in body
    assert "Gaji internal" not in body
    assert "sb-disclosure-internal" not in body


def test_staff_member_gets_json_without_internal_answers(staff_client, colleague, answers):
    response = staff_client.get(API, {"q": "gaji"})

    assert response.status_code == 200
    data = response.json()
    assert {r["name"] for r in data["results"]} == {"Gaji public", "Gaji on_request"}
    assert data["count"] == 2
    assert staff_client.get(API, {"q": "2150"}).json()["results"][0]["name"] == "Gajah Mada"


def test_the_desk_still_sees_internal_answers(operator_client, answers):
    body = operator_client.get(SEARCH, {"q": "gaji"}, **HTMX).content.decode()
    data = operator_client.get(API, {"q": "gaji"}).json()

    assert "Gaji internal" in body
    assert "Gaji internal" in {r["name"] for r in data["results"]}


def test_internal_answer_page_is_not_found_for_a_staff_member(
    staff_client, operator_client, answers
):
    internal = reverse("directory:info-detail", args=[answers[Disclosure.INTERNAL].pk])
    public = reverse("directory:info-detail", args=[answers[Disclosure.PUBLIC].pk])

    assert staff_client.get(internal).status_code == 404
    assert "Jawaban public" in staff_client.get(public).content.decode()
    assert "Jawaban internal" in operator_client.get(internal).content.decode()


def test_staff_member_opens_a_colleague_and_a_department_but_not_the_desk_notes(
    staff_client, operator_client, department
):
    person = StaffFactory(
        full_name="Dewi Lestari", department=department, operator_notes="Sambungkan ke asisten"
    )
    ExtensionFactory(number="2160", staff=person)
    page = reverse("directory:staff-detail", args=[person.pk])

    body = staff_client.get(page).content.decode()
    assert "Dewi Lestari" in body and "2160" in body
    assert "Sambungkan ke asisten" not in body
    assert "Sambungkan ke asisten" in operator_client.get(page).content.decode()
    department_page = staff_client.get(reverse("directory:department-detail", args=[department.pk]))
    assert "Dewi Lestari" in department_page.content.decode()


def test_staff_member_sees_the_phone_list(staff_client, colleague):
    response = staff_client.get(reverse("directory:phone-list"))

    assert response.status_code == 200
    assert "Gajah Mada" in response.content.decode()


def test_staff_member_navigation_offers_the_directory_and_the_phone_list(staff_client):
    body = staff_client.get(reverse("directory:board")).content.decode()

    assert f'href="{SEARCH}"' in body
    assert f'href="{reverse("directory:phone-list")}"' in body
    assert f'href="{reverse("calls:console")}"' not in body


@pytest.mark.parametrize(
    "url",
    [
        SEARCH,
        f"{SEARCH}?q=gaji",
        reverse("directory:phone-list"),
        reverse("directory:board"),
    ],
)
def test_outsiders_stay_out(url, outsider_client, answers):
    assert outsider_client.get(url).status_code == 403
    assert outsider_client.get(API, {"q": "gaji"}).status_code == 403


def test_a_staff_member_whose_record_is_inactive_is_an_outsider(department):
    user = UserFactory(username="mantan")
    StaffFactory(full_name="Mantan Pegawai", department=department, user=user, active=False)
    client = Client()
    client.force_login(user)

    assert client.get(SEARCH).status_code == 403
    assert client.get(API, {"q": "x"}).status_code == 403
    assert client.get(reverse("directory:phone-list")).status_code == 403
    body = client.get(reverse("home"), follow=True)
    assert body.status_code == 403  # the board, which needs a record too


def test_outsider_navigation_has_no_directory(outsider_client):
    body = outsider_client.get(reverse("password_change")).content.decode()

    assert f'href="{SEARCH}"' not in body
    assert f'href="{reverse("directory:phone-list")}"' not in body


def test_staff_member_pays_one_query_for_their_record(staff_client, colleague, answers):
    """Session, user, the Staff record (shared by the access check and the
    navigation), then the search's two; no more with more results."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    staff_client.get(SEARCH, {"q": "gaj"})  # warm up
    with CaptureQueriesContext(connection) as few:
        staff_client.get(SEARCH, {"q": "gaj"})
    for i in range(20):
        StaffFactory(full_name=f"Gajah {i:02d}", department=DepartmentFactory())
    with CaptureQueriesContext(connection) as many:
        staff_client.get(SEARCH, {"q": "gaj"})
    linked = [q for q in many.captured_queries if '"user_id"' in q["sql"]]
    assert len(linked) == 1, [q["sql"] for q in many.captured_queries]
    assert len(few) == len(many)
