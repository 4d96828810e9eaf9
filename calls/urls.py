from django.urls import path

from calls.views import console, incidents, log

app_name = "calls"

urlpatterns = [
    # The operator's console (calls/views/console.py).
    path("console/", console.console, name="console"),
    path("console/caller/", console.caller_lookup, name="caller-lookup"),
    # The call log (calls/views/log.py).
    path("", log.call_list, name="call-list"),
    path("export/<slug:fmt>/", log.call_export, name="call-export"),
    path("<int:pk>/", log.call_detail, name="call-detail"),
    path("<int:pk>/edit/", log.call_edit, name="call-edit"),
    path("<int:pk>/delete/", log.call_delete, name="call-delete"),
    path("callers/<int:pk>/", log.caller_detail, name="caller-detail"),
    # Phone-line incidents (calls/views/incidents.py).
    path("incidents/", incidents.incident_list_view, name="incident-list"),
    path("incidents/new/", incidents.incident_new, name="incident-new"),
    path("incidents/<int:pk>/edit/", incidents.incident_edit, name="incident-edit"),
    path("incidents/<int:pk>/close/", incidents.incident_close_view, name="incident-close"),
]
