"""Log-in throttling behind the proxy, per address across user names, and on the
password-change form. The requests carry the headers the shipped nginx sends:
REMOTE_ADDR is the proxy, X-Forwarded-For ends with the client's address."""

import pytest
from axes.models import AccessAttempt
from django.test import Client, RequestFactory

from switchboard.security import client_ip_address
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

NGINX = "172.18.0.5"  # the proxy container: every request reaches gunicorn from it
ALICE_PC = "203.0.113.7"
BOB_PC = "203.0.113.8"
NEW_PASSWORD = "a-new-desk-passphrase-9"


def log_in(client, username, password, *, forwarded=None, remote=NGINX):
    headers = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    return client.post("/accounts/login/", {"username": username, "password": password}, **headers)


def fail_five_times(username, **headers):
    for _ in range(5):
        response = log_in(Client(), username, "typo", **headers)
        assert response.status_code in (200, 429)
    return response


def logged_in(response, client) -> bool:
    return response.status_code == 302 and "_auth_user_id" in client.session


@pytest.fixture
def one_proxy(settings):
    settings.TRUSTED_PROXY_COUNT = 1


@pytest.fixture
def ani(db):
    return UserFactory(username="ani")


# --- whose address is counted --------------------------------------------------------


def test_behind_the_proxy_two_clients_are_counted_separately(one_proxy, ani):
    fail_five_times("ani", forwarded=ALICE_PC)

    locked = Client()
    assert log_in(locked, "ani", PASSWORD, forwarded=ALICE_PC).status_code == 429
    assert "_auth_user_id" not in locked.session
    # Bob's PC has the same proxy in front, but its own address: ani can log in there.
    elsewhere = Client()
    assert logged_in(log_in(elsewhere, "ani", PASSWORD, forwarded=BOB_PC), elsewhere)
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {ALICE_PC}


def test_a_spoofed_left_most_entry_does_not_change_the_counted_address(one_proxy, ani):
    # The client sends an X-Forwarded-For of its own; nginx appends the real
    # address ($proxy_add_x_forwarded_for). A new made-up entry each time must
    # not give a fresh count.
    for n in range(5):
        log_in(Client(), "ani", "typo", forwarded=f"198.51.100.{n}, {ALICE_PC}")

    attempt = AccessAttempt.objects.get()
    assert (attempt.ip_address, attempt.failures_since_start) == (ALICE_PC, 5)
    assert log_in(Client(), "ani", PASSWORD, forwarded=ALICE_PC).status_code == 429
    assert log_in(Client(), "ani", PASSWORD, forwarded=f"10.9.9.9, {ALICE_PC}").status_code == 429


def test_without_a_proxy_x_forwarded_for_is_ignored(settings, ani):
    settings.TRUSTED_PROXY_COUNT = 0
    for n in range(5):
        log_in(Client(), "ani", "typo", remote=ALICE_PC, forwarded=f"198.51.100.{n}")

    assert log_in(Client(), "ani", PASSWORD, remote=ALICE_PC).status_code == 429
    assert AccessAttempt.objects.get().ip_address == ALICE_PC
    other = Client()
    assert logged_in(log_in(other, "ani", PASSWORD, remote=BOB_PC, forwarded=ALICE_PC), other)


def test_a_missing_header_gives_the_connecting_address_never_none(one_proxy, ani):
    # A request that did not come through nginx (a probe inside the network).
    fail_five_times("ani", remote="10.0.0.20")

    assert AccessAttempt.objects.get().ip_address == "10.0.0.20"
    # Not one shared "no address" bucket: ani still logs in from her PC.
    client = Client()
    assert logged_in(log_in(client, "ani", PASSWORD, forwarded=ALICE_PC), client)


@pytest.mark.parametrize(
    ("proxies", "meta", "expected"),
    [
        (0, {"REMOTE_ADDR": NGINX, "HTTP_X_FORWARDED_FOR": ALICE_PC}, NGINX),
        (1, {"REMOTE_ADDR": NGINX, "HTTP_X_FORWARDED_FOR": ALICE_PC}, ALICE_PC),
        (1, {"REMOTE_ADDR": NGINX, "HTTP_X_FORWARDED_FOR": f"1.2.3.4, {ALICE_PC}"}, ALICE_PC),
        (1, {"REMOTE_ADDR": NGINX, "HTTP_X_FORWARDED_FOR": f" 1.2.3.4 ,{ALICE_PC} "}, ALICE_PC),
        # A TLS load balancer in front of nginx: two trusted entries from the right.
        (
            2,
            {"REMOTE_ADDR": NGINX, "HTTP_X_FORWARDED_FOR": f"6.6.6.6, {ALICE_PC}, 10.0.0.2"},
            ALICE_PC,
        ),
        # Fewer entries than proxies (the outer proxy was bypassed): the left-most.
        (2, {"REMOTE_ADDR": NGINX, "HTTP_X_FORWARDED_FOR": ALICE_PC}, ALICE_PC),
        (1, {"REMOTE_ADDR": NGINX}, NGINX),
        (1, {"REMOTE_ADDR": NGINX, "HTTP_X_FORWARDED_FOR": " , "}, NGINX),
        # Not an address where the trusted proxy wrote: the connecting address.
        (1, {"REMOTE_ADDR": NGINX, "HTTP_X_FORWARDED_FOR": "1.2.3.4, unknown"}, NGINX),
        (1, {"REMOTE_ADDR": NGINX, "HTTP_X_FORWARDED_FOR": f"{ALICE_PC}:51234"}, ALICE_PC),
        (1, {"REMOTE_ADDR": NGINX, "HTTP_X_FORWARDED_FOR": "[2001:DB8::1]:443"}, "2001:db8::1"),
        (1, {"REMOTE_ADDR": NGINX, "HTTP_X_FORWARDED_FOR": "2001:db8::7"}, "2001:db8::7"),
    ],
)
def test_client_address_is_the_entry_the_outermost_trusted_proxy_wrote(
    settings, proxies, meta, expected
):
    settings.TRUSTED_PROXY_COUNT = proxies
    request = RequestFactory().get("/accounts/login/")
    request.META.pop("REMOTE_ADDR", None)
    request.META.update(meta)

    assert client_ip_address(request) == expected


def test_docker_compose_trusts_exactly_its_one_proxy():
    from pathlib import Path

    compose = (Path(__file__).resolve().parents[2] / "docker-compose.yml").read_text()

    assert "AXES_PROXY_COUNT: ${AXES_PROXY_COUNT:-1}" in compose
    assert "proxy_set_header X-Forwarded-For $$proxy_add_x_forwarded_for;" in compose


# --- per address across user names (password spraying) ------------------------------


def test_one_address_trying_many_user_names_is_paused_for_all_of_them(one_proxy, settings, ani):
    settings.AXES_IP_FAILURE_LIMIT = 30
    # One wrong password each for 30 user names: none reaches 5 on its own.
    for n in range(30):
        response = log_in(Client(), f"guess{n}", "Password1", forwarded=ALICE_PC)
    assert response.status_code == 429
    assert "Too many failed log-ins from this address" in response.content.decode()

    # Now even the right password for a real account is refused from there ...
    refused = Client()
    response = log_in(refused, "ani", PASSWORD, forwarded=ALICE_PC)
    assert response.status_code == 429
    assert "_auth_user_id" not in refused.session
    # ... and accepted from any other address.
    client = Client()
    assert logged_in(log_in(client, "ani", PASSWORD, forwarded=BOB_PC), client)


def test_a_shared_office_is_not_paused_by_its_peoples_typos(one_proxy, settings):
    settings.AXES_IP_FAILURE_LIMIT = 30
    names = [f"op{n}" for n in range(7)]
    for name in names:
        UserFactory(username=name)
    # Seven operators behind one office address mistype four times each: 28.
    for name in names:
        for _ in range(4):
            assert log_in(Client(), name, "typo", forwarded=ALICE_PC).status_code == 200

    for name in names:
        client = Client()
        assert logged_in(log_in(client, name, PASSWORD, forwarded=ALICE_PC), client), name


def test_the_per_user_name_limit_still_applies_below_the_address_limit(one_proxy, ani):
    UserFactory(username="budi")
    response = fail_five_times("ani", forwarded=ALICE_PC)

    assert response.status_code == 429
    assert "This user name is paused" in response.content.decode()
    colleague = Client()
    assert logged_in(log_in(colleague, "budi", PASSWORD, forwarded=ALICE_PC), colleague)


def test_a_successful_log_in_clears_only_that_users_count(one_proxy, settings, ani):
    settings.AXES_IP_FAILURE_LIMIT = 10
    for n in range(8):
        log_in(Client(), f"guess{n}", "typo", forwarded=ALICE_PC)
    log_in(Client(), "ani", "typo", forwarded=ALICE_PC)
    client = Client()
    assert logged_in(log_in(client, "ani", PASSWORD, forwarded=ALICE_PC), client)

    # ani's own failure is gone, the eight guesses still count: one more makes 9,
    # the tenth pauses the address.
    log_in(Client(), "guess-a", "typo", forwarded=ALICE_PC)
    assert log_in(Client(), "guess-b", "typo", forwarded=ALICE_PC).status_code == 429


# --- the password-change form ---------------------------------------------------------


def change_password(client, old, *, url="/accounts/password/", forwarded=ALICE_PC):
    return client.post(
        url,
        {"old_password": old, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        REMOTE_ADDR=NGINX,
        HTTP_X_FORWARDED_FOR=forwarded,
    )


def test_a_wrong_old_password_is_a_field_error_and_counts_as_a_failed_log_in(one_proxy, ani):
    client = Client()
    client.force_login(ani)

    response = change_password(client, "guess-1")

    assert response.status_code == 200
    assert "Your old password was entered incorrectly" in response.content.decode()
    attempt = AccessAttempt.objects.get()
    assert (attempt.username, attempt.ip_address) == ("ani", ALICE_PC)
    assert attempt.path_info == "/accounts/password/"
    # The passwords typed are never stored in the record of the failure.
    for secret in ("guess-1", NEW_PASSWORD):
        assert secret not in attempt.post_data


def test_guessing_the_old_password_is_throttled_like_log_ins(one_proxy, ani):
    client = Client()
    client.force_login(ani)
    for n in range(4):
        assert change_password(client, f"guess-{n}").status_code == 200

    response = change_password(client, "guess-4")

    assert response.status_code == 429
    page = response.content.decode()
    assert "Too many wrong passwords" in page
    assert "Changing the password and logging in as this user are paused" in page
    # Paused: even the right old password changes nothing now ...
    assert change_password(client, PASSWORD).status_code == 429
    ani.refresh_from_db()
    assert ani.check_password(PASSWORD)
    # ... and logging in as ani from that address is paused too, not elsewhere.
    assert log_in(Client(), "ani", PASSWORD, forwarded=ALICE_PC).status_code == 429
    other = Client()
    assert logged_in(log_in(other, "ani", PASSWORD, forwarded=BOB_PC), other)


def test_the_right_old_password_still_changes_it(one_proxy, ani):
    client = Client()
    client.force_login(ani)

    response = change_password(client, PASSWORD)

    assert response.status_code == 302
    ani.refresh_from_db()
    assert ani.check_password(NEW_PASSWORD)
    assert not AccessAttempt.objects.exists()


def test_the_admin_password_change_is_throttled_too(one_proxy):
    admin_user = UserFactory(username="boss", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(admin_user)
    for n in range(4):
        response = change_password(client, f"guess-{n}", url="/admin/password_change/")
        assert response.status_code == 200

    response = change_password(client, "guess-4", url="/admin/password_change/")

    assert response.status_code == 429
    assert AccessAttempt.objects.get().username == "boss"
    admin_user.refresh_from_db()
    assert admin_user.check_password(PASSWORD)
