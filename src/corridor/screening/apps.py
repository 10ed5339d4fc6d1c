from django.apps import AppConfig


class ScreeningConfig(AppConfig):
    name = "corridor.screening"
    label = "screening"
    verbose_name = "Screening"

    def ready(self) -> None:
        # The access rules for this app's models join the one policy (accounts/policy.py).
        from corridor.screening import access

        access.register()
