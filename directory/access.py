"""Who may see what in the directory. Views use these, never a bare lookup."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from directory.models import Staff
from directory.services import can_set_presence


def can_view_board(user, me: Staff | None) -> bool:
    """Anyone with a directory role, and staff members with a linked record (`me`)."""
    return me is not None or user.has_perm("directory.view_staff")


def get_staff_for_presence(request, pk: int) -> Staff:
    """The person whose presence the user wants to change: 404 if unknown,
    PermissionDenied unless the user is an operator/supervisor or that person."""
    staff = get_object_or_404(Staff.objects.for_cards(), pk=pk)
    if not can_set_presence(request.user, staff):
        raise PermissionDenied
    return staff
