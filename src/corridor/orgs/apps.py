from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "corridor.orgs"
    label = "orgs"
    verbose_name = "Organisations"
