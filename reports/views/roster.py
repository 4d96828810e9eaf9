"""roster views."""

urlpatterns = []
