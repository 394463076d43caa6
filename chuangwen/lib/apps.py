from django.apps import AppConfig


class LibConfig(AppConfig):
    name = "chuangwen.lib"
    label = "lib"
    verbose_name = "公共组件"
