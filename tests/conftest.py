"""Personas (operator, supervisor, directory admin, staff member, outsider) and a
logged-in client for each, plus browser settings for Debian's Chromium."""

import os

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # live_server + Playwright

import pytest
from celery._state import _set_task_join_will_block
from django.test import Client

from switchboard.celery import app as celery_app
from switchboard.roles import DIRECTORY_ADMIN, OPERATOR, SUPERVISOR
from tests.factories import PASSWORD, DepartmentFactory, StaffFactory, UserFactory

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def pytest_collection_modifyitems(config, items):
    """Without Debian's chromium, browser tests skip on a laptop but fail in CI."""
    if os.path.exists(CHROMIUM) or os.environ.get("CI"):
        return
    skip = pytest.mark.skip(reason=f"no browser at {CHROMIUM} (apt-get install chromium)")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(autouse=True)
def _english(settings):
    """Pages default to Bahasa Indonesia; tests read English unless they switch."""
    settings.LANGUAGE_CODE = "en"


# PBKDF2 with hundreds of thousands of rounds on every factory user made the suite
# several times slower; tests/switchboard/test_auth.py keeps one test on the real
# hasher, so production's choice is still exercised.
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session", autouse=True)
def _fast_password_hasher():
    from django.test import override_settings

    with override_settings(PASSWORD_HASHERS=FAST_HASHERS):
        yield


@pytest.fixture(autouse=True)
def _eager_celery():
    """Tasks run in-process in tests unless a test starts a real worker.

    Celery keeps "a join would block" in one process-wide flag that each eager
    task sets and restores around itself; eager tasks in two threads at once
    (the concurrency tests) can restore it in the wrong order and leave it set,
    and a later test's result.get() would then refuse to wait. So it is reset
    after every test."""
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True
    yield
    _set_task_join_will_block(False)


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture
def department(db):
    return DepartmentFactory(name="Keuangan", code="FIN")


@pytest.fixture
def operator(db):
    return UserFactory(username="op", roles=[OPERATOR])


@pytest.fixture
def supervisor(db):
    return UserFactory(username="sup", roles=[SUPERVISOR])


@pytest.fixture
def directory_admin(db):
    return UserFactory(username="diradmin", roles=[DIRECTORY_ADMIN], is_staff=True)


@pytest.fixture
def staff_member(db, department):
    """A plain employee: a log-in linked to a Staff record, no role."""
    user = UserFactory(username="pegawai")
    StaffFactory(full_name="Sari Pegawai", department=department, user=user)
    return user


@pytest.fixture
def outsider(db):
    """Logged in, but no role and no Staff record."""
    return UserFactory(username="outsider")


def _client_for(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def operator_client(operator):
    return _client_for(operator)


@pytest.fixture
def supervisor_client(supervisor):
    return _client_for(supervisor)


@pytest.fixture
def admin_client_dir(directory_admin):
    return _client_for(directory_admin)


@pytest.fixture
def staff_client(staff_member):
    return _client_for(staff_member)


@pytest.fixture
def outsider_client(outsider):
    return _client_for(outsider)
