"""The app's URLs plus the hello-world floor: the cheapest view behind the same
middleware (sessions, auth, login required, htmx, axes…)."""

from django.http import HttpResponse
from django.urls import include, path

from switchboard.urls import handler500  # noqa: F401 - the same error handler


def hello(request):
    return HttpResponse("ok")


urlpatterns = [
    path("bench/hello", hello, name="bench-hello"),
    path("", include("switchboard.urls")),
]
