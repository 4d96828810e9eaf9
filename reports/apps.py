from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Reports")

    def ready(self):
        # A corrected, moved or deleted call marks the days whose KPI figures
        # it changed (reports.services.operator_days).
        from django.db.models.signals import post_delete, post_save, pre_save

        from calls.models import Call
        from reports.services import operator_days

        pre_save.connect(operator_days.call_pre_save, sender=Call, dispatch_uid="kpi_call_pre")
        post_save.connect(operator_days.call_post_save, sender=Call, dispatch_uid="kpi_call_post")
        post_delete.connect(
            operator_days.call_post_delete, sender=Call, dispatch_uid="kpi_call_delete"
        )
