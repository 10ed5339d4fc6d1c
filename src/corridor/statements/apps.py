from django.apps import AppConfig


class StatementsConfig(AppConfig):
    name = "corridor.statements"
    label = "statements"
    verbose_name = "Statements"

    def ready(self) -> None:
        # The access rules for this app's models join the one policy (accounts/policy.py).
        from corridor.statements import access

        access.register()
