from django.apps import AppConfig
from django.db.models.signals import post_migrate


class SwitchboardConfig(AppConfig):
    name = "switchboard"
    verbose_name = "Switchboard"

    def ready(self):
        from switchboard.roles import ensure_roles_after_migrate

        post_migrate.connect(ensure_roles_after_migrate, dispatch_uid="switchboard-roles")
