"""The Django admin site, branded Switchboard, with the throttled password change.

Its own module: switchboard/admin.py registers models on this site, so the site
class must be importable before that module runs."""

from django.contrib import admin
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from switchboard.security import ThrottledAdminPasswordChangeForm


class SwitchboardAdminSite(admin.AdminSite):
    site_header = _("Switchboard administration")
    site_title = _("Switchboard admin")
    index_title = _("Directory, calls and users")

    def password_change(self, request, extra_context=None):
        """Django's admin password change, with the old password checked through
        authenticate() so that wrong guesses are throttled like log-ins."""
        from switchboard.views import PasswordChangeView

        defaults = {
            "form_class": ThrottledAdminPasswordChangeForm,
            "success_url": reverse("admin:password_change_done", current_app=self.name),
            "extra_context": {**self.each_context(request), **(extra_context or {})},
        }
        if self.password_change_template is not None:
            defaults["template_name"] = self.password_change_template
        request.current_app = self.name
        return PasswordChangeView.as_view(**defaults)(request)
