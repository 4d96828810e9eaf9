"""Who may see and act on which slips and complaints. Views use these, never a
bare lookup; services check the same rules (`can_act_on_*`).

- The desk (operators, supervisors: messages_app.act_on_any_slip) sees and acts
  on every slip: a recipient who says "got it" on the phone is marked
  acknowledged by the operator.
- A staff member (a log-in linked to an active Staff record) sees and acts on
  the slips for them, copied to them, or for their department.
- Complaints: those with messages_app.act_on_any_complaint (supervisors) see and
  work on all; a department's staff on their department's; the desk
  (view_complaint) sees all, to answer a caller who rings again, and records
  new ones, but does not work on them.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q
from django.shortcuts import get_object_or_404

from directory.access import linked_staff
from messages_app.models import Complaint, MessageSlip, SlipRecipient

ANY_SLIP = "messages_app.act_on_any_slip"
ANY_COMPLAINT = "messages_app.act_on_any_complaint"
VIEW_COMPLAINT = "messages_app.view_complaint"


# Slips ------------------------------------------------------------------------


def _slips_of(staff) -> Q:
    copied = SlipRecipient.objects.filter(slip=OuterRef("pk"), staff=staff)
    return Q(for_staff=staff) | Q(for_department_id=staff.department_id) | Exists(copied)


def slips_visible_to(request):
    """The slips the user may see: all for the desk, a staff member's own,
    copied and department's; none for anyone else."""
    if request.user.has_perm(ANY_SLIP):
        return MessageSlip.objects.all()
    me = linked_staff(request)
    if me is None:
        return MessageSlip.objects.none()
    return MessageSlip.objects.filter(_slips_of(me))


def can_act_on_slip(user, slip: MessageSlip, *, staff=None) -> bool:
    """The desk acts on any slip; a staff member (`staff`, their own active
    record) on theirs: for them, copied to them, or for their department."""
    if user.has_perm(ANY_SLIP):
        return True
    if staff is None:
        return False
    if slip.for_staff_id == staff.pk or slip.for_department_id == staff.department_id:
        return True
    return slip.slip_recipients.filter(staff=staff).exists()


def get_slip_for_user(request, pk: int, *, queryset=None) -> MessageSlip:
    """A slip the user may see: 404 for everyone else (a slip's existence is
    nobody else's business), 403 for a log-in with neither a role nor a record."""
    if not request.user.has_perm(ANY_SLIP) and linked_staff(request) is None:
        raise PermissionDenied
    visible = slips_visible_to(request)
    if queryset is not None:
        visible = queryset.filter(pk__in=visible.values("pk"))
    return get_object_or_404(visible, pk=pk)


# Complaints -------------------------------------------------------------------


def complaints_visible_to(request):
    """All complaints for supervisors and the desk; a department's for its staff."""
    user = request.user
    if user.has_perm(ANY_COMPLAINT) or user.has_perm(VIEW_COMPLAINT):
        return Complaint.objects.all()
    me = linked_staff(request)
    if me is None:
        return Complaint.objects.none()
    return Complaint.objects.filter(department_id=me.department_id)


def can_work_on_complaint(user, complaint: Complaint, *, staff=None) -> bool:
    """Supervisors work on any complaint; a department's staff (`staff`, their
    own active record) on their department's. The desk only records them."""
    if user.has_perm(ANY_COMPLAINT):
        return True
    return staff is not None and complaint.department_id == staff.department_id


def get_complaint_for_user(request, pk: int, *, queryset=None) -> Complaint:
    """A complaint the user may see: 404 for everyone else, 403 for a log-in
    with neither a role nor a record."""
    user = request.user
    if (
        not (user.has_perm(ANY_COMPLAINT) or user.has_perm(VIEW_COMPLAINT))
        and linked_staff(request) is None
    ):
        raise PermissionDenied
    visible = complaints_visible_to(request)
    if queryset is not None:
        visible = queryset.filter(pk__in=visible.values("pk"))
    return get_object_or_404(visible, pk=pk)
