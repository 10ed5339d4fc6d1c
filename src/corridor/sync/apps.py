from django.apps import AppConfig


class SyncConfig(AppConfig):
    name = "corridor.sync"
    label = "sync"
    verbose_name = "Sync between instances"

    def ready(self) -> None:
        # The access rules for this app's models join the one policy (accounts/policy.py).
        from corridor.sync import access

        access.register()
