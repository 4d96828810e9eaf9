"""The language follows the person, not the browser: the account's choice, then
a choice made in this browser session, then the company default (LANGUAGE_CODE).
The browser's Accept-Language and a language cookie are never followed."""

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import HttpRequest
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from switchboard.locale import SESSION_KEY, preference_set_language
from switchboard.models import UserPreference
from switchboard.roles import SUPERVISOR
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LOGIN_EN, LOGIN_ID = "Log in", "Masuk"
CALL_LOG_EN, CALL_LOG_ID = "Call log", "Log panggilan"


@pytest.fixture
def company_id(settings):
    """The shipped company default: Bahasa Indonesia."""
    settings.LANGUAGE_CODE = "id"


def english_browser() -> Client:
    return Client(headers={"accept-language": "en-US,en;q=0.9"})


def log_in(client: Client, user) -> None:
    # A real log-in (the form's path); django-axes wants the request.
    assert client.login(request=HttpRequest(), username=user.username, password=PASSWORD)


def page(client, name="calls:call-list"):
    response = client.get(reverse(name))
    assert response.status_code == 200
    return response


def lang_of(response) -> str:
    return response.content.decode().split('<html lang="', 1)[1].split('"', 1)[0]


@pytest.fixture
def supervisor_user(db):
    return UserFactory(username="lilis", roles=[SUPERVISOR])


def test_an_english_browser_gets_the_company_default_indonesian(company_id, supervisor_user):
    client = english_browser()
    assert LOGIN_ID in page(client, "login").content.decode()
    log_in(client, supervisor_user)
    response = page(client)
    assert lang_of(response) == "id" and CALL_LOG_ID in response.content.decode()
    assert response["Content-Language"] == "id"
    assert "Accept-Language" not in response.get("Vary", "")


def test_a_language_cookie_is_not_followed_either(company_id, supervisor_user):
    client = english_browser()
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    assert lang_of(page(client, "login")) == "id"
    log_in(client, supervisor_user)
    assert lang_of(page(client)) == "id"


def test_the_language_menu_saves_the_choice_on_the_account(company_id, supervisor_user):
    client = Client()
    log_in(client, supervisor_user)
    response = client.post(reverse("set_language"), {"language": "en", "next": "/calls/"})

    assert response.status_code == 302 and response["Location"] == "/calls/"
    assert UserPreference.objects.get(user=supervisor_user).language == "en"
    assert django_settings.LANGUAGE_COOKIE_NAME not in response.cookies  # not the browser's
    assert CALL_LOG_EN in page(client).content.decode()


def test_the_saved_choice_wins_on_another_browser(company_id, supervisor_user):
    first = Client()
    log_in(first, supervisor_user)
    first.post(reverse("set_language"), {"language": "en", "next": "/"})

    other = Client(headers={"accept-language": "id"})  # another PC at the desk
    log_in(other, supervisor_user)
    response = page(other)
    assert lang_of(response) == "en" and CALL_LOG_EN in response.content.decode()


def test_the_next_person_at_a_shared_browser_gets_their_own_language(company_id):
    english = UserFactory(username="ana", roles=[SUPERVISOR])
    preference_set_language(user=english, language="en")
    plain = UserFactory(username="budi", roles=[SUPERVISOR])
    desk = Client()
    log_in(desk, english)
    assert lang_of(page(desk)) == "en"
    desk.post(reverse("logout"))
    assert lang_of(page(desk, "login")) == "id"  # the log-out ends it
    log_in(desk, plain)
    assert lang_of(page(desk)) == "id"  # never chose: the company default


def test_anonymous_pages_use_the_company_default(company_id):
    response = page(english_browser(), "login")
    assert lang_of(response) == "id" and LOGIN_ID in response.content.decode()
    assert response["Content-Language"] == "id"


def test_english_is_the_default_when_the_company_says_so(settings, supervisor_user):
    settings.LANGUAGE_CODE = "en"
    client = Client(headers={"accept-language": "id"})
    assert LOGIN_EN in page(client, "login").content.decode()
    log_in(client, supervisor_user)
    assert lang_of(page(client)) == "en"


def test_a_choice_on_the_log_in_page_lasts_for_the_session_only(company_id, supervisor_user):
    client = Client()
    response = client.post(reverse("set_language"), {"language": "en", "next": "/accounts/login/"})
    assert response["Location"] == "/accounts/login/"
    assert LOGIN_EN in page(client, "login").content.decode()
    # Logging in with no language saved keeps it for this session, saving nothing.
    log_in(client, supervisor_user)
    assert lang_of(page(client)) == "en"
    assert not UserPreference.objects.filter(user=supervisor_user).exists()
    # A fresh browser session is back to the company default.
    assert lang_of(page(Client(), "login")) == "id"


def test_an_account_language_replaces_a_log_in_page_choice(company_id, supervisor_user):
    preference_set_language(user=supervisor_user, language="id")
    client = Client()
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    log_in(client, supervisor_user)
    assert lang_of(page(client)) == "id"


@pytest.mark.parametrize("next_url", ["https://evil.example/", "//evil.example/x", ""])
def test_the_menu_never_redirects_off_site(supervisor_user, next_url):
    client = Client()
    log_in(client, supervisor_user)
    response = client.post(reverse("set_language"), {"language": "en", "next": next_url})
    assert response.status_code == 302 and response["Location"] == "/"
    assert UserPreference.objects.get(user=supervisor_user).language == "en"


@pytest.mark.parametrize("code", ["fr", "", "<script>", "en-gb-extra"])
def test_an_unknown_language_saves_nothing(company_id, supervisor_user, code):
    client = Client()
    log_in(client, supervisor_user)
    response = client.post(reverse("set_language"), {"language": code, "next": "/calls/"})
    assert response.status_code == 302
    assert not UserPreference.objects.filter(user=supervisor_user).exists()
    assert lang_of(page(client)) == "id"


def test_get_on_the_menu_changes_nothing(supervisor_user):
    client = Client()
    log_in(client, supervisor_user)
    response = client.get(reverse("set_language"), {"language": "id", "next": "/calls/"})
    assert response.status_code == 302
    assert not UserPreference.objects.exists()


def test_pages_read_no_preference_after_log_in(supervisor_user):
    """The account's language is read at log-in and kept in the session, so a
    page costs the same queries with a language saved as without."""
    preference_set_language(user=supervisor_user, language="id")
    client = Client()
    log_in(client, supervisor_user)
    page(client)  # warm up
    with CaptureQueriesContext(connection) as queries:
        response = page(client)
    assert lang_of(response) == "id"
    assert not [q for q in queries if UserPreference._meta.db_table in q["sql"]]


def test_a_session_from_before_reads_the_account_once(company_id, supervisor_user):
    preference_set_language(user=supervisor_user, language="en")
    client = Client()
    log_in(client, supervisor_user)
    session = client.session
    del session[SESSION_KEY]  # as a log-in made before this feature left it
    session.save()
    assert lang_of(page(client)) == "en"
    assert client.session[SESSION_KEY] == "en"
    with CaptureQueriesContext(connection) as queries:
        page(client)
    assert not [q for q in queries if UserPreference._meta.db_table in q["sql"]]


def test_the_service_refuses_a_language_that_is_not_offered(supervisor_user):
    with pytest.raises(ValidationError):
        preference_set_language(user=supervisor_user, language="fr")
    assert not UserPreference.objects.exists()
    preference_set_language(user=supervisor_user, language="en")
    preference_set_language(user=supervisor_user, language="")  # back to the default
    assert UserPreference.objects.get(user=supervisor_user).language == ""


def test_admin_lists_and_edits_preferences(supervisor_user):
    root = UserFactory(username="root", is_staff=True, is_superuser=True)
    preference = preference_set_language(user=supervisor_user, language="en")
    client = Client()
    client.force_login(root)
    changelist = client.get(reverse("admin:switchboard_userpreference_changelist"))
    assert changelist.status_code == 200 and "lilis" in changelist.content.decode()
    url = reverse("admin:switchboard_userpreference_change", args=[preference.pk])
    response = client.post(url, {"user": supervisor_user.pk, "language": "id"})
    assert response.status_code == 302
    preference.refresh_from_db()
    assert preference.language == "id"
