"""Who may see and do what in supervision's roster and attendance pages. Views
use these, never a bare lookup.

- Supervisors (reports.change_rosterentry) roster, see every operator's
  attendance and correct it (reports.change_attendanceday), and decide on swaps
  (reports.change_shiftswap).
- Operators (reports.add_clocksession) clock in and out, see their own
  schedule, attendance and swaps, ask for swaps (reports.add_shiftswap) and
  answer those asked of them. Never anyone else's attendance.
- Everyone else: 403 on the pages, 404 on a swap that is not theirs.

The quality and KPI areas keep their own helpers in their own modules.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404

from reports.models import ShiftSwap

ROSTER = "reports.change_rosterentry"
ATTENDANCE = "reports.change_attendanceday"
SWAP_DECIDE = "reports.change_shiftswap"
CLOCK = "reports.add_clocksession"
SWAP_ASK = "reports.add_shiftswap"


def is_supervisor(user) -> bool:
    return user.has_perm(ATTENDANCE)


def uses_clock(user) -> bool:
    """The clock is the operators': those who may clock in and are not the
    supervisors who roster them. Permissions only, no query of its own."""
    return user.is_authenticated and user.has_perm(CLOCK) and not user.has_perm(ROSTER)


def require(user, perm: str) -> None:
    if not user.has_perm(perm):
        raise PermissionDenied


def require_operator(user) -> None:
    """The operator's own page (my schedule) and asking for swaps."""
    if not user.has_perm(CLOCK):
        raise PermissionDenied


def require_clock(user) -> None:
    """Clocking in and out: the operators' (the same rule as the indicator)."""
    if not uses_clock(user):
        raise PermissionDenied


def get_swap_for_user(request, pk: int, *, queryset=None) -> ShiftSwap:
    """A swap the user may act on: its requester and colleague, or a
    supervisor. 404 for other operators (a colleague's swap is none of their
    business), 403 for a log-in with neither role."""
    user = request.user
    if not (user.has_perm(SWAP_DECIDE) or user.has_perm(CLOCK)):
        raise PermissionDenied
    swaps = queryset if queryset is not None else ShiftSwap.objects.all()
    if not user.has_perm(SWAP_DECIDE):
        swaps = swaps.filter(Q(requester=user) | Q(colleague=user))
    try:
        return swaps.get(pk=pk)
    except ShiftSwap.DoesNotExist as exc:
        raise Http404 from exc
