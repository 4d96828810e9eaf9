import re

import pytest
from playwright.sync_api import expect

from directory.models import Disclosure, ExtensionKind, Presence, Staff
from switchboard.roles import DIRECTORY_ADMIN, OPERATOR
from tests.factories import (
    DepartmentFactory,
    ExtensionFactory,
    InfoEntryFactory,
    StaffFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_operator_finds_a_person_with_three_letters_and_enter(live_server, log_in):
    UserFactory(username="operator1", roles=[OPERATOR])
    finance = DepartmentFactory(name="Keuangan", code="FIN")
    budi = StaffFactory(full_name="Budi Santoso", department=finance, job_title="Staf Pajak")
    ExtensionFactory(number="2104", staff=budi, kind=ExtensionKind.DESK)
    StaffFactory(full_name="Rina Budiman", department=finance)

    page = log_in("operator1")
    page.goto(f"{live_server.url}/directory/")
    search_box = page.locator("#sb-q")
    expect(search_box).to_be_focused()

    page.keyboard.type("bud")
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(rf"/directory/staff/{budi.pk}/$"))
    expect(page.locator("h1")).to_contain_text("Budi Santoso")
    expect(page.locator("main")).to_contain_text("2104")


def test_operator_moves_through_results_with_the_arrow_keys(live_server, log_in):
    UserFactory(username="operator1", roles=[OPERATOR])
    StaffFactory(full_name="Budi Santoso")
    rina = StaffFactory(full_name="Rina Budiman")

    page = log_in("operator1")
    page.goto(f"{live_server.url}/directory/")
    expect(page.locator("#sb-q")).to_be_focused()  # autofocus lands after the load event
    page.keyboard.type("bud")
    # "bu" finds the same two people: wait for the answer to "bud" itself, or
    # its arrival would reset the highlight after the arrow key.
    expect(page.locator("#sb-results")).to_have_attribute("data-query", "bud")
    results = page.locator("#sb-results .sb-result")
    expect(results).to_have_count(2)
    expect(results.first).to_have_class(re.compile("active"))

    page.keyboard.press("ArrowDown")
    expect(results.nth(1)).to_have_class(re.compile("active"))
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(rf"/directory/staff/{rina.pk}/$"))


def test_staff_member_sets_their_own_presence_on_the_board(live_server, log_in):
    user = UserFactory(username="pegawai1")
    me = StaffFactory(full_name="Sari Pegawai", user=user)

    page = log_in("pegawai1")
    expect(page).to_have_url(re.compile(r"/directory/$"))  # a staff member lands on the search
    page.get_by_role("link", name="In/out board").click()
    row = page.locator(f"#presence-me-{me.pk}")
    row.get_by_role("link", name="Change").click()
    form = page.locator(f"#presence-me-{me.pk} form")
    form.locator("select[name=presence]").select_option("meeting")
    form.locator("input[name=note]").fill("Rapat direksi")
    form.locator("button[type=submit]").click()

    expect(page.locator(f"#presence-me-{me.pk}")).to_contain_text("Rapat direksi")
    me.refresh_from_db()
    assert me.presence == Presence.MEETING


def test_staff_member_looks_up_a_colleagues_extension(live_server, log_in):
    user = UserFactory(username="pegawai1")
    finance = DepartmentFactory(name="Keuangan", code="FIN")
    StaffFactory(full_name="Sari Pegawai", user=user, department=finance)
    budi = StaffFactory(full_name="Budi Santoso", department=finance)
    ExtensionFactory(number="2104", staff=budi)
    InfoEntryFactory(title="Budget rahasia", disclosure=Disclosure.INTERNAL)

    page = log_in("pegawai1")
    expect(page.locator("#sb-q")).to_be_focused()
    page.keyboard.type("bud")
    results = page.locator("#sb-results .sb-result")
    expect(results).to_have_count(1)  # the colleague, not the internal answer
    expect(results.first).to_contain_text("2104")
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(rf"/directory/staff/{budi.pk}/$"))
    expect(page.locator("main")).to_contain_text("2104")


def test_directory_admin_imports_staff_with_a_preview_then_confirms(live_server, log_in):
    UserFactory(username="diradmin1", roles=[DIRECTORY_ADMIN], is_staff=True)
    DepartmentFactory(name="Keuangan", code="FIN")
    text = "full_name,department_code,extensions\nBudi Santoso,FIN,2101\nSiti Aminah,FIN,2102\n"

    page = log_in("diradmin1")
    page.goto(f"{live_server.url}/directory/import/")
    page.select_option("#id_kind", "staff")
    page.set_input_files(
        "#id_file", files=[{"name": "staff.csv", "mimeType": "text/csv", "buffer": text.encode()}]
    )
    page.get_by_role("button", name="Upload and preview").click()

    expect(page).to_have_url(re.compile(r"/directory/import/\d+/$"))
    expect(page.locator(".sb-import-changes")).to_contain_text("Budi Santoso")
    assert not Staff.objects.exists()  # the preview writes nothing

    page.get_by_role("button", name="Confirm import").click()

    expect(page.locator(".alert-success")).to_contain_text("2 created, 0 updated, 0 unchanged")
    assert set(Staff.objects.values_list("full_name", flat=True)) == {"Budi Santoso", "Siti Aminah"}
