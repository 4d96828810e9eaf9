"""The printable phone list."""

import re

import factory
import pytest
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.urls import reverse

from directory.models import Extension, ExtensionKind
from switchboard.roles import OPERATOR
from tests import factories

pytestmark = pytest.mark.django_db

URL = reverse("directory:phone-list")


class DepartmentFactory(factories.DepartmentFactory):
    name = factory.Sequence(lambda n: f"Department {n}")
    code = factory.Sequence(lambda n: f"D{n}")


class StaffFactory(factories.StaffFactory):
    full_name = factory.Sequence(lambda n: f"Person {n:03d}")
    job_title = "Clerk"
    department = factory.SubFactory(DepartmentFactory)


class ExtensionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Extension

    number = factory.Sequence(lambda n: str(4000 + n))


@pytest.fixture
def operator_web(client, db):
    user = User.objects.create_user("op", password="pw-not-used")
    user.groups.add(Group.objects.get(name=OPERATOR))
    client.force_login(user)
    return client


@pytest.fixture
def company(db):
    corp = DepartmentFactory(code="CORP", name="Head office")
    fin = DepartmentFactory(code="FIN", name="Finance", parent=corp)
    tax = DepartmentFactory(code="TAX", name="Tax", parent=fin)
    hr = DepartmentFactory(code="HR", name="Human resources", parent=corp)
    DepartmentFactory(code="GONE", name="Closed unit", parent=corp, active=False)
    fin.main_extension = ExtensionFactory(
        number="2100", kind=ExtensionKind.DEPARTMENT, department=fin
    )
    fin.save()
    budi = StaffFactory(full_name="Budi Santoso", department=tax, job_title="Tax officer")
    ExtensionFactory(number="2001", staff=budi, kind=ExtensionKind.FAX)
    ExtensionFactory(number="2101", staff=budi)
    StaffFactory(full_name="Ani Wijaya", department=hr, job_title="Recruiter")
    StaffFactory(full_name="Left Already", department=hr, active=False)
    return {"corp": corp, "fin": fin, "tax": tax, "hr": hr}


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def test_lists_departments_in_tree_order_with_main_line_people_and_extensions(
    operator_web, company
):
    response = operator_web.get(URL)
    assert response.status_code == 200
    page = _text(response)
    order = [page.index(name) for name in ("Head office", "Finance", "Tax", "Human resources")]
    assert order == sorted(order)
    assert "2100" in page
    # desk phone first, then the fax
    row = r"Budi Santoso <span[^>]*>· Tax officer</span> ?</td> ?<td[^>]*>2101, 2001<"
    assert re.search(row, page)
    assert "Ani Wijaya" in page and "Recruiter" in page
    assert "Left Already" not in page
    assert "Closed unit" not in page
    # The print layout is in the stylesheet (no inline <style> under the CSP);
    # each department is indented by its depth in the tree.
    assert 'class="sb-phone-list-page"' in page
    assert re.search(r'class="sb-phone-dept sb-depth-2"> ?<h2><span>Tax ', page)
    stylesheet = (settings.BASE_DIR / "static/css/switchboard.css").read_text()
    assert "@media print" in stylesheet and "column-count: 2" in stylesheet


def test_department_filter_shows_that_branch_only(operator_web, company):
    page = _text(operator_web.get(URL, {"department": company["fin"].pk}))
    assert "Budi Santoso" in page and "2100" in page
    assert "Ani Wijaya" not in page
    assert "Phone list · Finance" in page


def test_unknown_department_filter_shows_nothing_and_a_warning(operator_web, company):
    response = operator_web.get(URL, {"department": "999999"})
    assert response.status_code == 200
    assert "Budi Santoso" not in _text(response)
    assert "Unknown department" in _text(response)


def test_needs_view_staff_permission(client, db):
    client.force_login(User.objects.create_user("plain", password="pw-not-used"))
    assert client.get(URL).status_code == 403


def test_anonymous_is_sent_to_log_in(client, db):
    response = client.get(URL)
    assert response.status_code == 302
    assert reverse("login") in response.url


def _add_people(count: int):
    departments = [DepartmentFactory() for _ in range(3)]
    for i in range(count):
        person = StaffFactory(department=departments[i % 3])
        ExtensionFactory(staff=person)
        ExtensionFactory(staff=person, kind=ExtensionKind.FAX)


# session, user, the user's permissions; then departments, staff and their
# extensions; the navigation's unread-messages badge and the operator's clock.
PHONE_LIST_QUERIES = 8


@pytest.mark.parametrize("people", [1, 30])
def test_query_count_does_not_grow_with_staff(operator_web, django_assert_num_queries, people):
    _add_people(people)
    with django_assert_num_queries(PHONE_LIST_QUERIES):
        response = operator_web.get(URL)
    assert _text(response).count("<tr>") == people
