from django.apps import AppConfig


class SituationConfig(AppConfig):
    name = "corridor.situation"
    label = "situation"
    verbose_name = "Situation"
