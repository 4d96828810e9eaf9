"""quality views."""

urlpatterns = []
