from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.db.models.signals import post_migrate


class SwitchboardConfig(AppConfig):
    default = True  # this module also holds the admin's config below
    name = "switchboard"
    verbose_name = "Switchboard"

    def ready(self):
        from switchboard.roles import ensure_roles_after_migrate

        post_migrate.connect(ensure_roles_after_migrate, dispatch_uid="switchboard-roles")


class SwitchboardAdminConfig(admin_apps.AdminConfig):
    """Django admin, with the Switchboard site as admin.site (switchboard/admin_site.py)."""

    default = False

    default_site = "switchboard.admin_site.SwitchboardAdminSite"
