"""kpi views."""

urlpatterns = []
