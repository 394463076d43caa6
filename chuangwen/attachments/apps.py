from django.apps import AppConfig


class AttachmentsConfig(AppConfig):
    name = "chuangwen.attachments"
    label = "attachments"
    verbose_name = "附件"

    def ready(self):
        from . import checks  # noqa: F401  (registers the system checks)
