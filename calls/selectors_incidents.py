"""Reads of phone-line incidents: the list (open first, then closed by start,
filtered by state and month), the open ones for the console's banner and the
dashboard, and one incident for its pages."""

from datetime import date, datetime, time

from django.db.models import Case, IntegerField, Value, When
from django.http import Http404
from django.utils import timezone

from calls.models import PhoneLineIncident

OPEN_LIMIT = 10  # the banner and the dashboard never list more


def _month_bounds(month: date) -> tuple[datetime, datetime]:
    zone = timezone.get_current_timezone()
    start = datetime.combine(month.replace(day=1), time.min, tzinfo=zone)
    after = date(month.year + (month.month == 12), month.month % 12 + 1, 1)
    return start, datetime.combine(after, time.min, tzinfo=zone)


def incident_list(*, state: str = "", month: date | None = None):
    """Incidents, open first (oldest outage first: it has lasted longest), then
    closed ones newest first. `state` "open" or "closed" narrows; `month`
    keeps those that started in that local month. One query per page."""
    incidents = PhoneLineIncident.objects.select_related("logged_by", "closed_by")
    if state == "open":
        incidents = incidents.filter(ended_at__isnull=True)
    elif state == "closed":
        incidents = incidents.filter(ended_at__isnull=False)
    if month is not None:
        start, end = _month_bounds(month)
        incidents = incidents.filter(started_at__gte=start, started_at__lt=end)
    return incidents.annotate(
        closed=Case(
            When(ended_at__isnull=True, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
    ).order_by("closed", "-started_at", "-id")


def incidents_open(*, now=None, limit: int = OPEN_LIMIT) -> list[PhoneLineIncident]:
    """The open incidents, longest-running first, each with `started_today`
    and `lasted` (text): one query on incident_open."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    found = list(
        PhoneLineIncident.objects.filter(ended_at__isnull=True).order_by("started_at", "id")[:limit]
    )
    for incident in found:
        incident.started_today = timezone.localdate(incident.started_at) == today
        incident.lasted = duration_text(incident.duration(now))
    return found


def incident_get(pk) -> PhoneLineIncident:
    try:
        return PhoneLineIncident.objects.select_related("logged_by", "closed_by").get(pk=int(pk))
    except (PhoneLineIncident.DoesNotExist, TypeError, ValueError) as exc:
        raise Http404 from exc


def incident_history(incident: PhoneLineIncident, limit: int = 20) -> list:
    return list(incident.history.select_related("history_user").order_by("-history_id")[:limit])


def duration_text(delta) -> str:
    """ "2 h 05 min", "45 min", "3 d 4 h": how long a line was (or is) down."""
    from django.utils.translation import gettext as _

    minutes = max(0, int(delta.total_seconds() // 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return _("%(d)d d %(h)d h") % {"d": days, "h": hours}
    if hours:
        return _("%(h)d h %(m)02d min") % {"h": hours, "m": minutes}
    return _("%(m)d min") % {"m": minutes}
