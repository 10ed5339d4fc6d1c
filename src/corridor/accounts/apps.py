from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "corridor.accounts"
    label = "accounts"
    verbose_name = "Accounts"
