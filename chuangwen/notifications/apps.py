from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "chuangwen.notifications"
    label = "notifications"
    verbose_name = "通知"

    def ready(self):
        from . import checks  # noqa: F401  (registers the channel setting check)
