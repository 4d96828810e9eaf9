from django.urls import NoReverseMatch, reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _

from directory.access import can_read_directory, linked_staff


def navigation(request):
    """Which navigation entries the signed-in user's roles allow.

    Lazy: an HTMX partial that shows no navigation runs none of its queries.
    Built from permissions (cached on the user for the request), so a user
    with a role pays no extra query for the navigation; a staff member without
    one pays one, for their Staff record, which the page's own access check
    shares (directory.access.linked_staff).
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": {}}

    def build():
        # Staff members look colleagues up too (directory.access).
        reads_directory = can_read_directory(request)
        # The desk's messages board; anyone's own messages, with the unread
        # badge: one COUNT, run only when the navigation is rendered.
        desk_slips = user.has_perm("messages_app.act_on_any_slip")
        return {
            "slip_board": desk_slips,
            "my_slips": desk_slips or linked_staff(request) is not None,
            "unread_slips": SimpleLazyObject(lambda: _unread_slips(request, desk_slips)),
            "console": user.has_perm("calls.add_call"),
            "calls": user.has_perm("calls.view_call"),
            "search": reads_directory,
            "board": True,
            "phone_list": reads_directory,
            "import": user.has_perm("directory.import_directory"),
            "escalations": user.has_perm("messages_app.act_on_any_complaint"),
            "complaints": _complaints_url(request, user),
            "admin": user.is_staff,
            **_reports_links(user),
        }

    return {"nav": SimpleLazyObject(build)}


# Supervision pages (reports app), in the navigation's "Supervision" menu: the
# supervisor's pages, or an operator's own. Each shows once its page exists.
_SUPERVISOR_PAGES = (
    ("reports:dashboard", _("Dashboard")),
    ("reports:recap-list", _("Daily recaps")),
    ("calls:incident-list", _("Phone-line incidents")),
    ("reports:roster-week", _("Roster")),
    ("reports:attendance-day", _("Attendance")),
    ("reports:swap-list", _("Shift swaps")),
    ("reports:review-list", _("Call reviews")),
    ("reports:calibration-list", _("Calibration")),
    ("reports:kpi-month", _("KPIs")),
)
_OPERATOR_PAGES = (
    ("reports:handover", _("Shift handover")),
    ("reports:my-schedule", _("My schedule")),
    ("reports:my-reviews", _("My reviews")),
    ("reports:my-kpis", _("My KPIs")),
)


def _reports_links(user) -> dict:
    if user.has_perm("reports.change_attendanceday"):
        pages, title = _SUPERVISOR_PAGES, _("Supervision")
    elif user.has_perm("reports.add_clocksession"):
        pages, title = _OPERATOR_PAGES, _("My work")
    else:
        return {"reports": []}
    links = []
    for name, label in pages:
        try:
            links.append({"name": name.split(":")[1], "url": reverse(name), "label": label})
        except NoReverseMatch:
            continue
    return {"reports": links, "reports_title": title}


def _complaints_url(request, user) -> str:
    """Complaints: the list for those who see all (supervisors, the desk) once
    it exists, else the queue; a department's staff their queue; "" for others."""
    sees_all = user.has_perm("messages_app.view_complaint") or user.has_perm(
        "messages_app.act_on_any_complaint"
    )
    if sees_all:
        try:
            return reverse("messages_app:complaint-list")
        except NoReverseMatch:
            return reverse("messages_app:complaint-queue")
    if linked_staff(request) is not None:
        return reverse("messages_app:complaint-queue")
    return ""


def _unread_slips(request, desk: bool) -> int:
    """The badge's count. A staff member's record is read already (the
    navigation's own check); the desk's is joined in the count."""
    from messages_app.selectors_slips import slip_unread_count  # messages_app sits above

    if desk:
        return slip_unread_count(request.user)
    me = linked_staff(request)
    return slip_unread_count(request.user, staff=me) if me is not None else 0
