"""Who sees which shift handover.

- Supervisors (reports.change_attendanceday) see every handover (the list).
- Operators (reports.view_shifthandover) see their own and those handed to
  them (reports.selectors_handover.receives); another operator's: 404.
- Everyone else: 403.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from reports.access import is_supervisor
from reports.models import ShiftHandover
from reports.selectors_handover import receives, receiving_context

VIEW = "reports.view_shifthandover"
ADD = "reports.add_shifthandover"


def require_handover_user(user) -> None:
    if not user.has_perm(VIEW):
        raise PermissionDenied


def require_supervisor(user) -> None:
    if not is_supervisor(user):
        raise PermissionDenied


def get_handover_for_user(request, pk) -> ShiftHandover:
    user = request.user
    require_handover_user(user)
    try:
        handover = ShiftHandover.objects.select_related(
            "operator", "acknowledged_by", "shift_type"
        ).get(pk=int(pk))
    except (ShiftHandover.DoesNotExist, TypeError, ValueError) as exc:
        raise Http404 from exc
    if is_supervisor(user) or handover.operator_id == user.pk:
        return handover
    if receives(handover, user=user, context=receiving_context(user=user)):
        return handover
    raise Http404
