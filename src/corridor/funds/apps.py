from django.apps import AppConfig


class FundsConfig(AppConfig):
    name = "corridor.funds"
    label = "funds"
    verbose_name = "Funds"

    def ready(self) -> None:
        # The access rules for this app's models join the one policy (accounts/policy.py).
        from corridor.funds import access

        access.register()
