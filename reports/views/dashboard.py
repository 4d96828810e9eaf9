"""The supervisor's dashboard (issue 10): today, live. The page polls its
own body every POLL_SECONDS (htmx asks for the partial alone, no full
reload); everything comes from reports.selectors_dashboard.dashboard."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_GET

from reports.selectors_dashboard import dashboard as dashboard_figures

PERMISSION = "reports.view_dailyrecap"
POLL_SECONDS = 30


@require_GET
def dashboard(request):
    if not request.user.has_perm(PERMISSION):
        raise PermissionDenied
    context = {**dashboard_figures(), "poll_seconds": POLL_SECONDS}
    if request.htmx:
        return render(request, "reports/partials/_dashboard_body.html", context)
    return render(request, "reports/dashboard.html", context)


urlpatterns = [path("dashboard/", dashboard, name="dashboard")]
