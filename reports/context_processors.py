"""The clock indicator in the navigation bar: is the signed-in operator
clocked in? Lazy (nothing runs unless the bar is rendered), at most one query
(the open session), and none for those who do not use the clock (supervisors,
staff members, anyone without the operator's permission)."""

from django.utils.functional import SimpleLazyObject

from reports.access import uses_clock


def clock(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"clock_nav": {}}

    def build():
        if not uses_clock(user):
            return {"enabled": False}
        from reports.selectors_roster import open_session_of

        return {"enabled": True, "session": open_session_of(user)}

    return {"clock_nav": SimpleLazyObject(build)}
