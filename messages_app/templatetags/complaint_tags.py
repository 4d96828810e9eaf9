"""Template filters of the complaint pages (no queries: formatting only)."""

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def working_time(minutes) -> str:
    """Working minutes as people say them: "30 min", "4 h", "4 h 30 min"."""
    try:
        minutes = int(minutes)
    except (TypeError, ValueError):
        return ""
    hours, rest = divmod(max(minutes, 0), 60)
    if not hours:
        return _("%(minutes)s min") % {"minutes": rest}
    if not rest:
        return _("%(hours)s h") % {"hours": hours}
    return _("%(hours)s h %(minutes)s min") % {"hours": hours, "minutes": rest}
