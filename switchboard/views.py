import sys

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect
from django.templatetags.static import static
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_GET
from django.views.defaults import server_error as default_server_error

from switchboard.middleware import is_outage, outage_response
from switchboard.security import ThrottledPasswordChangeForm


def home(request):
    """Send each role to its main screen: a staff member (no role, a linked
        Staff record) to the directory search, to look a colleague up; the in/out
        board, where they set their own presence, is one click away. Supervisors
    land on their dashboard."""
    from directory.access import can_read_directory

    if request.user.has_perm("calls.add_call"):
        return redirect("calls:console")
    # Supervisors land on the dashboard: today, live.
    if request.user.has_perm("reports.view_dailyrecap"):
        return redirect("reports:dashboard")
    if request.user.has_perm("calls.view_call"):
        return redirect("calls:call-list")
    if can_read_directory(request):
        return redirect("directory:search")
    return redirect("directory:board")


def _check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any failure means unhealthy
        return f"error: {exc.__class__.__name__}"
    return "ok"


def _check_broker() -> str:
    url = settings.CELERY_BROKER_URL
    if not url:
        return "not configured (tasks run in-process)"
    if not url.startswith(("redis://", "rediss://")):
        return "not checked"
    import redis

    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
        client.ping()
    except Exception as exc:  # any failure means unhealthy
        return f"error: {exc.__class__.__name__}"
    return "ok"


@login_not_required
@never_cache
@require_GET
def healthz(request):
    checks = {"database": _check_database(), "broker": _check_broker()}
    healthy = all(not value.startswith("error") for value in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", **checks},
        status=200 if healthy else 503,
    )


@login_not_required
def server_error(request, template_name="500.html"):
    if is_outage(sys.exc_info()[1]):
        return outage_response(request)
    return default_server_error(request, template_name)


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's password change; the old password goes through authenticate(), so
    wrong guesses count against the user name and address like failed log-ins
    (switchboard.security.ThrottledOldPasswordMixin)."""

    form_class = ThrottledPasswordChangeForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}


@login_not_required
@require_GET
@cache_control(max_age=86400)
def favicon(request):
    """Browsers ask for /favicon.ico where a page links no icon (a file opened
    directly, an old bookmark): send them to the vendored SVG. Not a permanent
    redirect: the static file's hashed name changes with each release."""
    return HttpResponseRedirect(static("favicon.svg"))
