from django.contrib.auth.decorators import login_not_required, permission_required
from django.db.models import Prefetch
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from directory.models import Department, Extension, InfoEntry, Staff
from directory.selectors import DESK_FIRST, directory_search, staff_extensions
from directory.services import can_set_presence
from directory.views.cards import results_html


@require_GET
@permission_required("directory.view_staff", raise_exception=True)
def search(request):
    """The search page; as the operator types, the box asks again for just the
    results (an HTMX request)."""
    query = request.GET.get("q", "")
    results = directory_search(query)  # a blank query is [] without touching the database
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
    if not request.user.has_perm("directory.view_staff"):
        return JsonResponse({"error": "permission denied"}, status=403)
    query = request.GET.get("q", "")
    results = directory_search(query)  # a blank query is [] without touching the database
    return JsonResponse(
        {"query": query, "count": len(results), "results": [r.as_json() for r in results]}
    )


@require_GET
@permission_required("directory.view_staff", raise_exception=True)
def staff_detail(request, pk):
    staff = get_object_or_404(Staff.objects.for_cards(), pk=pk)
    context = {
        "staff": staff,
        "extensions": staff_extensions(staff),
        "can_set_presence": can_set_presence(request.user, staff),
    }
    return render(request, "directory/staff_detail.html", context)


@require_GET
@permission_required("directory.view_department", raise_exception=True)
def department_detail(request, pk):
    department = get_object_or_404(
        Department.objects.select_related("parent", "head", "main_extension"), pk=pk
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
@permission_required("directory.view_infoentry", raise_exception=True)
def info_detail(request, pk):
    entry = get_object_or_404(InfoEntry.objects.select_related("owner"), pk=pk)
    return render(request, "directory/infoentry_detail.html", {"entry": entry})
