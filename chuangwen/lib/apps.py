from django.apps import AppConfig


class LibConfig(AppConfig):
    name = "chuangwen.lib"
    label = "lib"
    verbose_name = "公共组件"

    def ready(self):
        from .pi import checks  # noqa: F401  (registers the personal-information key check)
