"""The messages_app URLs, one module per area, under one namespace."""

from messages_app.views import complaint_list, complaints, escalations, slip_list, slips

app_name = "messages_app"

urlpatterns = [
    *slips.urlpatterns,
    *slip_list.urlpatterns,
    *complaints.urlpatterns,
    *complaint_list.urlpatterns,
    *escalations.urlpatterns,
]
