from django.apps import AppConfig


class SituationConfig(AppConfig):
    name = "corridor.situation"
    label = "situation"
    verbose_name = "Situation"

    def ready(self) -> None:
        # The access rules for this app's models join the one policy (accounts/policy.py).
        from corridor.situation import access

        access.register()
