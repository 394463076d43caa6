from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "chuangwen.accounts"
    label = "accounts"
    verbose_name = "账号与登录"

    def ready(self):
        from . import checks, signals  # noqa: F401  (registers checks and audit receivers)
