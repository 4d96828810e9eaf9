"""Django admin for the directory: changelists, search, autocomplete, history."""

import factory
import pytest
from django.contrib.auth.models import Group, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from directory.importing import import_preview
from directory.models import Extension, ImportStatus, InfoEntry
from switchboard.roles import DIRECTORY_ADMIN, OPERATOR
from tests import factories

pytestmark = pytest.mark.django_db


class DepartmentFactory(factories.DepartmentFactory):
    name = factory.Sequence(lambda n: f"Department {n}")
    code = factory.Sequence(lambda n: f"D{n}")


class StaffFactory(factories.StaffFactory):
    full_name = factory.Sequence(lambda n: f"Person {n}")
    department = factory.SubFactory(DepartmentFactory)


@pytest.fixture
def directory_admin(db):
    user = User.objects.create_user("diradmin", password="pw-not-used", is_staff=True)
    user.groups.add(Group.objects.get(name=DIRECTORY_ADMIN))
    return user


@pytest.fixture
def admin_web(client, directory_admin):
    client.force_login(directory_admin)
    return client


@pytest.fixture
def records(db):
    fin = DepartmentFactory(code="FIN", name="Finance")
    budi = StaffFactory(full_name="Budi Santoso", department=fin, email="budi@example.co.id")
    StaffFactory(full_name="Ani Wijaya", department=fin)
    extension = Extension.objects.create(number="2101", staff=budi, label="Budi desk")
    entry = InfoEntry.objects.create(title="Opening hours", answer="08:00-17:00", owner=fin)
    return {"department": fin, "staff": budi, "extension": extension, "info": entry}


@pytest.mark.parametrize(
    ("model", "query", "found", "not_found"),
    [
        ("department", "FIN", "Finance", None),
        ("staff", "budi", "Budi Santoso", "Ani Wijaya"),
        ("staff", "2101", "Budi Santoso", "Ani Wijaya"),
        ("extension", "Budi", "2101", None),
        ("infoentry", "opening", "Opening hours", None),
    ],
)
def test_changelist_loads_and_searches(admin_web, records, model, query, found, not_found):
    url = reverse(f"admin:directory_{model}_changelist")
    assert admin_web.get(url).status_code == 200
    response = admin_web.get(url, {"q": query})
    assert response.status_code == 200
    page = response.content.decode()
    assert found in page
    if not_found:
        assert not_found not in page
    assert reverse("directory:import") in page  # the import/export link


def test_changelists_filter(admin_web, records):
    url = reverse("admin:directory_staff_changelist")
    response = admin_web.get(url, {"department__id__exact": records["department"].pk})
    assert response.status_code == 200
    assert "Budi Santoso" in response.content.decode()


def test_staff_form_uses_autocomplete_and_shows_extensions_inline(admin_web, records):
    budi = records["staff"]
    response = admin_web.get(reverse("admin:directory_staff_change", args=[budi.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert 'name="cover"' in page and "admin-autocomplete" in page
    # No select listing everyone: the other person's name appears nowhere.
    assert "Ani Wijaya" not in page
    assert 'value="2101"' in page  # the extension inline


def test_admin_edit_is_kept_in_history(admin_web, records, directory_admin):
    budi = records["staff"]
    url = reverse("admin:directory_extension_change", args=[records["extension"].pk])
    response = admin_web.post(
        url, {"number": "2101", "kind": "desk", "location": "Lt. 2", "label": "", "staff": budi.pk}
    )
    assert response.status_code == 302
    latest = Extension.history.latest("history_date")
    assert (latest.location, latest.history_user) == ("Lt. 2", directory_admin)
    history = admin_web.get(
        reverse("admin:directory_extension_history", args=[records["extension"].pk])
    )
    assert history.status_code == 200 and "Lt. 2" in history.content.decode()


def test_autocomplete_finds_staff_by_name(admin_web, records):
    response = admin_web.get(
        reverse("admin:autocomplete"),
        {
            "term": "budi",
            "app_label": "directory",
            "model_name": "extension",
            "field_name": "staff",
        },
    )
    assert response.status_code == 200
    assert [r["text"] for r in response.json()["results"]] == ["Budi Santoso"]


def test_admin_index_links_to_import_export(admin_web):
    page = admin_web.get(reverse("admin:index")).content.decode()
    assert reverse("directory:import") in page
    assert reverse("directory:phone-list") in page


def test_import_batches_are_read_only_for_superusers(client, directory_admin):
    batch = import_preview(
        kind="departments",
        uploaded_file=_csv("code,name\nFIN,Finance\n"),
        user=directory_admin,
    )
    superuser = User.objects.create_superuser("root", password="pw-not-used")
    client.force_login(superuser)
    assert client.get(reverse("admin:directory_importbatch_changelist")).status_code == 200
    change_url = reverse("admin:directory_importbatch_change", args=[batch.pk])
    change = client.get(change_url)
    assert change.status_code == 200
    assert 'name="_save"' not in change.content.decode()  # shown, with no save button
    assert client.get(reverse("admin:directory_importbatch_add")).status_code == 403
    edit = client.post(change_url, {"kind": "staff", "filename": "x.csv", "status": "applied"})
    assert edit.status_code == 403
    batch.refresh_from_db()
    assert (batch.kind, batch.filename, batch.status) == (
        "departments",
        "departments.csv",
        ImportStatus.PREVIEWED,
    )


def test_operator_without_staff_flag_cannot_open_admin(client, db):
    user = User.objects.create_user("op", password="pw-not-used")
    user.groups.add(Group.objects.get(name=OPERATOR))
    client.force_login(user)
    response = client.get(reverse("admin:directory_staff_changelist"))
    assert response.status_code == 302
    assert reverse("admin:login") in response.url


def _csv(text):
    return SimpleUploadedFile("departments.csv", text.encode())
