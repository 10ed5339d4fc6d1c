from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "corridor.orgs"
    label = "orgs"
    verbose_name = "Organisations"

    def ready(self) -> None:
        # The access rules for this app's models join the one policy (accounts/policy.py).
        from corridor.orgs import access

        access.register()
