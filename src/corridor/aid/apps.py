from django.apps import AppConfig


class AidConfig(AppConfig):
    name = "corridor.aid"
    label = "aid"
    verbose_name = "Aid activities (4W)"
