from io import StringIO

import phonenumbers
import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.http import HttpRequest
from django.test import Client
from django.utils import timezone

from directory.models import (
    AVAILABLE_PRESENCES,
    Department,
    Disclosure,
    Extension,
    InfoEntry,
    Presence,
    Staff,
)
from switchboard.roles import DIRECTORY_ADMIN, OPERATOR, SUPERVISOR

DEMO_PASSWORD = "switchboard-demo"


def login(client, username):
    # django-axes needs the request that Client.login() leaves out by default.
    return client.login(request=HttpRequest(), username=username, password=DEMO_PASSWORD)


@pytest.fixture
def seeded(db):
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_seed_demo_loads_a_company(seeded):
    assert "Loaded PT Nusantara Sejahtera" in seeded
    assert 12 <= Department.objects.count() <= 20
    assert Staff.objects.count() == 200
    assert InfoEntry.objects.count() == 40
    assert Department.objects.filter(parent__isnull=False).exists()
    assert not Department.objects.filter(head__isnull=True).exists()
    assert not Department.objects.filter(main_extension__isnull=True).exists()


def test_seed_demo_gives_every_extension_kind_and_disclosure(seeded):
    kinds = set(Extension.objects.values_list("kind", flat=True))
    assert {"desk", "department", "fax", "meeting_room", "lobby"} <= kinds
    assert set(InfoEntry.objects.values_list("disclosure", flat=True)) == set(Disclosure.values)
    for number in Extension.objects.filter(kind="desk").values_list("number", flat=True):
        assert len(number) == 4 and number.isdigit()


def test_seed_demo_people_look_like_a_real_directory(seeded):
    staff = list(Staff.objects.all())
    assert len({s.full_name for s in staff}) == len(staff)
    assert len({s.email for s in staff}) == len(staff)
    for person in staff:
        if person.mobile:
            assert phonenumbers.is_valid_number(person.mobile)
            assert person.mobile.as_e164.startswith("+628")
    assert Staff.objects.filter(topics__icontains="faktur pajak").exists()
    assert Staff.objects.filter(topics__icontains="lowongan kerja").exists()
    assert Staff.objects.exclude(operator_notes="").count() >= 10
    assert Staff.objects.filter(aliases__icontains="Kang Asep").exists()


def test_seed_demo_presence_is_varied_with_future_back_at_times(seeded):
    presences = set(Staff.objects.values_list("presence", flat=True))
    assert presences == set(Presence.values)
    assert Staff.objects.filter(presence=Presence.IN).count() > 120
    away = Staff.objects.exclude(presence__in=AVAILABLE_PRESENCES)
    assert all(s.back_at and s.back_at > timezone.now() for s in away)
    assert away.filter(cover__isnull=False).count() >= away.count() // 2
    assert not Staff.objects.filter(presence=Presence.IN, back_at__isnull=False).exists()


def test_seed_demo_users_have_roles_and_can_log_in(seeded):
    User = get_user_model()
    expected = {
        "operator": {OPERATOR},
        "supervisor": {SUPERVISOR},
        "admin": {DIRECTORY_ADMIN},
        "staff": set(),
    }
    for username, groups in expected.items():
        user = User.objects.get(username=username)
        assert set(user.groups.values_list("name", flat=True)) == groups
        assert Staff.objects.filter(user=user).exists()
        assert login(Client(), username)
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff
    assert not User.objects.get(username="operator").is_staff


def test_demo_operator_logs_in_through_the_login_page(seeded):
    response = Client().post(
        "/accounts/login/", {"username": "operator", "password": DEMO_PASSWORD}
    )
    assert response.status_code == 302


def test_operator_finds_the_tax_manager(seeded):
    client = Client()
    assert login(client, "operator")
    response = client.get("/api/directory/search", {"q": "faktur pajak"})
    assert response.status_code == 200
    names = [r["name"] for r in response.json()["results"]]
    assert "Sri Wahyuni" in names


def test_second_run_changes_nothing(seeded):
    counts = (
        Department.objects.count(),
        Staff.objects.count(),
        Extension.objects.count(),
        InfoEntry.objects.count(),
        Staff.history.count(),
        get_user_model().objects.count(),
    )
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert "already loaded" in out.getvalue()
    assert counts == (
        Department.objects.count(),
        Staff.objects.count(),
        Extension.objects.count(),
        InfoEntry.objects.count(),
        Staff.history.count(),
        get_user_model().objects.count(),
    )


def test_seed_demo_is_deterministic(db):
    call_command("seed_demo", stdout=StringIO())
    first = list(Staff.objects.order_by("email").values_list("full_name", "email", "job_title"))
    Extension.objects.all().delete()
    Staff.objects.all().delete()
    Department.objects.update(parent=None)
    Department.objects.all().delete()
    InfoEntry.objects.all().delete()
    get_user_model().objects.all().delete()
    call_command("seed_demo", stdout=StringIO())
    second = list(Staff.objects.order_by("email").values_list("full_name", "email", "job_title"))
    assert first == second
