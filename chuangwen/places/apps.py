from django.apps import AppConfig


class PlacesConfig(AppConfig):
    name = "chuangwen.places"
    label = "places"
    verbose_name = "点位"
