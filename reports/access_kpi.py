"""Who sees whose KPIs.

- Supervisors (reports.view_kpis) see every operator's month table and sheet;
  those with reports.sign_off_kpis sign sheets off and withdraw sign-offs.
- An operator (reports.add_clocksession: the Operator role) sees their own
  sheet and trend and nobody else's: any URL with another operator's id is a
  404, as if that operator did not exist.
- Everyone else: 403.
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q
from django.http import Http404

from reports.models import OperatorDay
from switchboard.roles import OPERATOR

VIEW_KPIS = "reports.view_kpis"
SIGN_OFF_KPIS = "reports.sign_off_kpis"
OWN_KPIS = "reports.add_clocksession"
MAX_ID = 2**31  # beyond any key (PostgreSQL's integer); a bigger number is no one


def may_see_all(user) -> bool:
    return user.has_perm(VIEW_KPIS)


def may_sign_off(user) -> bool:
    return user.has_perm(SIGN_OFF_KPIS)


def require_all(user) -> None:
    if not may_see_all(user):
        raise PermissionDenied


def require_own(user) -> None:
    if not (may_see_all(user) or user.has_perm(OWN_KPIS)):
        raise PermissionDenied


def get_kpi_operator_for_user(request, operator_id: int):
    """The operator whose KPIs the user asks for: any for a supervisor (404
    when there is no such user), only themselves for an operator (404 for
    anyone else's id), 403 for a log-in with neither."""
    user = request.user
    if not 0 < operator_id < MAX_ID:
        require_own(user)
        raise Http404
    if may_see_all(user):
        # An operator, or someone who once worked the desk (their calls' days).
        had_days = Exists(OperatorDay.objects.filter(operator=OuterRef("pk")))
        found = (
            get_user_model()
            .objects.filter(Q(groups__name=OPERATOR) | Q(had_days), pk=operator_id)
            .first()
        )
        if found is None:
            raise Http404
        return found
    require_own(user)
    if operator_id != user.pk:
        raise Http404
    return user
