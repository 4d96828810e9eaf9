"""A database outage answers with a friendly 503 page instead of a traceback."""

import logging

from django.db import InterfaceError, OperationalError
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)

OUTAGE_ERRORS = (OperationalError, InterfaceError)


def is_outage(exc: BaseException | None) -> bool:
    return isinstance(exc, OUTAGE_ERRORS)


def outage_response(request):
    from django.http import HttpResponse

    # Rendered without context processors: they may need the database too.
    body = render_to_string("503.html", {})
    response = HttpResponse(body, status=503)
    response["Retry-After"] = "30"
    return response


class DatabaseUnavailableMiddleware:
    """Turns a lost database connection inside a view into a 503 page.

    Errors raised before the view (session or user loading) reach handler500,
    which makes the same decision (see switchboard.views.server_error).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if is_outage(exception):
            logger.error("Database unavailable: %s", exception)
            return outage_response(request)
        return None
