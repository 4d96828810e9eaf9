from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from directory.access import can_view_board, get_staff_for_presence
from directory.filters import BoardFilter
from directory.forms import PresenceForm
from directory.models import Staff
from directory.services import presence_set

BOARD_PAGE_SIZE = 100


@require_GET
def board(request):
    """The in/out board: who is in, by department."""
    me = Staff.objects.for_cards().filter(user_id=request.user.pk, active=True).first()
    if not can_view_board(request.user, me):
        raise PermissionDenied
    base = Staff.objects.active().for_cards().order_by("department__name", "full_name")
    board_filter = BoardFilter(request.GET or None, queryset=base)
    page = Paginator(board_filter.qs, BOARD_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "filter": board_filter,
        "page": page,
        "me": me,
        "can_set_anyone": request.user.has_perm("directory.change_presence"),
    }
    return render(request, "directory/board.html", context)


@require_http_methods(["GET", "POST"])
def presence_edit(request, pk):
    """Change one person's presence; answers HTMX with the updated row."""
    staff = get_staff_for_presence(request, pk)
    if request.method == "POST":
        form = PresenceForm(request.POST)
        if form.is_valid():
            try:
                staff = presence_set(
                    staff=staff,
                    by=request.user,
                    presence=form.cleaned_data["presence"],
                    back_at=form.cleaned_data["back_at"],
                    note=form.cleaned_data["note"],
                )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    for error in errors:
                        form.add_error(field if field in form.fields else None, error)
            else:
                if not request.htmx:
                    messages.success(
                        request,
                        _("%(name)s is now: %(state)s.")
                        % {"name": staff.full_name, "state": staff.get_presence_display()},
                    )
                    return redirect("directory:board")
                staff = Staff.objects.for_cards().get(pk=staff.pk)
                return render(
                    request,
                    "directory/partials/_board_row.html",
                    {"staff": staff, "can_edit": True},
                )
        status = 422 if request.htmx else 200
        return render(
            request, _form_template(request), {"staff": staff, "form": form}, status=status
        )
    form = PresenceForm(
        initial={
            "presence": staff.presence,
            "back_at": staff.back_at,
            "note": staff.presence_note,
        }
    )
    return render(request, _form_template(request), {"staff": staff, "form": form})


def _form_template(request):
    return (
        "directory/partials/_presence_form.html" if request.htmx else "directory/presence_form.html"
    )
