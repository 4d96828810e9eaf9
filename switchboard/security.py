"""Response security headers and log-in throttling.

- SecurityHeadersMiddleware puts a Content-Security-Policy and a
  Permissions-Policy on every response, in development too, so that an inline
  script, an inline style or a third-party asset shows as a violation at once.
- client_ip_address is the address django-axes counts failed log-ins against:
  the connecting address, or, behind AXES_PROXY_COUNT reverse proxies, the entry
  in X-Forwarded-For that the outermost trusted proxy wrote.
- ThrottleHandler adds a looser limit per address across user names (password
  spraying) to axes' limit per user name and address.
- ThrottledPasswordChangeForm checks the old password through authenticate(),
  so wrong guesses on the password-change form count like failed log-ins.
"""

import ipaddress

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_failure_limit
from axes.models import AccessAttempt
from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminPasswordChangeForm
from django.contrib.auth import authenticate
from django.contrib.auth.forms import PasswordChangeForm
from django.db.models import Sum

# --- Content-Security-Policy and Permissions-Policy ----------------------------------

# Everything the app loads is vendored under static/ and every script is a file:
# no inline <script>, no on…= handlers, no style="…" attributes, nothing for eval.
# Bootstrap's CSS draws its arrows and close buttons as data: SVG images.
CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
}

# Django admin under the strict policy was checked in Chromium: the index,
# changelists with filters and search, change forms with autocomplete (select2),
# calendar and clock pop-ups and related-object links raise no violation (their
# scripts are files and set styles through the CSSOM, which CSP allows). Two
# admin templates do write inline styles: django-simple-history's change history
# (style="border-top: 0", on every object's History page) and Django's changelist
# (a <style> block when a ModelAdmin shows no action bar). Inline styles run no
# code, so the admin, and only the admin, may use them; its scripts stay strict.
ADMIN_CONTENT_SECURITY_POLICY = {
    **CONTENT_SECURITY_POLICY,
    "style-src": "'self' 'unsafe-inline'",
}

# No page needs a camera, microphone, location, payment or device access.
PERMISSIONS_POLICY = {
    "accelerometer": "()",
    "autoplay": "()",
    "camera": "()",
    "display-capture": "()",
    "geolocation": "()",
    "gyroscope": "()",
    "hid": "()",
    "magnetometer": "()",
    "microphone": "()",
    "midi": "()",
    "payment": "()",
    "serial": "()",
    "usb": "()",
    "xr-spatial-tracking": "()",
}


def _header(directives: dict[str, str], *, separator: str) -> str:
    return separator.join(f"{name} {value}".strip() for name, value in directives.items())


CSP_HEADER = _header(CONTENT_SECURITY_POLICY, separator="; ")
ADMIN_CSP_HEADER = _header(ADMIN_CONTENT_SECURITY_POLICY, separator="; ")
PERMISSIONS_POLICY_HEADER = ", ".join(
    f"{name}={value}" for name, value in PERMISSIONS_POLICY.items()
)


class SecurityHeadersMiddleware:
    """Content-Security-Policy and Permissions-Policy on every response: pages,
    HTMX partials, JSON, errors, static files. First in MIDDLEWARE, so even a
    response made by a middleware further in (whitenoise, the outage page) gets
    them. A response that already names a policy keeps it."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.admin_prefix = None

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY_HEADER)
        if settings.DEBUG and response.status_code in (404, 500):
            # With DEBUG on these are Django's technical error pages, which need
            # their inline styles and scripts (Django 5.2 gives them no nonce).
            # Developers only: with DEBUG off the app's own 404/500 pages answer.
            return response
        csp = ADMIN_CSP_HEADER if self._is_admin(request) else CSP_HEADER
        response.headers.setdefault("Content-Security-Policy", csp)
        return response

    def _is_admin(self, request) -> bool:
        if self.admin_prefix is None:
            from django.urls import NoReverseMatch, reverse

            try:
                self.admin_prefix = reverse("admin:index")
            except NoReverseMatch:
                self.admin_prefix = ""
        return bool(self.admin_prefix) and request.path.startswith(self.admin_prefix)


# --- The client address behind the proxies -------------------------------------------


def _ip(text: str) -> str | None:
    """The address in one X-Forwarded-For entry, normalised; None if it is not one.
    Accepts "1.2.3.4", "1.2.3.4:5678", "2001:db8::1" and "[2001:db8::1]:5678"."""
    text = text.strip()
    if text.startswith("["):
        text = text[1:].partition("]")[0]
    elif text.count(":") == 1:
        text = text.partition(":")[0]
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        return None


def client_ip_address(request) -> str | None:
    """The address failed log-ins are counted against (AXES_CLIENT_IP_CALLABLE).

    With TRUSTED_PROXY_COUNT = 0 (no proxy) it is the connecting address and
    X-Forwarded-For is ignored: a client could write anything there.

    With N proxies in front (docker-compose.yml: nginx, N = 1), each proxy appends
    the address it was connected from to X-Forwarded-For (nginx's
    $proxy_add_x_forwarded_for), so the right-most N entries were written by our
    own proxies and the N-th from the right is the client as the outermost proxy
    saw it. Anything left of it came from the client and is ignored, so a client
    cannot choose its address by sending an X-Forwarded-For of its own.

    A request that has fewer entries than proxies did not pass through all of
    them (a health probe, a request straight to the inner proxy): its left-most
    entry, or with no usable header the connecting address, is the best we know.
    Never None while the server gives a REMOTE_ADDR, so a missing header cannot
    lump everyone together under one empty address.
    """
    remote = _ip(request.META.get("REMOTE_ADDR", "")) or None
    hops = settings.TRUSTED_PROXY_COUNT
    if not hops:
        return remote
    entries = [e for e in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if e.strip()]
    if not entries:
        return remote
    entry = entries[-hops] if len(entries) >= hops else entries[0]
    return _ip(entry) or remote


# --- Failed log-ins per address across user names -------------------------------------


class ThrottleHandler(AxesDatabaseHandler):
    """axes' database handler with a second, looser limit per address.

    axes counts failures per user name + address (AXES_LOCKOUT_PARAMETERS) against
    AXES_FAILURE_LIMIT: one operator's typos never lock out the colleagues who share
    the office address. Alone, that lets one address try AXES_FAILURE_LIMIT - 1
    passwords against every account in every cool-off. So the failures of all user
    names from one address are also counted, against AXES_IP_FAILURE_LIMIT; past it
    that address is locked out for every user name until the cool-off ends.

    The counts come from axes' AccessAttempt rows in the database, so every web
    process and container sees the same numbers.
    """

    def get_failures(self, request, credentials=None) -> int:
        failures = super().get_failures(request, credentials)
        limit = get_failure_limit(request, credentials)
        address = getattr(request, "axes_ip_address", None)
        if failures >= limit or address is None:
            return failures
        from_address = (
            AccessAttempt.objects.filter(
                ip_address=address, attempt_time__gte=get_cool_off_threshold(request)
            ).aggregate(total=Sum("failures_since_start"))["total"]
            or 0
        )
        if from_address >= settings.AXES_IP_FAILURE_LIMIT:
            # The lock-out page says the address, not the user name, is paused.
            request.throttled_address = True
            return limit
        return failures


# --- Wrong old passwords count as failed log-ins ---------------------------------------


class ThrottledOldPasswordMixin:
    """Checks the old password with authenticate(), so axes counts a wrong one
    against the user name and address exactly like a failed log-in, and refuses
    the form once they are locked out (axes then answers with its lock-out page).
    Without it, anyone at an unlocked desk could guess the password without limit."""

    def __init__(self, user, *args, request=None, **kwargs):
        self.request = request
        super().__init__(user, *args, **kwargs)

    def clean_old_password(self):
        old_password = self.cleaned_data["old_password"]
        checked = authenticate(
            self.request, username=self.user.get_username(), password=old_password
        )
        if checked is None or checked.pk != self.user.pk:
            raise forms.ValidationError(
                self.error_messages["password_incorrect"], code="password_incorrect"
            )
        return old_password


class ThrottledPasswordChangeForm(ThrottledOldPasswordMixin, PasswordChangeForm):
    pass


class ThrottledAdminPasswordChangeForm(ThrottledOldPasswordMixin, AdminPasswordChangeForm):
    pass
