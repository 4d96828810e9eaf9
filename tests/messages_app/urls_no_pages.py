"""A urlconf with no slip or complaint pages: what an e-mail does when there is
nothing to link to (tests/messages_app/test_notifications.py)."""

urlpatterns = []
