from django.contrib.auth.decorators import login_not_required
from django.db.models import Prefetch
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from directory.access import (
    can_read_directory,
    directory_reader_required,
    get_department_for_user,
    get_info_entry_for_user,
    get_staff_for_user,
    sees_internal_answers,
)
from directory.models import Department, Extension, InfoEntry, Staff
from directory.selectors import DESK_FIRST, directory_search, staff_extensions
from directory.services import can_set_presence
from directory.views.cards import results_html


@require_GET
@directory_reader_required
def search(request):
    """The search page; as the user types, the box asks again for just the
    results (an HTMX request). Staff members search too, without the internal
    answers."""
    query = request.GET.get("q", "")
    # A blank query is [] without touching the database.
    results = directory_search(query, internal=sees_internal_answers(request.user))
    html = results_html(query, results)
    if request.htmx:
        return HttpResponse(html)
    return render(request, "directory/search.html", {"query": query, "results_html": html})


@login_not_required  # answers 401/403 as JSON instead of redirecting to a log-in page
@require_GET
def api_search(request):
    """GET /api/directory/search?q=… — the same search as JSON."""
    if not request.user.is_authenticated:
        return JsonResponse({"error": "authentication required"}, status=401)
    if not can_read_directory(request):
        return JsonResponse({"error": "permission denied"}, status=403)
    query = request.GET.get("q", "")
    results = directory_search(query, internal=sees_internal_answers(request.user))
    return JsonResponse(
        {"query": query, "count": len(results), "results": [r.as_json() for r in results]}
    )


@require_GET
def staff_detail(request, pk):
    staff = get_staff_for_user(request, pk)
    context = {
        "staff": staff,
        "extensions": staff_extensions(staff),
        "can_set_presence": can_set_presence(request.user, staff),
        # The notes are the desk's ("put calls through to her assistant first").
        "show_operator_notes": request.user.has_perm("directory.view_staff"),
    }
    return render(request, "directory/staff_detail.html", context)


@require_GET
def department_detail(request, pk):
    department = get_department_for_user(
        request, pk, queryset=Department.objects.select_related("parent", "head", "main_extension")
    )
    members = (
        Staff.objects.active()
        .filter(department=department)
        .select_related("cover")
        .prefetch_related(Prefetch("extensions", queryset=Extension.objects.order_by(*DESK_FIRST)))
    )
    context = {
        "department": department,
        "members": members,
        "children": department.children.filter(active=True),
        "lines": department.extensions.all(),
    }
    return render(request, "directory/department_detail.html", context)


@require_GET
def info_detail(request, pk):
    entry = get_info_entry_for_user(request, pk, queryset=InfoEntry.objects.select_related("owner"))
    return render(request, "directory/infoentry_detail.html", {"entry": entry})
