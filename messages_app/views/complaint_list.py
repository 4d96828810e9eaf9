"""complaint_list views (see messages_app/urls.py)."""

urlpatterns = []
