from django.apps import AppConfig


class ConsoleConfig(AppConfig):
    """The three administrators' pages (三员分立): accounts and backups (system administrator),
    roles, posts, second factors and API tokens (security administrator), the audit log
    (auditor).  It sits above the apps whose records it manages and owns no models."""

    name = "chuangwen.console"
    label = "console"
    verbose_name = "三员管理"

    def ready(self):
        from . import checks  # noqa: F401  (registers the ADMIN_NETWORKS check)
