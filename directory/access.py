"""Who may see what in the directory. Views use these, never a bare lookup."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from directory.models import Staff


def can_view_board(user) -> bool:
    """Anyone with a directory role, and staff members with a linked record."""
    if user.has_perm("directory.view_staff"):
        return True
    return Staff.objects.filter(user_id=user.pk, active=True).exists()


def get_staff_for_presence(request, pk: int) -> Staff:
    """The person whose presence the user wants to change: 404 if unknown,
    PermissionDenied unless the user is an operator/supervisor or that person."""
    staff = get_object_or_404(Staff.objects.for_cards(), pk=pk)
    user = request.user
    if not (user.has_perm("directory.change_presence") or staff.user_id == user.pk):
        raise PermissionDenied
    return staff
