from django.urls import path

from calls.views import console, log

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
]
