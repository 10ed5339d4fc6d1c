from django.apps import AppConfig


class AidConfig(AppConfig):
    name = "corridor.aid"
    label = "aid"
    verbose_name = "Aid activities (4W)"

    def ready(self) -> None:
        # The access rules for this app's models join the one policy (accounts/policy.py).
        from corridor.aid import access

        access.register()
