import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.test import Client

from switchboard.roles import ROLE_PERMISSIONS
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def login(client, username, password, ip="10.0.0.5"):
    return client.post(
        "/accounts/login/",
        {"username": username, "password": password},
        REMOTE_ADDR=ip,
    )


def test_roles_exist_with_their_permissions_and_setup_is_idempotent():
    call_command("setup_roles")
    call_command("setup_roles")

    for name, perms in ROLE_PERMISSIONS.items():
        group = Group.objects.get(name=name)
        codes = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}
        assert codes == set(perms)


def test_operator_logs_in_and_lands_on_the_console(operator):
    client = Client()
    response = login(client, "op", PASSWORD)

    assert response.status_code == 302
    response = client.get("/", follow=True)
    assert response.resolver_match.view_name == "calls:console"


def test_supervisor_lands_on_the_dashboard(supervisor):
    client = Client()
    login(client, "sup", PASSWORD)

    response = client.get("/", follow=True)
    assert response.resolver_match.view_name == "reports:dashboard"


def test_directory_admin_lands_on_the_directory(directory_admin):
    client = Client()
    login(client, "diradmin", PASSWORD)

    response = client.get("/", follow=True)
    assert response.resolver_match.view_name == "directory:search"


def test_staff_member_lands_on_the_directory_search(staff_member):
    client = Client()
    login(client, "pegawai", PASSWORD)

    response = client.get("/", follow=True)
    assert response.resolver_match.view_name == "directory:search"


def test_wrong_password_shows_an_error_and_does_not_log_in(operator):
    client = Client()
    response = login(client, "op", "wrong")

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_repeated_failures_lock_that_user_name_only_not_the_shared_desk_address():
    UserFactory(username="ani")
    UserFactory(username="budi")
    desk = Client()
    for _ in range(5):
        login(desk, "ani", "typo")

    locked = login(desk, "ani", PASSWORD)
    assert locked.status_code == 429
    assert "_auth_user_id" not in desk.session

    # Another operator at the same office address still logs in.
    colleague = Client()
    response = login(colleague, "budi", PASSWORD)
    assert response.status_code == 302
    assert "_auth_user_id" in colleague.session


def test_logout_is_a_post_and_ends_the_session(operator_client):
    response = operator_client.post("/accounts/logout/")

    assert response.status_code == 302
    assert operator_client.get("/directory/").status_code == 302


def test_password_change(operator_client):
    response = operator_client.post(
        "/accounts/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "a-new-desk-passphrase-9",
            "new_password2": "a-new-desk-passphrase-9",
        },
    )

    assert response.status_code == 302
    fresh = Client()
    assert login(fresh, "op", "a-new-desk-passphrase-9").status_code == 302
    assert "_auth_user_id" in fresh.session


def test_language_switcher_serves_indonesian_and_english(operator_client):
    operator_client.post("/i18n/setlang/", {"language": "en", "next": "/directory/"})
    english = operator_client.get("/directory/board/").content.decode()
    operator_client.post("/i18n/setlang/", {"language": "id", "next": "/directory/"})
    indonesian = operator_client.get("/directory/board/").content.decode()

    assert "In/out board" in english
    assert "Papan hadir" in indonesian


def test_log_in_works_with_the_real_password_hasher(settings):
    """The suite hashes with MD5 for speed (tests/conftest.py); production's
    default hasher (PBKDF2) stores and checks passwords end to end here."""
    from django.conf import global_settings

    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS
    user = UserFactory(username="realhash")
    assert user.password.startswith("pbkdf2_sha256$")

    response = login(Client(), "realhash", PASSWORD)

    assert response.status_code == 302
