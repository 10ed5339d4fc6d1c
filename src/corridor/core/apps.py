from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "corridor.core"
    label = "core"
    verbose_name = "Core"
