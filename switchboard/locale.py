"""Which language a page speaks: the person's, never the browser's.

Front-desk PCs are shared, so neither the browser's Accept-Language nor a
language cookie says who is at the keyboard. The language is, in order:

1. for a logged-in user, the language saved on their account
   (UserPreference, set by the language menu);
2. the language picked from the menu in this browser session (on the log-in
   page, before logging in; it ends with the session, at log-out);
3. the company default, settings.LANGUAGE_CODE.

The account's language is read once, at log-in, and kept in the session with
the rest of the log-in, so pages cost no extra query. The menu writes both the
account and the session; a change made elsewhere (another PC, the admin)
applies from the next log-in.
"""

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.i18n import set_language as django_set_language

from switchboard.models import UserPreference

# The session's language: a code, or "" for the company default. Missing only
# in a session that was not opened by a log-in through Django's login().
SESSION_KEY = "switchboard_language"
MENU_PARAMETER = "language"


def supported(code: str | None) -> str:
    """The code if it is one of settings.LANGUAGES, else "" (the default)."""
    return code if code and code in dict(settings.LANGUAGES) else ""


def saved_language(user) -> str:
    """The language saved on the user's account, "" if none (one query)."""
    code = UserPreference.objects.filter(user_id=user.pk).values_list("language", flat=True).first()
    return supported(code)


@transaction.atomic
def preference_set_language(*, user, language: str) -> UserPreference:
    """Save a user's language on their account ("" for the company default)."""
    if language and not supported(language):
        raise ValidationError({"language": _("This language is not available.")})
    preference, _created = UserPreference.objects.update_or_create(
        user=user, defaults={"language": language}
    )
    return preference


def language_at_log_in(request, user) -> None:
    """At log-in, the account's language becomes the session's; with none
    saved, a language picked on the log-in page stays for this session."""
    session = getattr(request, "session", None)
    if session is None:
        return
    saved = saved_language(user)
    session[SESSION_KEY] = saved or supported(session.get(SESSION_KEY))


def language_for(request) -> str:
    """The language code this request is answered in (see the module's docstring)."""
    session = getattr(request, "session", None)
    if session is None:
        return settings.LANGUAGE_CODE
    user = getattr(request, "user", None)
    code = session.get(SESSION_KEY)
    if code is None and user is not None and user.is_authenticated:
        # A session from before languages were kept on accounts: read it once.
        code = session[SESSION_KEY] = saved_language(user)
    return supported(code) or settings.LANGUAGE_CODE


class UserLanguageMiddleware:
    """Activates the person's language (language_for) for the request.

    It replaces django.middleware.locale.LocaleMiddleware, which follows the
    browser, and must come after AuthenticationMiddleware to see the user. Like
    it, it sets request.LANGUAGE_CODE and the Content-Language header. It sends
    no "Vary: Accept-Language" (that header no longer changes the answer); the
    language comes from the session, and reading the session already makes the
    response vary on Cookie. This project has no i18n_patterns URLs, so there
    is no language prefix to redirect to.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        translation.activate(language_for(request))
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", translation.get_language())
        return response


@login_not_required
def set_language(request):
    """The language menu (POST language, next): Django's set_language for the
    safe redirect to `next`, but the choice goes to the session and, for a
    logged-in user, to their account, not into a browser cookie."""
    response = django_set_language(request)
    response.cookies.pop(settings.LANGUAGE_COOKIE_NAME, None)
    if request.method != "POST":
        return response
    code = supported(request.POST.get(MENU_PARAMETER))
    if not code:
        return response
    if request.user.is_authenticated:
        preference_set_language(user=request.user, language=code)
    request.session[SESSION_KEY] = code
    return response
