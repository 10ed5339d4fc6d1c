from django.apps import AppConfig


class FundsConfig(AppConfig):
    name = "corridor.funds"
    label = "funds"
    verbose_name = "Funds"
