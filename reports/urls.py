"""The reports URLs, one module per area, under one namespace."""

from reports.views import dashboard, handover, kpi, quality, recap, roster

app_name = "reports"

urlpatterns = [
    *roster.urlpatterns,
    *quality.urlpatterns,
    *kpi.urlpatterns,
    *recap.urlpatterns,
    *handover.urlpatterns,
    *dashboard.urlpatterns,
]
