"""Who may see what in the directory. Views use these, never a bare lookup.

Two kinds of reader: the desk and the admins (a role with directory.view_staff)
see everything; a staff member (a log-in linked to an active Staff record, no
role) looks up colleagues: the search, the phone list, people and departments,
and the approved answers that are not internal. Anyone else gets 403.
"""

from functools import wraps

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from directory.models import Department, Disclosure, InfoEntry, Staff
from directory.services import can_set_presence

VIEW_PERMISSION = "directory.view_staff"


def linked_staff(request) -> Staff | None:
    """The signed-in user's own active Staff record (with what a board row
    shows), read once per request; None for anonymous users and log-ins with
    no record."""
    if not hasattr(request, "_sb_linked_staff"):
        user = request.user
        request._sb_linked_staff = (
            Staff.objects.for_cards().filter(user_id=user.pk, active=True).first()
            if user.is_authenticated
            else None
        )
    return request._sb_linked_staff


def can_read_directory(request) -> bool:
    """A directory role, or a staff member with a linked, active record. The
    role is checked first: it costs no query (permissions are cached)."""
    return request.user.has_perm(VIEW_PERMISSION) or linked_staff(request) is not None


def sees_internal_answers(user) -> bool:
    """Internal answers ("do not disclose") are for the desk and the admins."""
    return user.has_perm("directory.view_infoentry")


def directory_reader_required(view):
    """403 unless can_read_directory (log-in itself is the middleware's)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not can_read_directory(request):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def can_view_board(user, me: Staff | None) -> bool:
    """Anyone with a directory role, and staff members with a linked record (`me`)."""
    return me is not None or user.has_perm(VIEW_PERMISSION)


def get_staff_for_user(request, pk: int, *, queryset=None) -> Staff:
    """A person's page: 403 for outsiders, 404 if unknown."""
    if not can_read_directory(request):
        raise PermissionDenied
    queryset = queryset if queryset is not None else Staff.objects.for_cards()
    return get_object_or_404(queryset, pk=pk)


def get_department_for_user(request, pk: int, *, queryset=None) -> Department:
    """A department's page: 403 for outsiders, 404 if unknown."""
    if not can_read_directory(request):
        raise PermissionDenied
    queryset = queryset if queryset is not None else Department.objects.all()
    return get_object_or_404(queryset, pk=pk)


def get_info_entry_for_user(request, pk: int, *, queryset=None) -> InfoEntry:
    """An approved answer: 403 for outsiders, 404 if unknown, and 404 for a
    staff member when the answer is internal (for them it does not exist)."""
    if not can_read_directory(request):
        raise PermissionDenied
    queryset = queryset if queryset is not None else InfoEntry.objects.all()
    entry = get_object_or_404(queryset, pk=pk)
    if entry.disclosure == Disclosure.INTERNAL and not sees_internal_answers(request.user):
        raise Http404
    return entry


def get_staff_for_presence(request, pk: int) -> Staff:
    """The person whose presence the user wants to change: 404 if unknown,
    PermissionDenied unless the user is an operator/supervisor or that person."""
    staff = get_object_or_404(Staff.objects.for_cards(), pk=pk)
    if not can_set_presence(request.user, staff):
        raise PermissionDenied
    return staff
