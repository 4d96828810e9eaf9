from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MessagesAppConfig(AppConfig):
    name = "messages_app"
    label = "messages_app"
    verbose_name = _("Messages and complaints")

    def ready(self):
        # The notification channels, and what this app adds to the console and
        # the caller's pages (calls.extensions): registered once per process.
        from messages_app import console_complaint, delivery
        from messages_app.console_slip import register_slips

        delivery.register()
        register_slips()  # the console's message section, caller panel, "delivered" hook
        console_complaint.register()  # the complaint outcome and caller panel
