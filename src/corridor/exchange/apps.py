from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "corridor.exchange"
    label = "exchange"
    verbose_name = "Data exchange"
