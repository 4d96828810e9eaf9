from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch, prefetch_related_objects
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from directory.access import can_view_board, get_staff_for_presence, linked_staff
from directory.filters import BoardFilter
from directory.forms import PresenceForm
from directory.models import Extension, Staff
from directory.selectors import DESK_FIRST
from directory.services import presence_set

# 200 people were one 5,500-pixel page; a department rarely has more than this.
BOARD_PAGE_SIZE = 50
RESULTS_TARGET = "board-results"  # the part of the page the filter swaps


def _with_extensions(queryset):
    """Each person's extensions, desk phones first, in one query for the page."""
    return queryset.prefetch_related(
        Prefetch("extensions", queryset=Extension.objects.order_by(*DESK_FIRST))
    )


@require_GET
def board(request):
    """The in/out board: who is in, by department, filtered by name, department
    and presence. The filter asks again for just the table as it changes (HTMX)."""
    me = linked_staff(request)
    if not can_view_board(request.user, me):
        raise PermissionDenied
    base = _with_extensions(
        Staff.objects.active().for_cards().order_by("department__name", "full_name", "pk")
    )
    board_filter = BoardFilter(request.GET or None, queryset=base)
    page = Paginator(board_filter.qs, BOARD_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "filter": board_filter,
        "filtered": board_filter.is_bound and board_filter.has_filters(),
        "page": page,
        "can_set_anyone": request.user.has_perm("directory.change_presence"),
    }
    if request.htmx and request.htmx.target == RESULTS_TARGET:
        return render(request, "directory/partials/_board_results.html", context)
    if me is not None:
        prefetch_related_objects(
            [me], Prefetch("extensions", queryset=Extension.objects.order_by(*DESK_FIRST))
        )
    return render(request, "directory/board.html", {**context, "me": me})


def _slot(request) -> str:
    """Which copy of the person's row is being edited: their own card at the top
    of the board ("me") or the row in the table."""
    return "me" if (request.POST or request.GET).get("slot") == "me" else "row"


def _row(request, staff, slot):
    staff = _with_extensions(Staff.objects.for_cards()).get(pk=staff.pk)
    return render(
        request,
        "directory/partials/_board_row.html",
        {"staff": staff, "can_edit": True, "slot": slot},
    )


@require_http_methods(["GET", "POST"])
def presence_edit(request, pk):
    """Change one person's presence; answers HTMX with the updated row, or with
    the form and its errors next to the fields (422). GET ?cancel=1 gives the
    row back unchanged (Esc on the board)."""
    staff = get_staff_for_presence(request, pk)
    slot = _slot(request)
    if request.method == "GET" and request.htmx and request.GET.get("cancel"):
        return _row(request, staff, slot)
    auto_id = f"id_presence_{staff.pk}_{slot}_%s" if request.htmx else "id_%s"
    if request.method == "POST":
        form = PresenceForm(request.POST, auto_id=auto_id)
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
                return _row(request, staff, slot)
        form.mark_errors()
        status = 422 if request.htmx else 200
        return render(
            request,
            _form_template(request),
            {"staff": staff, "form": form, "slot": slot},
            status=status,
        )
    form = PresenceForm(
        initial={
            "presence": staff.presence,
            "back_at": staff.back_at,
            "note": staff.presence_note,
        },
        auto_id=auto_id,
    )
    return render(request, _form_template(request), {"staff": staff, "form": form, "slot": slot})


def _form_template(request):
    return (
        "directory/partials/_presence_form.html" if request.htmx else "directory/presence_form.html"
    )
