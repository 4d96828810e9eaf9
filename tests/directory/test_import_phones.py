"""The directory importer reads phone numbers with the console's parser
(switchboard.phones): the same text gives the same E.164 in both."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from calls.models import Call
from directory.importing import import_apply, import_preview
from directory.importing.staff import export_rows
from directory.models import Staff
from switchboard.roles import DIRECTORY_ADMIN
from tests.factories import DepartmentFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

WRITTEN = ["62215551234", "0812-3456-7890", "+62 21 555 1234", "(021) 555-1234"]


@pytest.fixture
def directory_admin(db):
    return UserFactory(username="diradmin-phones", roles=[DIRECTORY_ADMIN])


def _import_mobile(user, written):
    DepartmentFactory(code="FIN", name="Keuangan")
    text = (
        f'full_name,department_code,email,mobile\nBudi Santoso,FIN,budi@example.co.id,"{written}"\n'
    )
    uploaded = SimpleUploadedFile("staff.csv", text.encode(), content_type="text/csv")
    batch = import_preview(kind="staff", uploaded_file=uploaded, user=user)
    return batch


def _console_e164(client, written):
    response = client.post(
        reverse("calls:console"),
        {
            "direction": "in",
            "caller_kind": "unknown",
            "started_at": (timezone.now() - timedelta(seconds=20)).isoformat(),
            "number": written,
            "outcome": "call_back",
        },
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200, response.content.decode()[:500]
    return Call.objects.latest("pk").caller.number.as_e164


@pytest.mark.parametrize("written", WRITTEN)
def test_the_importer_and_the_console_give_the_same_e164(directory_admin, operator_client, written):
    batch = _import_mobile(directory_admin, written)
    assert batch.errors == []
    import_apply(batch=batch, user=directory_admin)
    imported = Staff.objects.get(email="budi@example.co.id").mobile.as_e164

    assert imported == _console_e164(operator_client, written)


def test_the_importer_no_longer_doubles_the_country_code(directory_admin):
    batch = _import_mobile(directory_admin, "62215551234")
    import_apply(batch=batch, user=directory_admin)
    assert Staff.objects.get().mobile.as_e164 == "+62215551234"  # was +6262215551234


def test_a_mobile_with_an_extension_is_a_clear_error_not_dropped(directory_admin):
    batch = _import_mobile(directory_admin, "021-5551234 ext 12")
    assert [(e["row"], e["column"]) for e in batch.errors] == [(2, "mobile")]
    assert "extension" in batch.errors[0]["message"]


def test_the_export_writes_mobiles_as_people_do(db):
    StaffFactory(full_name="Budi", mobile="+6281234567890")
    StaffFactory(full_name="Abroad", mobile="+6591234567")
    StaffFactory(full_name="None", mobile="")
    mobiles = {row[0]: row[4] for row in export_rows()}
    assert mobiles == {"Budi": "0812-3456-7890", "Abroad": "+6591234567", "None": ""}
