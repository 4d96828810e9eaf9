"""The supervisors' escalations page: message slips escalated and still not
acknowledged, and complaints past a deadline, the latest escalation first.

Supervisors only (messages_app.act_on_any_complaint, which only the Supervisor
role holds): operators act on slips at the desk's board, and staff members on
their own. Each list is paginated on its own; the page costs the same few
queries however many rows it shows.
"""

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_GET

from messages_app.access import ANY_COMPLAINT
from messages_app.services.escalation import (
    COMPLAINT_LEVELS,
    RESOLVE,
    SLIP_LEVELS,
    complaint_late_for,
    escalated_slips,
    overdue_complaints,
)
from messages_app.timeline import SLIP_EVENTS, event_label

PAGE_SIZE = 50


def can_see_escalations(user) -> bool:
    return user.has_perm(ANY_COMPLAINT)


@require_GET
def escalation_list(request):
    if not can_see_escalations(request.user):
        raise PermissionDenied
    now = timezone.now()
    slips = Paginator(escalated_slips(), PAGE_SIZE).get_page(request.GET.get("slips_page"))
    complaints = Paginator(overdue_complaints(now=now), PAGE_SIZE).get_page(
        request.GET.get("complaints_page")
    )
    for slip in slips:
        slip.level_label = (
            event_label(SLIP_EVENTS, slip.escalation_kind)
            if slip.escalation_kind
            else SLIP_LEVELS.get(slip.escalation_level, slip.escalation_level)
        )
    for complaint in complaints:
        deadline, complaint.missed_at = complaint_late_for(complaint, now)
        complaint.missed_resolve = deadline == RESOLVE
        complaint.level_label = COMPLAINT_LEVELS.get(
            complaint.escalation_level, complaint.escalation_level
        )
    return render(
        request,
        "messages_app/escalations.html",
        {"slips": slips, "complaints": complaints, "now": now},
    )


urlpatterns = [
    path("escalations/", escalation_list, name="escalations"),
]
