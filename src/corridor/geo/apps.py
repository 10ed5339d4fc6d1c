from django.apps import AppConfig


class GeoConfig(AppConfig):
    name = "corridor.geo"
    label = "geo"
    verbose_name = "Places (MIMU admin units)"
