from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "corridor.exchange"
    label = "exchange"
    verbose_name = "Data exchange"

    def ready(self) -> None:
        # Who may see and settle held rows joins the one policy (accounts/policy.py).
        from corridor.exchange import access

        access.register()
