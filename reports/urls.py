"""The reports URLs, one module per area, under one namespace."""

from reports.views import kpi, quality, recap, roster

app_name = "reports"

urlpatterns = [
    *roster.urlpatterns,
    *quality.urlpatterns,
    *kpi.urlpatterns,
    *recap.urlpatterns,
]
