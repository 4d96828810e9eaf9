"""Admin for calls: categories kept by directory admins, callers searchable by
number, calls shown with their history and corrected only through call_update
(tests/calls/test_rules.py has the same-error tests)."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from calls.models import CallCategory
from tests.calls.factories_log import LogCallerFactory, LogCallFactory
from tests.factories import CallCategoryFactory, DepartmentFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def auditor_client(client):
    """A staff account that may view calls and callers in the admin."""
    user = UserFactory(username="auditor", is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="calls", codename__in=["view_call", "view_caller"]
        )
    )
    client.force_login(user)
    return client


def test_directory_admin_adds_a_category(admin_client_dir):
    department = DepartmentFactory(name="Keuangan")
    response = admin_client_dir.post(
        reverse("admin:calls_callcategory_add"),
        {"name": "Tagihan", "default_department": department.pk, "active": "on", "position": 3},
    )
    assert response.status_code == 302
    category = CallCategory.objects.get(name="Tagihan")
    assert category.default_department == department
    assert category.position == 3
    assert category.history.count() == 1


def test_category_changelist_lists_categories(admin_client_dir):
    CallCategoryFactory(name="Lowongan kerja")
    response = admin_client_dir.get(reverse("admin:calls_callcategory_changelist"))
    assert response.status_code == 200
    assert "Lowongan kerja" in response.content.decode()


def test_caller_search_by_number_typed_nationally(auditor_client):
    LogCallerFactory(number="+6281234567890", name="Pak Joko")
    LogCallerFactory(number="+6281111111111", name="Ibu Sari")
    response = auditor_client.get(reverse("admin:calls_caller_changelist"), {"q": "0812-3456-7890"})
    body = response.content.decode()
    assert "Pak Joko" in body and "Ibu Sari" not in body


def test_caller_search_reads_a_number_as_the_console_stores_it(auditor_client):
    LogCallerFactory(number="+62215551234", name="Pak Joko")
    LogCallerFactory(number="+6281111111111", name="Ibu Sari")
    response = auditor_client.get(reverse("admin:calls_caller_changelist"), {"q": "62215551234"})
    body = response.content.decode()
    assert "Pak Joko" in body and "Ibu Sari" not in body


def test_caller_search_by_name(auditor_client):
    LogCallerFactory(name="Pak Joko")
    LogCallerFactory(name="Ibu Sari")
    body = auditor_client.get(reverse("admin:calls_caller_changelist"), {"q": "joko"}).content
    assert b"Pak Joko" in body and b"Ibu Sari" not in body


def test_call_admin_is_read_only_with_history(auditor_client, operator):
    call = LogCallFactory(operator=operator, caller_name="Pak Joko")
    assert auditor_client.get(reverse("admin:calls_call_changelist")).status_code == 200
    change = auditor_client.get(reverse("admin:calls_call_change", args=[call.pk]))
    assert change.status_code == 200
    assert b'name="caller_name"' not in change.content  # shown, not editable
    assert auditor_client.get(reverse("admin:calls_call_add")).status_code == 403
    history = auditor_client.get(reverse("admin:calls_call_history", args=[call.pk]))
    assert history.status_code == 200


def test_call_admin_changes_only_through_the_rules_and_never_adds_or_deletes(client, operator):
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(admin)
    call = LogCallFactory(operator=operator, caller_name="Pak Joko")
    # A half-filled form: refused with field errors, nothing saved.
    response = client.post(reverse("admin:calls_call_change", args=[call.pk]), {"caller_name": "X"})
    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    call.refresh_from_db()
    assert call.caller_name == "Pak Joko"
    assert call.history.count() == 1
    assert client.get(reverse("admin:calls_call_delete", args=[call.pk])).status_code == 403
    assert client.get(reverse("admin:calls_call_add")).status_code == 403


def test_call_admin_offers_only_the_correctable_fields(client, operator):
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(admin)
    call = LogCallFactory(operator=operator, caller_name="Pak Joko")
    body = client.get(reverse("admin:calls_call_change", args=[call.pk])).content.decode()
    assert 'name="caller_name"' in body and 'name="outcome"' in body
    for shown_only in ("operator", "deleted_at", "delete_reason", "duration_seconds"):
        assert f'name="{shown_only}"' not in body
