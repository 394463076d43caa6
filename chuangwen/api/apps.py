from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "chuangwen.api"
    label = "api"
    verbose_name = "接口"
